import type BetterSqlite3 from 'better-sqlite3';
import { convertTradeRowsToBlocks } from './sqlite-block-migration.js';

/** A migration: SQL, or a step that needs code (converting stored data). */
export type SqliteMigration = string | ((db: BetterSqlite3.Database) => void);

/**
 * Schema of the embedded store, as an ordered list of migrations. `schema_version` holds the
 * number of migrations applied; opening a database applies the missing ones in one immediate
 * transaction, so a server and an ingest command opening the same fresh directory at once
 * cannot both migrate.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  // 1: trades in arrival order, per-day counts, per-symbol summaries, source checkpoints.
  `
  CREATE TABLE trades (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol     TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    ts         INTEGER NOT NULL,
    price      TEXT    NOT NULL,
    volume     INTEGER NOT NULL,
    direction  INTEGER CHECK (direction IN (0, 1, 2)),
    trade_id   TEXT,
    bid        TEXT,
    ask        TEXT,
    trade_type TEXT
  );
  CREATE UNIQUE INDEX trades_by_trade_id ON trades (symbol, date, trade_id) WHERE trade_id IS NOT NULL;
  CREATE INDEX trades_by_day ON trades (symbol, date, seq);
  CREATE TABLE symbol_days (
    symbol TEXT    NOT NULL,
    date   TEXT    NOT NULL,
    trades INTEGER NOT NULL,
    PRIMARY KEY (symbol, date)
  ) WITHOUT ROWID;
  CREATE TABLE symbols (
    symbol    TEXT    PRIMARY KEY,
    last_ts   INTEGER NOT NULL,
    last_date TEXT    NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE sources (
    source_id  TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: how each trade's side was or is to be decided (feed, order-sequence, lee-ready, emo, clnv,
  // tick); NULL for trades stored before, which mean the feed's side when given, else Lee–Ready.
  `
  ALTER TABLE trades ADD COLUMN classification TEXT;
  `,
  // 3: trades in blocks (sqlite-block-migration.ts): one row per (symbol, day, append) holding
  // that append's trades of the symbol-day in a compact binary form (trade-block.ts), instead of
  // one row per trade with a unique index. Deduplication keeps each day's greatest trade id in
  // symbol_days; store_meta holds the last seq (never reused), the widest block's seq span (how
  // far back tradesAfter looks for blocks spanning its start) and the write generation (bumped by
  // every write, so a process knows when its cached trade ids are stale).
  convertTradeRowsToBlocks,
  // 4: the fingerprint of a source's content (an HTTP body under an Idempotency-Key: the hash of
  // its format and bytes), recorded by its first commit; a later commit under the same source id
  // with another fingerprint is refused (the key was reused for a different body).
  `
  ALTER TABLE sources ADD COLUMN fingerprint TEXT;
  `,
  // 5: each served symbol-day's engine state (DayFlow.snapshot bytes) covering its trades with
  // seq <= seq, written by the server as it goes: a restart replays only the trades after it.
  `
  CREATE TABLE day_snapshots (
    symbol TEXT    NOT NULL,
    date   TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    PRIMARY KEY (symbol, date)
  );
  `,
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/** Brings a database to the current schema; returns the version it has afterwards. */
export function migrateSqlite(db: BetterSqlite3.Database, path: string): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const migrate = db.transaction((): number => {
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SQLITE_MIGRATIONS.length) {
      throw new Error(
        `${path}: schema version ${current} is newer than this capflow understands (${SQLITE_MIGRATIONS.length}); upgrade capflow`,
      );
    }
    for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
      const migration = SQLITE_MIGRATIONS[version] as SqliteMigration;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_MIGRATIONS.length);
    else if (current !== SQLITE_MIGRATIONS.length) db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_MIGRATIONS.length);
    return SQLITE_MIGRATIONS.length;
  });
  return migrate.immediate();
}
