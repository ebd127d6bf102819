import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaySchedule } from '../calendar/day-schedule.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import type { Trade } from '../model/trade.js';
import { DayFlow } from './day-flow.js';
import { decodeDaySnapshot, encodeDaySnapshot } from './day-snapshot.js';
import { DIRECTION_NOT_GIVEN } from './flow-state.js';
import { tradeFields } from './trade-fields.js';
import { SeededRandom } from '../demo/seeded-random.js';

function hkDay(): DaySchedule {
  const day = calendarFor('HK').schedule('2024-06-14');
  if (!day) throw new Error('2024-06-14 is a HK trading day');
  return day;
}

/** Deterministic pseudo-random numbers (the project's mulberry32), so a failing case can be rerun. */
function random(seed: number): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.next();
}

type Feed = (day: DayFlow) => void;

/**
 * Trades over the whole day and beyond it (pre-open, lunch, the closing-auction grace window,
 * after it), most without a side (classified by quote or tick rule, neutral in the grace
 * window), mixed price scales, prices large enough to leave Number range, auction and excluded
 * trade types; every trade id unique (as the store keeps them per symbol-day).
 */
function generateTrades(schedule: DaySchedule, seed: number, count: number): Feed[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const from = schedule.firstSessionStartMs - 15 * 60_000;
  const to = schedule.graceEndMs + 10 * 60_000;
  const graceFrom = schedule.lastSessionEndMs;
  const feeds: Feed[] = [];
  let price = 1000 + Math.floor(next() * 500);
  for (let i = 0; i < count; i++) {
    const id = `t${seed}-${i}`;
    const timestamp =
      next() < 0.15 ? graceFrom + Math.floor(next() * (schedule.graceEndMs - graceFrom + 120_000)) : from + Math.floor(next() * (to - from));
    price = Math.max(1, price + pick([-2, -1, 0, 0, 1, 2]));
    const scale = pick([2, 2, 2, 3]);
    const units = scale === 3 ? price * 10 + Math.floor(next() * 10) : price;
    const volume = 1 + Math.floor(next() * (next() < 0.05 ? 5_000_000 : 2_000));
    const direction = pick([DIRECTION_NOT_GIVEN, DIRECTION_NOT_GIVEN, DIRECTION_NOT_GIVEN, 0, 1, 2]);
    const quoted = next() < 0.5;
    const bid = quoted ? units - pick([0, 1, 2]) : -1;
    const ask = quoted ? units + pick([0, 1, 2]) : -1;
    const method = pick([0, 0, 1, 2, 3]);
    const kind = next();
    if (kind < 0.03) {
      // A price beyond any Number: the sums go BigInt.
      const huge: Trade = {
        symbol: '700.HK',
        timestamp,
        price: { units: 123456789012345678901n + BigInt(i), scale: 3 },
        volume,
        tradeId: id,
      };
      feeds.push((day) => day.add(huge));
    } else if (kind < 0.08) {
      const typed: Trade = {
        symbol: '700.HK',
        timestamp,
        price: { units: BigInt(units), scale },
        volume,
        tradeId: id,
        tradeType: pick(['U', 'M', 'D']),
      };
      feeds.push((day) => day.add(typed));
    } else {
      feeds.push((day) => day.addTrade(tradeFields({ timestampMs: timestamp, priceUnits: units, priceScale: scale, volume, direction, bidUnits: bid, bidScale: scale, askUnits: ask, askScale: scale, id, method })));
    }
  }
  return feeds;
}

function assertSameDay(restored: DayFlow, whole: DayFlow, label: string): void {
  const now = Number.MAX_SAFE_INTEGER;
  assert.deepEqual(restored.lines(now), whole.lines(now), `${label}: lines`);
  assert.deepEqual(restored.distribution(now), whole.distribution(now), `${label}: distribution`);
  assert.deepEqual(restored.totals(now), whole.totals(now), `${label}: totals`);
  assert.equal(restored.tradeCount, whole.tradeCount, `${label}: trade count`);
  assert.equal(restored.excludedCount, whole.excludedCount, `${label}: excluded count`);
  assert.equal(restored.latestTimestampMs, whole.latestTimestampMs, `${label}: latest timestamp`);
}

