import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFor } from '../../../calendar/trading-calendar.js';
import { MARKETS } from '../../../model/market.js';
import { ServedDateCache } from './served-date-cache.js';

const MINUTE = 60_000;

describe('ServedDateCache', () => {
  it('answers the calendar’s served day at every instant around openings, midnights and DST changes', () => {
    // Walks every market through days with a half day, a weekend, holidays and both US clock changes.
    const spans = [
      ['2024-03-08T00:00:00Z', '2024-03-12T00:00:00Z'], // US spring forward (Sunday 10 March)
      ['2024-10-31T00:00:00Z', '2024-11-05T00:00:00Z'], // US fall back (Sunday 3 November)
      ['2024-12-23T00:00:00Z', '2024-12-28T00:00:00Z'], // Christmas, HK half day on the 24th
    ];
    for (const market of MARKETS) {
      const cache = new ServedDateCache();
      const calendar = calendarFor(market);
      for (const [from, to] of spans) {
        // Steps of 7 s 333 ms land on and off minute edges; every instant is checked in order.
        for (let t = Date.parse(from!); t < Date.parse(to!); t += 7_333) {
          assert.equal(cache.servedDate(market, t), calendar.servedDay(t).date, `${market} at ${new Date(t).toISOString()}`);
        }
      }
    }
  });

  it('is exact to the millisecond at a session opening, whatever order the instants come in', () => {
    const cache = new ServedDateCache();
    const open = Date.parse('2024-06-17T09:30:00+08:00');
    const instants = [open - 1, open, open - 1, open + 1, open - MINUTE, open + MINUTE - 1, open - 30_000, open];
    for (const t of instants) assert.equal(cache.servedDate('HK', t), calendarFor('HK').servedDay(t).date, new Date(t).toISOString());
    assert.equal(cache.servedDate('HK', open - 1), '2024-06-14');
    assert.equal(cache.servedDate('HK', open), '2024-06-17');
  });

  it('keeps each market apart and refuses a non-finite instant as the calendar does', () => {
    const cache = new ServedDateCache();
    const t = Date.parse('2024-06-17T09:35:00+08:00'); // Monday morning in Hong Kong, Sunday evening in New York
    assert.equal(cache.servedDate('HK', t), '2024-06-17');
    assert.equal(cache.servedDate('US', t), '2024-06-14');
    assert.throws(() => cache.servedDate('HK', Number.NaN), (error: Error) => /not an instant/.test(error.message));
  });
});
