import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaySchedule } from '../calendar/day-schedule.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import { parseDecimal, type Decimal } from '../model/decimal.js';
import type { Market } from '../model/market.js';
import { Direction, type Trade } from '../model/trade.js';
import { AddOutcome, computeDayLines, DayFlow, type CapitalFlowLine } from './day-flow.js';
import { tradeFields } from './trade-fields.js';

// ---- helpers: readable trades and line look-ups (answers below are computed by hand) ----

interface Spec {
  readonly direction?: 'up' | 'down' | 'neutral';
  readonly id?: string;
  readonly bid?: string;
  readonly ask?: string;
}

function decimal(text: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new Error(`bad decimal in test: ${text}`);
  return value;
}

const DIRECTIONS = { up: Direction.Up, down: Direction.Down, neutral: Direction.Neutral } as const;

function makeTrade(timestamp: number, price: string, volume: number, spec: Spec = {}): Trade {
  return {
    symbol: 'TEST',
    timestamp,
    price: decimal(price),
    volume,
    ...(spec.direction ? { direction: DIRECTIONS[spec.direction] } : {}),
    ...(spec.id ? { tradeId: spec.id } : {}),
    ...(spec.bid ? { bid: decimal(spec.bid) } : {}),
    ...(spec.ask ? { ask: decimal(spec.ask) } : {}),
  };
}

function scheduleOf(market: Market, date: string): DaySchedule {
  const schedule = calendarFor(market).schedule(date);
  if (!schedule) throw new Error(`${market} ${date} is not a trading day`);
  return schedule;
}

/** A local clock for one day: `t('09:30:00.000')` is the instant at that wall time. */
function clockOf(date: string, offset: string): (time: string) => number {
  return (time) => Date.parse(`${date}T${time}${offset}`);
}

const HK_DAY = scheduleOf('HK', '2024-06-03');
const hk = clockOf('2024-06-03', '+08:00');
const AFTER_CLOSE = hk('23:00:00');

/** A fresh HK day fed with trades given as [time, price, volume, spec?]. */
function hkDay(...rows: [string, string, number, Spec?][]): DayFlow {
  const day = new DayFlow(HK_DAY);
  for (const [time, price, volume, spec] of rows) day.add(makeTrade(hk(time), price, volume, spec));
  return day;
}

/** Inflow text of the line starting at a local minute. */
function inflowAt(lines: readonly CapitalFlowLine[], at: number): string {
  const line = lines.find((candidate) => candidate.timestamp === at / 1000);
  assert.ok(line, `no line at ${new Date(at).toISOString()}`);
  return line.inflow;
}

const last = (lines: readonly CapitalFlowLine[]): string => {
  const line = lines[lines.length - 1];
  assert.ok(line, 'no lines');
  return line.inflow;
};

// ---- tests ----

describe('given directions', () => {
  it('adds up turnover, subtracts down turnover and ignores neutral trades', () => {
    const day = hkDay(
      ['09:30:10', '10.5', 100, { direction: 'up' }], // +1050
      ['09:31:05', '10.4', 50, { direction: 'down' }], // -520
      ['09:32:00', '99', 1000, { direction: 'neutral' }],
    );
    const lines = day.lines(AFTER_CLOSE);
    assert.equal(inflowAt(lines, hk('09:30')), '1050.000');
    assert.equal(inflowAt(lines, hk('09:31')), '530.000');
    assert.equal(inflowAt(lines, hk('09:32')), '530.000');
    assert.equal(last(lines), '530.000');
  });
});

