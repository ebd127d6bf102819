import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDecimal } from '../model/decimal.js';
import { Direction } from '../model/trade.js';
import { BadTradeMessage, decodeTradeMessage, encodeTradeMessage } from './trade-message.js';

const bytes = (message: object): Uint8Array => new TextEncoder().encode(JSON.stringify(message));
const GOOD = { s: '700.HK', d: '2024-06-14', t: Date.parse('2024-06-14T09:30:05+08:00'), p: '320.2', v: 100, dir: 2, id: 'T1' };

describe('trade messages on the bus', () => {
  it('round-trips a trade exactly', () => {
    const trade = { symbol: '700.HK', timestamp: GOOD.t, price: parseDecimal('320.2')!, volume: 100, direction: Direction.Up, tradeId: 'T1', bid: parseDecimal('320.0')! };
    assert.deepEqual(decodeTradeMessage(encodeTradeMessage({ trade, date: '2024-06-14' })), { trade, date: '2024-06-14' });
  });

  it('refuses what no capflow publisher sends: impossible times, dates off their time, non-positive numbers', () => {
    const cases: Array<[object, RegExp]> = [
      [{ ...GOOD, t: 253_402_300_799_999, d: '+010000-01' }, /timestamp 253402300799999: out of range/],
      [{ ...GOOD, t: 1_718_328_605 }, /out of range.*epoch seconds/],
      [{ ...GOOD, d: '2024-06-15' }, /date "2024-06-15" is not the HK trading day of timestamp \d+ \(2024-06-14\)/],
      [{ ...GOOD, v: 0 }, /bad volume 0/],
      [{ ...GOOD, v: -5 }, /bad volume -5/],
      [{ ...GOOD, p: '0' }, /bad price "0"/],
      [{ ...GOOD, p: '-1' }, /bad price "-1"/],
      [{ ...GOOD, b: '0' }, /bad bid "0"/],
      [{ ...GOOD, id: 'x'.repeat(129) }, /bad trade id/],
      [{ ...GOOD, id: 7 }, /bad trade id 7/],
      [{ ...GOOD, tt: 'y'.repeat(33) }, /bad trade type/],
      [{ ...GOOD, s: '700.hk' }, /bad symbol "700.hk"/],
    ];
    for (const [message, reason] of cases) {
      assert.throws(() => decodeTradeMessage(bytes(message)), (error: unknown) => error instanceof BadTradeMessage && reason.test(error.message), JSON.stringify(message));
    }
    assert.throws(() => decodeTradeMessage(new TextEncoder().encode('{oops')), /bus message: not JSON/);
    assert.throws(() => decodeTradeMessage(new TextEncoder().encode('null')), /bus message: not a JSON object/);
  });
});
