import type BetterSqlite3 from 'better-sqlite3';
import { tradeFromRow, type StoredTradeRow } from './stored-trade-row.js';
import { compareIdBytes, TradeBlockWriter } from './trade-block.js';
import { TradeColumns } from './trade-columns.js';

/** Tables of the block layout (schema version 3). */
export const TRADE_BLOCKS_SCHEMA = `
  CREATE TABLE trade_blocks (
    first_seq INTEGER PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    symbol    TEXT    NOT NULL,
    date      TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    data      BLOB    NOT NULL
  );
  CREATE INDEX trade_blocks_by_day ON trade_blocks (symbol, date, first_seq);
  CREATE TABLE store_meta (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    generation     INTEGER NOT NULL,
    last_seq       INTEGER NOT NULL,
    max_block_span INTEGER NOT NULL
  );
  ALTER TABLE symbol_days ADD COLUMN max_trade_id BLOB;
`;

/** Trades of the old layout converted per chunk (one block per symbol-day of a chunk). */
const CONVERT_CHUNK = 65_536;

interface TradeRow extends StoredTradeRow {
  seq: number;
  date: string;
}

/**
 * Migration 3: creates the block tables and moves every row of the old `trades` table into
 * blocks, keeping each trade's seq and every field exactly, records each day's greatest trade id
 * and the highest seq ever handed out (AUTOINCREMENT's, so no seq is ever reused), then drops
 * `trades`. Runs inside the migration transaction: all or nothing.
 */
export function convertTradeRowsToBlocks(db: BetterSqlite3.Database): void {
  db.exec(TRADE_BLOCKS_SCHEMA);
  const insertBlock = db.prepare('INSERT INTO trade_blocks (first_seq, last_seq, symbol, date, count, data) VALUES (?, ?, ?, ?, ?, ?)');
  const columns = new TradeColumns(CONVERT_CHUNK);
  const maxIds = new Map<string, { symbol: string; date: string; id: Buffer }>();
  let maxSpan = 0;
  let lastSeq = 0;
  const flush = (): void => {
    const writers = new Map<number, TradeBlockWriter>();
    for (let row = 0; row < columns.count; row++) {
      const day = columns.day[row] as number;
      let writer = writers.get(day);
      if (!writer) writers.set(day, (writer = new TradeBlockWriter()));
      writer.write(columns, row, columns.seq[row] as number);
      const start = columns.idStart[row] as number;
      const end = columns.idEnd[row] as number;
      if (end > start) {
        const { symbol, date } = columns.days[day]!;
        const key = `${symbol}\u0000${date}`;
        const max = maxIds.get(key);
        if (!max || compareIdBytes(columns.idBytes, start, end, max.id, 0, max.id.length) > 0) {
          maxIds.set(key, { symbol, date, id: Buffer.from(columns.idBytes.subarray(start, end)) });
        }
      }
    }
    for (const [day, writer] of writers) {
      const { symbol, date } = columns.days[day]!;
      insertBlock.run(writer.firstSeq, writer.lastSeq, symbol, date, writer.count, writer.bytes());
      maxSpan = Math.max(maxSpan, writer.lastSeq - writer.firstSeq);
    }
    columns.clear();
  };
  for (const row of db.prepare('SELECT * FROM trades ORDER BY seq').iterate() as IterableIterator<TradeRow>) {
    const index = columns.addTrade(tradeFromRow(row), row.date);
    columns.seq[index] = row.seq;
    lastSeq = row.seq;
    if (columns.count === CONVERT_CHUNK) flush();
  }
  flush();
  const setMaxId = db.prepare('UPDATE symbol_days SET max_trade_id = ? WHERE symbol = ? AND date = ?');
  for (const { symbol, date, id } of maxIds.values()) setMaxId.run(id, symbol, date);
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'trades'").pluck().get() as number | undefined;
  db.prepare('INSERT INTO store_meta (id, generation, last_seq, max_block_span) VALUES (1, 1, ?, ?)').run(Math.max(lastSeq, sequence ?? 0), maxSpan);
  db.exec('DROP TABLE trades');
}