describe('quote rule (both bid and ask given)', () => {
  const quoted = (price: string, bid: string, ask: string): string =>
    last(hkDay(['10:00:00', price, 100, { bid, ask }]).lines(AFTER_CLOSE));

  it('is up at or above the ask', () => {
    assert.equal(quoted('10.02', '10.00', '10.02'), '1002.000');
    assert.equal(quoted('10.05', '10.00', '10.02'), '1005.000');
  });

  it('is down at or below the bid', () => {
    assert.equal(quoted('10.00', '10.00', '10.02'), '-1000.000');
    assert.equal(quoted('9.99', '10.00', '10.02'), '-999.000');
  });

  it('inside the spread: up above the midpoint, down below it', () => {
    assert.equal(quoted('10.015', '10.00', '10.02'), '1001.500');
    assert.equal(quoted('10.005', '10.00', '10.02'), '-1000.500');
  });

  it('at the midpoint falls through to the tick rule', () => {
    // First trade of the day: no previous trade, so neutral.
    assert.equal(quoted('10.01', '10.00', '10.02'), '0.000');
    // Up-tick from a pre-open print at 10.00.
    const upTick = hkDay(['09:20:00', '10.00', 5], ['10:00:00', '10.01', 100, { bid: '10.00', ask: '10.02' }]);
    assert.equal(last(upTick.lines(AFTER_CLOSE)), '1001.000');
    // Zero tick after a fall 10.03 → 10.01: carries the fall, so down.
    const zeroTick = hkDay(
      ['09:20:00', '10.03', 5],
      ['09:21:00', '10.01', 5],
      ['10:00:00', '10.01', 100, { bid: '10.00', ask: '10.02' }],
    );
    assert.equal(last(zeroTick.lines(AFTER_CLOSE)), '-1001.000');
  });

  it('compares exactly across different scales (10.01 is the midpoint of 10 and 10.020)', () => {
    const day = hkDay(['09:20:00', '10.0', 5], ['10:00:00', '10.01', 100, { bid: '10', ask: '10.020' }]);
    assert.equal(last(day.lines(AFTER_CLOSE)), '1001.000'); // midpoint → tick rule → up from 10.0
  });

  it('is skipped when only one quote is given', () => {
    // 10.00 equals the bid, but without an ask the tick rule decides: zero tick, no change yet → neutral.
    const day = hkDay(['09:20:00', '10.00', 5], ['10:00:00', '10.00', 100, { bid: '10.00' }]);
    assert.equal(last(day.lines(AFTER_CLOSE)), '0.000');
  });
});

describe('tick rule', () => {
  it('follows up-ticks and down-ticks, and zero ticks carry the last price change', () => {
    const day = hkDay(
      ['09:30:01', '10.00', 10], // first trade: neutral
      ['09:30:02', '10.10', 10], // up: +101
      ['09:30:03', '10.10', 10], // zero tick after a rise: +101
      ['09:30:04', '10.05', 10], // down: -100.5
      ['09:30:05', '10.05', 10], // zero tick after a fall: -100.5
    );
    assert.equal(inflowAt(day.lines(AFTER_CLOSE), hk('09:30')), '1.000');
  });

  it('is neutral while the price has not changed yet that day', () => {
    const day = hkDay(['09:30:01', '10.00', 10], ['09:30:02', '10.00', 10], ['09:30:03', '10.000', 10]);
    assert.equal(last(day.lines(AFTER_CLOSE)), '0.000');
  });

  it('is fed by trades with a given direction (their price, not their direction)', () => {
    const day = hkDay(
      ['09:20:00', '10.00', 100], // pre-open print
      ['09:30:10', '10.20', 100, { direction: 'down' }], // -1020; the price rose 10.00 → 10.20
      ['09:30:20', '10.20', 100], // zero tick carries the rise: +1020
    );
    assert.equal(last(day.lines(AFTER_CLOSE)), '0.000');
  });

  it('lets a price change before the open decide the first zero tick', () => {
    const day = hkDay(
      ['09:20:00', '10.00', 100], // pre-open prints: in no line, but the price rises
      ['09:25:00', '10.20', 100],
      ['09:30:05', '10.20', 100], // zero tick carries the pre-open rise: +1020
    );
    assert.equal(last(day.lines(AFTER_CLOSE)), '1020.000');
  });

  it('is fed by lunch-break trades', () => {
    const day = hkDay(
      ['11:59:00', '10.00', 100], // first: neutral
      ['12:30:00', '10.50', 100], // lunch: in no line, but now the previous price is 10.50
      ['13:00:05', '10.30', 100], // down from 10.50 (it would be up from 10.00): -1030
    );
    const lines = day.lines(AFTER_CLOSE);
    assert.equal(inflowAt(lines, hk('11:59')), '0.000');
    assert.equal(inflowAt(lines, hk('13:00')), '-1030.000');
  });

  it('keeps following the price when the quote rule decided the previous trade', () => {
    const day = hkDay(
      ['09:30:01', '10.00', 10], // neutral
      ['09:30:02', '9.90', 10, { bid: '9.80', ask: '9.90' }], // at the ask: up +99, but the price fell
      ['09:30:03', '9.90', 10], // zero tick carries the fall: -99
    );
    assert.equal(last(day.lines(AFTER_CLOSE)), '0.000');
  });
});

