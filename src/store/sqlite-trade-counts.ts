import type BetterSqlite3 from 'better-sqlite3';

/** Whether the database keeps trades in blocks (schema 3+) rather than one row each (schema 1–2). */
function hasBlocks(db: BetterSqlite3.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trade_blocks'").get() !== undefined;
}

/** Trades stored in an embedded store file of any schema version (backups may be older). */
export function storedTradeCount(db: BetterSqlite3.Database): number {
  const sql = hasBlocks(db) ? 'SELECT COALESCE(SUM(count), 0) FROM trade_blocks' : 'SELECT COUNT(*) FROM trades';
  return db.prepare(sql).pluck().get() as number;
}

/** Raw trades per symbol-day, counted from the trades themselves (for `capflow doctor`). */
export function storedTradesPerDay(db: BetterSqlite3.Database): Array<{ symbol: string; date: string; trades: number }> {
  const sql = hasBlocks(db)
    ? 'SELECT symbol, date, SUM(count) AS trades FROM trade_blocks GROUP BY symbol, date'
    : 'SELECT symbol, date, COUNT(*) AS trades FROM trades GROUP BY symbol, date';
  return db.prepare(sql).all() as Array<{ symbol: string; date: string; trades: number }>;
}
