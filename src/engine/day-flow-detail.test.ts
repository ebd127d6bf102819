import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFor } from '../calendar/trading-calendar.js';
import { parseDecimal } from '../model/decimal.js';
import { Direction, type Trade } from '../model/trade.js';
import { DayFlow, type CapitalFlowDetailLine } from './day-flow.js';

// HK defaults: large >= 220,000 HKD, medium >= 44,000 HKD. Every expected value is worked out by hand.
const schedule = calendarFor('HK').schedule('2024-06-03')!;
const at = (time: string): number => Date.parse(`2024-06-03T${time}+08:00`);
const AFTER_CLOSE = at('23:00:00');

function trade(time: string, price: string, volume: number, direction: 'up' | 'down'): Trade {
  return { symbol: '700.HK', timestamp: at(time), price: parseDecimal(price)!, volume, direction: direction === 'up' ? Direction.Up : Direction.Down };
}

function dayWith(trades: readonly Trade[]): DayFlow {
  const day = new DayFlow(schedule);
  for (const t of trades) day.add(t);
  return day;
}

const TRADES = [
  trade('09:00:00', '1000000', 1, 'up'), // pre-open: in no line
  trade('10:00:00', '2200', 100, 'up'), // 220,000 in large
  trade('10:00:30', '440', 100, 'down'), // 44,000 out medium
  trade('10:01:00', '1.5', 3, 'up'), // 4.5 in small
  trade('10:03:00', '2199.9999', 100, 'down'), // 219,999.99 out medium (a finer scale mid-day)
  trade('16:05:00', '5000', 100, 'down'), // closing auction, given side: 500,000 out large in the 16:00 line
];

const lineAt = (lines: readonly CapitalFlowDetailLine[], time: string): CapitalFlowDetailLine => {
  const line = lines.find((candidate) => candidate.timestamp === at(time) / 1000);
  assert.ok(line, `no line at ${time}`);
  return line;
};

describe('detail lines: cumulative inflow and outflow by tier per minute', () => {
  const day = dayWith(TRADES);
  const lines = day.detailLines(AFTER_CLOSE);

  it('has every line of the day, zeros before the first counted trade', () => {
    assert.equal(lines.length, 331);
    assert.deepEqual(lineAt(lines, '09:59'), {
      timestamp: at('09:59') / 1000,
      inflow: '0.000',
      in: { large: '0.000', medium: '0.000', small: '0.000', total: '0.000' },
      out: { large: '0.000', medium: '0.000', small: '0.000', total: '0.000' },
    });
  });

  it('accumulates each tier minute by minute, exactly across price scales', () => {
    assert.deepEqual(lineAt(lines, '10:00'), {
      timestamp: at('10:00') / 1000,
      inflow: '176000.000',
      in: { large: '220000.000', medium: '0.000', small: '0.000', total: '220000.000' },
      out: { large: '0.000', medium: '44000.000', small: '0.000', total: '44000.000' },
    });
    assert.equal(lineAt(lines, '10:02').in.small, '4.500');
    assert.deepEqual(lineAt(lines, '10:03').out, { large: '0.000', medium: '263999.990', small: '0.000', total: '263999.990' });
    assert.equal(lineAt(lines, '10:03').inflow, '-43995.490');
    assert.deepEqual(lineAt(lines, '16:00').out, { large: '500000.000', medium: '263999.990', small: '0.000', total: '763999.990' });
    assert.equal(lineAt(lines, '16:00').inflow, '-543995.490');
  });

  it('has the same net inflow in every line as lines()', () => {
    assert.deepEqual(
      lines.map((line) => line.inflow),
      day.lines(AFTER_CLOSE).map((line) => line.inflow),
    );
  });

  it('ends where the day totals and the distribution end', () => {
    const last = lines[lines.length - 1]!;
    assert.deepEqual(day.totals(AFTER_CLOSE), { inflow: last.inflow, in: last.in, out: last.out });
    const distribution = day.distribution(AFTER_CLOSE);
    assert.deepEqual(distribution.capitalOut, { large: '500000.000', medium: '263999.990', small: '0.000' });
  });

  it('shows the day as it stood at an earlier now (trades after it left out)', () => {
    const early = day.detailLines(at('10:01:30'));
    assert.equal(early.length, 32); // 09:30 … 10:01
    assert.deepEqual(early[31], {
      timestamp: at('10:01') / 1000,
      inflow: '176004.500',
      in: { large: '220000.000', medium: '0.000', small: '4.500', total: '220004.500' },
      out: { large: '0.000', medium: '44000.000', small: '0.000', total: '44000.000' },
    });
    assert.deepEqual(day.totals(at('10:01:30')).out, { large: '0.000', medium: '44000.000', small: '0.000', total: '44000.000' });
  });

  it('catches up with trades added after it was first read', () => {
    const growing = dayWith(TRADES.slice(0, 3));
    assert.equal(lineAt(growing.detailLines(AFTER_CLOSE), '16:00').inflow, '176000.000');
    for (const t of TRADES.slice(3)) growing.add(t);
    const after = growing.detailLines(AFTER_CLOSE);
    assert.deepEqual(after, lines);
  });
});