describe('duplicates', () => {
  it('ignores a redelivered trade id completely, including for the tick rule', () => {
    const day = new DayFlow(HK_DAY);
    assert.equal(day.add(makeTrade(hk('09:30:01'), '10.00', 100, { id: 'A' })), AddOutcome.Counted); // neutral
    assert.equal(day.add(makeTrade(hk('09:30:02'), '10.10', 100, { id: 'B' })), AddOutcome.Counted); // +1010
    // A redelivery of A with other values: if it counted it would add 10200 and move the price to 10.20.
    assert.equal(day.add(makeTrade(hk('09:30:03'), '10.20', 1000, { id: 'A', direction: 'up' })), AddOutcome.Duplicate);
    // Zero tick against 10.10 carries the rise: +1010 (after 10.20 it would be a down-tick).
    assert.equal(day.add(makeTrade(hk('09:30:04'), '10.10', 100, { id: 'C' })), AddOutcome.Counted);
    assert.equal(last(day.lines(AFTER_CLOSE)), '2020.000');
    assert.equal(day.duplicateCount, 1);
    assert.equal(day.tradeCount, 3);
  });

  it('does not deduplicate trades without an id', () => {
    const day = hkDay(['10:00:00', '1', 100, { direction: 'up' }], ['10:00:00', '1', 100, { direction: 'up' }]);
    assert.equal(last(day.lines(AFTER_CLOSE)), '200.000');
  });
});

describe('arrival order versus time order', () => {
  // t1 arrives first but is stamped 09:35; t2 arrives second, stamped 09:31.
  const outOfOrder = (): DayFlow => hkDay(['09:35:00', '10.00', 100], ['09:31:00', '10.10', 100]);

  it('applies the tick rule in arrival order and counts each trade in its own minute', () => {
    const lines = outOfOrder().lines(AFTER_CLOSE);
    assert.equal(inflowAt(lines, hk('09:30')), '0.000');
    assert.equal(inflowAt(lines, hk('09:31')), '1010.000'); // up against t1 (the previous arrival)
    assert.equal(inflowAt(lines, hk('09:35')), '1010.000'); // t1 itself was the first: neutral
  });

  it('hides trades stamped after now: they neither count nor feed the tick rule', () => {
    const day = outOfOrder();
    const early = day.lines(hk('09:32:00'));
    assert.equal(early.length, 3); // 09:30, 09:31, 09:32
    assert.deepEqual(
      early.map((line) => line.inflow),
      ['0.000', '0.000', '0.000'], // t2 is the first visible trade: neutral
    );
    const atT1 = day.lines(hk('09:35:00.000'));
    assert.equal(atT1.length, 6);
    assert.equal(inflowAt(atT1, hk('09:31')), '1010.000');
    // Asking again at the earlier instant gives the same answer (replays are cached, not stale).
    assert.deepEqual(day.lines(hk('09:32:00')), early);
  });
});

