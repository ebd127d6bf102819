import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppendResult, TradeToStore } from '../store/flow-store.js';
import type { RelayedTrade } from './relayed-trade.js';
import { TradeRecorder, type RecorderCommit } from './trade-recorder.js';

const trade = (n: number, extra: Partial<RelayedTrade> = {}): RelayedTrade => ({
  symbol: '700.HK',
  date: '2024-06-14',
  timestampMs: Date.parse('2024-06-14T10:00:00+08:00') + n * 1000,
  price: '320.20',
  volume: n,
  direction: 2,
  tradeType: '',
  ...extra,
});

/** A target that records each append and can fail the next ones. */
function target() {
  const appends: TradeToStore[][] = [];
  let failures = 0;
  return {
    appends,
    failNext: (count: number) => (failures = count),
    appendTrades: async (batch: readonly TradeToStore[]): Promise<AppendResult> => {
      if (failures > 0) {
        failures--;
        throw new Error('store unavailable');
      }
      appends.push([...batch]);
      return { stored: batch.map(({ trade, date }, seq) => ({ ...trade, date, seq })), duplicates: 0 };
    },
  };
}

describe('TradeRecorder', () => {
  it('validates like any input and stores the trade with its id, the side and the type', async () => {
    const store = target();
    const rejected: string[] = [];
    const recorder = new TradeRecorder({ target: store, onRejected: (_, rejection) => rejected.push(`${rejection.field}: ${rejection.reason}`) });
    recorder.record(trade(1, { tradeType: 'U', direction: 0 }), '700.HK:20240614:1');
    recorder.record(trade(2, { price: '-1' }), '700.HK:20240614:2');
    await recorder.flush();
    assert.equal(rejected.length, 1);
    assert.match(rejected[0]!, /^price: /);
    const stored = store.appends.flat();
    assert.equal(stored.length, 1);
    assert.deepEqual(
      { id: stored[0]!.trade.tradeId, side: stored[0]!.trade.direction, type: stored[0]!.trade.tradeType, price: stored[0]!.trade.price, date: stored[0]!.date },
      { id: '700.HK:20240614:1', side: 0, type: 'U', price: { units: 32020n, scale: 2 }, date: '2024-06-14' },
    );
  });

  it('batches what arrives together, keeps the order, and retries a failed commit until it holds', async () => {
    const store = target();
    const commits: RecorderCommit[] = [];
    const recorder = new TradeRecorder({ target: store, maxBatch: 4, retryMs: 1, onCommit: (commit) => commits.push(commit) });
    store.failNext(2);
    for (let n = 1; n <= 10; n++) recorder.record(trade(n), `id-${n}`);
    await recorder.flush();
    assert.deepEqual(store.appends.map((batch) => batch.map((one) => one.trade.volume)), [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    assert.deepEqual(commits.map((commit) => commit.stored), [4, 4, 2]);
  });
});
