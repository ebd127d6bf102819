import type { ServerResponse } from 'node:http';
import { HttpErrorCode, httpError } from '../../../model/errors.js';
import type { ParsedSymbol } from '../../../model/symbol.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { Credential } from '../../auth/credential.js';
import { ApiLimits } from '../../../contract/limits.js';
import type { Intraday, LinesEvent } from '../../../contract/schemas.js';
import type { FlowQueries } from '../../queries/flow-queries.js';
import type { LineUpdateSource } from './line-update-source.js';
import { type Logger } from '../../../logging/logger.js';

export interface CapitalFlowStreamsOptions {
  queries: FlowQueries;
  flows: FlowService;
  updates: LineUpdateSource;
  /** Interval of the `: heartbeat` comment that keeps proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** Updates arriving within this window are sent as one event (default 100 ms). */
  coalesceMs?: number;
  /** Streams open at once across the server (default 1000); more get 429 / 429001. */
  maxStreams?: number;
  /**
   * Streams open at once per credential unless the credential sets its own `streams` (default
   * 10); more get 429 / 429002, and other credentials are unaffected.
   */
  maxStreamsPerCredential?: number;
  /** A client this far behind (bytes buffered) is dropped; its EventSource reconnects to a fresh snapshot. */
  maxBufferedBytes?: number;
  logger?: Logger;
}

/** Live streams one credential may hold open at once unless it sets its own `streams`. */
export const DEFAULT_STREAMS_PER_CREDENTIAL = ApiLimits.streamsPerCredential;

/** Longest wait between two looks at the lines, so a wall clock's new minutes and new days show up. */
const MAX_IDLE_CHECK_MS = 60_000;

/**
 * The live capital-flow stream (Server-Sent Events): a `snapshot` event with the intraday payload,
 * then a `lines` event whenever lines change or are added (from the first changed minute on), a
 * new `snapshot` when the served day changes, and heartbeat comments in between.
 */
export class CapitalFlowStreams {
  private readonly streams = new Set<LiveLineStream>();
  /** Open streams per app key (the per-credential limit). */
  private readonly perCredential = new Map<string, number>();
  private readonly maxStreams: number;
  private readonly maxPerCredential: number;

  constructor(private readonly options: CapitalFlowStreamsOptions) {
    this.maxStreams = options.maxStreams ?? 1000;
    this.maxPerCredential = options.maxStreamsPerCredential ?? DEFAULT_STREAMS_PER_CREDENTIAL;
  }

  get openCount(): number {
    return this.streams.size;
  }

  /** Streams a credential has open. */
  openCountOf(appKey: string): number {
    return this.perCredential.get(appKey) ?? 0;
  }

  /**
   * Starts streaming to `response`; the caller has already admitted the request. The
   * credential's own limit is checked first, so one credential's streams never use up the
   * server-wide cap that everyone shares (which stays as a second line).
   */
  async open(response: ServerResponse, credential: Credential, symbol: ParsedSymbol, detail: boolean): Promise<void> {
    const limit = credential.streams ?? this.maxPerCredential;
    const own = this.openCountOf(credential.appKey);
    if (own >= limit) {
      throw httpError(429, HttpErrorCode.TooManyStreams, `this credential already has ${own} live streams open (its limit is ${limit}); close one first`);
    }
    if (this.streams.size >= this.maxStreams) {
      throw httpError(429, HttpErrorCode.TooManyConnections, `too many live streams open (${this.maxStreams}); try again later`);
    }
    const appKey = credential.appKey;
    const stream = new LiveLineStream(response, credential, symbol, detail, this.options, () => {
      if (!this.streams.delete(stream)) return;
      const left = this.openCountOf(appKey) - 1;
      if (left > 0) this.perCredential.set(appKey, left);
      else this.perCredential.delete(appKey);
    });
    this.streams.add(stream);
    this.perCredential.set(appKey, own + 1);
    try {
      await stream.start();
    } catch (error) {
      stream.close();
      throw error;
    }
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const stream of [...this.streams]) stream.close();
  }

  /** Ends the streams of a credential that was revoked, rotated or expired; returns how many. */
  closeCredential(appKey: string): number {
    let closed = 0;
    for (const stream of [...this.streams]) {
      if (stream.appKey !== appKey) continue;
      stream.close();
      closed++;
    }
    return closed;
  }
}