describe('session edges (HK)', () => {
  it('puts each edge trade in the right line or in none', () => {
    // Powers of two as turnover show exactly which trades a line holds.
    const day = hkDay(
      ['09:29:59.999', '1', 1, { direction: 'up' }], // pre-open: no line
      ['09:30:00.000', '2', 1, { direction: 'up' }],
      ['11:59:59.999', '4', 1, { direction: 'up' }],
      ['12:00:00.000', '8', 1, { direction: 'up' }], // lunch: no line
      ['12:59:59.999', '16', 1, { direction: 'up' }], // lunch: no line
      ['13:00:00.000', '32', 1, { direction: 'up' }],
      ['15:59:59.999', '64', 1, { direction: 'up' }],
      ['16:00:00.000', '128', 1, { direction: 'up' }], // closing auction: the 16:00 line
      ['16:09:59.999', '256', 1, { direction: 'up' }], // still the 16:00 line
      ['16:10:00.000', '512', 1, { direction: 'up' }], // after the grace period: no line
    );
    const lines = day.lines(AFTER_CLOSE);
    assert.equal(lines.length, 331);
    assert.equal(inflowAt(lines, hk('09:30')), '2.000');
    assert.equal(inflowAt(lines, hk('11:58')), '2.000');
    assert.equal(inflowAt(lines, hk('11:59')), '6.000');
    assert.equal(inflowAt(lines, hk('13:00')), '38.000');
    assert.equal(inflowAt(lines, hk('15:59')), '102.000');
    assert.equal(inflowAt(lines, hk('16:00')), '486.000');
  });

  it('makes unspecified closing-auction trades neutral but counts given directions', () => {
    const day = hkDay(
      ['15:59:00', '10.00', 100, { direction: 'up' }], // +1000
      ['16:05:00', '10.50', 100], // up-tick, but in the grace window: neutral
      ['16:06:00', '10.40', 100, { direction: 'down' }], // -1040 in the 16:00 line
    );
    const lines = day.lines(AFTER_CLOSE);
    assert.equal(inflowAt(lines, hk('15:59')), '1000.000');
    assert.equal(inflowAt(lines, hk('16:00')), '-40.000');
  });

  it('reports whether a trade counted in a line', () => {
    const day = new DayFlow(HK_DAY);
    assert.equal(day.add(makeTrade(hk('09:29:59.999'), '1', 1)), AddOutcome.Outside);
    assert.equal(day.add(makeTrade(hk('09:30:00.000'), '1', 1)), AddOutcome.Counted);
    assert.equal(day.add(makeTrade(hk('16:09:59.999'), '1', 1)), AddOutcome.Counted);
    assert.equal(day.add(makeTrade(hk('16:10:00.000'), '1', 1)), AddOutcome.Outside);
    assert.equal(day.add(makeTrade(Date.parse('2024-06-04T10:00:00+08:00'), '1', 1)), AddOutcome.OtherDay);
    assert.equal(day.add(makeTrade(Date.parse('2024-06-02T23:59:59.999+08:00'), '1', 1)), AddOutcome.OtherDay);
    assert.equal(day.addTrade(tradeFields({ timestampMs: hk('10:00:00'), priceUnits: 0, priceScale: 2, volume: 100 })), AddOutcome.Invalid);
    assert.equal(day.addTrade(tradeFields({ timestampMs: hk('10:00:00'), priceUnits: 100, priceScale: 2, volume: 0 })), AddOutcome.Invalid);
    assert.equal(day.addTrade(tradeFields({ timestampMs: hk('10:00:00'), priceUnits: 100, priceScale: 2, volume: 1.5 })), AddOutcome.Invalid);
    assert.equal(day.addTrade(tradeFields({ timestampMs: hk('10:00:00'), priceUnits: 100, priceScale: 2, volume: 100, direction: 3 })), AddOutcome.Invalid);
    assert.equal(day.tradeCount, 4);
  });
});

