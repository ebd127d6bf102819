import type pg from 'pg';
import type { DaySnapshotRecord, DaySnapshotStore } from './flow-store.js';
import type { TradeColumns } from './trade-columns.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The `day_snapshots` table (migration 8): served days' engine states beside the trades. */
export class PostgresDaySnapshots implements DaySnapshotStore {
  constructor(
    private readonly pool: pg.Pool,
    /** The store's read of a day's trades with `afterSeq < seq <= maxSeq`. */
    private readonly readTradesAfter: (symbol: string, date: string, afterSeq: number, maxSeq: number) => Promise<TradeColumns>,
  ) {}

  async saveDaySnapshots(records: readonly DaySnapshotRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One statement, so all or none are kept; a snapshot never replaces one covering more trades
    // (an older writer finishing late). Rows are sorted so concurrent writers lock in one order.
    const sorted = [...records].sort((a, b) => (a.symbol === b.symbol ? (a.date < b.date ? -1 : 1) : a.symbol < b.symbol ? -1 : 1));
    await this.pool.query(
      `INSERT INTO day_snapshots (symbol, date, seq, data)
       SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[], $4::bytea[])
       ON CONFLICT (symbol, date) DO UPDATE SET seq = excluded.seq, data = excluded.data WHERE excluded.seq > day_snapshots.seq`,
      [sorted.map((r) => r.symbol), sorted.map((r) => r.date), sorted.map((r) => r.seq), sorted.map((r) => Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength))],
    );
  }

  async daySnapshot(symbol: string, date: string): Promise<DaySnapshotRecord | undefined> {
    if (!ISO_DATE.test(date)) return undefined;
    const { rows } = await this.pool.query<{ seq: string; data: Buffer }>('SELECT seq, data FROM day_snapshots WHERE symbol = $1 AND date = $2', [symbol, date]);
    const row = rows[0];
    return row ? { symbol, date, seq: Number(row.seq), data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) } : undefined;
  }

  async snapshottedSymbols(date: string): Promise<string[]> {
    if (!ISO_DATE.test(date)) return [];
    const { rows } = await this.pool.query<{ symbol: string }>('SELECT symbol FROM day_snapshots WHERE date = $1 ORDER BY symbol COLLATE "C"', [date]);
    return rows.map((row) => row.symbol);
  }

  readDayColumnsAfter(symbol: string, date: string, afterSeq: number, maxSeq: number): Promise<TradeColumns> {
    return this.readTradesAfter(symbol, date, afterSeq, maxSeq);
  }
}
