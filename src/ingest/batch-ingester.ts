import { internalError } from '../model/errors.js';
import type { ClassificationMethod, Trade } from '../model/trade.js';
import type { FlowStore, SourceCheckpoint, StoredTrade, TradeToStore } from '../store/flow-store.js';
import { methodIndexOf, TradeColumns } from '../store/trade-columns.js';
import type { RawFields, SourceItem } from './raw-record.js';
import { FUTURE_TOLERANCE_MS, futureTimeProblem } from '../model/trade-time.js';
import { parseTradeRecord, type Rejection } from './trade-parser.js';
import { SessionCheck } from './session-check.js';
import type { DaySchedule } from '../calendar/day-schedule.js';

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
  /**
   * Batch trades as columns and store them with `appendColumns` (no object per trade; the
   * byte-level CSV and NDJSON readers' mode). `onCommit` then gets objects made from the columns.
   */
  readonly columnar?: boolean;
  /** Called after each durable commit (e.g. to feed an engine or a bus, or to report progress). */
  readonly onCommit?: (commit: IngestCommit) => void | Promise<void>;
  /** The wall clock trades may not be far ahead of (FUTURE_TOLERANCE_MS; default Date.now). */
  readonly now?: () => number;
  /**
   * Hold every batch until `finish`, which stores them in order: nothing is stored unless the
   * whole source was read without a source-level error (an HTTP body is all or nothing).
   */
  readonly stage?: boolean;
  /** Recorded with (and checked against) the source's checkpoints (SourceCheckpoint.fingerprint). */
  readonly fingerprint?: string;
  /**
   * Let the event loop run (setImmediate) whenever this ingest has held the thread this many ms,
   * at the readers' checkpoints and between commits: a server's other clients wait at most about
   * one slice. Unset: never yield (a command-line ingest owns its process).
   */
  readonly sliceMs?: number;
}

/** Bytes a byte-level reader handles between two `yieldIfDue` checks when the ingester yields. */
export const YIELD_CHECK_BYTES = 16 * 1024;