describe('CN closing call auction', () => {
  const cn = clockOf('2024-06-03', '+08:00');
  it('counts 15:00:00.800 in the 15:00 line: neutral without a direction, counted with one', () => {
    const day = new DayFlow(scheduleOf('CN', '2024-06-03'));
    day.add(makeTrade(cn('14:59:59.000'), '10.00', 100, { direction: 'up' })); // +1000
    day.add(makeTrade(cn('15:00:00.800'), '10.50', 100)); // up-tick, but auction: neutral
    day.add(makeTrade(cn('15:00:00.900'), '10.00', 50, { direction: 'down' })); // -500
    day.add(makeTrade(cn('15:01:00.000'), '10', 1000, { direction: 'up' })); // after the grace minute
    const lines = day.lines(cn('20:00:00'));
    assert.equal(lines.length, 241);
    assert.equal(inflowAt(lines, cn('14:59')), '1000.000');
    assert.equal(inflowAt(lines, cn('15:00')), '500.000');
  });
});

describe('lines', () => {
  it('has every line minute, carrying the cumulative value forward', () => {
    const lines = hkDay(['09:45:30', '10', 100, { direction: 'up' }]).lines(AFTER_CLOSE);
    assert.equal(lines.length, 331);
    lines.forEach((line, index) => assert.equal(line.inflow, index < 15 ? '0.000' : '1000.000', `line ${index}`));
    assert.equal(lines[0]?.timestamp, Date.parse('2024-06-03T09:30:00+08:00') / 1000);
    assert.equal(lines[1]?.timestamp, Date.parse('2024-06-03T09:31:00+08:00') / 1000);
    assert.equal(lines[149]?.timestamp, Date.parse('2024-06-03T11:59:00+08:00') / 1000);
    assert.equal(lines[150]?.timestamp, Date.parse('2024-06-03T13:00:00+08:00') / 1000);
    assert.equal(lines[330]?.timestamp, Date.parse('2024-06-03T16:00:00+08:00') / 1000);
  });

  it('stays current when trades arrive after lines were read', () => {
    const day = hkDay(['10:00:00', '10', 100, { direction: 'up' }]);
    assert.equal(inflowAt(day.lines(AFTER_CLOSE), hk('10:00')), '1000.000');
    day.add(makeTrade(hk('09:45:00'), '5', 100, { direction: 'down' })); // earlier minute: -500
    const lines = day.lines(AFTER_CLOSE);
    assert.equal(inflowAt(lines, hk('09:44')), '0.000');
    assert.equal(inflowAt(lines, hk('09:45')), '-500.000');
    assert.equal(inflowAt(lines, hk('10:00')), '500.000');
    assert.equal(last(lines), '500.000');
  });

  it('rounds only when formatting, half away from zero, never writing -0.000', () => {
    const single = (price: string, direction: 'up' | 'down'): string =>
      last(hkDay(['10:00:00', price, 1, { direction }]).lines(AFTER_CLOSE));
    assert.equal(single('0.0005', 'up'), '0.001');
    assert.equal(single('0.0005', 'down'), '-0.001');
    assert.equal(single('0.0004', 'up'), '0.000');
    assert.equal(single('0.0004', 'down'), '0.000');
    assert.equal(single('0.0015', 'down'), '-0.002');
    // Two sub-penny amounts add before rounding: 0.0004 + 0.0004 = 0.0008 → 0.001.
    const twice = hkDay(['10:00:00', '0.0004', 1, { direction: 'up' }], ['10:00:01', '0.0004', 1, { direction: 'up' }]);
    assert.equal(last(twice.lines(AFTER_CLOSE)), '0.001');
  });

  it('adds prices of different scales exactly', () => {
    const day = hkDay(
      ['09:30:00', '579.4', 4, { direction: 'down' }], // -2317.6
      ['09:30:01', '579.51', 1, { direction: 'up' }], // +579.51
    );
    assert.equal(last(day.lines(AFTER_CLOSE)), '-1738.090');
    const rescaled = hkDay(['09:30:00', '10', 3, { direction: 'up' }], ['09:31:00', '0.001', 1, { direction: 'up' }]);
    const lines = rescaled.lines(AFTER_CLOSE);
    assert.equal(inflowAt(lines, hk('09:30')), '30.000');
    assert.equal(inflowAt(lines, hk('09:31')), '30.001');
  });

  it('stays exact beyond 2^53 units', () => {
    const day = hkDay(
      ['10:00:00', '99999999.9999', 9_000_000, { direction: 'up' }], // 899,999,999,999,100
      ['10:00:01', '99999999.9999', 9_000_000, { direction: 'up' }],
      ['10:00:02', '0.0001', 1, { direction: 'down' }], // total 1,799,999,999,998,199.9999
    );
    assert.equal(last(day.lines(AFTER_CLOSE)), '1799999999998200.000');
    assert.equal(day.distribution(AFTER_CLOSE).capitalIn.large, '1799999999998200.000');
    assert.equal(day.distribution(AFTER_CLOSE).capitalOut.small, '0.000');
  });

  it('gives the same answer through addTrade (named fields) as through add', () => {
    const day = new DayFlow(HK_DAY);
    day.addTrade(tradeFields({ timestampMs: hk('09:30:01'), priceUnits: 1000, priceScale: 2, volume: 100, id: 'a' })); // 10.00 neutral
    day.addTrade(tradeFields({ timestampMs: hk('09:30:02'), priceUnits: 1015, priceScale: 2, volume: 100, bidUnits: 1000, bidScale: 2, askUnits: 1002, askScale: 2, id: 'b' })); // 10.15 >= ask 10.02: +1015
    day.addTrade(tradeFields({ timestampMs: hk('09:30:03'), priceUnits: 10100, priceScale: 3, volume: 100, id: 'c' })); // 10.100 down-tick: -1010
    day.addTrade(tradeFields({ timestampMs: hk('09:30:04'), priceUnits: 1010, priceScale: 2, volume: 100, direction: 2, id: 'd' })); // given up: +1010
    day.addTrade(tradeFields({ timestampMs: hk('09:30:05'), priceUnits: 1010, priceScale: 2, volume: 100, direction: 2, id: 'd' })); // duplicate
    assert.equal(last(day.lines(AFTER_CLOSE)), '1015.000');
  });
});

