import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFor } from '../calendar/trading-calendar.js';
import { AddOutcome, DayFlow } from './day-flow.js';
import { tradeFields } from './trade-fields.js';

// HK 2024-06-14 (UTC+8): 09:30 local is 01:30 UTC.
const OPEN_MS = Date.UTC(2024, 5, 14, 1, 30);
const schedule = (): NonNullable<ReturnType<ReturnType<typeof calendarFor>['schedule']>> => {
  const day = calendarFor('HK').schedule('2024-06-14');
  if (!day) throw new Error('2024-06-14 is a HK trading day');
  return day;
};
const ids = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('DayFlow without a replay log (batch callers)', () => {
  it('gives the same complete-day lines as with the log, deduplicating ids given as bytes or strings alike', () => {
    const withLog = new DayFlow(schedule());
    const without = new DayFlow(schedule(), undefined, { keepLog: false });
    const bytes = ids('a-1a-2');
    for (const day of [withLog, without]) {
      // 10.00 × 100 up at 09:30:05 → +1000; 10.10 × 200 classified up by tick at 09:31:00 → +2020.
      assert.equal(day.addTrade(tradeFields({ timestampMs: OPEN_MS + 5_000, priceUnits: 1000, priceScale: 2, volume: 100, direction: 2, idBytes: bytes, idStart: 0, idEnd: 3 })), AddOutcome.Counted);
      assert.equal(day.addTrade(tradeFields({ timestampMs: OPEN_MS + 60_000, priceUnits: 1010, priceScale: 2, volume: 200, idBytes: bytes, idStart: 3, idEnd: 6 })), AddOutcome.Counted);
      // the same ids again, as bytes and as a string: redeliveries
      assert.equal(day.addTrade(tradeFields({ timestampMs: OPEN_MS + 61_000, priceUnits: 999, priceScale: 2, volume: 100, direction: 1, idBytes: bytes, idStart: 0, idEnd: 3 })), AddOutcome.Duplicate);
      assert.equal(day.add({ symbol: '700.HK', timestamp: OPEN_MS + 62_000, price: { units: 999n, scale: 2 }, volume: 100, direction: 1, tradeId: 'a-2' }), AddOutcome.Duplicate);
      assert.equal(day.tradeCount, 2);
      assert.equal(day.duplicateCount, 2);
    }
    const lines = without.lines(Number.MAX_SAFE_INTEGER);
    assert.deepEqual(lines, withLog.lines(Number.MAX_SAFE_INTEGER));
    assert.equal(lines[0]?.inflow, '1000.000');
    assert.equal(lines[1]?.inflow, '3020.000');
    assert.equal(lines.length, 331);
  });

  it('refuses a view before its latest trade instead of answering it wrongly', () => {
    const without = new DayFlow(schedule(), undefined, { keepLog: false });
    without.addTrade(tradeFields({ timestampMs: OPEN_MS + 5_000, priceUnits: 1000, priceScale: 2, volume: 100, direction: 2 }));
    without.addTrade(tradeFields({ timestampMs: OPEN_MS + 60_000, priceUnits: 1010, priceScale: 2, volume: 200, direction: 2 }));
    assert.equal(without.lines(OPEN_MS + 60_000)[1]?.inflow, '3020.000');
    assert.throws(() => without.lines(OPEN_MS + 30_000), /keepLog: false/);
    assert.throws(() => without.detailLines(Number.MAX_SAFE_INTEGER), /keepLog: false/);
  });
});
