import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MARKETS, type Market } from '../../model/market.js';
import { parseSymbol } from '../../model/symbol.js';
import { HttpErrorCode, BusinessCode, CloseCode } from '../../model/errors.js';

/** Every capflow metric: name, type, labels and meaning (docs/operations.md is checked against it). */
export const METRIC_DEFINITIONS = [
  { name: 'capflow_connections', type: 'gauge', labels: ['transport'], help: 'Open socket connections by transport (ws, tcp).' },
  { name: 'capflow_connections_opened_total', type: 'counter', labels: ['transport'], help: 'Socket connections accepted since start, by transport.' },
  { name: 'capflow_requests_total', type: 'counter', labels: ['command', 'status', 'code'], help: 'Answered socket requests by command code, response status and business code (0 on success).' },
  { name: 'capflow_rate_limit_refusals_total', type: 'counter', labels: ['command'], help: 'Requests refused with 3/301606 (over the rate limit), by command.' },
  { name: 'capflow_auth_failures_total', type: 'counter', labels: ['reason'], help: 'Refused authentications by reason (HTTP token endpoint and socket auth).' },
  { name: 'capflow_http_requests_total', type: 'counter', labels: ['method', 'status'], help: 'HTTP requests answered, by method and HTTP status.' },
  { name: 'capflow_ingest_rows_total', type: 'counter', labels: ['outcome'], help: 'Rows received through POST /v1/ingest by outcome (accepted, duplicate, rejected).' },
  { name: 'capflow_trades_applied_total', type: 'counter', labels: ['market'], help: 'Stored trades applied to the served lines (from any writer), by market.' },
  { name: 'capflow_feed_lag_seconds', type: 'gauge', labels: ['market'], help: 'Wall clock minus the latest trade time seen, per market with data.' },
  { name: 'capflow_line_update_latency_seconds', type: 'histogram', labels: [], help: 'Time from a trade batch committed by this process to its lines being updated.' },
  { name: 'capflow_store_write_seconds', type: 'histogram', labels: [], help: 'Duration of durable trade writes (appendTrades) made by this process.' },
  { name: 'capflow_credential_disconnects_total', type: 'counter', labels: ['reason'], help: 'Connections closed because their credential was revoked, expired, rotated or removed.' },
  { name: 'capflow_up', type: 'gauge', labels: [], help: '1 while serving, 0 once shutting down.' },
  { name: 'nodejs_eventloop_lag_seconds', type: 'gauge', labels: [], help: 'Event-loop lag (prom-client default metrics, with the other process_* and nodejs_* metrics).' },
] as const;

/** Auth failure reasons by HTTP error code or socket close code. */
const HTTP_AUTH_REASONS: Record<number, string> = {
  [HttpErrorCode.UnknownAppKey]: 'unknown_app_key',
  [HttpErrorCode.UnknownAccessToken]: 'unknown_access_token',
  [HttpErrorCode.SignatureMismatch]: 'signature_mismatch',
  [HttpErrorCode.StaleTimestamp]: 'stale_timestamp',
  [HttpErrorCode.BearerNotAllowed]: 'bearer_not_allowed',
  [HttpErrorCode.CredentialExpired]: 'credential_expired_or_revoked',
};
const SOCKET_AUTH_REASONS: Record<number, string> = {
  [CloseCode.AuthError]: 'socket_auth_refused',
  [CloseCode.SessExpired]: 'socket_session_expired',
};

let sharedDefaults: Registry | undefined;
/** Process-wide default metrics (event-loop lag, memory, GC): collected once whatever the number of servers. */
function defaultMetricsRegistry(): Registry {
  if (!sharedDefaults) {
    sharedDefaults = new Registry();
    collectDefaultMetrics({ register: sharedDefaults });
  }
  return sharedDefaults;
}

/** Batches this process committed, waiting for the poller to apply them (line-update latency). */
interface CommitMark {
  readonly lastSeq: number;
  readonly committedAt: number;
}

/**
 * The metrics of one server, in its own prom-client Registry, fed by small hooks (gateway,
 * authenticator, transports, store writes, the flow service's applied trades).
 */
export class CapflowMetrics {
  readonly registry = new Registry();
  private readonly connections = new Gauge({ ...def('capflow_connections'), registers: [this.registry] });
  private readonly connectionsOpened = new Counter({ ...def('capflow_connections_opened_total'), registers: [this.registry] });
  /** Answered socket requests, counted as plain numbers on the hot path and read by the counters at scrape time. */
  private readonly answered = new RequestTally();
  private readonly authFailures = new Counter({ ...def('capflow_auth_failures_total'), registers: [this.registry] });
  private readonly httpRequests = new Counter({ ...def('capflow_http_requests_total'), registers: [this.registry] });
  private readonly ingestRows = new Counter({ ...def('capflow_ingest_rows_total'), registers: [this.registry] });
  private readonly tradesApplied = new Counter({ ...def('capflow_trades_applied_total'), registers: [this.registry] });
  private readonly lineUpdateLatency = new Histogram({
    ...def('capflow_line_update_latency_seconds'),
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly storeWrite = new Histogram({
    ...def('capflow_store_write_seconds'),
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly credentialDisconnects = new Counter({ ...def('capflow_credential_disconnects_total'), registers: [this.registry] });
  private readonly up = new Gauge({ ...def('capflow_up'), registers: [this.registry] });
  private readonly latestTrade = new Map<Market, number>();
  private commits: CommitMark[] = [];

  constructor(private readonly wallNow: () => number = Date.now) {
    const latest = this.latestTrade;
    const now = this.wallNow;
    new Gauge({
      ...def('capflow_feed_lag_seconds'),
      registers: [this.registry],
      collect() {
        this.reset();
        for (const market of MARKETS) {
          const at = latest.get(market);
          if (at !== undefined) this.set({ market }, (now() - at) / 1000);
        }
      },
    });
    const answered = this.answered;
    new Counter({
      ...def('capflow_requests_total'),
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { command, status, code, count } of answered.entries()) this.inc({ command: String(command), status: String(status), code: String(code) }, count);
      },
    });
    new Counter({
      ...def('capflow_rate_limit_refusals_total'),
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { command, code, count } of answered.entries()) if (code === BusinessCode.RateLimited) this.inc({ command: String(command) }, count);
      },
    });
    for (const transport of ['ws', 'tcp']) this.connections.set({ transport }, 0);
    this.up.set(1);
  }