describe('visibility: lines up to now', () => {
  const day = hkDay(['10:00:00', '10', 100, { direction: 'up' }], ['14:00:00', '10', 50, { direction: 'down' }]);

  it('returns nothing before the first session starts', () => {
    assert.deepEqual(day.lines(hk('09:29:59.999')), []);
  });

  it('returns the minute that has just started', () => {
    const lines = day.lines(hk('09:30:00.000'));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.timestamp, hk('09:30') / 1000);
  });

  it('ends at the last morning minute during the lunch break', () => {
    const lines = day.lines(hk('12:30:00'));
    assert.equal(lines.length, 150);
    assert.equal(lines[149]?.timestamp, hk('11:59') / 1000);
    assert.equal(last(lines), '1000.000'); // the 14:00 trade is not visible yet
  });

  it('shows the afternoon trade once now reaches it', () => {
    assert.equal(last(day.lines(hk('13:59:59.999'))), '1000.000');
    assert.equal(last(day.lines(hk('14:00:00.000'))), '500.000');
    assert.equal(last(day.lines(AFTER_CLOSE)), '500.000');
  });

  it('replays any instant exactly as a day fed only the trades stamped up to it', () => {
    // Deterministic pseudo-random trades with timestamps out of arrival order, no directions.
    const trades: Trade[] = [];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 48271) % 2147483647;
      return seed;
    };
    const open = hk('09:25:00');
    const span = hk('16:15:00') - open;
    for (let i = 0; i < 2000; i++) {
      const price = `${100 + (next() % 40)}.${String(next() % 100).padStart(2, '0')}`;
      trades.push(makeTrade(open + (next() % span), price, 1 + (next() % 500)));
    }
    const fed = new DayFlow(HK_DAY);
    for (const trade of trades) fed.add(trade);
    for (const now of [hk('09:45:00'), hk('11:00:00.5'), hk('12:10:00'), hk('14:33:21'), hk('16:05:00'), AFTER_CLOSE]) {
      const visible = trades.filter((trade) => trade.timestamp <= now);
      assert.deepEqual(fed.lines(now), computeDayLines(HK_DAY, visible, now), `now ${new Date(now).toISOString()}`);
      const replayed = new DayFlow(HK_DAY);
      for (const trade of visible) replayed.add(trade);
      assert.deepEqual(fed.distribution(now), replayed.distribution(now));
    }
  });
});

