import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Market } from '../model/market.js';
import { CALENDAR_DATA } from './calendar-data.js';
import { calendarFor, type DayStatus } from './trading-calendar.js';

/** Closures and half days any market participant knows, checked through the calendar's answers. */
const WELL_KNOWN: ReadonlyArray<[Market, string, DayStatus, string]> = [
  ['US', '2025-01-09', 'closed', 'national day of mourning for President Carter'],
  ['US', '2025-11-27', 'closed', 'Thanksgiving'],
  ['US', '2025-11-28', 'half', 'the day after Thanksgiving, 13:00 close'],
  ['US', '2026-07-03', 'closed', 'Independence Day observed (4 July is a Saturday)'],
  ['US', '2026-12-24', 'half', 'Christmas Eve, 13:00 close'],
  ['HK', '2025-01-28', 'half', 'Lunar New Year\'s Eve, morning only'],
  ['HK', '2025-01-29', 'closed', 'Lunar New Year'],
  ['HK', '2026-12-24', 'half', 'Christmas Eve, morning only'],
  ['HK', '2026-12-25', 'closed', 'Christmas'],
  ['CN', '2025-01-28', 'closed', 'Spring Festival'],
  ['CN', '2025-10-01', 'closed', 'National Day'],
  ['CN', '2026-02-16', 'closed', 'Spring Festival'],
  ['SG', '2025-01-29', 'closed', 'Chinese New Year'],
  ['SG', '2026-02-16', 'half', 'Chinese New Year\'s Eve, 12:00 close'],
  ['SG', '2026-12-31', 'half', 'New Year\'s Eve, 12:00 close'],
  ['US', '2026-12-07', 'full', 'an ordinary Monday'],
  ['CN', '2026-12-07', 'full', 'an ordinary Monday'],
];

describe('bundled calendar data', () => {
  for (const [market, date, status, why] of WELL_KNOWN) {
    it(`${market} ${date} is ${status}: ${why}`, () => {
      assert.equal(calendarFor(market).dayKind(date), status);
    });
  }

  it('keeps its sources and projected dates for operators', () => {
    assert.ok(CALENDAR_DATA.sources.length >= 20);
    assert.ok(CALENDAR_DATA.sources.some((source) => source.id === 'S4'));
    assert.equal(CALENDAR_DATA.projected.length, 48);
    assert.ok(CALENDAR_DATA.projected.every((entry) => entry.basis.length > 0));
  });

  it('lists only weekday closures, each inside its own year', () => {
    for (const market of ['HK', 'US', 'CN', 'SG'] as const) {
      for (const [year, entry] of Object.entries(CALENDAR_DATA[market])) {
        for (const date of [...entry.holidays, ...entry.half_days.map((half) => half.date)]) {
          assert.ok(date.startsWith(`${year}-`), `${market} ${date}`);
          const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
          assert.ok(weekday >= 1 && weekday <= 5, `${market} ${date} is a weekend day`);
        }
      }
    }
  });
});
