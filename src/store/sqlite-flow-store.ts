import type BetterSqlite3 from 'better-sqlite3';
import { CapflowError, BusinessCode, conflict } from '../model/errors.js';
import { TradeIdSet } from '../engine/trade-id-set.js';
import type { Trade } from '../model/trade.js';
import type { AppendResult, FlowStore, SourceCheckpoint, SourceState, StoredTrade, SymbolDay, SymbolSummary, TradeToStore } from './flow-store.js';
import { openSqliteFile, SQLITE_FILE_NAME } from './sqlite-connection.js';
import { SqliteDaySnapshots } from './sqlite-day-snapshots.js';
import { migrateSqlite } from './sqlite-schema.js';
import { compareIdBytes, decodeTradeBlock, TradeBlockWriter } from './trade-block.js';
import { TradeColumns, type ColumnsAppendResult } from './trade-columns.js';

export interface SqliteFlowStoreOptions {
  /** How long a writer waits for another process's write lock (default 30 s). */
  readonly busyTimeoutMs?: number;
  /** SQLite page cache of this connection, in MiB (default 64). */
  readonly cacheSizeMiB?: number;
}

/** The append was refused because another writer moved the source's position meanwhile. */
export function sourcePositionConflict(sourceId: string, expected: number, actual: number): CapflowError {
  return new CapflowError(
    { status: 7, code: BusinessCode.ServerError, httpStatus: 409 },
    `source ${sourceId} is being ingested by another writer (position ${actual}, expected ${expected}); nothing was stored`,
  );
}

/** The append was refused because the source id was committed before with other content. */
export function sourceFingerprintConflict(sourceId: string): CapflowError {
  return conflict(`source ${sourceId} was committed before with different content; nothing was stored`);
}

/** Throws sourceFingerprintConflict when a checkpoint's fingerprint differs from the stored one. */
export function checkFingerprint(checkpoint: SourceCheckpoint, stored: string | null | undefined): void {
  if (checkpoint.fingerprint !== undefined && stored !== null && stored !== undefined && stored !== checkpoint.fingerprint) {
    throw sourceFingerprintConflict(checkpoint.sourceId);
  }
}

/**
 * What this process knows of a symbol-day's trade ids: the greatest (as stored in
 * `symbol_days.max_trade_id`) and, once an id arrived that was not greater, all of them.
 */
interface DayIds {
  /** The greatest id's bytes are `maxId[0..maxLength)`; maxLength -1: no id stored yet. */
  maxId: Buffer;
  maxLength: number;
  ids: TradeIdSet | undefined;
}

/** Whether `bytes[start..end)` is greater than the day's greatest id (length, then bytes). */
function greaterThanMax(state: DayIds, bytes: Uint8Array, start: number, end: number): boolean {
  return state.maxLength < 0 || compareIdBytes(bytes, start, end, state.maxId, 0, state.maxLength) > 0;
}

function setMax(state: DayIds, bytes: Uint8Array, start: number, end: number): void {
  const length = end - start;
  if (length > state.maxId.length) state.maxId = Buffer.allocUnsafe(Math.max(length, 2 * state.maxId.length));
  const max = state.maxId;
  for (let k = 0; k < length; k++) max[k] = bytes[start + k] as number;
  state.maxLength = length;
}

/** Rows up to which the columns `tradesAfter` reads into are kept for the next read. */
const AFTER_SCRATCH_KEPT_ROWS = 65_536;

/** Trade-id sets kept per process before they are dropped (they reload from the blocks on demand). */
const ID_CACHE_BYTES = 256 * 1024 * 1024;

interface BlockRow {
  first_seq: number;
  symbol: string;
  date: string;
  data: Buffer;
}

/**
 * The embedded store: one SQLite file `capflow.db` in the data directory, in WAL mode with
 * `synchronous=FULL` (a resolved write survives power loss), shared safely by a server and an
 * ingest command through SQLite's locking (writers wait up to the busy timeout).
 *
 * Layout (migration 3): trades are kept in blocks, one row of `trade_blocks` per (symbol, day,
 * append) holding that append's trades of the symbol-day in a compact binary form
 * (trade-block.ts) — one `INSERT` per symbol-day of a batch instead of one per trade. Every trade
 * keeps its own global seq (arrival order, strictly increasing across appends, never reused).
 *
 * Deduplication by (symbol, date, trade id) without a per-trade index: feeds number trades in
 * order, so an id greater (length, then bytes) than the day's greatest stored id is new without
 * a look-up; only an id that is not greater loads that day's id set from its blocks. The cache
 * of greatest ids and id sets belongs to this connection and is valid while `store_meta`'s
 * generation — read inside the IMMEDIATE write transaction, bumped by every write — is the one
 * this process last wrote; when another process wrote meanwhile, the cache is dropped.
 */
