import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionOf, partitionsOfWorker } from './symbol-partition.js';
import { decodeTradeMessage, encodeTradeMessage, symbolToken } from './trade-message.js';

const symbols = Array.from({ length: 2000 }, (_, k) => `${k + 1}.HK`);

describe('symbol partitions', () => {
  it('splits partitions between workers by remainder', () => {
    assert.deepEqual(partitionsOfWorker(8, 3, 0), [0, 3, 6]);
    assert.deepEqual(partitionsOfWorker(8, 3, 1), [1, 4, 7]);
    assert.deepEqual(partitionsOfWorker(8, 3, 2), [2, 5]);
    assert.deepEqual(partitionsOfWorker(2, 4, 3), []);
    assert.throws(() => partitionsOfWorker(8, 3, 3), /worker id must be in 0..2/);
  });

  it('puts every symbol in one partition in range, the same every time, spread evenly', () => {
    const counts = new Array<number>(16).fill(0);
    for (const symbol of symbols) {
      const p = partitionOf(symbol, 16);
      assert.equal(partitionOf(symbol, 16), p);
      counts[p]!++;
    }
    // 2000 symbols over 16 partitions: 125 expected each; a fair hash stays well within ±40%.
    for (const count of counts) assert.ok(count > 75 && count < 175, `uneven partition size ${count}`);
    assert.equal(partitionOf('700.HK', 1), 0);
  });

  it('moves a symbol only into the new partition when partitions grow (consistent hash)', () => {
    let moved = 0;
    for (const symbol of symbols) {
      const before = partitionOf(symbol, 10);
      const after = partitionOf(symbol, 11);
      if (after !== before) {
        moved++;
        assert.equal(after, 10);
      }
    }
    // About 1/11 of the symbols move (182 of 2000); a modulo hash would move about 10/11.
    assert.ok(moved > 100 && moved < 270, `moved ${moved}`);
  });

  it('carries trades on the bus exactly, absent fields staying absent', () => {
    const item = {
      trade: {
        symbol: 'BRK.B.US',
        timestamp: 1718371800123,
        price: { units: 41234500n, scale: 5 },
        volume: 9_007_199_254_740_991,
        direction: 0 as const,
        tradeId: 'x"1',
        bid: { units: 1n, scale: 4 },
        tradeType: 'U',
      },
      date: '2024-06-14',
    };
    assert.deepEqual(decodeTradeMessage(encodeTradeMessage(item)), item);
    const bare = { trade: { symbol: '700.HK', timestamp: 1718328605000, price: { units: 3500n, scale: 1 }, volume: 1 }, date: '2024-06-14' };
    assert.deepEqual(decodeTradeMessage(encodeTradeMessage(bare)), bare);
    assert.throws(() => decodeTradeMessage(new TextEncoder().encode('{"s":"700.hk","d":"2024-06-14","t":1,"p":"1","v":1}')), /bad symbol/);
    assert.equal(symbolToken('BRK.B.US'), 'BRK_B_US');
  });
});
