import type { Trade } from '../model/trade.js';
import type { ColumnsAppendResult, TradeColumns } from './trade-columns.js';

/** A trade as kept by a store: its arrival sequence number and its trading day. */
export interface StoredTrade extends Trade {
  /** Global arrival order, strictly increasing, assigned by the store. */
  readonly seq: number;
  /** Trading day (`YYYY-MM-DD`, the market-local date of the timestamp). */
  readonly date: string;
}

/** A trade on its way into a store, with its trading day already known. */
export interface TradeToStore {
  readonly trade: Trade;
  readonly date: string;
}

/**
 * Position of an ingestion source (a file identified by its content hash, a stream…),
 * committed atomically with the trades it covers so a crashed ingest resumes exactly.
 */
export interface SourceCheckpoint {
  readonly sourceId: string;
  /** Records of the source fully handled (accepted, duplicate or rejected) so far. */
  readonly position: number;
  /**
   * When set, the append fails (storing nothing) unless the committed position is still this
   * value: two processes ingesting the same source at once cannot both count its records.
   */
  readonly expectedPosition?: number;
  /**
   * Identity of the source's content (e.g. `sha256:…` of an HTTP body and its format). The first
   * commit of the source records it; a commit with another one fails with 409
   * (sourceFingerprintConflict), storing nothing: a source id reused for different content.
   */
  readonly fingerprint?: string;
}

/** What a store holds of a source: its committed position and content fingerprint, if any. */
export interface SourceState {
  readonly position: number;
  readonly fingerprint?: string;
}

export interface AppendResult {
  /** Trades newly stored, in order, with their sequence numbers. */
  readonly stored: StoredTrade[];
  /** Trades ignored because their (symbol, date, trade id) was already stored. */
  readonly duplicates: number;
}

/** What the server must know of a symbol at start-up, without reading its trades. */
export interface SymbolSummary {
  readonly symbol: string;
  /** Latest trade timestamp (epoch ms) ever stored for the symbol. */
  readonly lastTimestamp: number;
  /** Latest trading day with trades. */
  readonly lastDate: string;
}

export interface SymbolDay {
  readonly symbol: string;
  readonly date: string;
  readonly trades: number;
}

/** A symbol-day's engine state (DayFlow.snapshot bytes) covering its trades with seq <= `seq`. */
export interface DaySnapshotRecord {
  readonly symbol: string;
  readonly date: string;
  readonly seq: number;
  readonly data: Uint8Array;
}

/**
 * Day snapshots kept beside the trades, so a restart reads a served day's state plus the trades
 * stored after it instead of replaying every trade. Optional: a store without it is replayed.
 */
export interface DaySnapshotStore {
  /** Keeps each record unless the store holds one covering as many trades or more (atomic, durable). */
  saveDaySnapshots(records: readonly DaySnapshotRecord[]): Promise<void>;
  /** The latest snapshot of a symbol-day, if any. */
  daySnapshot(symbol: string, date: string): Promise<DaySnapshotRecord | undefined>;
  /** The symbols with a snapshot of `date`, sorted (the days a restarted server had served). */
  snapshottedSymbols(date: string): Promise<string[]>;
  /** `readDayColumns` of the trades with `afterSeq < seq <= maxSeq` only (what a snapshot does not cover). */
  readDayColumnsAfter(symbol: string, date: string, afterSeq: number, maxSeq: number): Promise<TradeColumns>;
}

/**
 * Durable storage of ingested trades: the single source from which every line is rebuilt.
 * The embedded default is SQLite; a scale-out implementation is PostgreSQL. Every method
 * that writes is atomic and durable when its promise resolves.
 */
export interface FlowStore {
  /** Appends trades in order; duplicates by (symbol, date, trade id) are skipped. */
  appendTrades(batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint): Promise<AppendResult>;
  /**
   * `appendTrades` for trades given as columns (the durable fast path: no object per trade).
   * Sets `columns.seq` of each row (-1 for a duplicate). Same atomicity, checkpoint and
   * deduplication rules as `appendTrades`.
   */
  appendColumns(columns: TradeColumns, checkpoint?: SourceCheckpoint): Promise<ColumnsAppendResult>;
  /** Committed position of a source (0 when never seen). */
  sourcePosition(sourceId: string): Promise<number>;
  /** Committed position and fingerprint of a source (position 0, no fingerprint when never seen). */
  sourceState(sourceId: string): Promise<SourceState>;
  /** Trades of one symbol and trading day in arrival order, optionally up to a sequence number. */
  tradesOfDay(symbol: string, date: string, maxSeq?: number): Promise<StoredTrade[]>;
  /** `tradesOfDay` as columns (with `seq`): what a restart feeds to `DayFlow.addRawIdBytes`. */
  readDayColumns(symbol: string, date: string, maxSeq?: number): Promise<TradeColumns>;
  /** Trades with seq > afterSeq in arrival order, at most `limit`. */
  tradesAfter(afterSeq: number, limit: number): Promise<StoredTrade[]>;
  /** Highest sequence number stored (0 when empty). */
  lastSeq(): Promise<number>;
  /** Symbols that have ever been ingested. */
  symbols(): Promise<string[]>;
  /** One summary per ingested symbol (kept up to date on append, not computed by a scan). */
  symbolSummaries(): Promise<SymbolSummary[]>;
  /** Days of a symbol with their trade counts, ascending. */
  daysOf(symbol: string): Promise<SymbolDay[]>;
  close(): Promise<void>;
  /** Present when the store keeps day snapshots (both stores do; a store without them has its served days replayed). */
  readonly daySnapshots?: DaySnapshotStore;
}