describe('day snapshot', () => {
  it('a day restored from its bytes goes on exactly like the day that saw every trade', () => {
    const schedule = hkDay();
    for (let seed = 1; seed <= 40; seed++) {
      const feeds = generateTrades(schedule, seed, 400);
      const whole = new DayFlow(schedule);
      for (const feed of feeds) feed(whole);
      const cut = Math.floor(random(seed * 7919)() * (feeds.length + 1));
      const before = new DayFlow(schedule, undefined, { keepLog: seed % 2 === 0 });
      for (const feed of feeds.slice(0, cut)) feed(before);
      const restored = DayFlow.fromSnapshot(schedule, undefined, before.snapshot());
      assert.equal(restored.hasLog, false);
      for (const feed of feeds.slice(cut)) feed(restored);
      assertSameDay(restored, whole, `seed ${seed}, cut at ${cut}`);
    }
  });

  it('survives several snapshots in a row (restart after restart)', () => {
    const schedule = hkDay();
    const feeds = generateTrades(schedule, 99, 900);
    const whole = new DayFlow(schedule);
    for (const feed of feeds) feed(whole);
    let day = new DayFlow(schedule, undefined, { keepLog: false });
    feeds.forEach((feed, index) => {
      if (index % 97 === 0) day = DayFlow.fromSnapshot(schedule, undefined, day.snapshot());
      feed(day);
    });
    assertSameDay(day, whole, 'chained');
  });

  it('restores the exact sums behind known lines, including BigInt ones', () => {
    const schedule = hkDay();
    const open = schedule.firstSessionStartMs;
    const day = new DayFlow(schedule, undefined, { keepLog: false });
    day.addTrade(tradeFields({ timestampMs: open + 1_000, priceUnits: 1000, priceScale: 2, volume: 100, direction: 2, id: 'a' })); // +1000.00
    day.add({ symbol: '700.HK', timestamp: open + 61_000, price: { units: 9007199254740993n, scale: 0 }, volume: 3, direction: 1, tradeId: 'b' });
    const restored = DayFlow.fromSnapshot(schedule, undefined, day.snapshot());
    const lines = restored.lines(Number.MAX_SAFE_INTEGER);
    assert.equal(lines[0]?.inflow, '1000.000');
    // 1000 − 3 × 9007199254740993 = −27021597764221979
    assert.equal(lines[1]?.inflow, '-27021597764221979.000');
    assert.equal(restored.tradeCount, 2);
  });

  it('encodes values beyond Number range and instants exactly', () => {
    const snapshot = {
      lineCount: 5,
      scheduleKey: 'd',
      thresholdsKey: 'x',
      scale: 3,
      processed: 7,
      duplicates: 1,
      excluded: 2,
      maxTimestampMs: 1718328600000,
      lastCountedMs: Number.NaN,
      tick: { hasPrevious: true, previousUnits: -(2n ** 70n), previousScale: 4, lastChange: 1 as const },
      tierSums: [0, 1, -1, 2 ** 51, -(2 ** 53) + 1, 2n ** 64n],
      lines: [
        [0, 5],
        [4, -(10n ** 30n)],
      ] as [number, number | bigint][],
    };
    const decoded = decodeDaySnapshot(encodeDaySnapshot(snapshot));
    assert.deepEqual(decoded, { ...snapshot, tierSums: [0, 1, -1, 2 ** 51, -(2 ** 53) + 1, 2n ** 64n] });
  });

  it('refuses bytes that are not a snapshot, truncated ones, or one taken with other cut-offs or for another day', () => {
    const schedule = hkDay();
    const day = new DayFlow(schedule, undefined, { keepLog: false });
    day.addTrade(tradeFields({ timestampMs: schedule.firstSessionStartMs + 1_000, priceUnits: 1000, priceScale: 2, volume: 100, direction: 2, id: 'a' }));
    const bytes = day.snapshot();
    assert.throws(() => DayFlow.fromSnapshot(schedule, undefined, bytes.subarray(0, bytes.length - 1)), /truncated/);
    assert.throws(() => DayFlow.fromSnapshot(schedule, undefined, Uint8Array.of(1, 2, 3)), /not a day snapshot/);
    assert.throws(() => DayFlow.fromSnapshot(schedule, { large: 1, medium: 0 }, bytes), /cut-offs/);
    const us = calendarFor('US').schedule('2024-06-14');
    assert.ok(us);
    assert.throws(() => DayFlow.fromSnapshot(us, DEFAULT_HK, bytes), /another day/);
    // Same market, same number of lines, another day: still refused.
    const dayBefore = calendarFor('HK').schedule('2024-06-13');
    assert.ok(dayBefore && dayBefore.lineCount === schedule.lineCount);
    assert.throws(() => DayFlow.fromSnapshot(dayBefore, undefined, bytes), /another day/);
  });
});

const DEFAULT_HK = { large: 220_000, medium: 44_000 };