class LiveLineStream {
  private eventId = 0;
  private sentDate: string | undefined;
  private sentLines: string[] = [];
  private running = false;
  private pending = false;
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private coalesce: NodeJS.Timeout | undefined;
  private idleCheck: NodeJS.Timeout | undefined;

  get appKey(): string {
    return this.credential.appKey;
  }

  constructor(
    private readonly response: ServerResponse,
    private readonly credential: Credential,
    private readonly symbol: ParsedSymbol,
    private readonly detail: boolean,
    private readonly options: CapitalFlowStreamsOptions,
    private readonly onClosed: () => void,
  ) {}

  async start(): Promise<void> {
    const response = this.response;
    response.on('close', () => this.close());
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${ApiLimits.streamRetryMs}\n\n`);
    this.unsubscribe = this.options.updates.subscribe(this.symbol.symbol, () => this.schedule());
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), this.options.heartbeatMs ?? ApiLimits.streamHeartbeatSeconds * 1000);
    await this.refresh();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    clearTimeout(this.coalesce);
    clearTimeout(this.idleCheck);
    if (!this.response.writableEnded) this.response.end();
    this.onClosed();
  }

  private schedule(): void {
    if (this.closed || this.coalesce) return;
    this.coalesce = setTimeout(() => {
      this.coalesce = undefined;
      void this.refresh();
    }, this.options.coalesceMs ?? 100);
  }

  /** Sends what changed; runs one at a time, and once more if asked again meanwhile. */
  private async refresh(): Promise<void> {
    if (this.closed) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.pending = false;
        await this.sendChanges();
      } while (this.pending && !this.closed);
    } catch (error) {
      // The client's EventSource reconnects and starts over from a fresh snapshot.
      this.options.logger?.error({ err: error, symbol: this.symbol.symbol }, 'live stream failed');
      this.close();
    } finally {
      this.running = false;
    }
  }

  private async sendChanges(): Promise<void> {
    const expiresAt = this.credential.expiresAt;
    if (expiresAt !== undefined && expiresAt <= Date.now()) {
      this.close();
      return;
    }
    const payload = await this.options.queries.intraday(this.symbol, null, this.detail);
    if (this.closed) return;
    const lines = payload.lines.map((line) => JSON.stringify(line));
    if (payload.date !== this.sentDate || lines.length < this.sentLines.length) {
      this.send('snapshot', payload);
    } else {
      let from = 0;
      while (from < this.sentLines.length && this.sentLines[from] === lines[from]) from++;
      if (from < lines.length) {
        const event: LinesEvent = { symbol: payload.symbol, date: payload.date, from, lines: payload.lines.slice(from) };
        this.send('lines', event);
      }
    }
    this.sentDate = payload.date;
    this.sentLines = lines;
    this.armIdleCheck(payload);
  }

  /** Wakes up when the next line's minute starts (a wall clock adds it without any trade). */
  private armIdleCheck(payload: Intraday): void {
    clearTimeout(this.idleCheck);
    if (this.closed) return;
    const flows = this.options.flows;
    const schedule = flows.servedSchedule(this.symbol.market);
    const nextStart = schedule.date === payload.date ? schedule.lineStartMs[payload.lines.length] : undefined;
    const wait = nextStart === undefined ? MAX_IDLE_CHECK_MS : nextStart - flows.now(this.symbol.market) + 5;
    this.idleCheck = setTimeout(() => void this.refresh(), Math.min(MAX_IDLE_CHECK_MS, Math.max(50, wait)));
  }

  private send(event: string, data: unknown): void {
    this.eventId++;
    this.write(`id: ${this.eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(text: string): void {
    if (this.closed) return;
    if (this.response.writableLength > (this.options.maxBufferedBytes ?? 4 * 1024 * 1024)) {
      this.close();
      return;
    }
    this.response.write(text);
  }
}
