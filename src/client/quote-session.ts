import { fromBinary } from '@bufbuild/protobuf';
import { encodeBody } from '../protocol/body-codec.js';
import { CloseCode } from '../protocol/codes/close-code.js';
import { ControlCommand, QuoteCommand } from '../protocol/control-command.js';
import {
  AuthRequestSchema,
  AuthResponseSchema,
  HeartbeatSchema,
  ReconnectRequestSchema,
  ReconnectResponseSchema,
} from '../protocol/gen/control_pb.js';
import { UserQuoteProfileRequestSchema, UserQuoteProfileResponseSchema } from '../protocol/gen/quote_pb.js';
import { CapflowClientError } from './client-error.js';
import type { ClientRuntime } from './client-runtime.js';
import type { Config } from './config.js';
import { PacketChannel, type ChannelClosed } from './packet-channel.js';
import { RequestPacer, type PaceRule } from './request-pacer.js';
import { RestClient } from './rest-client.js';
import type { SocketToken } from '../contract/schemas.js';


/** What happens to the connection, for `QuoteContext.setOnConnectionEvent`. */
export type ConnectionEvent =
  | { type: 'connected'; sessionId: string }
  | { type: 'disconnected'; closeCode: number | undefined; reason: string }
  | { type: 'reconnected'; sessionId: string; resumed: boolean }
  | { type: 'closed'; error: CapflowClientError | undefined }
  /** A live subscription could not be restored after a reconnect (it is dropped). */
  | { type: 'resubscribe-failed'; symbol: string; error: CapflowClientError }
  /** After a reconnect, every subscription that could be was restored (trades: the symbols held). */
  | { type: 'resubscribed'; tradeSymbols: string[] };

export interface SessionHooks {
  onPush(cmd: number, body: Uint8Array): void;
  /** After a reconnect, before queued requests go out (re-subscribe here). */
  onReconnected(resumed: boolean): Promise<void>;
  onEvent(event: ConnectionEvent): void;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: CapflowClientError): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: CapflowClientError) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  promise.catch(() => {}); // nobody may be waiting
  return { promise, resolve, reject };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The socket session of protocol.md: signed token request, WebSocket, auth, quote profile (its
 * rate limits pace requests), heartbeats, and after an unexpected close a reconnect with the
 * session id (backing off), falling back to a fresh token and auth when the session is gone.
 * Requests made while reconnecting wait for it, within their timeout; requests in flight when
 * a connection closes fail with kind `closed`.
 */
export class QuoteSession {
  private channel: PacketChannel | undefined;
  private state: 'idle' | 'open' | 'reconnecting' | 'closed' = 'idle';
  private ready = deferred();
  private failure: CapflowClientError | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly pacer = new RequestPacer();
  private session: { id: string; expiresAt: number } | undefined;
  private limits = { subscribeLimit: 0 };
  /** Each reconnect loop's number; a newer loop (or close) makes older ones stop. */
  private generation = 0;

  /** The token endpoints, signed with the config's credential. */
  private readonly rest: RestClient;

  constructor(
    private readonly config: Config,
    private readonly runtime: ClientRuntime,
    private readonly hooks: SessionHooks,
  ) {
    this.rest = new RestClient({ httpUrl: config.httpUrl, credential: config, fetch: runtime.fetch });
  }

  get sessionId(): string | undefined {
    return this.session?.id;
  }

  get subscribeLimit(): number {
    return this.limits.subscribeLimit;
  }

  /** First connection; fails (and leaves the session closed) when it cannot be made. */
  async start(): Promise<void> {
    try {
      await this.connect(false);
    } catch (error) {
      this.state = 'closed';
      this.failure = asClientError(error);
      throw this.failure;
    }
    this.state = 'open';
    this.ready.resolve();
    this.hooks.onEvent({ type: 'connected', sessionId: this.session!.id });
  }

