import type BetterSqlite3 from 'better-sqlite3';
import { decimalToString, type Decimal } from '../model/decimal.js';
import { CapflowError, BusinessCode } from '../model/errors.js';
import { isClassificationMethod, type Direction } from '../model/trade.js';
import type { AppendResult, FlowStore, SourceCheckpoint, StoredTrade, SymbolDay, SymbolSummary, TradeToStore } from './flow-store.js';
import { openSqliteFile, SQLITE_FILE_NAME } from './sqlite-connection.js';
import { migrateSqlite } from './sqlite-schema.js';

export interface SqliteFlowStoreOptions {
  /** How long a writer waits for another process's write lock (default 30 s). */
  readonly busyTimeoutMs?: number;
  /** SQLite page cache of this connection, in MiB (default 64). */
  readonly cacheSizeMiB?: number;
}

interface TradeRow {
  seq: number;
  symbol: string;
  date: string;
  ts: number;
  price: string;
  volume: number;
  direction: number | null;
  trade_id: string | null;
  bid: string | null;
  ask: string | null;
  trade_type: string | null;
  classification: string | null;
}

const TRADE_COLUMNS = 'seq, symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification';

/** The append was refused because another writer moved the source's position meanwhile. */
export function sourcePositionConflict(sourceId: string, expected: number, actual: number): CapflowError {
  return new CapflowError(
    { status: 7, code: BusinessCode.ServerError, httpStatus: 409 },
    `source ${sourceId} is being ingested by another writer (position ${actual}, expected ${expected}); nothing was stored`,
  );
}

/**
 * Exact decimal from stored text: the digits are the units, the digits after the dot the scale,
 * so a value reads back with the very units and scale it was written with.
 */
export function decimalFromStored(text: string): Decimal {
  const dot = text.indexOf('.');
  if (dot === -1) return { units: BigInt(text), scale: 0 };
  return { units: BigInt(text.slice(0, dot) + text.slice(dot + 1)), scale: text.length - dot - 1 };
}

function rowToTrade(row: TradeRow): StoredTrade {
  const trade: { -readonly [K in keyof StoredTrade]: StoredTrade[K] } = {
    seq: row.seq,
    date: row.date,
    symbol: row.symbol,
    timestamp: row.ts,
    price: decimalFromStored(row.price),
    volume: row.volume,
  };
  if (row.direction !== null) trade.direction = row.direction as Direction;
  if (row.trade_id !== null) trade.tradeId = row.trade_id;
  if (row.bid !== null) trade.bid = decimalFromStored(row.bid);
  if (row.ask !== null) trade.ask = decimalFromStored(row.ask);
  if (row.trade_type !== null) trade.tradeType = row.trade_type;
  if (row.classification !== null && isClassificationMethod(row.classification)) trade.classification = row.classification;
  return trade;
}

/**
 * The embedded store: one SQLite file `capflow.db` in the data directory, in WAL mode with
 * `synchronous=FULL` (a resolved write survives power loss), shared safely by a server and an
 * ingest command through SQLite's locking (writers wait up to the busy timeout).
 */
export class SqliteFlowStore implements FlowStore {
  static readonly FILE_NAME = SQLITE_FILE_NAME;