/** A batch read and validated, not yet stored (`stage`), or being stored. */
interface PendingBatch {
  readonly columns?: TradeColumns;
  readonly trades?: TradeToStore[];
  /** Records of the source handled once this batch is stored. */
  readonly position: number;
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
  /** Records read in this run (accepted + outsideSessions + duplicates + rejected). */
  readonly records: number;
  /** Records skipped because an earlier run of the same source already handled them. */
  readonly skipped: number;
  /** Trades stored whose time falls in a line of their trading day. */
  readonly accepted: number;
  /**
   * Trades stored whose time falls in no line (before the open, in a lunch break, after the
   * closing grace period, on a day the market is closed): they feed the tick rule only.
   */
  readonly outsideSessions: number;
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
/**
 * Trades per commit of a columnar file ingest (the byte-level CSV reader): its batch costs ≈ 60 bytes
 * a trade in memory and one block row per symbol-day, so a bigger batch means fuller blocks
 * (≈ 50 trades each over 2,000 symbols) and fewer fsyncs: 100,000 ingested a 2 M-trade file
 * ≈ 3× faster than 20,000 (measured, BENCHMARKS.md), and a crash still redoes at most one batch
 * (a fraction of a second of work).
 */
export const DEFAULT_COLUMNAR_BATCH_SIZE = 100_000;
/**
 * A columnar batch at its default size waits, up to MAX_COLUMNAR_BATCH_SIZE, until its blocks
 * average this many trades. Each symbol-day of a commit adds one block, one entry in the blocks'
 * (symbol, day) index (in a different index page per symbol) and two summary upserts: over
 * 12,000 symbols a batch of 100,000 trades (8 a block) dirtied ≈ 11,000 pages — ≈ 90 MB written
 * to the WAL and the database per 100,000 trades, 10× the blocks' own bytes. On a 20M-row
 * whole-market prefix: 74 s with 100,000-trade commits, 21 s averaging 64 trades a block, 18.7 s
 * at 128 (19.5 s at 256). Over a few symbols the batch stays at 100,000 trades, and so does a
 * server's ingest (`sliceMs`), whose commits must stay short for its other clients.
 */
export const MIN_AVERAGE_BLOCK_TRADES = 128;
/** Most trades per commit of a growing columnar batch: ≈ 140 MB of columns, 1–2 s of work to redo after a crash. */
export const MAX_COLUMNAR_BATCH_SIZE = 2_000_000;
export const DEFAULT_MAX_REJECTIONS = 100;

/**
 * Turns the items of one source into committed batches. The source position (records handled)
 * is committed in the same transaction as the trades, so a rerun after a crash skips exactly
 * the records already handled, and re-ingesting a whole file changes nothing.
 */
export class BatchIngester {
  private batch: TradeToStore[] = [];
  private position = 0;
  /** Position the store holds for this source. */
  private committed: number;
  /** Position of the last batch handed over (committed, or staged until `finish`). */
  private handed: number;
  private readonly staged: PendingBatch[] = [];
  private sliceStart = performance.now();
  private readonly batchSize: number;
  /** Whether the batch may grow (see MIN_AVERAGE_BLOCK_TRADES): the columnar default size, in a source that does not yield. */
  private readonly growsToFillBlocks: boolean;
  private readonly maxRejections: number;
  private records = 0;
  private skipped = 0;
  private accepted = 0;
  private outsideSessions = 0;
  private readonly sessions = new SessionCheck();
  private duplicates = 0;
  private rejected = 0;
  private readonly rejections: Rejection[] = [];
  private readonly symbols = new Set<string>();
  private readonly nowMs: number;
  /** The batch of a columnar ingester (`appendColumns`); undefined: objects (`appendTrades`). */
  private columns: TradeColumns | undefined;
  /** Commits made; a byte-level reader's cached row positions in `columnBatch` are per batch. */
  batchNumber = 0;
  /**
   * Latest trade time accepted (the wall clock at the start plus FUTURE_TOLERANCE_MS): the
   * byte-level readers hand a row stamped later to `takeFields`, which rejects it.
   */
  readonly latestTradeMs: number;

