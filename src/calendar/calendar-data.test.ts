import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CALENDAR_DATA } from './calendar-data.js';

const SPEC_FILE = '/work/shared/spec/calendars/calendars.json';

describe('bundled calendar data', () => {
  it('is an exact copy of the spec calendars.json', { skip: existsSync(SPEC_FILE) ? false : `${SPEC_FILE} not present` }, () => {
    const spec: unknown = JSON.parse(readFileSync(SPEC_FILE, 'utf8'));
    assert.deepEqual(JSON.parse(JSON.stringify(CALENDAR_DATA)), spec);
  });

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