  private closed = false;
  private readonly insertTrade: BetterSqlite3.Statement;
  private readonly addDayCount: BetterSqlite3.Statement;
  private readonly updateSymbol: BetterSqlite3.Statement;
  private readonly selectSummaries: BetterSqlite3.Statement;
  private readonly selectPosition: BetterSqlite3.Statement;
  private readonly upsertPosition: BetterSqlite3.Statement;
  private readonly selectDay: BetterSqlite3.Statement;
  private readonly selectDayUpTo: BetterSqlite3.Statement;
  private readonly selectAfter: BetterSqlite3.Statement;
  private readonly selectLastSeq: BetterSqlite3.Statement;
  private readonly selectSymbols: BetterSqlite3.Statement;
  private readonly selectDays: BetterSqlite3.Statement;
  private readonly appendTransaction: (batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint) => AppendResult;

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** Path of the database file. */
    readonly path: string,
    /** Schema version after migration. */
    readonly schemaVersion: number,
  ) {
    this.insertTrade = db.prepare(
      `INSERT INTO trades (symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.addDayCount = db.prepare(
      `INSERT INTO symbol_days (symbol, date, trades) VALUES (?, ?, ?)
       ON CONFLICT (symbol, date) DO UPDATE SET trades = trades + excluded.trades`,
    );
    this.updateSymbol = db.prepare(
      `INSERT INTO symbols (symbol, last_ts, last_date) VALUES (?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts), last_date = MAX(last_date, excluded.last_date)`,
    );
    this.selectSummaries = db.prepare('SELECT symbol, last_ts, last_date FROM symbols ORDER BY symbol');
    this.selectPosition = db.prepare('SELECT position FROM sources WHERE source_id = ?').pluck();
    this.upsertPosition = db.prepare(
      `INSERT INTO sources (source_id, position, updated_ms) VALUES (?, ?, ?)
       ON CONFLICT (source_id) DO UPDATE SET position = excluded.position, updated_ms = excluded.updated_ms`,
    );
    this.selectDay = db.prepare(`SELECT ${TRADE_COLUMNS} FROM trades WHERE symbol = ? AND date = ? ORDER BY seq`);
    this.selectDayUpTo = db.prepare(
      `SELECT ${TRADE_COLUMNS} FROM trades WHERE symbol = ? AND date = ? AND seq <= ? ORDER BY seq`,
    );
    this.selectAfter = db.prepare(`SELECT ${TRADE_COLUMNS} FROM trades WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.selectLastSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM trades').pluck();
    this.selectSymbols = db.prepare('SELECT symbol FROM symbols ORDER BY symbol').pluck();
    this.selectDays = db.prepare('SELECT symbol, date, trades FROM symbol_days WHERE symbol = ? ORDER BY date');
    // IMMEDIATE: take the write lock up front, so concurrent writers queue on the busy timeout
    // instead of failing on a read-to-write upgrade.
    const append = db.transaction((batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint) => this.appendNow(batch, checkpoint));
    this.appendTransaction = (batch, checkpoint) => append.immediate(batch, checkpoint);
  }

  /** Opens (creating when needed) `capflow.db` in `dataDir` and brings its schema up to date. */
  static async open(dataDir: string, options: SqliteFlowStoreOptions = {}): Promise<SqliteFlowStore> {
    return openSqliteFile(dataDir, options.busyTimeoutMs, (db, path) => {
      // A larger page cache keeps the indexes' hot pages in memory during big ingests.
      db.pragma(`cache_size = ${-Math.floor((options.cacheSizeMiB ?? 64) * 1024)}`);
      const version = migrateSqlite(db, path);
      return new SqliteFlowStore(db, path, version);
    });
  }

  async appendTrades(batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint): Promise<AppendResult> {
    return this.appendTransaction(batch, checkpoint);
  }

  private appendNow(batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint): AppendResult {
    if (checkpoint?.expectedPosition !== undefined) {
      const actual = (this.selectPosition.get(checkpoint.sourceId) as number | undefined) ?? 0;
      if (actual !== checkpoint.expectedPosition) {
        throw sourcePositionConflict(checkpoint.sourceId, checkpoint.expectedPosition, actual);
      }
    }
    const stored: StoredTrade[] = [];
    const perDay = new Map<string, { symbol: string; date: string; trades: number }>();
    const perSymbol = new Map<string, { lastTimestamp: number; lastDate: string }>();
    let duplicates = 0;
    for (const { trade, date } of batch) {
      const info = this.insertTrade.run(
        trade.symbol,
        date,
        trade.timestamp,
        decimalToString(trade.price),
        trade.volume,
        trade.direction ?? null,
        trade.tradeId ?? null,
        trade.bid === undefined ? null : decimalToString(trade.bid),
        trade.ask === undefined ? null : decimalToString(trade.ask),
        trade.tradeType ?? null,
        trade.classification ?? null,
      );
      if (info.changes === 0) {
        duplicates++;
        continue;
      }
      stored.push({ ...trade, seq: Number(info.lastInsertRowid), date });
      const key = `${trade.symbol}\u0000${date}`;
      const day = perDay.get(key);
      if (day) day.trades++;
      else perDay.set(key, { symbol: trade.symbol, date, trades: 1 });
      const summary = perSymbol.get(trade.symbol);
      if (!summary) perSymbol.set(trade.symbol, { lastTimestamp: trade.timestamp, lastDate: date });
      else {
        if (trade.timestamp > summary.lastTimestamp) summary.lastTimestamp = trade.timestamp;
        if (date > summary.lastDate) summary.lastDate = date;
      }
    }
    for (const [symbol, summary] of perSymbol) this.updateSymbol.run(symbol, summary.lastTimestamp, summary.lastDate);
    for (const day of perDay.values()) this.addDayCount.run(day.symbol, day.date, day.trades);
    if (checkpoint) this.upsertPosition.run(checkpoint.sourceId, checkpoint.position, Date.now());
    return { stored, duplicates };
  }

  async sourcePosition(sourceId: string): Promise<number> {
    return (this.selectPosition.get(sourceId) as number | undefined) ?? 0;
  }

  async tradesOfDay(symbol: string, date: string, maxSeq?: number): Promise<StoredTrade[]> {
    const rows = (maxSeq === undefined ? this.selectDay.all(symbol, date) : this.selectDayUpTo.all(symbol, date, maxSeq)) as TradeRow[];
    return rows.map(rowToTrade);
  }

  async tradesAfter(afterSeq: number, limit: number): Promise<StoredTrade[]> {
    if (limit <= 0) return [];
    return (this.selectAfter.all(afterSeq, Math.floor(limit)) as TradeRow[]).map(rowToTrade);
  }

  async lastSeq(): Promise<number> {
    return this.selectLastSeq.get() as number;
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
