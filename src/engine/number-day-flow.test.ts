import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { calendarFor } from '../calendar/trading-calendar.js';
import { CounterTradeIds, COUNTER_ID_DUPLICATE, COUNTER_ID_UNSUPPORTED } from './counter-trade-ids.js';
import { AddOutcome, DayFlow } from './day-flow.js';
import { NEEDS_DAY_FLOW, NumberDayFlow, NumberSumsArena } from './number-day-flow.js';
import { DEFAULT_TIER_THRESHOLDS, TierClassifier } from './tier-thresholds.js';
import { TradeIdSet } from './trade-id-set.js';
import { TradeFields } from './trade-fields.js';

const HK = calendarFor('HK').schedule('2024-06-14')!;
const ASCII = new TextEncoder();

interface RawTrade {
  readonly timestampMs: number;
  readonly price: number;
  readonly priceScale: number;
  readonly volume: number;
  readonly direction: number;
  readonly bid: number;
  readonly bidScale: number;
  readonly ask: number;
  readonly askScale: number;
  readonly id: string;
}

/** Instants all over the HK day: before the open, sessions, lunch, the grace window, after it. */
const instant = fc.oneof(
  fc.integer({ min: HK.dayStartMs, max: HK.dayEndMs - 1 }),
  fc.integer({ min: HK.firstSessionStartMs - 60_000, max: HK.firstSessionStartMs + 5 * 60_000 }),
  fc.integer({ min: HK.lastSessionEndMs - 60_000, max: HK.graceEndMs + 60_000 }),
  fc.constantFrom(HK.firstSessionStartMs, HK.lastSessionEndMs, HK.graceEndMs).chain((edge) => fc.integer({ min: edge - 1, max: edge + 1 })),
);

/** Prices and volumes from everyday ones to ones whose sums leave 2^53 (and whose products do). */
const units = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 9_998, max: 10_002 }) }, // zero ticks are common
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 999_999_999_999_999, 2 ** 53 - 1) },
);
const volume = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 5_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 50 }) });

/** Ids that fit a counter day (`T-12`), duplicates, out of order, and ones that do not (leading zeros, other prefixes, no digits). */
const tradeId = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => `T-${n}`) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('T-007', 'U-5', 'abc', 'T-', '42', 'T-1x') },
);

const rawTrade: fc.Arbitrary<RawTrade> = fc.record({
  timestampMs: instant,
  price: units,
  priceScale: fc.oneof({ weight: 4, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }) }),
  volume,
  direction: fc.integer({ min: -1, max: 2 }),
  bid: fc.oneof(fc.constant(-1), fc.integer({ min: 9_996, max: 10_004 })),
  bidScale: fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 4 })),
  ask: fc.oneof(fc.constant(-1), fc.integer({ min: 9_996, max: 10_004 })),
  askScale: fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 4 })),
  id: tradeId,
});

function addTo(day: DayFlow | NumberDayFlow, trade: RawTrade): number {
  const id = ASCII.encode(`..${trade.id}..`); // the id lies inside a larger buffer
  const fields = new TradeFields();
  fields.timestampMs = trade.timestampMs;
  fields.priceUnits = trade.price;
  fields.priceScale = trade.priceScale;
  fields.volume = trade.volume;
  fields.direction = trade.direction;
  fields.bidUnits = trade.bid;
  fields.bidScale = trade.bidScale;
  fields.askUnits = trade.ask;
  fields.askScale = trade.askScale;
  fields.setId(id, 2, id.length - 2);
  return day.addTrade(fields);
}

function assertSameDay(actual: DayFlow, expected: DayFlow, message: string): void {
  const now = Number.MAX_SAFE_INTEGER;
  assert.deepEqual(actual.lines(now), expected.lines(now), message);
  assert.deepEqual(actual.distribution(now), expected.distribution(now), message);
  assert.deepEqual(actual.totals(now), expected.totals(now), message);
  assert.equal(actual.tradeCount, expected.tradeCount, message);
  assert.equal(actual.duplicateCount, expected.duplicateCount, message);
  assert.equal(actual.latestTimestampMs, expected.latestTimestampMs, message);
}

