import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDecimal } from '../model/decimal.js';
import type { TradeToStore } from '../store/flow-store.js';
import { groupTradeMessages } from './trade-message-groups.js';

const trade = (symbol: string, date: string, n: number, tradeId?: string): TradeToStore => ({
  trade: { symbol, timestamp: Date.parse(`${date}T10:00:00+08:00`) + n, price: parseDecimal('1.5')!, volume: n + 1, ...(tradeId ? { tradeId } : {}) },
  date,
});
const label = (group: readonly TradeToStore[]): string => group.map((t) => `${t.trade.symbol}/${t.date.slice(-2)}/${t.trade.volume - 1}`).join(' ');

describe('groupTradeMessages', () => {
  it('groups each symbol-day, keeps every symbol in order, and splits where the day changes', () => {
    const batch = [
      trade('700.HK', '2024-06-14', 0),
      trade('5.HK', '2024-06-14', 1),
      trade('700.HK', '2024-06-14', 2),
      trade('700.HK', '2024-06-17', 3),
      trade('5.HK', '2024-06-14', 4),
      trade('700.HK', '2024-06-14', 5),
    ];
    assert.deepEqual(groupTradeMessages(batch).map(label), [
      '700.HK/14/0 700.HK/14/2',
      '700.HK/17/3',
      '700.HK/14/5',
      '5.HK/14/1 5.HK/14/4',
    ]);
  });

  it('keeps to the trade and byte limits, deterministically', () => {
    const batch = Array.from({ length: 7 }, (_, n) => trade('700.HK', '2024-06-14', n));
    assert.deepEqual(groupTradeMessages(batch, { maxTrades: 3, maxBytes: 1 << 20 }).map((g) => g.length), [3, 3, 1]);
    // Each trade with a 60-character id is estimated at 100 bytes.
    const withIds = Array.from({ length: 5 }, (_, n) => trade('700.HK', '2024-06-14', n, 'x'.repeat(60)));
    assert.deepEqual(groupTradeMessages(withIds, { maxTrades: 100, maxBytes: 250 }).map((g) => g.length), [2, 2, 1]);
    assert.deepEqual(groupTradeMessages(withIds, { maxTrades: 100, maxBytes: 250 }), groupTradeMessages(withIds, { maxTrades: 100, maxBytes: 250 }));
    assert.deepEqual(groupTradeMessages([]), []);
  });
});
