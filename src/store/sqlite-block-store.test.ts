import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Direction, type Trade } from '../model/trade.js';
import type { StoredTrade, TradeToStore } from './flow-store.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import { SqliteDayArchive } from './sqlite-day-archive.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-blocks-'));
  dirs.push(dir);
  return dir;
}

const DAY = '2024-03-01';
const T0 = Date.UTC(2024, 2, 1, 1, 30);
function hk(n: number, extra: Partial<Trade> = {}, symbol = '700.HK'): TradeToStore {
  return { trade: { symbol, timestamp: T0 + n * 1000, price: { units: 3500n + BigInt(n), scale: 2 }, volume: n + 1, ...extra }, date: DAY };
}

describe('SqliteFlowStore block layout', () => {
  after(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('converts a schema-2 database (one row per trade) to blocks, keeping every seq and field', async () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'capflow.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    // The database exactly as the old migration list left it.
    db.exec(SQLITE_MIGRATIONS[0] as string);
    db.exec(SQLITE_MIGRATIONS[1] as string);
    db.prepare('INSERT INTO schema_version (version) VALUES (2)').run();
    const insert = db.prepare(
      `INSERT INTO trades (symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run('700.HK', DAY, T0, '35.070', 100, 2, 'T-9', '35.06', '35.08', null, null);
    insert.run('5.HK', DAY, T0 + 1, '1234567890123456789012.5', 9_007_199_254_740_991, null, 'ünï', null, null, 'U', 'emo');
    insert.run('700.HK', DAY, T0 + 2, '35.1', 200, 0, 'T-10', null, null, null, 'tick');
    insert.run('700.HK', '2024-03-04', T0 + 3 * 86_400_000, '36', 1, null, null, null, null, null, null);
    insert.run('700.HK', DAY, T0 + 4, '35.2', 300, 1, 'T-2', null, null, null, null); // an id below the greatest
    db.exec('DELETE FROM trades WHERE seq = 4'); // AUTOINCREMENT remembers seq 5 was handed out
    db.prepare(`INSERT INTO symbol_days (symbol, date, trades) VALUES ('700.HK', ?, 3), ('5.HK', ?, 1)`).run(DAY, DAY);
    db.prepare(`INSERT INTO symbols (symbol, last_ts, last_date) VALUES ('700.HK', ?, ?), ('5.HK', ?, ?)`).run(T0 + 4, DAY, T0 + 1, DAY);
    db.prepare(`INSERT INTO sources (source_id, position, updated_ms) VALUES ('file', 7, 1)`).run();
    db.close();

    const store = await SqliteFlowStore.open(dir);
    try {
      assert.equal(store.schemaVersion, SQLITE_SCHEMA_VERSION);
      const all = await store.tradesAfter(0, 100);
      assert.deepEqual(
        all.map((t) => t.seq),
        [1, 2, 3, 5],
      );
      assert.deepEqual(all[0], {
        seq: 1, date: DAY, symbol: '700.HK', timestamp: T0, price: { units: 35070n, scale: 3 }, volume: 100,
        direction: Direction.Up, tradeId: 'T-9', bid: { units: 3506n, scale: 2 }, ask: { units: 3508n, scale: 2 },
      });
      assert.deepEqual(all[1], {
        seq: 2, date: DAY, symbol: '5.HK', timestamp: T0 + 1, price: { units: 12345678901234567890125n, scale: 1 },
        volume: 9_007_199_254_740_991, tradeId: 'ünï', tradeType: 'U', classification: 'emo',
      });
      assert.deepEqual(all[2], {
        seq: 3, date: DAY, symbol: '700.HK', timestamp: T0 + 2, price: { units: 351n, scale: 1 }, volume: 200,
        direction: Direction.Neutral, tradeId: 'T-10', classification: 'tick',
      });
      assert.equal(await store.lastSeq(), 5);
      assert.equal(await store.sourcePosition('file'), 7);
      assert.deepEqual((await store.tradesOfDay('700.HK', DAY)).map((t) => t.tradeId), ['T-9', 'T-10', 'T-2']);
      // Redeliveries of converted ids are duplicates — the greatest (T-10) and one below it (T-2).
      const again = await store.appendTrades([hk(10, { tradeId: 'T-10' }), hk(11, { tradeId: 'T-2' }), hk(12, { tradeId: 'T-11' })]);
      assert.equal(again.duplicates, 2);
      assert.deepEqual(again.stored.map((t) => [t.seq, t.tradeId]), [[6, 'T-11']]); // seqs never reused
      assert.equal((await store.appendTrades([{ ...hk(13, { tradeId: 'ünï' }, '5.HK') }])).duplicates, 1);
      assert.deepEqual(await store.daysOf('700.HK'), [
        { symbol: '700.HK', date: DAY, trades: 4 },
      ]);
    } finally {
      await store.close();
    }
    const check = new Database(join(dir, 'capflow.db'), { readonly: true });
    try {
      assert.equal(check.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'trades'").pluck().get(), 0);
    } finally {
      check.close();
    }
  });

  it('deduplicates across processes: a cached id knowledge is dropped once another writer stored', async () => {
    const dir = tempDir();
    const a = await SqliteFlowStore.open(dir);
    const b = await SqliteFlowStore.open(dir);
    try {
      const ids = (store: SqliteFlowStore, list: string[], from: number) =>
        store.appendTrades(list.map((id, k) => hk(from + k, { tradeId: id })));
      assert.equal((await ids(a, ['X-1', 'X-2', 'X-3', 'X-5'], 0)).stored.length, 4);
      assert.equal((await ids(b, ['X-3'], 10)).duplicates, 1); // below B's greatest: looked up
      assert.equal((await ids(b, ['X-7'], 11)).stored.length, 1);
      assert.equal((await ids(a, ['X-6'], 12)).stored.length, 1); // above every stored id: new
      // A last saw X-5 as the greatest id; X-7 came from B. Without the generation check A would take it.
      assert.equal((await ids(a, ['X-7', 'X-4', 'X-4'], 13)).duplicates, 2);
      assert.equal((await ids(b, ['X-4', 'X-6', 'X-8'], 20)).stored.length, 1);
      const stored = (await a.tradesOfDay('700.HK', DAY)).map((t) => t.tradeId);
      assert.deepEqual(stored, ['X-1', 'X-2', 'X-3', 'X-5', 'X-7', 'X-6', 'X-4', 'X-8']);
      assert.equal(new Set(stored).size, stored.length);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('forgets the ids of a day retention deleted, as the row layout did', async () => {
    const dir = tempDir();
    const store = await SqliteFlowStore.open(dir);
    const archive = await SqliteDayArchive.open(dir);
    try {
      await store.appendTrades([hk(0, { tradeId: 'A-1' }), hk(1, { tradeId: 'A-2' })]);
      assert.equal((await store.appendTrades([hk(2, { tradeId: 'A-1' })])).duplicates, 1);
      const deleted = await archive.archiveAndTrim({ symbol: '700.HK', date: DAY, trades: 2, inflow: '0.000', lines: [], summary: {} });
      assert.equal(deleted, 2);
      assert.deepEqual(await store.tradesOfDay('700.HK', DAY), []);
      assert.equal((await store.appendTrades([hk(3, { tradeId: 'A-1' })])).stored.length, 1);
    } finally {
      await archive.close();
      await store.close();
    }
  });

  it('pages tradesAfter through interleaved blocks in seq order from every start, never skipping a trade', async () => {
    const store = await SqliteFlowStore.open(tempDir());
    try {
      const symbols = ['700.HK', '5.HK', '9988.HK'];
      let n = 0;
      for (const size of [7, 1, 12, 3]) {
        const batch: TradeToStore[] = [];
        for (let k = 0; k < size; k++, n++) batch.push(hk(n, { tradeId: `I-${n}` }, symbols[(n * 7 + k) % 3]));
        await store.appendTrades(batch);
      }
      const all = await store.tradesAfter(0, 1000);
      assert.equal(all.length, n);
      for (let k = 1; k < all.length; k++) assert.ok(all[k]!.seq > all[k - 1]!.seq);
      const last = all.at(-1)!.seq;
      for (let after = 0; after <= last; after++) {
        for (const limit of [1, 2, 5, 100]) {
          const expected = all.filter((t) => t.seq > after).slice(0, limit);
          assert.deepEqual(await store.tradesAfter(after, limit), expected, `after ${after}, limit ${limit}`);
        }
      }
      // Paging one page after the other yields every trade once.
      const paged: StoredTrade[] = [];
      for (let page = await store.tradesAfter(0, 4); page.length > 0; page = await store.tradesAfter(paged.at(-1)!.seq, 4)) paged.push(...page);
      assert.deepEqual(paged, all);
    } finally {
      await store.close();
    }
  });

  it('reads a day as columns with the same trades as tradesOfDay, up to a seq', async () => {
    const store = await SqliteFlowStore.open(tempDir());
    try {
      await store.appendTrades([hk(0, { tradeId: 'a', bid: { units: 1n, scale: 1 } }), hk(1, {}, '5.HK'), hk(2, { direction: Direction.Down })]);
      await store.appendTrades([hk(3, { price: { units: 10n ** 30n, scale: 3 }, tradeType: 'D', classification: 'clnv' })]);
      const trades = await store.tradesOfDay('700.HK', DAY);
      const columns = await store.readDayColumns('700.HK', DAY);
      assert.equal(columns.count, 3);
      assert.deepEqual(
        Array.from({ length: columns.count }, (_, row) => columns.storedTrade(row)),
        trades,
      );
      const upTo = await store.readDayColumns('700.HK', DAY, trades[1]!.seq);
      assert.deepEqual(Array.from(upTo.seq.subarray(0, upTo.count)), [trades[0]!.seq, trades[1]!.seq]);
    } finally {
      await store.close();
    }
  });
});