describe('NumberDayFlow', () => {
  it('takes a trade exactly as DayFlow would, or hands over to a DayFlow that goes on identically (property)', () => {
    const thresholds = { large: 500_000, medium: 20_000 }; // not the defaults: the DayFlow taking over must keep them
    const tiers = new TierClassifier(thresholds);
    const arena = new NumberSumsArena(1000); // small chunks: days start and end next to each other
    fc.assert(
      fc.property(fc.array(rawTrade, { maxLength: 120 }), fc.array(rawTrade, { maxLength: 40 }), (trades, after) => {
        const expected = new DayFlow(HK, thresholds, { keepLog: false });
        const numbers = new NumberDayFlow(HK, tiers, arena);
        const neighbour = new NumberDayFlow(HK, tiers, arena); // must never be touched by `numbers`
        let moved: DayFlow | undefined;
        for (const trade of trades) {
          const want = addTo(expected, trade);
          let got = moved ? addTo(moved, trade) : addTo(numbers, trade);
          if (got === NEEDS_DAY_FLOW) {
            moved = DayFlow.fromNumberDayFlow(numbers, thresholds);
            assert.equal(addTo(numbers, trade), NEEDS_DAY_FLOW, 'a moved state takes nothing more');
            got = addTo(moved, trade);
          }
          assert.equal(got, want);
        }
        if (!moved) assert.deepEqual(numbers.completeLines(), expected.lines(Number.MAX_SAFE_INTEGER), 'lines straight from the Numbers');
        const day = moved ?? DayFlow.fromNumberDayFlow(numbers, thresholds);
        assertSameDay(day, expected, 'after the trades');
        assert.ok(neighbour.lineNet.every((x) => x === 0) && neighbour.tierSums.every((x) => x === 0));
        // The DayFlow goes on from the state it took over: tick rule, ids, scale and sums.
        for (const trade of after) assert.equal(addTo(day, trade), addTo(expected, trade));
        assertSameDay(day, expected, 'after more trades');
      }),
      { seed: 20261125, numRuns: 400 },
    );
  });

  it('stays in Numbers for an everyday day and hands over at the first sum beyond 2^53', () => {
    const numbers = new NumberDayFlow(HK, new TierClassifier(DEFAULT_TIER_THRESHOLDS.HK));
    const t = HK.firstSessionStartMs + 1000;
    const trade = { timestampMs: t, price: 32020, priceScale: 2, volume: 100, direction: 2, bid: -1, bidScale: 0, ask: -1, askScale: 0, id: 'T-1' };
    assert.equal(addTo(numbers, trade), AddOutcome.Counted);
    assert.equal(addTo(numbers, { ...trade, id: 'T-1' }), AddOutcome.Duplicate);
    assert.equal(addTo(numbers, { ...trade, id: 'T-2', price: 2 ** 52, volume: 2 }), NEEDS_DAY_FLOW);
    assert.equal(addTo(numbers, { ...trade, id: 'T-01' }), NEEDS_DAY_FLOW, 'an id with a leading zero is not a counter');
    const day = DayFlow.fromNumberDayFlow(numbers);
    assert.equal(addTo(day, { ...trade, id: 'T-2', price: 2 ** 52, volume: 2 }), AddOutcome.Counted); // 32,020.00 + 2^53 / 100
    assert.equal(day.lines(Number.MAX_SAFE_INTEGER)[0]!.inflow, '90071992579429.920');
    assert.equal(addTo(day, { ...trade, id: 'T-1' }), AddOutcome.Duplicate, 'the ids came along');
  });
});

describe('CounterTradeIds', () => {
  it('answers checkScanned (trailing digits met while scanning forward) exactly like check (property)', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 200 }).map((n) => `A-${n}`),
      fc.string({ unit: fc.constantFrom('A', '-', '0', '1', '9'), maxLength: 20 }),
      fc.constantFrom('A00', 'A-01', '1234567890123456', '123456789012345', 'A', '', '7'),
    );
    fc.assert(
      fc.property(fc.array(id, { maxLength: 100 }), (ids) => {
        const counters = new CounterTradeIds();
        for (const text of ids) {
          const bytes = ASCII.encode(text);
          // The forward scan of fastStandardRow: digits since the last non-digit, and their value.
          let digitsStart = 0;
          let counter = 0;
          for (let i = 0; i < bytes.length; i++) {
            const d = (bytes[i] as number) - 48;
            if (d >= 0 && d <= 9) counter = counter * 10 + d;
            else {
              counter = 0;
              digitsStart = i + 1;
            }
          }
          const answer = counters.check(bytes, 0, bytes.length);
          assert.equal(counters.checkScanned(bytes, 0, digitsStart, bytes.length, counter), answer, text);
          if (answer >= 0) counters.add(answer, bytes, 0, bytes.length);
        }
      }),
      { seed: 78, numRuns: 300 },
    );
  });

  it('is the same set as TradeIdSet for any sequence of ids it accepts (property)', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 200 }).map((n) => `A${n}`),
      fc.integer({ min: 0, max: 2 ** 50 }).map((n) => `A${n}`),
      fc.constantFrom('A00', 'A01', 'B1', 'A', '7', 'A1a'),
    );
    fc.assert(
      fc.property(fc.array(id, { maxLength: 300 }), (ids) => {
        const counters = new CounterTradeIds();
        const reference = new TradeIdSet();
        for (const text of ids) {
          const bytes = ASCII.encode(text);
          const answer = counters.check(bytes, 0, bytes.length);
          if (answer === COUNTER_ID_UNSUPPORTED) continue; // such a day keeps its ids in a TradeIdSet
          const isNew = reference.add(text);
          assert.equal(answer !== COUNTER_ID_DUPLICATE, isNew, text);
          if (answer >= 0) counters.add(answer, bytes, 0, bytes.length);
        }
        const copy = new TradeIdSet();
        counters.copyInto(copy);
        assert.equal(copy.size, reference.size);
        assert.equal(counters.size, reference.size);
        for (const text of ids) if (reference.has(text)) assert.ok(copy.has(text), text);
      }),
      { seed: 77, numRuns: 300 },
    );
  });
});