  constructor(
    private readonly store: FlowStore,
    private readonly sourceId: string | undefined,
    private readonly startPosition: number,
    private readonly options: IngestOptions = {},
  ) {
    this.committed = startPosition;
    this.handed = startPosition;
    this.nowMs = (options.now ?? Date.now)();
    this.latestTradeMs = this.nowMs + FUTURE_TOLERANCE_MS;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? (options.columnar === true ? DEFAULT_COLUMNAR_BATCH_SIZE : DEFAULT_BATCH_SIZE)));
    // Not in a server (`sliceMs`): a commit holds its thread, and a big one would stall other clients.
    this.growsToFillBlocks = options.columnar === true && options.batchSize === undefined && options.sliceMs === undefined;
    this.maxRejections = Math.max(0, Math.floor(options.maxRejections ?? DEFAULT_MAX_REJECTIONS));
    // Sized for a default batch; a larger one grows as rows come.
    this.columns = options.columnar === true ? new TradeColumns(Math.min(this.batchSize + 1, DEFAULT_COLUMNAR_BATCH_SIZE + 1)) : undefined;
  }

  async take(items: readonly SourceItem[]): Promise<void> {
    for (let index = 0; index < items.length; index++) {
      const item = items[index] as SourceItem;
      if ((index & 255) === 255) await this.yieldIfDue();
      if (!this.beginRecord()) continue;
      if ('error' in item) this.reject({ line: item.line, reason: item.error });
      else this.takeFields(item.line, item.fields, item.classification);
      if (this.commitDue()) await this.commit();
    }
  }

  /** Whether this ingester yields to the event loop (`sliceMs`): readers then check in often. */
  get yields(): boolean {
    return this.options.sliceMs !== undefined;
  }

  /** Lets the event loop run when this ingest has held the thread for a slice (`sliceMs`). */
  async yieldIfDue(): Promise<void> {
    const slice = this.options.sliceMs;
    if (slice === undefined || performance.now() - this.sliceStart < slice) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }

  /**
   * Counts the next record of the source; false when an earlier run already handled it (skip
   * it). Every record — `take`n or read by a byte-level reader — starts here.
   */
  beginRecord(): boolean {
    this.position++;
    if (this.position <= this.startPosition) {
      this.skipped++;
      return false;
    }
    this.records++;
    return true;
  }

  /** Validates a record's fields (the general parser) and batches its trade or its rejection. */
  takeFields(line: number, fields: RawFields, classification?: ClassificationMethod): void {
    const result = parseTradeRecord(line, fields);
    const ahead = result.ok && result.trade.timestamp > this.latestTradeMs ? futureTimeProblem(result.trade.timestamp, this.nowMs) : undefined;
    if (ahead !== undefined) {
      this.reject({ line, field: 'timestamp', reason: ahead });
    } else if (result.ok) {
      const method = classification ?? (result.trade.direction === undefined ? this.options.classification : undefined);
      const trade = method === undefined ? result.trade : { ...result.trade, classification: method };
      this.push(trade, result.date);
    } else {
      this.reject(
        result.field === undefined
          ? { line: result.line, reason: result.reason }
          : { line: result.line, field: result.field, reason: result.reason },
      );
    }
  }

  /** Batches a record the caller could not read (e.g. "has 12 fields but the header has 9"). */
  takeRejection(line: number, reason: string): void {
    this.reject({ line, reason });
  }

  /** Full batch, or a long run of rejected records to checkpoint. */
  commitDue(): boolean {
    const columns = this.columns;
    const batched = columns ? columns.count : this.batch.length;
    if (batched < this.batchSize) return this.position - this.handed >= this.batchSize * 4;
    // A default-sized columnar batch spread over many symbol-days grows until its blocks fill.
    return !this.growsToFillBlocks || columns === undefined || batched >= MAX_COLUMNAR_BATCH_SIZE || batched >= MIN_AVERAGE_BLOCK_TRADES * columns.days.length;
  }

  /**
   * The batch as columns, for a byte-level reader appending rows of primitives (columnar
   * ingesters only; valid until the next commit, `batchNumber` tells them apart).
   */
  get columnBatch(): TradeColumns {
    if (!this.columns) throw new Error('internal: not a columnar ingester');
    return this.columns;
  }

  /** Classification code recorded for a row without a side of its own (-1: none). */
  get defaultMethod(): number {
    return methodIndexOf(this.options.classification);
  }

  /** Commits the batch when due. */
  async commitIfDue(): Promise<void> {
    if (this.commitDue()) await this.commit();
  }

  private push(trade: Trade, date: string): void {
    if (this.columns) this.columns.addTrade(trade, date);
    else this.batch.push({ trade, date });
  }

  /**
   * Commits what is left (with `stage`: every batch, in order) and returns the summary. A store
   * failure part-way through staged batches rejects with a CapflowError saying exactly which
   * records were stored (a retry under the same source id resumes after them).
   */
  async finish(source: string, format: IngestFormat): Promise<IngestSummary> {
    await this.commit();
    for (let index = 0; index < this.staged.length; index++) {
      await this.yieldIfDue();
      try {
        await this.storeBatch(this.staged[index] as PendingBatch);
      } catch (error) {
        throw this.storingFailed(error);
      }
      this.staged[index] = { position: (this.staged[index] as PendingBatch).position }; // stored: let its memory go
    }
    const base = {
      source,
      format,
      records: this.records,
      skipped: this.skipped,
      accepted: this.accepted,
      outsideSessions: this.outsideSessions,
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

  /** Hands the batch over: stores it now, or (with `stage`) holds it for `finish`. */
  private async commit(): Promise<void> {
    const columns = this.columns;
    const batched = columns ? columns.count : this.batch.length;
    if (this.position <= this.handed && batched === 0) return;
    this.handed = this.position;
    this.batchNumber++;
    if (this.options.stage === true) {
      if (batched === 0) {
        // Only records that were rejected: a position to commit, kept as one light entry.
        const last = this.staged[this.staged.length - 1];
        if (last !== undefined && last.columns === undefined && last.trades === undefined) this.staged[this.staged.length - 1] = { position: this.position };
        else this.staged.push({ position: this.position });
      } else if (columns) {
        this.staged.push({ columns, position: this.position });
        this.columns = new TradeColumns(Math.min(this.batchSize + 1, DEFAULT_COLUMNAR_BATCH_SIZE + 1));
      } else {
        this.staged.push({ trades: this.batch, position: this.position });
        this.batch = [];
      }
      return;
    }
    if (columns) {
      await this.storeBatch({ columns, position: this.position });
      columns.clear();
    } else {
      const trades = this.batch;
      this.batch = [];
      await this.storeBatch({ trades, position: this.position });
    }
  }

  /** Stores one batch with its checkpoint and counts what the store took. */
  private async storeBatch(pending: PendingBatch): Promise<void> {
    const checkpoint: SourceCheckpoint | undefined =
      this.sourceId === undefined
        ? undefined
        : {
            sourceId: this.sourceId,
            position: pending.position,
            expectedPosition: this.committed,
            ...(this.options.fingerprint === undefined ? {} : { fingerprint: this.options.fingerprint }),
          };
    const columns = pending.columns;
    if (columns) {
      const result = await this.store.appendColumns(columns, checkpoint);
      this.committed = pending.position;
      this.duplicates += result.duplicates;
      const stored: StoredTrade[] = [];
      const daysStored = new Uint8Array(columns.days.length);
      const schedules = columns.days.map((day) => this.sessions.scheduleOf(day.symbol, day.date));
      let outside = 0;
      for (let row = 0; row < columns.count; row++) {
        if ((columns.seq[row] as number) < 0) continue;
        const day = columns.day[row] as number;
        daysStored[day] = 1;
        const schedule = schedules[day];
        if (schedule === null || (schedule as DaySchedule).lineIndexAt(columns.timestamp[row] as number) < 0) outside++;
        if (this.options.onCommit) stored.push(columns.storedTrade(row));
      }
      this.accepted += result.stored - outside;
      this.outsideSessions += outside;
      columns.days.forEach((day, index) => daysStored[index] === 1 && this.symbols.add(day.symbol));
      await this.options.onCommit?.({ stored, duplicates: result.duplicates, position: pending.position });
      return;
    }
    if (pending.trades === undefined && this.sourceId === undefined) return; // rejections only, no checkpoint to move
    const result = await this.store.appendTrades(pending.trades ?? [], checkpoint);
    this.committed = pending.position;
    this.duplicates += result.duplicates;
    for (const trade of result.stored) {
      this.symbols.add(trade.symbol);
      if (this.sessions.outside(trade.symbol, trade.date, trade.timestamp)) this.outsideSessions++;
      else this.accepted++;
    }
    await this.options.onCommit?.({ stored: result.stored, duplicates: result.duplicates, position: pending.position });
  }

  /** The error of a store failure after `finish` began storing staged batches, saying what is stored. */
  private storingFailed(error: unknown): unknown {
    const storedRecords = this.committed - this.startPosition;
    if (storedRecords === 0) return error; // nothing of this run is stored: the error as it is
    const cause = error instanceof Error ? error.message : String(error);
    const retry = this.sourceId === undefined ? 'send the records after them again' : 'send the same body with the same Idempotency-Key to store the rest';
    return internalError(
      `storing failed after the first ${storedRecords} records of this request were stored (${this.accepted} trades, ${this.duplicates} duplicates); ${retry} (${cause})`,
    );
  }
}
