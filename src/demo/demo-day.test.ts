import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFor } from '../calendar/trading-calendar.js';
import { decimalToString } from '../model/decimal.js';
import { Direction } from '../model/trade.js';
import { demoSchedule, generateDemoDay } from './demo-day.js';
import { DEMO_SECURITIES, type DemoSecurity } from './demo-securities.js';
import { snapToTick } from './tick-size.js';

const security = (symbol: string): DemoSecurity => DEMO_SECURITIES.find((s) => s.symbol === symbol)!;

describe('demo day generation', () => {
  it('gives identical trades for the same seed and different trades for another seed', () => {
    const tencent = security('700.HK');
    const first = generateDemoDay(7, tencent, demoSchedule(tencent, '2025-06-13'));
    const again = generateDemoDay(7, tencent, demoSchedule(tencent, '2025-06-13'));
    const other = generateDemoDay(8, tencent, demoSchedule(tencent, '2025-06-13'));
    assert.ok(first.length > 1000);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other.map((t) => t.timestamp), first.map((t) => t.timestamp));
  });

  it('gives every trade a distinct id made of the seed, the date and its position', () => {
    const apple = security('AAPL.US');
    const trades = generateDemoDay(3, apple, demoSchedule(apple, '2025-06-13'));
    assert.equal(new Set(trades.map((t) => t.tradeId)).size, trades.length);
    assert.equal(trades[0]!.tradeId, 'demo3-20250613-0');
    assert.equal(trades[41]!.tradeId, 'demo3-20250613-41');
  });

  // Full days and each market's half days of 2025 (HK/SG 24 Dec, US 28 Nov).
  const days: Array<[string, string]> = [
    ['700.HK', '2025-06-13'], ['700.HK', '2025-12-24'], ['NVDA.US', '2025-06-13'], ['NVDA.US', '2025-11-28'],
    ['600519.SH', '2025-06-13'], ['000001.SZ', '2025-06-13'], ['D05.SG', '2025-06-13'], ['O39.SG', '2025-12-24'],
  ];
  for (const [symbol, date] of days) {
    it(`keeps ${symbol} on ${date} inside the sessions, with only the closing auction in the grace window`, () => {
      const demo = security(symbol);
      const schedule = demoSchedule(demo, date);
      const trades = generateDemoDay(11, demo, schedule);
      assert.ok(trades.length > 500, `only ${trades.length} trades`);
      for (const trade of trades) {
        assert.notEqual(schedule.lineIndexAt(trade.timestamp), -1, `${symbol} trade at ${new Date(trade.timestamp).toISOString()} outside the lines`);
      }
      for (let i = 1; i < trades.length; i++) assert.ok(trades[i]!.timestamp >= trades[i - 1]!.timestamp, 'time order');
      const auction = trades.filter((t) => schedule.isGraceAt(t.timestamp));
      // HK, CN and SG have a closing auction (grace 10, 1, 5 min); US has none.
      assert.equal(auction.length, demo.market === 'US' ? 0 : 1);
      for (const print of auction) {
        assert.equal(print.direction, undefined, 'an auction print has no aggressor side');
        assert.equal(print, trades[trades.length - 1]);
      }
    });
  }

  it('trades US half days in proportion to their shorter session', () => {
    const nvda = security('NVDA.US');
    const full = generateDemoDay(5, nvda, demoSchedule(nvda, '2025-11-26')).length;
    const half = generateDemoDay(5, nvda, demoSchedule(nvda, '2025-11-28')).length;
    // 210 of 390 minutes: about 54% of a full day's trades.
    assert.ok(Math.abs(half / full - 210 / 390) < 0.05, `${half} / ${full}`);
  });

  it('mixes feed-given sides, quotes for the quote rule, and bare trades for the tick rule', () => {
    const dbs = security('D05.SG');
    const trades = generateDemoDay(1, dbs, demoSchedule(dbs, '2025-06-13'));
    const given = trades.filter((t) => t.direction === Direction.Up || t.direction === Direction.Down).length;
    const quoted = trades.filter((t) => t.direction === undefined && t.bid !== undefined).length;
    const bare = trades.filter((t) => t.direction === undefined && t.bid === undefined).length;
    // SG profile: 40% side given, 30% of the rest quoted, the remaining 42% bare.
    assert.ok(Math.abs(given / trades.length - 0.4) < 0.05);
    assert.ok(Math.abs(quoted / trades.length - 0.18) < 0.05);
    assert.ok(Math.abs(bare / trades.length - 0.42) < 0.05);
    for (const t of trades.filter((x) => x.bid !== undefined)) assert.ok(t.bid!.units * 10n ** BigInt(t.ask!.scale) < t.ask!.units * 10n ** BigInt(t.bid!.scale));
  });

  it('trades in board lots on the exchange tick grid', () => {
    const hsbc = security('5.HK');
    for (const t of generateDemoDay(2, hsbc, demoSchedule(hsbc, '2025-06-13'))) {
      assert.equal(t.volume % 400, 0);
      // 5.HK trades between 20 and 100 HKD: tick 0.05.
      assert.equal((t.price.units * 10n ** BigInt(4 - t.price.scale)) % 500n, 0n, decimalToString(t.price));
    }
  });

  it('skips closed days: the generator is only asked for trading days', () => {
    assert.equal(calendarFor('HK').schedule('2025-06-14'), undefined);
    assert.throws(() => demoSchedule(security('700.HK'), '2025-06-14'), /not a HK trading day/);
  });
});

describe('exchange tick sizes', () => {
  it('snaps prices to each market grid', () => {
    assert.equal(decimalToString(snapToTick('HK', 480.13)), '480.20'); // 200-500: 0.2
    assert.equal(decimalToString(snapToTick('HK', 9.994)), '9.99'); // 0.5-10: 0.01
    assert.equal(decimalToString(snapToTick('HK', 0.3037)), '0.305'); // 0.25-0.5: 0.005
    assert.equal(decimalToString(snapToTick('HK', 1503, 1)), '1504.00'); // 1000-2000: 1, one tick up
    assert.equal(decimalToString(snapToTick('US', 0.51234)), '0.5123'); // sub-dollar: 0.0001
    assert.equal(decimalToString(snapToTick('US', 230.014, -1)), '230.00');
    assert.equal(decimalToString(snapToTick('SG', 0.503)), '0.505'); // 0.20-1.00: 0.005
    assert.equal(decimalToString(snapToTick('CN', 11.4949)), '11.49');
  });
});
