import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { describeFlowStoreSuite } from './flow-store-suite.js';
import type { TradeToStore } from './flow-store.js';
import { parsePostgresUrl } from './postgres-connection.js';
import { PostgresFlowStore } from './postgres-flow-store.js';
import { POSTGRES_SCHEMA_VERSION } from './postgres-schema.js';
import { dropSchemas, postgresUrlWithSchema, POSTGRES_TEST_URL, SERVICES_SKIPPED, uniqueName } from './postgres-test-kit.js';

const schemas: string[] = [];
function freshUrl(): string {
  const schema = uniqueName('capflow_test_store');
  schemas.push(schema);
  return postgresUrlWithSchema(schema);
}
const dropAll = (): Promise<void> => dropSchemas(schemas.splice(0));

if (SERVICES_SKIPPED) {
  describe('PostgresFlowStore (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
    it('runs the shared FlowStore suite', () => undefined);
  });
} else {
  describeFlowStoreSuite('PostgresFlowStore', () => PostgresFlowStore.open(freshUrl()), dropAll);

  describe('PostgresFlowStore', () => {
    after(dropAll);

    const trade = (n: number, date: string, tradeId?: string): TradeToStore => ({
      trade: {
        symbol: '700.HK',
        timestamp: Date.parse(`${date}T01:30:00Z`) + n,
        price: { units: 3507n, scale: 2 },
        volume: n + 1,
        ...(tradeId === undefined ? {} : { tradeId }),
      },
      date,
    });

    it('reads its schema from the URL and keeps the rest of the URL for the driver', () => {
      assert.deepEqual(parsePostgresUrl('postgres://u@h:5433/db?schema=flows&sslmode=disable'), {
        connectionString: 'postgres://u@h:5433/db?sslmode=disable',
        schema: 'flows',
      });
      assert.equal(parsePostgresUrl('postgresql://h/db').schema, 'capflow');
      assert.throws(() => parsePostgresUrl('postgres://h/db?schema=Robert%27);DROP'), /schema must match/);
      assert.throws(() => parsePostgresUrl('mysql://h/db'), /not a PostgreSQL URL/);
    });

    it('creates one partition per trading day on first write, and migrates once', async () => {
      const url = freshUrl();
      const store = await PostgresFlowStore.open(url);
      const again = await PostgresFlowStore.open(url); // a second process opening the same schema
      try {
        assert.equal(store.schemaVersion, POSTGRES_SCHEMA_VERSION);
        assert.deepEqual(await store.dayPartitions(), []);
        await store.appendTrades([trade(0, '2024-03-01'), trade(1, '2024-03-04')]);
        await again.appendTrades([trade(2, '2024-03-04'), trade(3, '2024-03-05')]);
        assert.deepEqual(await store.dayPartitions(), ['trades_20240301', 'trades_20240304', 'trades_20240305']);
        assert.deepEqual(
          (await store.daysOf('700.HK')).map((d) => [d.date, d.trades]),
          [['2024-03-01', 1], ['2024-03-04', 2], ['2024-03-05', 1]],
        );
        const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
        await client.connect();
        try {
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${store.location.schema}.trades_20240304`);
          assert.equal(rows[0].n, 2);
        } finally {
          await client.end();
        }
      } finally {
        await store.close();
        await again.close();
      }
    });

    it('gives concurrent writers sequence numbers in commit order, so a follower misses nothing', async () => {
      const url = freshUrl();
      const writers = await Promise.all([PostgresFlowStore.open(url), PostgresFlowStore.open(url), PostgresFlowStore.open(url)]);
      const reader = await PostgresFlowStore.open(url);
      try {
        const seen: number[] = [];
        let watermark = 0;
        let writing = true;
        const follow = (async () => {
          while (writing || watermark < (await reader.lastSeq())) {
            for (const t of await reader.tradesAfter(watermark, 1000)) {
              seen.push(t.seq);
              watermark = t.seq;
            }
          }
        })();
        await Promise.all(
          writers.map(async (writer, w) => {
            for (let k = 0; k < 30; k++) await writer.appendTrades([trade(w * 100 + k, '2024-03-01'), trade(w * 100 + k, '2024-03-01')]);
          }),
        );
        writing = false;
        await follow;
        assert.equal(seen.length, 180);
        assert.deepEqual(seen, [...(await reader.tradesAfter(0, 1000))].map((t) => t.seq));
      } finally {
        await Promise.all([...writers, reader].map((s) => s.close()));
      }
    });

    it('refuses the retry of a batch whose checkpoint already moved: nothing is counted twice', async () => {
      const store = await PostgresFlowStore.open(freshUrl());
      try {
        const batch = [trade(0, '2024-03-01'), trade(1, '2024-03-01')];
        await store.appendTrades(batch, { sourceId: 'nats:p0', position: 17, expectedPosition: 0 });
        // The first commit landed but its answer was lost: the retry must store nothing.
        await assert.rejects(store.appendTrades(batch, { sourceId: 'nats:p0', position: 17, expectedPosition: 0 }), /another writer/);
        assert.equal((await store.tradesAfter(0, 10)).length, 2);
        assert.equal(await store.sourcePosition('nats:p0'), 17);
      } finally {
        await store.close();
      }
    });
  });
}
