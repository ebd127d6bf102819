import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Direction, type Trade } from '../model/trade.js';
import { CapflowError } from '../model/errors.js';
import type { FlowStore, TradeToStore } from './flow-store.js';
import { TradeColumns } from './trade-columns.js';

/**
 * The behaviour every FlowStore implementation must show (SQLite now, PostgreSQL later).
 * `openStore` must give an empty store each time it is called; each test closes the store it
 * opened, and `cleanup` then runs (e.g. to delete the test's data).
 */
export function describeFlowStoreSuite(
  name: string,
  openStore: () => Promise<FlowStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`FlowStore contract: ${name}`, () => {
    afterEach(cleanup);

    async function withStore(body: (store: FlowStore) => Promise<void>): Promise<void> {
      const store = await openStore();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    }

    const HK_DAY = '2024-03-01';
    const T0 = Date.UTC(2024, 2, 1, 1, 30); // 09:30 Hong Kong

    function hk(n: number, extra: Partial<Trade> = {}): TradeToStore {
      return {
        trade: { symbol: '700.HK', timestamp: T0 + n * 1000, price: { units: 3500n + BigInt(n), scale: 2 }, volume: 100 * (n + 1), ...extra },
        date: HK_DAY,
      };
    }

    it('starts empty', () =>
      withStore(async (store) => {
        assert.equal(await store.lastSeq(), 0);
        assert.deepEqual(await store.symbols(), []);
        assert.deepEqual(await store.symbolSummaries(), []);
        assert.deepEqual(await store.daysOf('700.HK'), []);
        assert.deepEqual(await store.tradesOfDay('700.HK', HK_DAY), []);
        assert.deepEqual(await store.tradesAfter(0, 10), []);
        assert.equal(await store.sourcePosition('nothing'), 0);
      }));

    it('numbers trades in arrival order and reads every field back exactly', () =>
      withStore(async (store) => {
        const full: TradeToStore = {
          trade: {
            symbol: 'BRK.B.US',
            timestamp: Date.UTC(2024, 2, 1, 14, 30, 0, 1),
            price: { units: 1234567890123456789012345n, scale: 15 },
            volume: 9_007_199_254_740_991,
            direction: Direction.Neutral,
            tradeId: 'id "quoted", with, commas',
            bid: { units: 1n, scale: 4 },
            ask: { units: 740n, scale: 2 },
            tradeType: 'U',
          },
          date: '2024-03-01',
        };
        const bare: TradeToStore = {
          trade: { symbol: '700.HK', timestamp: T0, price: { units: 35000n, scale: 3 }, volume: 1 },
          date: HK_DAY,
        };
        const result = await store.appendTrades([full, bare]);
        assert.equal(result.duplicates, 0);
        assert.deepEqual(
          result.stored.map((t) => t.seq),
          [1, 2].map((k) => result.stored[0]!.seq + k - 1),
        );
        const [first, second] = await store.tradesAfter(0, 10);
        assert.deepEqual(first, { ...full.trade, seq: result.stored[0]!.seq, date: '2024-03-01' });
        // absent optional fields stay absent (not undefined-valued keys); trailing zeros keep their scale
        assert.deepEqual(second, { ...bare.trade, seq: result.stored[1]!.seq, date: HK_DAY });
        assert.deepEqual(Object.keys(second!).sort(), ['date', 'price', 'seq', 'symbol', 'timestamp', 'volume']);
        assert.deepEqual(result.stored, [first, second]);
      }));

    it('reads each trade classification method back, and none where none was stored', () =>
      withStore(async (store) => {
        const methods = ['feed', 'order-sequence', 'lee-ready', 'emo', 'clnv', 'tick'] as const;
        await store.appendTrades([...methods.map((method, n) => hk(n, { classification: method })), hk(6)]);
        const trades = await store.tradesOfDay('700.HK', HK_DAY);
        assert.deepEqual(
          trades.map((t) => t.classification),
          [...methods, undefined],
        );
        assert.equal('classification' in trades[6]!, false);
        assert.deepEqual((await store.tradesAfter(0, 10)).map((t) => t.classification), [...methods, undefined]);
      }));

    it('keeps direction 0 (declared neutral) apart from no direction', () =>
      withStore(async (store) => {
        await store.appendTrades([hk(0, { direction: Direction.Neutral }), hk(1), hk(2, { direction: Direction.Up })]);
        const trades = await store.tradesOfDay('700.HK', HK_DAY);
        assert.deepEqual(
          trades.map((t) => t.direction),
          [Direction.Neutral, undefined, Direction.Up],
        );
        assert.equal('direction' in trades[1]!, false);
      }));

    it('skips a trade id already stored for the same symbol and day, within a batch and across batches', () =>
      withStore(async (store) => {
        const first = await store.appendTrades([hk(0, { tradeId: 'a' }), hk(1, { tradeId: 'b' }), hk(2, { tradeId: 'a' })]);
        assert.equal(first.stored.length, 2);
        assert.equal(first.duplicates, 1);
        const second = await store.appendTrades([
          hk(3, { tradeId: 'b' }), // redelivery
          hk(4, { tradeId: 'a', price: { units: 1n, scale: 0 } }), // same id, other content: still a redelivery
          hk(5), // no id: never a duplicate
          hk(5),
          { ...hk(6, { tradeId: 'a' }), date: '2024-03-04' }, // same id, another day
          { trade: { ...hk(7).trade, symbol: '5.HK', tradeId: 'a' }, date: HK_DAY }, // same id, another symbol
        ]);
        assert.equal(second.duplicates, 2);
        assert.equal(second.stored.length, 4);
        const day = await store.tradesOfDay('700.HK', HK_DAY);
        assert.deepEqual(
          day.map((t) => [t.tradeId, t.volume]),
          [['a', 100], ['b', 200], [undefined, 600], [undefined, 600]],
        );
        assert.deepEqual(await store.daysOf('700.HK'), [
          { symbol: '700.HK', date: HK_DAY, trades: 4 },
          { symbol: '700.HK', date: '2024-03-04', trades: 1 },
        ]);
      }));

    it('returns a day in arrival order, not time order, up to a sequence number', () =>
      withStore(async (store) => {
        const { stored } = await store.appendTrades([hk(5), hk(1), { ...hk(2), trade: { ...hk(2).trade, symbol: '5.HK' } }, hk(3)]);
        const day = await store.tradesOfDay('700.HK', HK_DAY);
        assert.deepEqual(
          day.map((t) => t.timestamp - T0),
          [5000, 1000, 3000],
        );
        const upTo = await store.tradesOfDay('700.HK', HK_DAY, stored[2]!.seq);
        assert.deepEqual(
          upTo.map((t) => t.timestamp - T0),
          [5000, 1000],
        );
        assert.deepEqual(await store.tradesOfDay('700.HK', '2024-03-04'), []);
      }));

    it('pages through all trades after a sequence number', () =>
      withStore(async (store) => {
        await store.appendTrades([hk(0), hk(1), hk(2)]);
        await store.appendTrades([hk(3), hk(4)]);
        const last = await store.lastSeq();
        const all = await store.tradesAfter(0, 100);
        assert.equal(all.length, 5);
        assert.equal(all[4]!.seq, last);
        for (let k = 1; k < all.length; k++) assert.ok(all[k]!.seq > all[k - 1]!.seq, 'strictly increasing');
        const page = await store.tradesAfter(all[1]!.seq, 2);
        assert.deepEqual(page, all.slice(2, 4));
        assert.deepEqual(await store.tradesAfter(last, 10), []);
        assert.deepEqual(await store.tradesAfter(0, 0), []);
      }));

    it('lists symbols, their days with counts, and their latest trade', () =>
      withStore(async (store) => {
        const us = (day: string, ms: number): TradeToStore => ({
          trade: { symbol: 'AAPL.US', timestamp: ms, price: { units: 1n, scale: 0 }, volume: 1 },
          date: day,
        });
        await store.appendTrades([
          us('2024-03-04', Date.UTC(2024, 2, 4, 15)),
          us('2024-03-01', Date.UTC(2024, 2, 1, 15)),
          us('2024-03-04', Date.UTC(2024, 2, 4, 14)),
          hk(0),
        ]);
        assert.deepEqual(await store.symbols(), ['700.HK', 'AAPL.US']);
        assert.deepEqual(await store.daysOf('AAPL.US'), [
          { symbol: 'AAPL.US', date: '2024-03-01', trades: 1 },
          { symbol: 'AAPL.US', date: '2024-03-04', trades: 2 },
        ]);
        assert.deepEqual(await store.symbolSummaries(), [
          { symbol: '700.HK', lastTimestamp: T0, lastDate: HK_DAY },
          { symbol: 'AAPL.US', lastTimestamp: Date.UTC(2024, 2, 4, 15), lastDate: '2024-03-04' },
        ]);
        assert.deepEqual(await store.daysOf('MSFT.US'), []);
      }));

    it('commits a source position together with its trades, also for an empty batch', () =>
      withStore(async (store) => {
        await store.appendTrades([hk(0), hk(1)], { sourceId: 'file-a', position: 3 });
        assert.equal(await store.sourcePosition('file-a'), 3);
        await store.appendTrades([], { sourceId: 'file-a', position: 5, expectedPosition: 3 });
        assert.equal(await store.sourcePosition('file-a'), 5);
        assert.equal(await store.sourcePosition('file-b'), 0);
        assert.equal((await store.tradesAfter(0, 10)).length, 2);
      }));

    it('refuses an append whose expected position is stale, storing nothing of it', () =>
      withStore(async (store) => {
        await store.appendTrades([hk(0)], { sourceId: 's', position: 1, expectedPosition: 0 });
        await assert.rejects(
          store.appendTrades([hk(1), hk(2)], { sourceId: 's', position: 3, expectedPosition: 0 }),
          /being ingested by another writer/,
        );
        assert.equal(await store.sourcePosition('s'), 1);
        assert.equal(await store.lastSeq(), (await store.tradesAfter(0, 10))[0]!.seq);
        assert.deepEqual(await store.daysOf('700.HK'), [{ symbol: '700.HK', date: HK_DAY, trades: 1 }]);
      }));

    it('records a source fingerprint with its first commit and refuses another one, storing nothing of it', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.sourceState('k'), { position: 0 });
        await store.appendTrades([hk(0)], { sourceId: 'k', position: 1, expectedPosition: 0, fingerprint: 'sha256:aaa' });
        assert.deepEqual(await store.sourceState('k'), { position: 1, fingerprint: 'sha256:aaa' });
        // The same content resumes: a later batch under the same fingerprint commits.
        await store.appendColumns(columnsOf([hk(1)]), { sourceId: 'k', position: 2, expectedPosition: 1, fingerprint: 'sha256:aaa' });
        await assert.rejects(
          store.appendTrades([hk(2), hk(3)], { sourceId: 'k', position: 4, expectedPosition: 2, fingerprint: 'sha256:bbb' }),
          (error: unknown) => error instanceof CapflowError && error.httpStatus === 409 && /committed before with different content/.test(error.message),
        );
        await assert.rejects(
          store.appendColumns(columnsOf([hk(2)]), { sourceId: 'k', position: 3, fingerprint: 'sha256:bbb' }),
          /committed before with different content/,
        );
        assert.deepEqual(await store.sourceState('k'), { position: 2, fingerprint: 'sha256:aaa' });
        assert.equal((await store.tradesAfter(0, 10)).length, 2);
        // A checkpoint without a fingerprint (a file) neither sets nor checks one.
        await store.appendTrades([], { sourceId: 'file', position: 7 });
        assert.deepEqual(await store.sourceState('file'), { position: 7 });
      }));

    it('keeps day snapshots: the one covering the most trades, per symbol-day', () =>
      withStore(async (store) => {
        const snapshots = store.daySnapshots;
        assert.ok(snapshots, 'the store keeps day snapshots');
        await snapshots.saveDaySnapshots([{ symbol: '700.HK', date: HK_DAY, seq: 10, data: Uint8Array.of(1, 0, 255) }]);
        await snapshots.saveDaySnapshots([{ symbol: '700.HK', date: HK_DAY, seq: 7, data: Uint8Array.of(2) }]);
        assert.deepEqual(await snapshots.daySnapshot('700.HK', HK_DAY), { symbol: '700.HK', date: HK_DAY, seq: 10, data: Uint8Array.of(1, 0, 255) });
        await snapshots.saveDaySnapshots([
          { symbol: '700.HK', date: HK_DAY, seq: 12, data: Uint8Array.of(3) },
          { symbol: '5.HK', date: HK_DAY, seq: 12, data: Uint8Array.of(4) },
        ]);
        assert.equal((await snapshots.daySnapshot('700.HK', HK_DAY))?.seq, 12);
        assert.deepEqual((await snapshots.daySnapshot('5.HK', HK_DAY))?.data, Uint8Array.of(4));
        assert.equal(await snapshots.daySnapshot('5.HK', '2024-03-04'), undefined);
        assert.equal(await snapshots.daySnapshot('9988.HK', HK_DAY), undefined);
        assert.deepEqual(await snapshots.snapshottedSymbols(HK_DAY), ['5.HK', '700.HK']);
        assert.deepEqual(await snapshots.snapshottedSymbols('2024-03-04'), []);
      }));

    it('reads exactly the trades of a day after a snapshot seq, up to a seq, across appends', () =>
      withStore(async (store) => {
        const snapshots = store.daySnapshots;
        assert.ok(snapshots, 'the store keeps day snapshots');
        const other: TradeToStore = { trade: { symbol: '5.HK', timestamp: T0, price: { units: 6000n, scale: 2 }, volume: 5 }, date: HK_DAY };
        // One append of ten trades with another symbol's trade after them, then two more appends.
        await store.appendTrades([...Array.from({ length: 10 }, (_, n) => hk(n)), other]);
        await store.appendTrades([hk(20)]);
        await store.appendTrades([hk(21), other]);
        const all = await store.readDayColumns('700.HK', HK_DAY);
        const seqs = Array.from(all.seq.subarray(0, all.count));
        assert.equal(seqs.length, 12);
        for (const afterIndex of [0, 4, 9, 10, 11]) {
          for (const upToIndex of [10, 11]) {
            const tail = await snapshots.readDayColumnsAfter('700.HK', HK_DAY, seqs[afterIndex]!, seqs[upToIndex]!);
            assert.deepEqual(
              Array.from(tail.volume.subarray(0, tail.count)),
              Array.from(all.volume.subarray(afterIndex + 1, upToIndex + 1)),
              `after seq ${seqs[afterIndex]}, up to ${seqs[upToIndex]}`,
            );
            assert.deepEqual(Array.from(tail.seq.subarray(0, tail.count)), seqs.slice(afterIndex + 1, upToIndex + 1));
          }
        }
      }));
  });
}

function columnsOf(batch: readonly TradeToStore[]): TradeColumns {
  const columns = new TradeColumns(batch.length + 1);
  for (const { trade, date } of batch) columns.addTrade(trade, date);
  return columns;
}
