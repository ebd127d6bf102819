import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { calendarFor } from '../calendar/trading-calendar.js';
import { parseDecimal, type Decimal } from '../model/decimal.js';
import type { Market } from '../model/market.js';
import { parseDirection, type Trade } from '../model/trade.js';
import { realDataFile, skipWithoutRealData, SSE_SAMPLE_DAY } from '../real-data-test-kit.js';
import { DayFlow } from './day-flow.js';

/**
 * Real trade days: the bundled SSE day, and the LOBSTER samples from CAPFLOW_REAL_DATA (they may
 * not be redistributed). The expected figures were computed independently of capflow.
 */
const pathOf = (file: string): string => (file.startsWith('sse-') ? SSE_SAMPLE_DAY : (realDataFile(file) ?? file));
const skipOf = (file: string): false | string => (file.startsWith('sse-') ? false : skipWithoutRealData(file));

function decimal(text: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new Error(`bad decimal ${text}`);
  return value;
}

/** Minimal reader for these files only (no quoting in them): header, then one trade a line. */
function readTrades(file: string, keepDirection: boolean): Trade[] {
  const text = gunzipSync(readFileSync(pathOf(file))).toString('utf8');
  const [header, ...rows] = text.trimEnd().split('\n');
  assert.equal(header, 'symbol,timestamp,price,volume,direction,trade_id,bid,ask');
  return rows.map((row) => {
    const [symbol = '', timestamp = '', price = '', volume = '', direction = '', tradeId = '', bid = '', ask = ''] = row.split(',');
    const given = parseDirection(direction);
    assert.notEqual(given, 'invalid');
    return {
      symbol,
      timestamp: Date.parse(timestamp),
      price: decimal(price),
      volume: Number(volume),
      ...(keepDirection && given !== undefined && given !== 'invalid' ? { direction: given } : {}),
      ...(tradeId ? { tradeId } : {}),
      ...(bid ? { bid: decimal(bid) } : {}),
      ...(ask ? { ask: decimal(ask) } : {}),
    };
  });
}

const cases: { file: string; market: Market; date: string; lines: number; withSide: string; classified: string }[] = [
  { file: 'lobster-goog-2012-06-21.csv.gz', market: 'US', date: '2012-06-21', lines: 390, withSide: '1835483.665', classified: '-5822082.225' },
  { file: 'lobster-amzn-2012-06-21.csv.gz', market: 'US', date: '2012-06-21', lines: 390, withSide: '-6384090.005', classified: '-7277974.555' },
  { file: 'sse-600000-2023-02-01.csv.gz', market: 'CN', date: '2023-02-01', lines: 241, withSide: '-24384680.860', classified: '-13530695.060' },
];

describe('real trade days', () => {
  for (const { file, market, date, lines: lineCount, withSide, classified } of cases) {
    const schedule = calendarFor(market).schedule(date);
    const run = (keepDirection: boolean): DayFlow => {
      assert.ok(schedule);
      const day = new DayFlow(schedule);
      for (const trade of readTrades(file, keepDirection)) day.add(trade);
      return day;
    };

    it(`${file}: the day's last line with the feed's side is ${withSide}`, { skip: skipOf(file) }, () => {
      assert.ok(schedule);
      const lines = run(true).lines(schedule.dayEndMs);
      assert.equal(lines.length, lineCount);
      assert.equal(lines[lineCount - 1]?.inflow, withSide);
    });

    it(`${file}: with the side removed (classification) it is ${classified}`, { skip: skipOf(file) }, () => {
      assert.ok(schedule);
      const lines = run(false).lines(schedule.dayEndMs);
      assert.equal(lines[lineCount - 1]?.inflow, classified);
    });
  }

  it('GOOG.US: buyer- and seller-initiated turnover add up to the independently computed totals', { skip: skipOf('lobster-goog-2012-06-21.csv.gz') }, () => {
    const schedule = calendarFor('US').schedule('2012-06-21');
    assert.ok(schedule);
    const day = new DayFlow(schedule);
    for (const trade of readTrades('lobster-goog-2012-06-21.csv.gz', true)) day.add(trade);
    const { capitalIn, capitalOut } = day.distribution(schedule.dayEndMs);
    const sum = (amounts: { large: string; medium: string; small: string }): number =>
      // Cents as integers: exact for these magnitudes.
      [amounts.large, amounts.medium, amounts.small].reduce((total, text) => total + Number(text.replace('.', '')), 0);
    assert.equal(sum(capitalIn), 201965604495);
    assert.equal(sum(capitalOut), 200130120830);
  });
});