export class SqliteFlowStore implements FlowStore {
  static readonly FILE_NAME = SQLITE_FILE_NAME;

  private closed = false;
  private readonly insertBlock: BetterSqlite3.Statement;
  private readonly addDayCount: BetterSqlite3.Statement;
  private readonly selectDayMaxId: BetterSqlite3.Statement;
  private readonly selectDayCount: BetterSqlite3.Statement;
  private readonly updateSymbol: BetterSqlite3.Statement;
  private readonly selectSummaries: BetterSqlite3.Statement;
  private readonly selectPosition: BetterSqlite3.Statement;
  private readonly selectSource: BetterSqlite3.Statement;
  private readonly upsertPosition: BetterSqlite3.Statement;
  private readonly selectMeta: BetterSqlite3.Statement;
  private readonly updateMeta: BetterSqlite3.Statement;
  private readonly selectDayBlocks: BetterSqlite3.Statement;
  private readonly selectDayBlocksUpTo: BetterSqlite3.Statement;
  private readonly selectBlocksFrom: BetterSqlite3.Statement;
  private readonly selectLastSeq: BetterSqlite3.Statement;
  private readonly selectSymbols: BetterSqlite3.Statement;
  private readonly selectDays: BetterSqlite3.Statement;
  private readonly appendTransaction: (columns: TradeColumns, checkpoint?: SourceCheckpoint) => ColumnsAppendResult;
  /** Served days' engine states (migration 5): a restart replays only the trades after them. */
  readonly daySnapshots: SqliteDaySnapshots;

