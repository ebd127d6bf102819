import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDecimal } from '../model/decimal.js';
import { Direction } from '../model/trade.js';
import type { TradeToStore } from '../store/flow-store.js';
import { BadTradeMessage, decodeBusMessage, decodeTradeMessage, encodeTradeBatchMessage, encodeTradeMessage } from './trade-message.js';

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

describe('batch messages on the bus (format 2)', () => {
  const at = (time: string): number => Date.parse(`2024-06-14T${time}+08:00`);
  const item = (timestamp: number, price: string, extra: object = {}): TradeToStore => ({
    trade: { symbol: '700.HK', timestamp, price: parseDecimal(price)!, volume: 100, ...extra },
    date: '2024-06-14',
  });

  it('round-trips trades of one symbol and day exactly, in order, optional fields where given', () => {
    const items = [
      item(at('09:30:05'), '320.2', { direction: Direction.Up, tradeId: 'T1', bid: parseDecimal('320.0')! }),
      item(at('09:30:04'), '320.40', { ask: parseDecimal('320.60')!, tradeType: 'U', classification: 'tick' }),
      item(at('09:31:00'), '0.001'),
    ];
    assert.deepEqual(decodeBusMessage(encodeTradeBatchMessage(items)), items);
    const message = JSON.parse(new TextDecoder().decode(encodeTradeBatchMessage(items))) as Record<string, unknown>;
    assert.deepEqual(message.t, [at('09:30:05'), -1000, 56_000], 'timestamps after the first are differences');
    assert.deepEqual(message.id, ['T1', null, null]);
  });

  it('still reads single-trade messages (format 1)', () => {
    assert.deepEqual(decodeBusMessage(bytes(GOOD)), [decodeTradeMessage(bytes(GOOD))]);
  });

  it('refuses a whole batch when one trade is bad, naming it, and refuses malformed batches', () => {
    const good = JSON.parse(new TextDecoder().decode(encodeTradeBatchMessage([item(at('09:30:00'), '1'), item(at('09:30:01'), '2')]))) as Record<string, unknown>;
    const cases: Array<[object, RegExp]> = [
      [{ ...good, v: [100, 0] }, /trade 2 of 2: bad volume 0/],
      [{ ...good, p: ['1', '-2'] }, /trade 2 of 2: bad price "-2"/],
      [{ ...good, t: [at('09:30:00'), 86_400_000] }, /trade 2 of 2: date "2024-06-14" is not the HK trading day of timestamp \d+ \(2024-06-15\)/],
      [{ ...good, t: [at('09:30:00'), 0.5] }, /trade 2 of 2: bad timestamp 0.5/],
      [{ ...good, dir: [2, 3] }, /trade 2 of 2: bad direction 3/],
      [{ ...good, c: ['tick', 'guess'] }, /trade 2 of 2: bad classification "guess"/],
      [{ ...good, id: ['a', 'x'.repeat(129)] }, /trade 2 of 2: bad trade id/],
      [{ ...good, v: [100] }, /column v does not hold 2 values/],
      [{ ...good, b: '1' }, /column b does not hold 2 values/],
      [{ ...good, t: [] }, /a batch without timestamps/],
      [{ ...good, d: '2024-13-01' }, /bad date "2024-13-01"/],
      [{ ...good, s: '0700.HK' }, /bad symbol "0700.HK"/],
      [{ ...good, fmt: 3 }, /unknown format 3/],
    ];
    for (const [message, reason] of cases) {
      assert.throws(() => decodeBusMessage(bytes(message)), (error: unknown) => error instanceof BadTradeMessage && reason.test(error.message), JSON.stringify(message));
    }
    assert.throws(() => decodeBusMessage(bytes([1, 2])), /not a JSON object/);
    assert.throws(() => decodeTradeMessage(bytes(good)), /not a single-trade message/);
    assert.throws(() => decodeBusMessage(bytes({ ...GOOD, dir: null })), /bad direction null/, 'format 1 has no nulls');
  });

  it('is encoded only for one symbol and day', () => {
    assert.throws(() => encodeTradeBatchMessage([]), /at least one trade/);
    const other = { trade: { ...item(at('09:30:00'), '1').trade, symbol: '5.HK' }, date: '2024-06-14' };
    assert.throws(() => encodeTradeBatchMessage([item(at('09:30:00'), '1'), other]), /one symbol and day/);
  });
});
