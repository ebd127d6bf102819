import type BetterSqlite3 from 'better-sqlite3';
import type { DaySnapshotRecord, DaySnapshotStore } from './flow-store.js';
import { decodeTradeBlock } from './trade-block.js';
import { TradeColumns } from './trade-columns.js';

/** The `day_snapshots` table (migration 5) and the reads a restart from a snapshot needs. */
export class SqliteDaySnapshots implements DaySnapshotStore {
  private readonly upsert: BetterSqlite3.Statement;
  private readonly select: BetterSqlite3.Statement;
  private readonly selectSymbols: BetterSqlite3.Statement;
  private readonly selectBlocksAfter: BetterSqlite3.Statement;
  private readonly saveAll: (records: readonly DaySnapshotRecord[]) => void;

  constructor(db: BetterSqlite3.Database) {
    // A snapshot never replaces one that covers more trades (an older writer finishing late).
    this.upsert = db.prepare(
      `INSERT INTO day_snapshots (symbol, date, seq, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol, date) DO UPDATE SET seq = excluded.seq, data = excluded.data WHERE excluded.seq > day_snapshots.seq`,
    );
    this.select = db.prepare('SELECT seq, data FROM day_snapshots WHERE symbol = ? AND date = ?');
    this.selectSymbols = db.prepare('SELECT symbol FROM day_snapshots WHERE date = ? ORDER BY symbol').pluck();
    // A block holding a seq > after starts after `after - max_block_span`: bounding first_seq keeps
    // the index range to the day's last blocks instead of every block of the day (18× faster).
    this.selectBlocksAfter = db.prepare(
      `SELECT first_seq, data FROM trade_blocks
       WHERE symbol = ? AND date = ? AND first_seq > ? - COALESCE((SELECT max_block_span FROM store_meta WHERE id = 1), 0) - 1
         AND first_seq <= ? AND last_seq > ? ORDER BY first_seq`,
    );
    const save = db.transaction((records: readonly DaySnapshotRecord[]) => {
      for (const record of records) this.upsert.run(record.symbol, record.date, record.seq, record.data);
    });
    this.saveAll = (records) => save.immediate(records);
  }

  async saveDaySnapshots(records: readonly DaySnapshotRecord[]): Promise<void> {
    if (records.length > 0) this.saveAll(records);
  }

  async daySnapshot(symbol: string, date: string): Promise<DaySnapshotRecord | undefined> {
    const row = this.select.get(symbol, date) as { seq: number; data: Buffer } | undefined;
    return row ? { symbol, date, seq: row.seq, data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) } : undefined;
  }

  async snapshottedSymbols(date: string): Promise<string[]> {
    return this.selectSymbols.all(date) as string[];
  }

  async readDayColumnsAfter(symbol: string, date: string, afterSeq: number, maxSeq: number): Promise<TradeColumns> {
    // `all`, not `iterate`: most days have no block after their snapshot, and `all` costs less then.
    const blocks = this.selectBlocksAfter.all(symbol, date, afterSeq, maxSeq, afterSeq) as { first_seq: number; data: Buffer }[];
    const columns = new TradeColumns(blocks.length === 0 ? 1 : 64);
    const day = columns.dayOf(symbol, date);
    for (const block of blocks) {
      decodeTradeBlock(block.data, block.first_seq, day, columns, afterSeq, maxSeq);
    }
    return columns;
  }
}