describe('half days', () => {
  it('HK: 151 lines, closing auction in the 12:00 line', () => {
    const t = clockOf('2024-12-24', '+08:00');
    const day = new DayFlow(scheduleOf('HK', '2024-12-24'));
    day.add(makeTrade(t('11:59:30'), '1', 100, { direction: 'up' }));
    day.add(makeTrade(t('12:05:00'), '2', 100, { direction: 'up' }));
    day.add(makeTrade(t('12:05:30'), '3', 100)); // up-tick in the grace window: neutral
    assert.equal(day.add(makeTrade(t('13:00:00'), '4', 100, { direction: 'up' })), AddOutcome.Outside);
    const lines = day.lines(t('18:00:00'));
    assert.equal(lines.length, 151);
    assert.equal(lines[150]?.timestamp, t('12:00') / 1000);
    assert.equal(last(lines), '300.000');
  });

  it('SG: 196 lines to 12:15, grace to 12:20', () => {
    const t = clockOf('2024-02-09', '+08:00');
    const day = new DayFlow(scheduleOf('SG', '2024-02-09'));
    day.add(makeTrade(t('12:10:00'), '1', 100, { direction: 'up' }));
    day.add(makeTrade(t('12:19:59.999'), '1', 50, { direction: 'up' }));
    assert.equal(day.add(makeTrade(t('12:20:00.000'), '1', 1000, { direction: 'up' })), AddOutcome.Outside);
    const lines = day.lines(t('18:00:00'));
    assert.equal(lines.length, 196);
    assert.equal(inflowAt(lines, t('12:10')), '100.000');
    assert.equal(inflowAt(lines, t('12:14')), '100.000');
    assert.equal(lines[195]?.timestamp, t('12:15') / 1000);
    assert.equal(last(lines), '150.000');
  });

  it('US: 210 lines, 13:00 is outside', () => {
    const t = clockOf('2024-07-03', '-04:00');
    const day = new DayFlow(scheduleOf('US', '2024-07-03'));
    day.add(makeTrade(t('12:59:59.999'), '1', 100, { direction: 'up' }));
    assert.equal(day.add(makeTrade(t('13:00:00.000'), '1', 1000, { direction: 'up' })), AddOutcome.Outside);
    const lines = day.lines(t('20:00:00'));
    assert.equal(lines.length, 210);
    assert.equal(lines[209]?.timestamp, t('12:59') / 1000);
    assert.equal(last(lines), '100.000');
  });
});

describe('US daylight-saving days', () => {
  it('stamps and buckets by New York wall time after the March switch', () => {
    const day = new DayFlow(scheduleOf('US', '2024-03-11'));
    day.add(makeTrade(Date.parse('2024-03-11T09:30:30-04:00'), '10', 10, { direction: 'up' })); // 09:30 EDT
    day.add(makeTrade(Date.parse('2024-03-11T09:30:30-05:00'), '10', 10, { direction: 'up' })); // 10:30 EDT
    const lines = day.lines(Date.parse('2024-03-11T20:00:00-04:00'));
    assert.equal(lines[0]?.timestamp, 1710163800);
    assert.equal(lines[0]?.inflow, '100.000');
    assert.equal(lines[59]?.inflow, '100.000');
    assert.equal(lines[60]?.timestamp, 1710163800 + 3600);
    assert.equal(lines[60]?.inflow, '200.000');
  });

  it('after the November switch', () => {
    const day = new DayFlow(scheduleOf('US', '2024-11-04'));
    day.add(makeTrade(Date.parse('2024-11-04T09:30:00-05:00'), '10', 10, { direction: 'down' }));
    const lines = day.lines(Date.parse('2024-11-04T20:00:00-05:00'));
    assert.equal(lines[0]?.timestamp, 1730730600);
    assert.equal(lines[0]?.inflow, '-100.000');
  });
});

