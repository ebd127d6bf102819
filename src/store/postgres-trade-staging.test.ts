import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseDecimal } from '../model/decimal.js';
import { Direction } from '../model/trade.js';
import type { StoredTrade, TradeToStore } from './flow-store.js';
import { COPY_MIN_TRADES, PostgresFlowStore } from './postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from './postgres-test-kit.js';
import { copyLines } from './postgres-trade-staging.js';

const DATE = '2024-06-14';
const OPEN = Date.parse('2024-06-14T09:30:00+08:00');

/** A varied large batch: exact long decimals, ids COPY must escape, repeated ids, every optional field. */
function variedBatch(count: number): TradeToStore[] {
  const batch: TradeToStore[] = [];
  for (let n = 0; n < count; n++) {
    const symbol = n % 3 === 0 ? '5.HK' : '700.HK';
    const tradeId = n % 7 === 6 ? undefined : n % 50 === 49 ? `id-${n - 3}` : n % 11 === 0 ? `tab\there\\back\nslash-${n}` : `id-${n}`;
    batch.push({
      trade: {
        symbol,
        timestamp: OPEN + n * 10,
        price: parseDecimal(n % 13 === 0 ? '12345678901234567890.12345678901234567890' : `320.${String(n % 1000).padStart(3, '0')}0`)!,
        volume: 100 + n,
        ...(n % 4 === 0 ? {} : { direction: (n % 3) as Direction }),
        ...(tradeId === undefined ? {} : { tradeId }),
        ...(n % 5 === 0 ? { bid: parseDecimal('320.000')!, ask: parseDecimal('320.0010')! } : {}),
        ...(n % 17 === 0 ? { tradeType: 'U' } : {}),
        ...(n % 19 === 0 ? { classification: 'tick' as const } : {}),
      },
      date: DATE,
    });
  }
  return batch;
}

const withoutSeq = (trades: readonly StoredTrade[]): unknown[] => trades.map(({ seq: _seq, ...rest }) => rest);

describe('COPY text lines', () => {
  it('escapes what COPY text format needs and writes \\N for missing values', () => {
    const [text] = [...copyLines([{ trade: { symbol: '700.HK', timestamp: OPEN, price: parseDecimal('1.50')!, volume: 7, tradeId: 'a\\b\tc\nd\re' }, date: DATE }])];
    assert.equal(text, `0\t700.HK\t${DATE}\t${OPEN}\t1.50\t7\t\\N\ta\\\\b\\tc\\nd\\re\t\\N\t\\N\t\\N\t\\N\n`);
  });

  it('comes in chunks of about a megabyte, every line whole', () => {
    const chunks = [...copyLines(variedBatch(30_000))];
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) assert.ok(chunk.endsWith('\n'));
    assert.equal(chunks.join('').split('\n').length - 1, 30_000);
  });
});

describe('PostgresFlowStore large appends through COPY (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schemas: string[] = [];
  const open = (poolSize?: number): Promise<PostgresFlowStore> => {
    const schema = uniqueName('capflow_test_copy');
    schemas.push(schema);
    return PostgresFlowStore.open(postgresUrlWithSchema(schema), poolSize === undefined ? {} : { poolSize });
  };
  after(() => dropSchemas(schemas));

  it('stores a large batch exactly as small array-parameter batches store it (decimals, ids, duplicates, order)', async () => {
    const batch = variedBatch(3 * COPY_MIN_TRADES);
    const copied = await open();
    const arrays = await open();
    try {
      // One trade stored before, so its repetition in the batch is a duplicate.
      await copied.appendTrades([batch[1]!]);
      await arrays.appendTrades([batch[1]!]);
      const result = await copied.appendTrades(batch);
      let duplicates = 0;
      for (let k = 0; k < batch.length; k += COPY_MIN_TRADES - 1) duplicates += (await arrays.appendTrades(batch.slice(k, k + COPY_MIN_TRADES - 1))).duplicates;
      assert.equal(result.duplicates, duplicates);
      // Repeated ids (every 50th trade repeats the id of the same symbol's trade 3 before), plus trade 1 stored already.
      const seen = new Set<string>();
      let repeated = 0;
      for (const { trade } of batch) {
        if (trade.tradeId === undefined) continue;
        const key = `${trade.symbol} ${trade.tradeId}`;
        if (seen.has(key)) repeated++;
        seen.add(key);
      }
      assert.ok(repeated > 10);
      assert.equal(result.duplicates, repeated + 1);
      assert.equal(result.stored.length, batch.length - result.duplicates);
      const seqs = result.stored.map((t) => t.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      for (const symbol of ['5.HK', '700.HK']) {
        const fromCopy = await copied.tradesOfDay(symbol, DATE);
        assert.deepEqual(withoutSeq(fromCopy), withoutSeq(await arrays.tradesOfDay(symbol, DATE)));
        assert.deepEqual(
          fromCopy.filter((t) => t.seq > 1).map((t) => t.seq),
          result.stored.filter((t) => t.symbol === symbol).map((t) => t.seq),
        );
      }
      assert.equal((await copied.tradesOfDay('5.HK', DATE))[0]!.price.units, 1234567890123456789012345678901234567890n);
      assert.deepEqual(await copied.daysOf('700.HK'), await arrays.daysOf('700.HK'));
      const again = await copied.appendTrades(batch);
      assert.equal(again.stored.length, batch.filter((t) => t.trade.tradeId === undefined).length, 'the same batch again: all duplicates but the trades without an id');
      assert.ok(again.stored.every((t) => t.tradeId === undefined));
    } finally {
      await copied.close();
      await arrays.close();
    }
  });

  it('stores nothing of a staged batch whose checkpoint conflicts, and the session goes on appending', async () => {
    const store = await open(1); // one connection: the same session and staging table throughout
    try {
      const big = variedBatch(2 * COPY_MIN_TRADES);
      await store.appendTrades(big.slice(0, COPY_MIN_TRADES), { sourceId: 'feed', position: 1 });
      const before = await store.lastSeq();
      await assert.rejects(store.appendTrades(big.slice(COPY_MIN_TRADES), { sourceId: 'feed', position: 2, expectedPosition: 0 }), /position/);
      assert.equal(await store.lastSeq(), before);
      const result = await store.appendTrades(big.slice(COPY_MIN_TRADES), { sourceId: 'feed', position: 2, expectedPosition: 1 });
      assert.equal(result.stored.length + result.duplicates, COPY_MIN_TRADES, 'no row of the refused attempt was left in the staging table');
      assert.equal(await store.sourcePosition('feed'), 2);
    } finally {
      await store.close();
    }
  });
});