  /** Generation of `store_meta` this process's id cache matches (-1: none). */
  private knownGeneration = -1;
  private readonly dayIds = new Map<string, DayIds>();
  private idCacheBytes = 0;
  /** Block writers reused across appends, one per symbol-day of the batch. */
  private readonly writers: TradeBlockWriter[] = [];
  private readonly scratch = new TradeColumns(256);
  private afterScratch = new TradeColumns(1024);
  /**
   * The lowest first_seq of the blocks holding a seq > afterSeq, as a read found it: a lower bound
   * of where such blocks start for any later read after at least afterSeq, since blocks are never
   * rewritten and every block written later starts above every seq stored before it. With a wide
   * block in the store (one append spread over many symbol-days, e.g. `capflow ingest`) the span
   * alone sent each poll through every block of that append again.
   */
  private blocksAfter: { afterSeq: number; firstSeq: number } | undefined;
  private readonly objectBatch = new TradeColumns(1024);

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** Path of the database file. */
    readonly path: string,
    /** Schema version after migration. */
    readonly schemaVersion: number,
  ) {
    this.daySnapshots = new SqliteDaySnapshots(db);
    this.insertBlock = db.prepare('INSERT INTO trade_blocks (first_seq, last_seq, symbol, date, count, data) VALUES (?, ?, ?, ?, ?, ?)');
    this.addDayCount = db.prepare(
      `INSERT INTO symbol_days (symbol, date, trades, max_trade_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol, date) DO UPDATE SET trades = trades + excluded.trades,
         max_trade_id = COALESCE(excluded.max_trade_id, max_trade_id)`,
    );
    this.selectDayCount = db.prepare('SELECT trades FROM symbol_days WHERE symbol = ? AND date = ?').pluck();
    this.selectDayMaxId = db.prepare('SELECT max_trade_id FROM symbol_days WHERE symbol = ? AND date = ?').pluck();
    this.updateSymbol = db.prepare(
      `INSERT INTO symbols (symbol, last_ts, last_date) VALUES (?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts), last_date = MAX(last_date, excluded.last_date)`,
    );
    this.selectSummaries = db.prepare('SELECT symbol, last_ts, last_date FROM symbols ORDER BY symbol');
    this.selectPosition = db.prepare('SELECT position FROM sources WHERE source_id = ?').pluck();
    this.selectSource = db.prepare('SELECT position, fingerprint FROM sources WHERE source_id = ?');
    this.upsertPosition = db.prepare(
      `INSERT INTO sources (source_id, position, updated_ms, fingerprint) VALUES (?, ?, ?, ?)
       ON CONFLICT (source_id) DO UPDATE SET position = excluded.position, updated_ms = excluded.updated_ms,
         fingerprint = COALESCE(sources.fingerprint, excluded.fingerprint)`,
    );
    this.selectMeta = db.prepare('SELECT generation, last_seq, max_block_span FROM store_meta WHERE id = 1');
    this.updateMeta = db.prepare(
      `INSERT INTO store_meta (id, generation, last_seq, max_block_span) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, last_seq = excluded.last_seq, max_block_span = excluded.max_block_span`,
    );
    this.selectDayBlocks = db.prepare('SELECT first_seq, data FROM trade_blocks WHERE symbol = ? AND date = ? ORDER BY first_seq');
    this.selectDayBlocksUpTo = db.prepare(
      'SELECT first_seq, data FROM trade_blocks WHERE symbol = ? AND date = ? AND first_seq <= ? ORDER BY first_seq',
    );
    // A block holding a seq > after starts after `after - max_block_span` at the earliest.
    this.selectBlocksFrom = db.prepare(
      'SELECT first_seq, symbol, date, data FROM trade_blocks WHERE first_seq > ? AND last_seq > ? ORDER BY first_seq',
    );
    this.selectLastSeq = db.prepare('SELECT last_seq FROM store_meta WHERE id = 1').pluck();
    this.selectSymbols = db.prepare('SELECT symbol FROM symbols ORDER BY symbol').pluck();
    this.selectDays = db.prepare('SELECT symbol, date, trades FROM symbol_days WHERE symbol = ? ORDER BY date');
    // IMMEDIATE: take the write lock up front, so concurrent writers queue on the busy timeout
    // instead of failing on a read-to-write upgrade.
    const append = db.transaction((columns: TradeColumns, checkpoint?: SourceCheckpoint) => this.appendNow(columns, checkpoint));
    this.appendTransaction = (columns, checkpoint) => {
      try {
        return append.immediate(columns, checkpoint);
      } catch (error) {
        // Rolled back: whatever the cache learnt from this batch is void.
        this.forgetIds();
        throw error;
      }
    };
  }

  /** Opens (creating when needed) `capflow.db` in `dataDir` and brings its schema up to date. */
  static async open(dataDir: string, options: SqliteFlowStoreOptions = {}): Promise<SqliteFlowStore> {
    return openSqliteFile(dataDir, options.busyTimeoutMs, (db, path) => {
      // A larger page cache keeps the hot pages in memory during big ingests.
      db.pragma(`cache_size = ${-Math.floor((options.cacheSizeMiB ?? 64) * 1024)}`);
      const version = migrateSqlite(db, path);
      return new SqliteFlowStore(db, path, version);
    });
  }

  async appendTrades(batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint): Promise<AppendResult> {
    // One reused batch: appends run one at a time (synchronously) on this connection.
    const columns = this.objectBatch;
    columns.clear();
    for (const { trade, date } of batch) columns.addTrade(trade, date);
    const result = this.appendTransaction(columns, checkpoint);
    const stored: StoredTrade[] = [];
    for (let row = 0; row < columns.count; row++) {
      const seq = columns.seq[row] as number;
      if (seq < 0) continue;
      const { trade, date } = batch[row]!;
      stored.push(storedTradeOf(trade, seq, date));
    }
    return { stored, duplicates: result.duplicates };
  }

  async appendColumns(columns: TradeColumns, checkpoint?: SourceCheckpoint): Promise<ColumnsAppendResult> {
    return this.appendTransaction(columns, checkpoint);
  }

  private appendNow(columns: TradeColumns, checkpoint?: SourceCheckpoint): ColumnsAppendResult {
    if (checkpoint && (checkpoint.expectedPosition !== undefined || checkpoint.fingerprint !== undefined)) {
      const source = this.selectSource.get(checkpoint.sourceId) as { position: number; fingerprint: string | null } | undefined;
      checkFingerprint(checkpoint, source?.fingerprint);
      const actual = source?.position ?? 0;
      if (checkpoint.expectedPosition !== undefined && actual !== checkpoint.expectedPosition) {
        throw sourcePositionConflict(checkpoint.sourceId, checkpoint.expectedPosition, actual);
      }
    }
    const meta = this.selectMeta.get() as { generation: number; last_seq: number; max_block_span: number } | undefined;
    const generation = meta?.generation ?? 0;
    if (generation !== this.knownGeneration) this.forgetIds();
    let seq = meta?.last_seq ?? 0;
    let maxSpan = meta?.max_block_span ?? 0;
    const days = columns.days;
    const states: Array<DayIds | undefined> = new Array(days.length);
    const writers = this.writers;
    while (writers.length < days.length) writers.push(new TradeBlockWriter());
    for (let d = 0; d < days.length; d++) writers[d]!.reset();
    const maxTimestamp = new Float64Array(days.length).fill(Number.NEGATIVE_INFINITY);
    let duplicates = 0;
    const idBytes = columns.idBytes;
    for (let row = 0; row < columns.count; row++) {
      const d = columns.day[row] as number;
      const idStart = columns.idStart[row] as number;
      const idEnd = columns.idEnd[row] as number;
      if (idEnd > idStart) {
        const state = states[d] ?? (states[d] = this.dayState(days[d]!.symbol, days[d]!.date));
        if (state.ids !== undefined) {
          if (!state.ids.addBytes(idBytes, idStart, idEnd)) {
            columns.seq[row] = -1;
            duplicates++;
            continue;
          }
          this.idCacheBytes += idEnd - idStart + 1;
          if (greaterThanMax(state, idBytes, idStart, idEnd)) setMax(state, idBytes, idStart, idEnd);
        } else if (greaterThanMax(state, idBytes, idStart, idEnd)) {
          setMax(state, idBytes, idStart, idEnd);
        } else if (compareIdBytes(idBytes, idStart, idEnd, state.maxId, 0, state.maxLength) === 0) {
          // The greatest id again (a redelivery of the latest trade, the common kind): no look-up.
          columns.seq[row] = -1;
          duplicates++;
          continue;
        } else {
          // Not greater than every stored id: a redelivery or an id out of order. Look it up.
          state.ids = this.loadIds(days[d]!.symbol, days[d]!.date, writers[d]!);
          if (!state.ids.addBytes(idBytes, idStart, idEnd)) {
            columns.seq[row] = -1;
            duplicates++;
            continue;
          }
        }
      }
      seq++;
      columns.seq[row] = seq;
      writers[d]!.write(columns, row, seq);
      const timestamp = columns.timestamp[row] as number;
      if (timestamp > (maxTimestamp[d] as number)) maxTimestamp[d] = timestamp;
    }
    const lastBySymbol = new Map<string, { lastTimestamp: number; lastDate: string }>();
    for (let d = 0; d < days.length; d++) {
      const writer = writers[d]!;
      if (writer.count === 0) continue;
      const { symbol, date } = days[d]!;
      this.insertBlock.run(writer.firstSeq, writer.lastSeq, symbol, date, writer.count, writer.bytes());
      if (writer.lastSeq - writer.firstSeq > maxSpan) maxSpan = writer.lastSeq - writer.firstSeq;
      const state = states[d];
      this.addDayCount.run(symbol, date, writer.count, state && state.maxLength >= 0 ? state.maxId.subarray(0, state.maxLength) : null);
      const summary = lastBySymbol.get(symbol);
      const timestamp = maxTimestamp[d] as number;
      if (!summary) lastBySymbol.set(symbol, { lastTimestamp: timestamp, lastDate: date });
      else {
        if (timestamp > summary.lastTimestamp) summary.lastTimestamp = timestamp;
        if (date > summary.lastDate) summary.lastDate = date;
      }
    }
    for (const [symbol, summary] of lastBySymbol) this.updateSymbol.run(symbol, summary.lastTimestamp, summary.lastDate);
    this.updateMeta.run(generation + 1, seq, maxSpan);
    if (checkpoint) this.upsertPosition.run(checkpoint.sourceId, checkpoint.position, Date.now(), checkpoint.fingerprint ?? null);
    // Valid once committed; a rollback resets it (appendTransaction).
    this.knownGeneration = generation + 1;
    if (this.idCacheBytes > ID_CACHE_BYTES) this.dropIdSets();
    return { stored: columns.count - duplicates, duplicates };
  }

  /** The cached id knowledge of a symbol-day, read from `symbol_days` when not cached. */
  private dayState(symbol: string, date: string): DayIds {
    const key = `${symbol}\u0000${date}`;
    let state = this.dayIds.get(key);
    if (!state) {
      const stored = this.selectDayMaxId.get(symbol, date) as Buffer | null | undefined;
      state = { maxId: Buffer.allocUnsafe(Math.max(32, stored?.length ?? 0)), maxLength: -1, ids: undefined };
      if (stored) setMax(state, stored, 0, stored.length);
      this.dayIds.set(key, state);
    }
    return state;
  }

  /** Every id of a symbol-day: its stored blocks and the block being written in this append. */
  private loadIds(symbol: string, date: string, pending: TradeBlockWriter): TradeIdSet {
    const ids = new TradeIdSet();
    const add = (data: Uint8Array, firstSeq: number): void => {
      const scratch = this.scratch;
      scratch.clear();
      decodeTradeBlock(data, firstSeq, scratch.dayOf(symbol, date), scratch);
      for (let row = 0; row < scratch.count; row++) {
        const start = scratch.idStart[row] as number;
        const end = scratch.idEnd[row] as number;
        if (end > start) {
          ids.addBytes(scratch.idBytes, start, end);
          this.idCacheBytes += end - start + 1;
        }
      }
    };
    for (const block of this.selectDayBlocks.iterate(symbol, date) as IterableIterator<{ first_seq: number; data: Buffer }>) {
      add(block.data, block.first_seq);
    }
    if (pending.count > 0) add(pending.bytes(), pending.firstSeq);
    return ids;
  }

  private forgetIds(): void {
    this.dayIds.clear();
    this.idCacheBytes = 0;
    this.knownGeneration = -1;
  }

  /** Keeps the greatest ids (small) and drops the id sets, which reload from the blocks on demand. */
  private dropIdSets(): void {
    for (const state of this.dayIds.values()) state.ids = undefined;
    this.idCacheBytes = 0;
  }

  async sourcePosition(sourceId: string): Promise<number> {
    return (this.selectPosition.get(sourceId) as number | undefined) ?? 0;
  }

  async sourceState(sourceId: string): Promise<SourceState> {
    const source = this.selectSource.get(sourceId) as { position: number; fingerprint: string | null } | undefined;
    if (!source) return { position: 0 };
    return source.fingerprint === null ? { position: source.position } : { position: source.position, fingerprint: source.fingerprint };
  }

  /** Trades of a symbol-day as columns in arrival order (optionally up to a seq): the restart path. */
  async readDayColumns(symbol: string, date: string, maxSeq?: number): Promise<TradeColumns> {
    // Sized once from the day's count: no growing copies on a restart's hot path.
    const trades = (this.selectDayCount.get(symbol, date) as number | undefined) ?? 0;
    const columns = new TradeColumns(Math.max(16, trades));
    const day = columns.dayOf(symbol, date);
    const blocks = (maxSeq === undefined ? this.selectDayBlocks.iterate(symbol, date) : this.selectDayBlocksUpTo.iterate(symbol, date, maxSeq)) as IterableIterator<{
      first_seq: number;
      data: Buffer;
    }>;
    for (const block of blocks) decodeTradeBlock(block.data, block.first_seq, day, columns, 0, maxSeq);
    return columns;
  }

  async tradesOfDay(symbol: string, date: string, maxSeq?: number): Promise<StoredTrade[]> {
    const columns = await this.readDayColumns(symbol, date, maxSeq);
    const trades: StoredTrade[] = new Array(columns.count);
    for (let row = 0; row < columns.count; row++) trades[row] = columns.storedTrade(row);
    return trades;
  }

  async tradesAfter(afterSeq: number, limit: number): Promise<StoredTrade[]> {
    const columns = this.columnsAfter(afterSeq, limit);
    const trades: StoredTrade[] = new Array(columns.count);
    for (let row = 0; row < columns.count; row++) trades[row] = columns.storedTrade(row);
    // A read through wide blocks may have grown the reused columns far: not kept that large.
    if (this.afterScratch.count > AFTER_SCRATCH_KEPT_ROWS) this.afterScratch = new TradeColumns(1024);
    return trades;
  }

  /**
   * Trades with seq > afterSeq in seq order, at most `limit`, as columns. Blocks of one append
   * interleave (each holds one symbol-day's share of the append's seq range), so blocks are read
   * in `first_seq` order and merged by seq; reading stops at the first block that starts after
   * every seq collected once `limit` are collected (no later block can hold a smaller seq).
   */
  private columnsAfter(afterSeq: number, limit: number): TradeColumns {
    // Reused across reads (each is turned into trades before the next): a follower polling many
    // times a second allocates no columns per poll.
    const collected = this.afterScratch;
    collected.clear();
    if (limit <= 0) return collected;
    limit = Math.floor(limit);
    const span = (this.selectMeta.get() as { max_block_span: number } | undefined)?.max_block_span ?? 0;
    // Where blocks holding a seq > afterSeq can start: afterSeq - span, or later by what an earlier
    // read found (see `blocksAfter`): a follower's reads then skip every block it has passed.
    const hint = this.blocksAfter;
    const from = hint !== undefined && afterSeq >= hint.afterSeq ? Math.max(afterSeq - span, hint.firstSeq) - 1 : afterSeq - span - 1;
    let maxCollected = 0;
    let first = true;
    for (const block of this.selectBlocksFrom.iterate(from, afterSeq) as IterableIterator<BlockRow>) {
      if (first) {
        first = false;
        if (hint === undefined || afterSeq >= hint.afterSeq) this.blocksAfter = { afterSeq, firstSeq: block.first_seq };
      }
      if (collected.count >= limit && block.first_seq > maxCollected) break;
      const before = collected.count;
      decodeTradeBlock(block.data, block.first_seq, collected.dayOf(block.symbol, block.date), collected, afterSeq);
      for (let row = before; row < collected.count; row++) {
        const seq = collected.seq[row] as number;
        if (seq > maxCollected) maxCollected = seq;
      }
    }
    return sortedBySeq(collected, limit);
  }

  async lastSeq(): Promise<number> {
    return (this.selectLastSeq.get() as number | undefined) ?? 0;
  }

  async symbols(): Promise<string[]> {
    return this.selectSymbols.all() as string[];
  }

  async symbolSummaries(): Promise<SymbolSummary[]> {
    return (this.selectSummaries.all() as Array<{ symbol: string; last_ts: number; last_date: string }>).map((row) => ({
      symbol: row.symbol,
      lastTimestamp: row.last_ts,
      lastDate: row.last_date,
    }));
  }

  async daysOf(symbol: string): Promise<SymbolDay[]> {
    return (this.selectDays.all(symbol) as Array<{ symbol: string; date: string; trades: number }>).map((row) => ({
      symbol: row.symbol,
      date: row.date,
      trades: row.trades,
    }));
  }

  /** The connection's durability settings (`wal`, 2 = FULL), for health checks and tests. */
  durability(): { journalMode: string; synchronous: number } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/** `{ ...trade, seq, date }` without the generic spread (one per appended trade). */
