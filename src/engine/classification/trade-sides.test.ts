import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { calendarFor } from '../../calendar/trading-calendar.js';
import { parseDecimal } from '../../model/decimal.js';
import { Direction, type Trade } from '../../model/trade.js';
import { computeDayLines } from '../day-flow.js';
import { TradeFields } from '../trade-fields.js';
import { at, tradeOf } from './side-test-kit.js';
import { TradeSides } from './trade-sides.js';

const HK = calendarFor('HK').schedule('2024-06-14')!;

function sidesOf(trades: readonly Trade[]): Direction[] {
  const sides = new TradeSides(HK);
  return trades.map((trade) => sides.next(TradeFields.of(trade)));
}

function trade(time: string, price: string, volume: number, extra: Partial<Trade> = {}): Trade {
  return { symbol: '700.HK', timestamp: at(time), price: parseDecimal(price)!, volume, ...extra };
}

describe('TradeSides', () => {
  it('gives each trade the side the lines count it on (hand-computed day)', () => {
    const day = [
      trade('09:29:00', '319.0', 100), // pre-open, first trade: no tick yet → neutral
      trade('09:30:00', '320.0', 1000), // up-tick from the pre-open print → up
      trade('09:30:30', '320.0', 500), // zero tick after an up move → up
      trade('09:31:00', '319.8', 300, { bid: parseDecimal('319.8'), ask: parseDecimal('320.0') }), // at the bid → down
      trade('09:32:00', '330.0', 50, { tradeType: 'M' }), // off-exchange: neutral, moves no tick state
      trade('09:33:00', '319.9', 100), // up-tick from 319.8 (the M print ignored) → up
      trade('09:34:00', '319.7', 100, { tradeType: 'U' }), // auction print without a side → neutral
      trade('09:35:00', '319.7', 100, { direction: Direction.Up }), // the feed's side wins
      trade('12:30:00', '319.5', 100), // lunch: no line, still classified (down-tick) → down
      trade('16:05:00', '330.0', 100), // closing-auction grace without a side → neutral
      trade('16:06:00', '329.0', 100, { direction: Direction.Down }), // grace with a side → down
    ];
    assert.deepEqual(sidesOf(day), [
      Direction.Neutral,
      Direction.Up,
      Direction.Up,
      Direction.Down,
      Direction.Neutral,
      Direction.Up,
      Direction.Neutral,
      Direction.Up,
      Direction.Down,
      Direction.Neutral,
      Direction.Down,
    ]);
  });

  it('relaying every trade with its side (and nothing else) gives the same lines', () => {
    // The property `capflow connect` relies on: a downstream server fed price, volume, time, type
    // and this side computes exactly the upstream's lines, whatever the quotes and trade types.
    const times = ['09:20:00', '09:30:00', '09:30:59.999', '10:15:30', '11:59:59', '12:30:00', '13:00:00', '15:59:59', '16:00:00', '16:09:59', '16:10:00', '16:30:00'];
    const priceArb = fc.integer({ min: 3150, max: 3250 }).map((tenths) => `${Math.floor(tenths / 10)}.${tenths % 10}`);
    const tradeArb = fc.record({
      time: fc.constantFrom(...times),
      price: priceArb,
      volume: fc.integer({ min: 1, max: 5000 }),
      direction: fc.constantFrom<Direction | undefined>(undefined, undefined, undefined, Direction.Up, Direction.Down, Direction.Neutral),
      spread: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      tradeType: fc.constantFrom<string | undefined>(undefined, undefined, undefined, 'U', 'M', 'D'),
      method: fc.constantFrom<Trade['classification']>(undefined, 'tick', 'emo', 'clnv'),
    });
    fc.assert(
      fc.property(fc.array(tradeArb, { maxLength: 60 }), (specs) => {
        const trades: Trade[] = specs.map((spec) => tradeOf(spec, parseDecimal(spec.price)!));
        const sides = sidesOf(trades);
        const relayed = trades.map((one, index) => ({
          symbol: one.symbol,
          timestamp: Math.floor(one.timestamp / 1000) * 1000, // the wire carries whole seconds
          price: one.price,
          volume: one.volume,
          direction: sides[index]!,
          ...(one.tradeType === undefined ? {} : { tradeType: one.tradeType }),
        }));
        const now = at('23:00:00');
        assert.deepEqual(computeDayLines(HK, relayed, now), computeDayLines(HK, trades, now));
      }),
      { seed: 20240614, numRuns: 300 },
    );
  });
});
