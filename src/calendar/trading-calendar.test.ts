import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapflowError } from '../model/errors.js';
import type { Market } from '../model/market.js';
import { calendarFor } from './trading-calendar.js';

const HK = calendarFor('HK');
const US = calendarFor('US');
const CN = calendarFor('CN');
const SG = calendarFor('SG');

/** An instant written with an explicit offset (independent of the code under test). */
const at = (iso: string): number => Date.parse(iso);

describe('trading days per year (calendars README)', () => {
  const expected: Record<Market, number[]> = {
    HK: [246, 246, 247, 248],
    US: [252, 250, 251, 251],
    CN: [242, 243, 242, 243],
    SG: [252, 252, 251, 253],
  };
  for (const [market, counts] of Object.entries(expected) as [Market, number[]][]) {
    it(`${market} has ${counts.join('/')} trading days in 2024–2027 (full + half)`, () => {
      counts.forEach((count, offset) => {
        const year = 2024 + offset;
        const days = calendarFor(market).tradingDays(`${year}-01-01`, `${year}-12-31`);
        assert.equal(days.full.length + days.half.length, count, `${market} ${year}`);
      });
    });
  }

  it('lists half days only in `half`, never in `full`', () => {
    const hk2024 = HK.tradingDays('2024-01-01', '2024-12-31');
    assert.deepEqual(hk2024.half, ['2024-02-09', '2024-12-24', '2024-12-31']);
    assert.ok(!hk2024.full.includes('2024-12-24'));
    assert.deepEqual(US.tradingDays('2026-01-01', '2026-12-31').half, ['2026-11-27', '2026-12-24']);
    assert.deepEqual(CN.tradingDays('2024-01-01', '2027-12-31').half, []);
    assert.deepEqual(SG.tradingDays('2025-01-01', '2025-12-31').half, ['2025-01-28', '2025-12-24', '2025-12-31']);
  });

  it('returns a range inclusive at both ends, and nothing for an inverted range', () => {
    assert.deepEqual(HK.tradingDays('2024-05-31', '2024-06-03'), { full: ['2024-05-31', '2024-06-03'], half: [] });
    assert.deepEqual(HK.tradingDays('2024-06-03', '2024-05-31'), { full: [], half: [] });
  });
});

describe('day kinds', () => {
  it('never trades on weekends, also outside the data years', () => {
    for (const calendar of [HK, US, CN, SG]) {
      assert.equal(calendar.dayKind('2024-06-01'), 'closed'); // Saturday
      assert.equal(calendar.dayKind('2024-06-02'), 'closed'); // Sunday
      assert.equal(calendar.dayKind('2012-06-23'), 'closed'); // Saturday, guessed year
    }
  });

  it('knows specific holidays and half days of each market', () => {
    assert.equal(HK.dayKind('2024-02-12'), 'closed'); // Lunar New Year
    assert.equal(HK.dayKind('2024-09-06'), 'closed'); // typhoon day
    assert.equal(HK.dayKind('2024-12-24'), 'half');
    assert.equal(US.dayKind('2024-07-04'), 'closed');
    assert.equal(US.dayKind('2024-07-03'), 'half');
    assert.equal(US.dayKind('2025-01-09'), 'closed'); // national day of mourning
    for (const date of ['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-07']) {
      assert.equal(CN.dayKind(date), 'closed', date);
    }
    assert.equal(CN.dayKind('2024-10-08'), 'full');
    assert.equal(SG.dayKind('2024-02-09'), 'half');
    assert.equal(SG.dayKind('2024-04-10'), 'closed'); // Hari Raya Puasa
    assert.equal(HK.dayKind('2024-06-03'), 'full');
  });

  it('guesses a full day for every weekday outside the data years', () => {
    assert.equal(US.dayKind('2012-06-21'), 'full');
    assert.equal(US.isGuessed('2012-06-21'), true);
    assert.equal(CN.dayKind('2023-02-01'), 'full');
    assert.equal(CN.isGuessed('2023-02-01'), true);
    assert.equal(CN.dayKind('2023-01-23'), 'full'); // a real holiday, unknown to the data: guessed open
    assert.equal(HK.isGuessed('2024-06-03'), false);
    assert.equal(HK.isGuessed('2027-12-31'), false);
    assert.equal(HK.isGuessed('2028-01-03'), true);
    const schedule = US.schedule('2012-06-21');
    assert.equal(schedule?.guessed, true);
    assert.equal(schedule?.kind, 'full');
    assert.equal(schedule?.lineCount, 390);
  });

  it('rejects malformed dates with the invalid-request error', () => {
    for (const bad of ['2024-02-30', '20240603', '2024-6-3', '']) {
      assert.throws(
        () => HK.dayKind(bad),
        (error: unknown) => error instanceof CapflowError && error.code === 301600,
      );
    }
    assert.throws(() => HK.tradingDays('2000-01-01', '2024-01-01'), CapflowError);
  });
});

describe('previous and next trading day', () => {
  it('steps over weekends and holidays', () => {
    assert.equal(HK.previousTradingDay('2024-06-03'), '2024-05-31'); // Monday → Friday
    assert.equal(HK.previousTradingDay('2024-12-27'), '2024-12-24'); // after Christmas holidays → the half day
    assert.equal(CN.previousTradingDay('2024-10-08'), '2024-09-30'); // after the National Day week
    assert.equal(CN.nextTradingDay('2024-09-30'), '2024-10-08');
    assert.equal(US.nextTradingDay('2024-07-03'), '2024-07-05');
    assert.equal(US.previousTradingDay('2012-06-25'), '2012-06-22'); // guessed years step over weekends only
  });
});

