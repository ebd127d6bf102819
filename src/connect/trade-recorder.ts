import { parseTradeRecord, type Rejection } from '../ingest/trade-parser.js';
import type { AppendResult, TradeToStore } from '../store/flow-store.js';
import type { RelayedTrade } from './relayed-trade.js';

/** Where recorded trades go: a store (`--data`, `--store`) or a bus (`--bus`). */
export interface RecorderTarget {
  appendTrades(batch: readonly TradeToStore[]): Promise<AppendResult>;
}

/** One durable commit of the recorder. */
export interface RecorderCommit {
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** When the batch's oldest trade reached the connector (epoch ms). */
  readonly oldestReceivedAt: number;
  /** The latest trade time in the batch (epoch ms). */
  readonly latestTradeMs: number;
}

export interface TradeRecorderOptions {
  target: RecorderTarget;
  /** A batch waits at most this long for more trades (default 5 ms). */
  flushMs?: number;
  /** Trades per commit at most (default 5,000). */
  maxBatch?: number;
  /** First wait before retrying a failed commit (doubling, up to 5 s; default 100 ms). */
  retryMs?: number;
  onCommit?: (commit: RecorderCommit) => void;
  onRejected?: (trade: RelayedTrade, rejection: Rejection) => void;
  onRetry?: (error: unknown, attempt: number) => void;
}

interface Queued {
  readonly trade: TradeToStore;
  readonly receivedAt: number;
}

/**
 * Records relayed trades through the ingest path every input takes (the record validated as a
 * CSV or NDJSON row is, then appended with its trade id), in the order given, in batches: a
 * batch goes when it is full or `flushMs` after its first trade. Commits run one at a time; a
 * failed one is retried, in order, until it succeeds. `flush` resolves once everything recorded
 * so far is durable.
 */
export class TradeRecorder {
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly retryMs: number;
  private line = 0;

  constructor(private readonly options: TradeRecorderOptions) {
    this.flushMs = options.flushMs ?? 5;
    this.maxBatch = options.maxBatch ?? 5000;
    this.retryMs = options.retryMs ?? 100;
  }

  /** Trades waiting for their commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Validates and queues a trade with its derived id; a rejected one is reported and dropped. */
  record(trade: RelayedTrade, tradeId: string, receivedAt = Date.now()): void {
    if (this.closed) throw new Error('the recorder is closed');
    const parsed = parseTradeRecord(++this.line, {
      symbol: trade.symbol,
      timestamp: String(trade.timestampMs),
      price: trade.price,
      volume: String(trade.volume),
      direction: String(trade.direction),
      trade_id: tradeId,
      trade_type: trade.tradeType === '' ? null : trade.tradeType,
    });
    if (!parsed.ok) {
      this.options.onRejected?.(trade, parsed);
      return;
    }
    this.queue.push({ trade: { trade: parsed.trade, date: parsed.date }, receivedAt });
    if (this.queue.length >= this.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.flushMs);
  }

  /** Resolves once every trade recorded so far is committed. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.running) {
      this.kick();
      await this.running;
    }
  }

  /** Commits what is queued, then refuses further trades. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    // Trades recorded while a commit runs go in the next one, straight after it.
    this.running = this.commitAll().finally(() => {
      this.running = undefined;
    });
  }

  private async commitAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      const result = await this.appendWithRetry(batch.map((one) => one.trade));
      this.queue = this.queue.slice(batch.length);
      let latest = Number.NEGATIVE_INFINITY;
      for (const one of batch) if (one.trade.trade.timestamp > latest) latest = one.trade.trade.timestamp;
      this.options.onCommit?.({
        stored: result.stored.length,
        duplicates: result.duplicates,
        rejected: 0,
        oldestReceivedAt: batch[0]!.receivedAt,
        latestTradeMs: latest,
      });
    }
  }

  private async appendWithRetry(batch: readonly TradeToStore[]): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.target.appendTrades(batch);
      } catch (error) {
        this.options.onRetry?.(error, attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, this.retryMs * 2 ** Math.min(attempt - 1, 10))));
      }
    }
  }
}
