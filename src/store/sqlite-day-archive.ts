import type BetterSqlite3 from 'better-sqlite3';
import type { ArchivedDay, DayArchive } from './day-archive.js';
import { openSqliteFile } from './sqlite-connection.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS archived_days (
    symbol      TEXT    NOT NULL,
    date        TEXT    NOT NULL,
    trades      INTEGER NOT NULL,
    inflow      TEXT    NOT NULL,
    lines       TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    archived_at INTEGER NOT NULL,
    PRIMARY KEY (symbol, date)
  ) WITHOUT ROWID;
`;

interface ArchiveRow {
  symbol: string;
  date: string;
  trades: number;
  inflow: string;
  lines: string;
  summary: string;
  archived_at: number;
}

function fromRow(row: ArchiveRow): ArchivedDay {
  return {
    symbol: row.symbol,
    date: row.date,
    trades: row.trades,
    inflow: row.inflow,
    lines: JSON.parse(row.lines) as ArchivedDay['lines'],
    summary: JSON.parse(row.summary) as unknown,
    archivedAt: row.archived_at,
  };
}

/**
 * Lines and summaries of days whose raw trades retention deleted, in the embedded store's file.
 * Archiving a day and deleting its trades happen in one transaction, so a day is always either
 * raw or archived, never lost in between.
 */
export class SqliteDayArchive implements DayArchive {
  private closed = false;
  private readonly insertDay: BetterSqlite3.Statement;
  private readonly countTrades: BetterSqlite3.Statement;
  private readonly deleteTrades: BetterSqlite3.Statement;
  private readonly deleteSnapshot: BetterSqlite3.Statement;
  private readonly bumpGeneration: BetterSqlite3.Statement;
  private readonly selectDay: BetterSqlite3.Statement;
  private readonly selectAll: BetterSqlite3.Statement;
  private readonly selectOfSymbol: BetterSqlite3.Statement;

  private constructor(private readonly db: BetterSqlite3.Database) {
    this.insertDay = db.prepare(
      `INSERT INTO archived_days (symbol, date, trades, inflow, lines, summary, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (symbol, date) DO NOTHING`,
    );
    this.countTrades = db.prepare('SELECT COALESCE(SUM(count), 0) FROM trade_blocks WHERE symbol = ? AND date = ?').pluck();
    this.deleteTrades = db.prepare('DELETE FROM trade_blocks WHERE symbol = ? AND date = ?');
    // A day's engine snapshot goes with its trades: nothing is rebuilt from a removed day.
    this.deleteSnapshot = db.prepare('DELETE FROM day_snapshots WHERE symbol = ? AND date = ?');
    // Writers cache each day's trade ids (SqliteFlowStore): a deletion makes theirs stale.
    this.bumpGeneration = db.prepare('UPDATE store_meta SET generation = generation + 1 WHERE id = 1');
    this.selectDay = db.prepare('SELECT * FROM archived_days WHERE symbol = ? AND date = ?');
    this.selectAll = db.prepare('SELECT symbol, date, trades FROM archived_days ORDER BY symbol, date');
    this.selectOfSymbol = db.prepare('SELECT * FROM archived_days WHERE symbol = ? AND date BETWEEN ? AND ? ORDER BY date');
  }

  /** Opens the archive table in `dataDir/capflow.db` (the flow store must have created its schema). */
  static async open(dataDir: string, options: { busyTimeoutMs?: number } = {}): Promise<SqliteDayArchive> {
    return openSqliteFile(dataDir, options.busyTimeoutMs, (db) => {
      db.transaction(() => db.exec(SCHEMA)).immediate();
      return new SqliteDayArchive(db);
    });
  }

  /** Stores the day's lines and summary and deletes its raw trades, atomically. Returns trades deleted. */
  async archiveAndTrim(day: Omit<ArchivedDay, 'archivedAt'>, now = Date.now()): Promise<number> {
    return this.db
      .transaction(() => {
        const inserted = this.insertDay.run(day.symbol, day.date, day.trades, day.inflow, JSON.stringify(day.lines), JSON.stringify(day.summary), now);
        // Archived before: trades stored for the day since are not in that archive; keep them raw.
        if (inserted.changes === 0) return 0;
        const trades = this.countTrades.get(day.symbol, day.date) as number;
        this.deleteTrades.run(day.symbol, day.date);
        this.deleteSnapshot.run(day.symbol, day.date);
        this.bumpGeneration.run();
        return trades;
      })
      .immediate();
  }

  async day(symbol: string, date: string): Promise<ArchivedDay | undefined> {
    const row = this.selectDay.get(symbol, date) as ArchiveRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Archived days of a symbol with dates in [from, to], ascending. */
  async daysOf(symbol: string, from: string, to: string): Promise<ArchivedDay[]> {
    return (this.selectOfSymbol.all(symbol, from, to) as ArchiveRow[]).map(fromRow);
  }

  /** Every archived (symbol, date) with its trade count. */
  async index(): Promise<Array<{ symbol: string; date: string; trades: number }>> {
    return this.selectAll.all() as Array<{ symbol: string; date: string; trades: number }>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