describe('served day', () => {
  it('is the previous trading day until the first session starts, then today', () => {
    assert.equal(HK.servedDay(at('2024-06-03T09:29:59.999+08:00')).date, '2024-05-31');
    assert.equal(HK.servedDay(at('2024-06-03T09:30:00.000+08:00')).date, '2024-06-03');
    assert.equal(HK.servedDay(at('2024-06-03T00:00:00.000+08:00')).date, '2024-05-31');
  });

  it('stays on today during the lunch break and after the close', () => {
    assert.equal(HK.servedDay(at('2024-06-03T12:30:00+08:00')).date, '2024-06-03');
    assert.equal(HK.servedDay(at('2024-06-03T23:59:59.999+08:00')).date, '2024-06-03');
    assert.equal(CN.servedDay(at('2024-06-03T11:45:00+08:00')).date, '2024-06-03');
  });

  it('serves Friday over the weekend and the last day before a holiday', () => {
    assert.equal(HK.servedDay(at('2024-06-08T12:00:00+08:00')).date, '2024-06-07');
    assert.equal(HK.servedDay(at('2024-06-10T08:00:00+08:00')).date, '2024-06-07');
    const afterChristmas = HK.servedDay(at('2024-12-27T09:00:00+08:00'));
    assert.equal(afterChristmas.date, '2024-12-24');
    assert.equal(afterChristmas.kind, 'half');
    assert.equal(CN.servedDay(at('2024-10-05T10:00:00+08:00')).date, '2024-09-30');
  });

  it('uses the market time zone, including US daylight saving', () => {
    // 2024-03-11 is the first EDT trading day: 09:30 EDT is 13:30Z.
    assert.equal(US.servedDay(at('2024-03-11T13:29:59.999Z')).date, '2024-03-08');
    assert.equal(US.servedDay(at('2024-03-11T13:30:00.000Z')).date, '2024-03-11');
    // 2024-11-04 is the first EST trading day: 09:30 EST is 14:30Z.
    assert.equal(US.servedDay(at('2024-11-04T14:29:59.999Z')).date, '2024-11-01');
    assert.equal(US.servedDay(at('2024-11-04T14:30:00.000Z')).date, '2024-11-04');
    // 00:30 in New York is still the previous day's evening in UTC terms but a new local date.
    assert.equal(US.servedDay(at('2024-06-04T00:30:00-04:00')).date, '2024-06-03');
  });

  it('serves guessed days outside the data years', () => {
    const served = US.servedDay(at('2012-06-21T12:00:00-04:00'));
    assert.equal(served.date, '2012-06-21');
    assert.equal(served.guessed, true);
    assert.equal(CN.servedDay(at('2023-02-01T15:30:00+08:00')).date, '2023-02-01');
  });
});

describe('trade periods (command 8)', () => {
  it('lists the regular sessions as local hhmm without the grace period', () => {
    assert.deepEqual(HK.tradePeriods('2024-06-03'), [
      { begTime: 930, endTime: 1200, session: 0 },
      { begTime: 1300, endTime: 1600, session: 0 },
    ]);
    assert.deepEqual(CN.tradePeriods('2024-06-03'), [
      { begTime: 930, endTime: 1130, session: 0 },
      { begTime: 1300, endTime: 1500, session: 0 },
    ]);
    assert.deepEqual(SG.tradePeriods('2024-06-03'), [
      { begTime: 900, endTime: 1200, session: 0 },
      { begTime: 1300, endTime: 1715, session: 0 },
    ]);
  });

  it('is half-day aware', () => {
    assert.deepEqual(HK.tradePeriods('2024-12-24'), [{ begTime: 930, endTime: 1200, session: 0 }]);
    assert.deepEqual(SG.tradePeriods('2024-02-09'), [{ begTime: 900, endTime: 1215, session: 0 }]);
  });

  it('adds pre-market, post-market and overnight for the US', () => {
    assert.deepEqual(US.tradePeriods('2024-06-03'), [
      { begTime: 930, endTime: 1600, session: 0 },
      { begTime: 400, endTime: 930, session: 1 },
      { begTime: 1600, endTime: 2000, session: 2 },
      { begTime: 2000, endTime: 400, session: 3 },
    ]);
    assert.deepEqual(US.tradePeriods('2024-11-29'), [
      { begTime: 930, endTime: 1300, session: 0 },
      { begTime: 400, endTime: 930, session: 1 },
      { begTime: 1300, endTime: 1700, session: 2 },
      { begTime: 2000, endTime: 400, session: 3 },
    ]);
  });

  it('gives a closed date the periods of a full day', () => {
    assert.deepEqual(HK.tradePeriods('2024-06-08'), HK.tradePeriods('2024-06-03'));
  });
});

describe('coverage', () => {
  it('reports the data years and the projected dates of the market', () => {
    const cn = CN.coverage();
    assert.equal(cn.firstYear, 2024);
    assert.equal(cn.lastYear, 2027);
    assert.equal(cn.projected.length, 18);
    assert.ok(cn.projected.includes('2027-01-01'));
    assert.deepEqual(US.coverage().projected, []);
    assert.equal(SG.coverage().projected.length, 14); // 8 holidays of 2027 + 6 rule-derived half days
  });

  it('hands out one shared calendar per market', () => {
    assert.equal(calendarFor('HK'), HK);
  });
});
