import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFor } from '../../calendar/trading-calendar.js';
import { Direction, type Trade } from '../../model/trade.js';
import { AddOutcome, DayFlow } from '../day-flow.js';
import { clnvRule, emoRule, MethodCode, quoteRule, SequentialClassifier, tickRule } from './classify.js';
import { TradeTypeTreatment, tradeTypeTreatment } from './trade-type-policy.js';
import { tradeFields } from '../trade-fields.js';

const { Up, Down, Neutral } = Direction;
// Quotes bid 10.00, ask 10.10 (units at scale 2): spread 10 cents, 30 % of it is 3 cents.
const BID = 1000;
const ASK = 1010;
/** A trade at `price` (scale `scale`) between those quotes. */
const quoted = (price: number, scale = 2) => tradeFields({ priceUnits: price, priceScale: scale, bidUnits: BID, bidScale: 2, askUnits: ASK, askScale: 2 });
const at = (price: number, rule: typeof quoteRule): Direction | undefined => rule(quoted(price));

describe('classification rules', () => {
  it('tick rule: up-tick, down-tick, zero tick takes the last change', () => {
    assert.equal(tickRule(1, Neutral), Up);
    assert.equal(tickRule(-1, Up), Down);
    assert.equal(tickRule(0, Down), Down);
    assert.equal(tickRule(0, Neutral), Neutral);
  });

  it('quote rule (Lee–Ready): at/above ask up, at/below bid down, else by the midpoint 10.05', () => {
    assert.deepEqual([1011, 1010, 1006, 1005, 1004, 1000, 999].map((p) => at(p, quoteRule)), [Up, Up, Up, undefined, Down, Down, Down]);
  });

  it('EMO: only exactly at the ask or the bid; anything else falls to the tick rule', () => {
    assert.deepEqual([1011, 1010, 1009, 1005, 1001, 1000, 999].map((p) => at(p, emoRule)), [undefined, Up, undefined, undefined, undefined, Down, undefined]);
    assert.equal(emoRule(tradeFields({ priceUnits: 1000, priceScale: 2, bidUnits: 1000, bidScale: 2, askUnits: 1000, askScale: 2 })), undefined); // locked quotes decide nothing
  });

  it('CLNV: top three deciles (10.07–10.10) up, bottom three (10.00–10.03) down, middle and outside to the tick rule', () => {
    assert.deepEqual(
      [1011, 1010, 1007, 1006, 1005, 1004, 1003, 1000, 999].map((p) => at(p, clnvRule)),
      [undefined, Up, Up, undefined, undefined, undefined, Down, Down, undefined],
    );
    // Mixed scales: price 10.071 (scale 3) is above 10.07, so inside the top 30 %.
    assert.equal(clnvRule(quoted(10071, 3)), Up);
    assert.equal(clnvRule(quoted(10069, 3)), undefined);
  });

  it('each method classifies the same stream in its own way, sharing the tick state', () => {
    // Prices 10.05 (first: no tick), 10.06 (up-tick), 10.06 (zero tick: last change up), 10.02.
    const stream = [1005, 1006, 1006, 1002];
    const run = (method: number): Direction[] => {
      const classifier = new SequentialClassifier();
      return stream.map((price) => classifier.next(Object.assign(quoted(price), { method })));
    };
    assert.deepEqual(run(MethodCode.LeeReady), [Neutral, Up, Up, Down]); // 10.05 at the midpoint: tick, none yet
    assert.deepEqual(run(MethodCode.Tick), [Neutral, Up, Up, Down]);
    assert.deepEqual(run(MethodCode.Emo), [Neutral, Up, Up, Down]); // 10.02 not at the bid: down-tick
    assert.deepEqual(run(MethodCode.Clnv), [Neutral, Up, Up, Down]); // 10.02 in the bottom 30 %
    const classifier = new SequentialClassifier();
    assert.deepEqual([1008, 1004, 1004].map((p) => classifier.next(Object.assign(quoted(p), { method: MethodCode.Emo }))), [Neutral, Down, Down]);
  });
});

describe('DayFlow with per-trade methods and trade types', () => {
  const schedule = calendarFor('HK').schedule('2024-06-14');
  assert.ok(schedule);
  const t = (minute: string, price: string, volume: number, extra: Partial<Trade> = {}): Trade => {
    const [units, fraction = ''] = price.split('.');
    return {
      symbol: '700.HK',
      timestamp: Date.parse(`2024-06-14T${minute}+08:00`),
      price: { units: BigInt(`${units}${fraction}`), scale: fraction.length },
      volume,
      ...extra,
    };
  };
  const quotes = { bid: { units: 10000n, scale: 2 }, ask: { units: 10100n, scale: 2 } }; // 100.00 / 101.00

  it('classifies each trade by its recorded method', () => {
    const day = new DayFlow(schedule);
    day.add(t('09:30:01', '100.50', 100, { ...quotes })); // LR: midpoint, no tick yet: neutral
    day.add(t('09:30:02', '100.80', 100, { ...quotes, classification: 'emo' })); // EMO: inside: up-tick: up +10,080
    day.add(t('09:30:03', '100.20', 100, { ...quotes, classification: 'clnv' })); // CLNV: bottom 30 %: down -10,020
    day.add(t('09:30:04', '100.60', 100, { ...quotes, classification: 'tick' })); // tick: up-tick: up +10,060
    day.add(t('09:30:05', '100.40', 100, { ...quotes })); // LR: below midpoint: down -10,040
    assert.equal(day.lines(schedule.dayEndMs)[0]?.inflow, '80.000');
  });

  it('makes auction prints without a side neutral, keeps a given side, and leaves off-exchange trades out', () => {
    const day = new DayFlow(schedule);
    day.add(t('09:30:01', '100', 10));
    assert.equal(day.add(t('09:30:02', '101', 10, { tradeType: 'U' })), AddOutcome.Counted); // neutral; still a tick
    day.add(t('09:30:03', '101', 10)); // zero tick after the auction print's up-tick: up +1,010
    assert.equal(day.add(t('09:30:04', '90', 1000, { tradeType: 'X' })), AddOutcome.Excluded);
    day.add(t('09:30:05', '101', 10, { tradeType: 'U', direction: Direction.Down })); // given side counts: -1,010
    day.add(t('09:30:06', '102', 5, { tradeType: 'D' })); // odd lot, up-tick: +510
    assert.equal(day.lines(schedule.dayEndMs)[0]?.inflow, '510.000');
    assert.equal(day.excludedCount, 1);
  });

  it('documents the per-market trade-type policy', () => {
    assert.equal(tradeTypeTreatment('HK', 'U'), TradeTypeTreatment.Auction);
    assert.equal(tradeTypeTreatment('HK', 'D'), TradeTypeTreatment.Regular);
    assert.equal(tradeTypeTreatment('HK', 'M'), TradeTypeTreatment.Excluded);
    assert.equal(tradeTypeTreatment('US', 'I'), TradeTypeTreatment.Regular);
    assert.equal(tradeTypeTreatment('US', '6'), TradeTypeTreatment.Auction);
    assert.equal(tradeTypeTreatment('CN', 'U'), TradeTypeTreatment.Auction);
    assert.equal(tradeTypeTreatment('CN', ''), TradeTypeTreatment.Regular);
  });
});
