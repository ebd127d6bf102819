/**
 * Starts its own PostgreSQL. The store's pool across database faults: a killed connection, a
 * restart and a frozen server never crash the process or hang a call beyond its bound, and the
 * store works again by itself once the database is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inPostgresTransaction, parsePostgresUrl } from './postgres-connection.js';
import { PostgresFlowStore } from './postgres-flow-store.js';
import { POSTGRES_SERVER_SKIPPED, ThrowawayPostgres } from './postgres-server-test-kit.js';
import { SCALE_TEST_DATE } from '../worker/scale-test-kit.js';

const trade = (n: number) => ({
  trade: { symbol: '700.HK', timestamp: Date.parse('2024-06-14T09:30:00+08:00') + n, price: { units: 38000n + BigInt(n), scale: 2 }, volume: 100 },
  date: SCALE_TEST_DATE,
});

async function timed<T>(work: Promise<T>): Promise<{ ms: number; error?: Error; value?: T }> {
  const start = Date.now();
  try {
    const value = await work;
    return { ms: Date.now() - start, value };
  } catch (error) {
    return { ms: Date.now() - start, error: error as Error };
  }
}

describe('the query timeout of a store URL', () => {
  it('is capflow\'s own parameter: read, validated and kept from the driver', () => {
    assert.deepEqual(parsePostgresUrl('postgres://u@h/db?schema=s&query_timeout=2500&sslmode=disable'), {
      connectionString: 'postgres://u@h/db?sslmode=disable',
      schema: 's',
      queryTimeoutMs: 2500,
    });
    assert.equal(parsePostgresUrl('postgres://u@h/db?query_timeout=0').queryTimeoutMs, 0);
    assert.equal(parsePostgresUrl('postgres://u@h/db').queryTimeoutMs, undefined);
    assert.throws(() => parsePostgresUrl('postgres://u@h/db?query_timeout=5s'), /query_timeout must be a number of milliseconds/);
  });
});

describe('the PostgreSQL store across database faults (starts its own PostgreSQL)', { skip: POSTGRES_SERVER_SKIPPED }, () => {
  let server: ThrowawayPostgres;
  let store: PostgresFlowStore;

  before(async () => {
    server = await ThrowawayPostgres.start();
    store = await PostgresFlowStore.open(server.url({ schema: 'faults', application_name: 'capflow-faults', query_timeout: '1500' }), { poolSize: 4 });
  });
  after(async () => {
    await store?.close().catch(() => undefined);
    await server?.dispose();
  });

  it('a connection killed in the middle of a transaction fails that transaction only; the process survives', async () => {
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let began!: () => void;
    const inTransaction = new Promise<void>((resolve) => (began = resolve));
    const transaction = inPostgresTransaction(store.connectionPool, async (client) => {
      await client.query('SELECT 1');
      began();
      await paused; // idle in transaction while its backend is killed
      await client.query('SELECT 2');
    });
    await inTransaction;
    assert.ok((await server.terminateBackends('capflow-faults')) >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the 'error' event of the dead connection has fired
    resume();
    await assert.rejects(transaction);
    const stored = await store.appendTrades([trade(1)]);
    assert.equal(stored.stored.length, 1);
    assert.equal(await store.lastSeq(), 1);
  });

  it('fails calls at once while the database is down, and works again after its restart without any step of its own', async () => {
    await server.stop('fast');
    const down = await timed(store.lastSeq());
    assert.ok(down.error, 'a call while the database is down fails');
    assert.ok(down.ms < 2000, `it fails at once (${down.ms} ms)`);
    await server.start();
    assert.equal(await store.lastSeq(), 1);
    await server.stop('immediate'); // a crash: recovery runs at the next start
    await assert.rejects(store.appendTrades([trade(2)]));
    await server.start();
    assert.equal((await store.appendTrades([trade(2)])).stored.length, 1);
    assert.equal(await store.lastSeq(), 2);
  });

  it('bounds every call on a frozen database: a query by its timeout, a new connection by the connect timeout', { timeout: 30_000 }, async () => {
    // A pooled connection (idle after the call above) and room for new ones (pool of 4).
    server.freeze();
    try {
      const calls = await Promise.all([timed(store.lastSeq()), timed(store.tradesOfDay('700.HK', SCALE_TEST_DATE)), timed(store.appendTrades([trade(3)]))]);
      for (const call of calls) {
        assert.ok(call.error, 'a call on a frozen database fails');
        assert.ok(call.ms < 7_000, `within the connect timeout (5 s) or the query timeout (1.5 s): ${call.ms} ms, ${call.error.message}`);
      }
    } finally {
      server.thaw();
    }
    // The connections given up are discarded; the next calls get healthy ones.
    assert.equal((await store.appendTrades([trade(3)])).stored.length, 1);
    assert.equal(await store.lastSeq(), 3);
    assert.equal((await store.tradesOfDay('700.HK', SCALE_TEST_DATE)).length, 3);
  });
});
