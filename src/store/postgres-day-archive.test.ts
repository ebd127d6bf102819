/**
 * Needs PostgreSQL (127.0.0.1:5432). Retention on the PostgreSQL store: a day's lines and summary
 * are archived and its raw trades deleted in one transaction — row by row while other symbols
 * still have raw trades in the day's partition, by TRUNCATE once the whole partition goes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { Market } from '../model/market.js';
import { runRetention } from '../service/retention-job.js';
import { storeTrades, trade } from '../server/server-test-kit.js';
import { PostgresDayArchive, TrimConflictError } from './postgres-day-archive.js';
import { PostgresFlowStore } from './postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, POSTGRES_TEST_URL, SERVICES_SKIPPED, uniqueName } from './postgres-test-kit.js';

const OLD_HK = [
  trade('700.HK', '2024-06-12T09:30:00+08:00', '320.0', 1000), // first trade: neutral
  trade('700.HK', '2024-06-12T09:31:10+08:00', '320.2', 500, 'up'), // +160,100 (medium in)
  trade('700.HK', '2024-06-12T09:45:00+08:00', '320.0', 100, 'down'), // -32,000 (small out)
  trade('5.HK', '2024-06-12T10:00:00+08:00', '60.0', 400, 'up'),
  trade('5.HK', '2024-06-12T10:01:00+08:00', '60.0', 100, 'down'),
];
const OLD_US = [trade('AAPL.US', '2024-06-12T09:30:00-04:00', '190.00', 100, 'up'), trade('AAPL.US', '2024-06-12T10:00:00-04:00', '190.50', 10, 'down')];
const SERVED_HK = [trade('700.HK', '2024-06-14T09:30:30+08:00', '321.0', 100, 'up')];
const HK_NOW = Date.parse('2024-06-14T12:00:00+08:00');

describe('retention on PostgreSQL (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schemas: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  let admin: pg.Client | undefined;
  after(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await admin?.end();
    await dropSchemas(schemas);
  });

  async function open(): Promise<{ store: PostgresFlowStore; archive: PostgresDayArchive; schema: string; url: string }> {
    const schema = uniqueName('capflow_test_retention');
    schemas.push(schema);
    const url = postgresUrlWithSchema(schema);
    const store = await PostgresFlowStore.open(url);
    const archive = await PostgresDayArchive.open(url);
    closers.push(() => store.close(), () => archive.close());
    return { store, archive, schema, url };
  }
  async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    if (!admin) {
      admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await admin.connect();
    }
    return (await admin.query<T>(sql)).rows;
  }
  const filenode = async (schema: string, partition: string): Promise<string> =>
    (await query<{ node: string }>(`SELECT pg_relation_filenode('${schema}.${partition}')::text AS node`))[0]!.node;

  it('deletes the rows of the due symbols while the partition keeps others, then truncates it when the whole day goes', async () => {
    const { store, archive, schema } = await open();
    await storeTrades(store, [...OLD_HK, ...OLD_US, ...SERVED_HK]);
    const snapshot = (symbol: string, date: string) => ({ symbol, date, seq: 8, data: Uint8Array.of(1) });
    await store.daySnapshots.saveDaySnapshots([snapshot('700.HK', '2024-06-12'), snapshot('AAPL.US', '2024-06-12'), snapshot('700.HK', '2024-06-14')]);
    const before = await filenode(schema, 'trades_20240612');
    // New York is still on June 12: its day there is not yet due.
    let usNow = Date.parse('2024-06-12T12:00:00-04:00');
    const now = (market: Market): number => (market === 'US' ? usNow : HK_NOW);
    assert.deepEqual(await runRetention({ store, archive, retainTradesDays: 1, now }), { daysArchived: 2, tradesDeleted: 5 });
    assert.equal(await filenode(schema, 'trades_20240612'), before, 'rows deleted, not a truncation');
    assert.equal((await store.tradesOfDay('700.HK', '2024-06-12')).length, 0);
    assert.equal((await store.tradesOfDay('5.HK', '2024-06-12')).length, 0);
    assert.equal((await store.tradesOfDay('AAPL.US', '2024-06-12')).length, 2);
    assert.equal((await store.tradesOfDay('700.HK', '2024-06-14')).length, 1);
    // A trimmed day's snapshot goes with its trades; the others stay.
    assert.equal(await store.daySnapshots.daySnapshot('700.HK', '2024-06-12'), undefined);
    assert.equal((await store.daySnapshots.daySnapshot('AAPL.US', '2024-06-12'))?.seq, 8);
    assert.equal((await store.daySnapshots.daySnapshot('700.HK', '2024-06-14'))?.seq, 8);

    const day = (await archive.day('700.HK', '2024-06-12'))!;
    assert.equal(day.trades, 3);
    assert.equal(day.inflow, '128100.000');
    assert.equal(day.lines.length, 331);
    assert.deepEqual(day.lines[0], { timestamp: Date.parse('2024-06-12T09:30:00+08:00') / 1000, inflow: '0.000' });
    assert.equal(day.lines[1]!.inflow, '160100.000');
    assert.equal(day.lines[15]!.inflow, '128100.000'); // 09:45
    const { distribution } = day.summary as { distribution: { capitalIn: Record<string, string>; capitalOut: Record<string, string> } };
    assert.deepEqual(distribution.capitalIn, { large: '0.000', medium: '160100.000', small: '0.000' });
    assert.deepEqual(distribution.capitalOut, { large: '0.000', medium: '0.000', small: '32000.000' });
    assert.equal((await archive.day('5.HK', '2024-06-12'))!.inflow, '18000.000'); // 24,000 in − 6,000 out
    // The per-day counts stay: history still lists the trimmed days.
    assert.deepEqual((await store.daysOf('700.HK')).map((d) => [d.date, d.trades]), [['2024-06-12', 3], ['2024-06-14', 1]]);

    usNow = Date.parse('2024-06-14T12:00:00-04:00');
    assert.deepEqual(await runRetention({ store, archive, retainTradesDays: 1, now }), { daysArchived: 1, tradesDeleted: 2 });
    assert.notEqual(await filenode(schema, 'trades_20240612'), before, 'the emptied partition was truncated');
    assert.equal(await store.daySnapshots.daySnapshot('AAPL.US', '2024-06-12'), undefined);
    assert.equal((await archive.day('AAPL.US', '2024-06-12'))!.inflow, '17095.000'); // 19,000 in − 1,905 out
    assert.deepEqual(await archive.index(), [
      { symbol: '5.HK', date: '2024-06-12', trades: 2 },
      { symbol: '700.HK', date: '2024-06-12', trades: 3 },
      { symbol: 'AAPL.US', date: '2024-06-12', trades: 2 },
    ]);
    // The partition stays, so a late trade of that day can still be stored.
    assert.ok((await store.dayPartitions()).includes('trades_20240612'));
    await storeTrades(store, [trade('700.HK', '2024-06-12T15:00:00+08:00', '320.0', 1, 'up', { tradeId: 'late' })]);
    assert.equal((await store.tradesOfDay('700.HK', '2024-06-12')).length, 1);
    // The day's archive is kept as it was, and the late trade stays raw (it is not in that archive).
    assert.deepEqual(await runRetention({ store, archive, retainTradesDays: 1, now }), { daysArchived: 0, tradesDeleted: 0 });
    assert.equal((await store.tradesOfDay('700.HK', '2024-06-12')).length, 1);
    assert.equal((await archive.day('700.HK', '2024-06-12'))!.trades, 3);
  });

  it('lets several gateways run retention at once: each day is archived and trimmed exactly once', async () => {
    const { store, archive, url } = await open();
    const second = await PostgresDayArchive.open(url);
    const otherStore = await PostgresFlowStore.open(url);
    closers.push(() => second.close(), () => otherStore.close());
    await storeTrades(store, [...OLD_HK, ...SERVED_HK]);
    const results = await Promise.all([
      runRetention({ store, archive, retainTradesDays: 1, now: () => HK_NOW }),
      runRetention({ store: otherStore, archive: second, retainTradesDays: 1, now: () => HK_NOW }),
    ]);
    assert.equal(results[0]!.daysArchived + results[1]!.daysArchived, 2);
    assert.equal(results[0]!.tradesDeleted + results[1]!.tradesDeleted, 5);
    assert.equal((await archive.index()).length, 2);
  });

  it('refuses to trim a day whose stored trades are not the archived ones, and leaves it whole', async () => {
    const { store, archive } = await open();
    await storeTrades(store, OLD_HK);
    await assert.rejects(
      archive.archiveAndTrim({ symbol: '700.HK', date: '2024-06-12', trades: 2, inflow: '0.000', lines: [], summary: {} }),
      TrimConflictError,
    );
    assert.equal((await store.tradesOfDay('700.HK', '2024-06-12')).length, 3);
    assert.equal(await archive.day('700.HK', '2024-06-12'), undefined);
  });
});