describe('capital distribution', () => {
  const day = hkDay(
    ['09:00:00', '1000000', 1, { direction: 'up' }], // pre-open: not counted
    ['10:00:00', '2200', 100, { direction: 'up' }], // 220,000 → in large (>= 220,000)
    ['10:01:00', '2199.9999', 100, { direction: 'up' }], // 219,999.99 → in medium
    ['10:02:00', '440', 100, { direction: 'down' }], // 44,000 → out medium (>= 44,000)
    ['10:03:00', '43.99999', 1000, { direction: 'down' }], // 43,999.99 → out small
    ['10:04:00', '1', 1, { direction: 'up' }], // 1 → in small
    ['16:05:00.700', '5000', 100, { direction: 'down' }], // grace: 500,000 → out large
    ['16:20:00', '5000', 100, { direction: 'up' }], // after the grace period: not counted
  );

  it('splits counted turnover by size with the HK defaults (220,000 / 44,000 HKD)', () => {
    assert.deepEqual(day.distribution(AFTER_CLOSE), {
      timestamp: Date.parse('2024-06-03T16:05:00+08:00') / 1000,
      capitalIn: { large: '220000.000', medium: '219999.990', small: '1.000' },
      capitalOut: { large: '500000.000', medium: '44000.000', small: '43999.990' },
    });
  });

  it('covers only trades visible at now, stamped with the latest of them', () => {
    assert.deepEqual(day.distribution(hk('10:02:30')), {
      timestamp: hk('10:02') / 1000,
      capitalIn: { large: '220000.000', medium: '219999.990', small: '0.000' },
      capitalOut: { large: '0.000', medium: '44000.000', small: '0.000' },
    });
  });

  it('is all zeros stamped at the first session start when nothing counted', () => {
    const empty = hkDay(['09:10:00', '10', 100, { direction: 'up' }]);
    assert.deepEqual(empty.distribution(AFTER_CLOSE), {
      timestamp: hk('09:30') / 1000,
      capitalIn: { large: '0.000', medium: '0.000', small: '0.000' },
      capitalOut: { large: '0.000', medium: '0.000', small: '0.000' },
    });
  });

  it('takes the latest counted timestamp, not the latest arrival, and neutral trades count for it', () => {
    const mixed = hkDay(['11:00:00', '10', 1, { direction: 'neutral' }], ['10:00:00', '10', 1, { direction: 'up' }]);
    assert.equal(mixed.distribution(AFTER_CLOSE).timestamp, hk('11:00') / 1000);
  });

  it('accepts configured thresholds, including fractional ones', () => {
    const custom = new DayFlow(HK_DAY, { large: 1000, medium: { units: 5n, scale: 1 } });
    custom.add(makeTrade(hk('10:00:00'), '1000', 1, { direction: 'up' })); // large
    custom.add(makeTrade(hk('10:00:01'), '0.5', 1, { direction: 'up' })); // medium (>= 0.5)
    custom.add(makeTrade(hk('10:00:02'), '0.4999', 1, { direction: 'up' })); // small
    assert.deepEqual(custom.distribution(AFTER_CLOSE).capitalIn, { large: '1000.000', medium: '0.500', small: '0.500' });
  });

  it('uses per-market defaults (US: 30,000 / 6,000 USD)', () => {
    const t = clockOf('2024-06-03', '-04:00');
    const us = new DayFlow(scheduleOf('US', '2024-06-03'));
    us.add(makeTrade(t('10:00:00'), '300', 100, { direction: 'down' })); // 30,000 large
    us.add(makeTrade(t('10:00:01'), '59.99', 100, { direction: 'down' })); // 5,999 small
    assert.deepEqual(us.distribution(t('20:00:00')).capitalOut, { large: '30000.000', medium: '0.000', small: '5999.000' });
  });
});