  connectionOpened(transport: string): void {
    this.connections.inc({ transport });
    this.connectionsOpened.inc({ transport });
  }

  connectionClosed(transport: string): void {
    this.connections.dec({ transport });
  }

  requestDone(command: number, status: number, code: number): void {
    this.answered.count(command, status, code);
  }

  httpAuthFailed(code: number): void {
    this.authFailures.inc({ reason: HTTP_AUTH_REASONS[code] ?? `http_${code}` });
  }

  socketAuthFailed(closeCode: number): void {
    this.authFailures.inc({ reason: SOCKET_AUTH_REASONS[closeCode] ?? `close_${closeCode}` });
  }

  httpRequestDone(method: string, status: number): void {
    this.httpRequests.inc({ method, status: String(status) });
  }

  ingested(summary: { accepted: number; duplicates: number; rejected: number }): void {
    this.ingestRows.inc({ outcome: 'accepted' }, summary.accepted);
    this.ingestRows.inc({ outcome: 'duplicate' }, summary.duplicates);
    this.ingestRows.inc({ outcome: 'rejected' }, summary.rejected);
  }

  credentialDisconnected(reason: string, connections: number): void {
    if (connections > 0) this.credentialDisconnects.inc({ reason }, connections);
  }

  /** Latest trade time per market, e.g. from the store's symbol summaries at start. */
  observeTradeTime(market: Market, timestampMs: number): void {
    const latest = this.latestTrade.get(market);
    if (latest === undefined || timestampMs > latest) this.latestTrade.set(market, timestampMs);
  }

  /** A durable write by this process finished: its duration and the last sequence number it stored. */
  storeWriteDone(seconds: number, lastSeq: number | undefined): void {
    this.storeWrite.observe(seconds);
    if (lastSeq !== undefined) {
      this.commits.push({ lastSeq, committedAt: this.wallNow() });
      if (this.commits.length > 10_000) this.commits.splice(0, this.commits.length - 10_000);
    }
  }

  /** Trades the flow service just applied (any writer): counts, feed times, commit-to-line latency. */
  tradesAppliedBatch(trades: ReadonlyArray<{ symbol: string; timestamp: number; seq: number }>): void {
    if (trades.length === 0) return;
    const perMarket = new Map<Market, number>();
    for (const trade of trades) {
      const market = parseSymbol(trade.symbol)?.market;
      if (!market) continue;
      perMarket.set(market, (perMarket.get(market) ?? 0) + 1);
      this.observeTradeTime(market, trade.timestamp);
    }
    for (const [market, count] of perMarket) this.tradesApplied.inc({ market }, count);
    const appliedUpTo = trades[trades.length - 1]!.seq;
    const now = this.wallNow();
    let done = 0;
    for (const mark of this.commits) {
      if (mark.lastSeq > appliedUpTo) break;
      this.lineUpdateLatency.observe(Math.max(0, now - mark.committedAt) / 1000);
      done++;
    }
    if (done > 0) this.commits = this.commits.slice(done);
  }

  shuttingDown(): void {
    this.up.set(0);
  }

  /** The Prometheus text exposition: this server's metrics, then the process defaults. */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    const defaults = await defaultMetricsRegistry().metrics();
    return `${own.trimEnd()}\n${defaults}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

interface TallyEntry {
  readonly command: number;
  readonly status: number;
  readonly code: number;
  count: number;
}

/**
 * Answered requests by (command, status, code), one map look-up per request: the three numbers
 * are packed into one key when they fit (command and status are bytes, codes are small), else
 * joined into a text key.
 */
class RequestTally {
  private readonly byKey = new Map<number | string, TallyEntry>();

  count(command: number, status: number, code: number): void {
    const key = isByte(command) && isByte(status) && Number.isInteger(code) && code >= 0 && code < 2 ** 32 ? (command * 256 + status) * 2 ** 32 + code : `${command} ${status} ${code}`;
    const entry = this.byKey.get(key);
    if (entry) entry.count++;
    else this.byKey.set(key, { command, status, code, count: 1 });
  }

  entries(): Iterable<TallyEntry> {
    return this.byKey.values();
  }
}

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff;
}

/** Name, help and label names of a metric, from METRIC_DEFINITIONS (the one source the docs are checked against). */
function def(name: (typeof METRIC_DEFINITIONS)[number]['name']): { name: string; help: string; labelNames: string[] } {
  const definition = METRIC_DEFINITIONS.find((candidate) => candidate.name === name)!;
  return { name: definition.name, help: definition.help, labelNames: [...definition.labels] };
}