  /**
   * Sends a request once connected and paced; `accept` decodes the answer synchronously on
   * arrival. The timeout covers waiting for a reconnect, pacing and the answer. `paceAs` names
   * the command whose rate limit the request takes (capflow's 220 takes command 17's).
   */
  async request<T>(cmd: number, body: Uint8Array, accept: (body: Uint8Array) => T, paceAs = cmd): Promise<T> {
    const deadline = Date.now() + this.config.requestTimeoutMs;
    await this.whenOpen(deadline, cmd);
    if (this.config.enableRateLimit) {
      const wait = this.pacer.reserve(paceAs);
      if (Date.now() + wait > deadline) {
        throw new CapflowClientError(`request timed out: command ${cmd} is paced beyond its ${this.config.requestTimeoutMs} ms timeout`, { kind: 'timeout' });
      }
      if (wait > 0) await sleep(wait);
    }
    const channel = await this.whenOpen(deadline, cmd);
    return channel.request(cmd, body, Math.max(1, deadline - Date.now()), accept);
  }

  /** Ends the session; pending and later requests fail with kind `closed`. */
  close(): void {
    if (this.state === 'closed') return;
    this.fail(new CapflowClientError('the quote context is closed', { kind: 'closed' }), false);
  }

  private async whenOpen(deadline: number, cmd: number): Promise<PacketChannel> {
    for (;;) {
      if (this.state === 'closed') throw this.failure!;
      if (this.state === 'open' && this.channel?.isOpen) return this.channel;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new CapflowClientError(`request timed out: command ${cmd} waited for a reconnect longer than its timeout`, { kind: 'timeout' });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.ready.promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]).finally(() =>
        clearTimeout(timer),
      );
    }
  }

  /** Opens a channel and authenticates it (resuming the session when asked and possible). */
  private async connect(resume: boolean): Promise<boolean> {
    const timeout = this.config.requestTimeoutMs;
    let channel: PacketChannel | undefined;
    let resumed = false;
    try {
      if (resume && this.session && this.session.expiresAt > Date.now()) {
        channel = await this.openChannel();
        try {
          const answer = await channel.request(ControlCommand.Reconnect, encodeBody(ReconnectRequestSchema, { sessionId: this.session.id }), timeout, (body) =>
            fromBinary(ReconnectResponseSchema, body),
          );
          this.session = { id: answer.sessionId, expiresAt: Number(answer.expires) };
          resumed = true;
        } catch (error) {
          channel.close();
          channel = undefined;
          const code = (error as CapflowClientError).closeCode;
          if (code !== CloseCode.SessExpired && code !== CloseCode.AuthError) throw error;
        }
      }
      if (!channel) {
        const otp = await this.fetchOtp();
        channel = await this.openChannel();
        const answer = await channel.request(ControlCommand.Auth, encodeBody(AuthRequestSchema, { token: otp }), timeout, (body) =>
          fromBinary(AuthResponseSchema, body),
        );
        this.session = { id: answer.sessionId, expiresAt: Number(answer.expires) };
      }
      const profile = await channel.request(
        QuoteCommand.QueryUserQuoteProfile,
        encodeBody(UserQuoteProfileRequestSchema, { language: this.config.language }),
        timeout,
        (body) => fromBinary(UserQuoteProfileResponseSchema, body),
      );
      const rules = new Map<number, PaceRule>(profile.rateLimit.map((rule) => [rule.command as number, { limit: rule.limit, burst: rule.burst }]));
      this.pacer.configure(rules);
      this.limits = { subscribeLimit: profile.subscribeLimit };
    } catch (error) {
      channel?.close();
      throw error;
    }
    this.channel = channel;
    this.startHeartbeat(channel);
    return resumed;
  }

  private openChannel(): Promise<PacketChannel> {
    const url = `${this.config.quoteWsUrl}${this.config.quoteWsUrl.includes('?') ? '&' : '?'}version=1&codec=1&platform=9`;
    let opened: PacketChannel | undefined;
    return PacketChannel.open(
      this.runtime,
      url,
      {
        onPush: (cmd, body) => this.hooks.onPush(cmd, body),
        onClosed: (closed) => {
          if (opened) this.channelClosed(opened, closed);
        },
      },
      this.config.requestTimeoutMs,
    ).then((channel) => (opened = channel));
  }

  /** GET /v1/socket/token, signed; the one-time password for auth. */
  private async fetchOtp(): Promise<string> {
    let token: SocketToken;
    try {
      token = await this.rest.socketToken();
    } catch (error) {
      const failure = asClientError(error);
      if (failure.kind !== 'http') throw new CapflowClientError(`token request to ${this.config.httpUrl} failed: ${failure.message}`, { kind: 'closed' });
      throw new CapflowClientError(`token request failed: HTTP ${failure.httpStatus}: code ${failure.code ?? 'unknown'}: ${failure.message}`, {
        kind: 'http',
        ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
        ...(failure.code === undefined ? {} : { code: failure.code }),
      });
    }
    if (token.online >= token.limit) {
      throw new CapflowClientError(`connections limitation: ${token.online} of ${token.limit} connections are in use`, { kind: 'http', httpStatus: 200 });
    }
    return token.otp;
  }

  private startHeartbeat(channel: PacketChannel): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      const body = encodeBody(HeartbeatSchema, { timestamp: BigInt(Date.now()) });
      channel.request(ControlCommand.Heartbeat, body, Math.min(this.config.requestTimeoutMs, this.config.heartbeatIntervalMs), () => undefined).catch((error: unknown) => {
        // No answer: the connection is dead even if the socket has not noticed; start over.
        if ((error as CapflowClientError).kind === 'timeout' && this.channel === channel) channel.close('heartbeat timed out');
      });
    }, this.config.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private channelClosed(channel: PacketChannel, closed: ChannelClosed): void {
    if (channel !== this.channel) return; // a channel still being set up reports through its requests
    this.channel = undefined;
    this.stopHeartbeat();
    if (this.state === 'closed') return;
    this.hooks.onEvent({ type: 'disconnected', closeCode: closed.closeCode, reason: closed.reason });
    if (closed.closeCode === CloseCode.AuthError || closed.closeCode === CloseCode.ConnectDuplicate) {
      // Revoked, or the session was taken over elsewhere: reconnecting would fight over it.
      this.fail(new CapflowClientError(`connection closed by the server: ${closed.reason}`, { kind: 'closed', closeCode: closed.closeCode }), true);
      return;
    }
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const generation = ++this.generation;
    const current = (): boolean => this.generation === generation && this.state === 'reconnecting';
    this.state = 'reconnecting';
    this.ready = deferred();
    for (let attempt = 0; ; attempt++) {
      await sleep(Math.min(this.config.maxReconnectDelayMs, this.config.reconnectDelayMs * 2 ** Math.min(attempt, 16)));
      if (!current()) return;
      let resumed: boolean;
      try {
        resumed = await this.connect(true);
      } catch (error) {
        const failure = asClientError(error);
        if (!current()) return;
        if (failure.kind === 'http' && (failure.httpStatus === 401 || failure.httpStatus === 403)) {
          this.fail(failure, true);
          return;
        }
        continue;
      }
      if (!current()) {
        if (this.isClosed()) this.channel?.close();
        return;
      }
      this.state = 'open';
      this.hooks.onEvent({ type: 'reconnected', sessionId: this.session!.id, resumed });
      try {
        await this.hooks.onReconnected(resumed);
      } finally {
        this.ready.resolve();
      }
      return;
    }
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private fail(error: CapflowClientError, report: boolean): void {
    this.state = 'closed';
    this.failure = error;
    this.stopHeartbeat();
    this.ready.reject(error);
    const channel = this.channel;
    this.channel = undefined;
    channel?.close();
    this.hooks.onEvent({ type: 'closed', error: report ? error : undefined });
  }
}

function asClientError(error: unknown): CapflowClientError {
  if (error instanceof CapflowClientError) return error;
  return new CapflowClientError(error instanceof Error ? error.message : String(error), { kind: 'closed' });
}
