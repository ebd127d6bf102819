import type { ClassificationMethod } from '../model/trade.js';
import type { FlowStore, SourceCheckpoint, StoredTrade, TradeToStore } from '../store/flow-store.js';
import type { SourceItem } from './raw-record.js';
import { parseTradeRecord, type Rejection } from './trade-parser.js';

export interface IngestOptions {
  /** Trades per transaction (default 5,000). */
  readonly batchSize?: number;
  /** Rejections kept with their reasons in the summary (default 100); all are counted. */
  readonly maxRejections?: number;
  /**
   * Classification method recorded with every trade of this source that has no side of its own
   * (capflow's per-source choice; default: none recorded, which the engine reads as Lee–Ready).
   */
  readonly classification?: ClassificationMethod;
  /** Called after each durable commit (e.g. to feed an engine or a bus, or to report progress). */
  readonly onCommit?: (commit: IngestCommit) => void | Promise<void>;
}

export interface IngestCommit {
  /** Trades newly stored by this commit, in arrival order. */
  readonly stored: readonly StoredTrade[];
  readonly duplicates: number;
  /** Records of the source handled so far (the committed checkpoint). */
  readonly position: number;
}

/** Outcome of one ingest run. Every count is of records of this run, after durable commit. */
export interface IngestSummary {
  /** File path, or `body` for an HTTP body. */
  readonly source: string;
  /** `sha256:<hex>` of a file's bytes, or the id given for a body; absent when none. */
  readonly sourceId?: string;
  readonly format: IngestFormat;
  /** Records read in this run (accepted + duplicates + rejected). */
  readonly records: number;
  /** Records skipped because an earlier run of the same source already handled them. */
  readonly skipped: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** The first `maxRejections` rejections, in file order. */
  readonly rejections: Rejection[];
  /** Symbols that received new trades in this run, sorted. */
  readonly symbols: string[];
}

/** Record formats: the canonical ones and the feed formats of src/ingest/adapters. */
export type IngestFormat = 'csv' | 'ndjson' | 'lobster' | 'l2' | 'mapped-csv' | 'mapped-ndjson';

/**
 * Trades per committed transaction (each commit is an fsync): 20,000 ingests a file about 20 %
 * faster than 5,000 (measured, BENCHMARKS.md) for a few MB of trades held per batch and at most
 * one batch to redo after a crash.
 */
export const DEFAULT_BATCH_SIZE = 20_000;
export const DEFAULT_MAX_REJECTIONS = 100;

/**
 * Turns the items of one source into committed batches. The source position (records handled)
 * is committed in the same transaction as the trades, so a rerun after a crash skips exactly
 * the records already handled, and re-ingesting a whole file changes nothing.
 */
export class BatchIngester {
  private batch: TradeToStore[] = [];
  private position = 0;
  private committed: number;
  private readonly batchSize: number;
  private readonly maxRejections: number;
  private records = 0;
  private skipped = 0;
  private accepted = 0;
  private duplicates = 0;
  private rejected = 0;
  private readonly rejections: Rejection[] = [];
  private readonly symbols = new Set<string>();

  constructor(
    private readonly store: FlowStore,
    private readonly sourceId: string | undefined,
    private readonly startPosition: number,
    private readonly options: IngestOptions = {},
  ) {
    this.committed = startPosition;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
    this.maxRejections = Math.max(0, Math.floor(options.maxRejections ?? DEFAULT_MAX_REJECTIONS));
  }

  async take(items: readonly SourceItem[]): Promise<void> {
    for (const item of items) {
      this.position++;
      if (this.position <= this.startPosition) {
        this.skipped++;
        continue;
      }
      this.records++;
      if ('error' in item) {
        this.reject({ line: item.line, reason: item.error });
      } else {
        const result = parseTradeRecord(item.line, item.fields);
        if (result.ok) {
          const classification =
            item.classification ?? (result.trade.direction === undefined ? this.options.classification : undefined);
          const trade = classification === undefined ? result.trade : { ...result.trade, classification };
          this.batch.push({ trade, date: result.date });
        } else {
          this.reject(
            result.field === undefined
              ? { line: result.line, reason: result.reason }
              : { line: result.line, field: result.field, reason: result.reason },
          );
        }
      }
      // Commit full batches, and checkpoint long runs of rejected records too.
      if (this.batch.length >= this.batchSize || this.position - this.committed >= this.batchSize * 4) {
        await this.commit();
      }
    }
  }

  /** Commits what is left and returns the summary. */
  async finish(source: string, format: IngestFormat): Promise<IngestSummary> {
    await this.commit();
    const base = {
      source,
      format,
      records: this.records,
      skipped: this.skipped,
      accepted: this.accepted,
      duplicates: this.duplicates,
      rejected: this.rejected,
      rejections: this.rejections,
      symbols: [...this.symbols].sort(),
    };
    return this.sourceId === undefined ? base : { ...base, sourceId: this.sourceId };
  }

  private reject(rejection: Rejection): void {
    this.rejected++;
    if (this.rejections.length < this.maxRejections) this.rejections.push(rejection);
  }

  private async commit(): Promise<void> {
    if (this.position <= this.committed && this.batch.length === 0) return;
    const checkpoint: SourceCheckpoint | undefined =
      this.sourceId === undefined
        ? undefined
        : { sourceId: this.sourceId, position: this.position, expectedPosition: this.committed };
    const batch = this.batch;
    this.batch = [];
    const result = await this.store.appendTrades(batch, checkpoint);
    this.committed = this.position;
    this.accepted += result.stored.length;
    this.duplicates += result.duplicates;
    for (const trade of result.stored) this.symbols.add(trade.symbol);
    await this.options.onCommit?.({ stored: result.stored, duplicates: result.duplicates, position: this.position });
  }
}