function storedTradeOf(trade: Trade, seq: number, date: string): StoredTrade {
  const stored: { -readonly [K in keyof StoredTrade]: StoredTrade[K] } = {
    symbol: trade.symbol,
    timestamp: trade.timestamp,
    price: trade.price,
    volume: trade.volume,
    seq,
    date,
  };
  if (trade.direction !== undefined) stored.direction = trade.direction;
  if (trade.tradeId !== undefined) stored.tradeId = trade.tradeId;
  if (trade.bid !== undefined) stored.bid = trade.bid;
  if (trade.ask !== undefined) stored.ask = trade.ask;
  if (trade.tradeType !== undefined) stored.tradeType = trade.tradeType;
  if (trade.classification !== undefined) stored.classification = trade.classification;
  return stored;
}

/** The first `limit` rows of `columns` by seq, as new columns (the same when already in order). */
function sortedBySeq(columns: TradeColumns, limit: number): TradeColumns {
  const count = columns.count;
  let ordered = true;
  for (let row = 1; row < count && ordered; row++) if ((columns.seq[row] as number) < (columns.seq[row - 1] as number)) ordered = false;
  if (ordered && count <= limit) return columns;
  const order = Array.from({ length: count }, (_, row) => row).sort((a, b) => (columns.seq[a] as number) - (columns.seq[b] as number));
  const out = new TradeColumns(Math.min(count, limit));
  const take = Math.min(count, limit);
  for (let k = 0; k < take; k++) out.copyRow(columns, order[k]!);
  return out;
}

