import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { calendarFor } from '../../calendar/trading-calendar.js';
import { parseDecimal } from '../../model/decimal.js';
import { Direction, type Trade } from '../../model/trade.js';
import { TradeFields } from '../trade-fields.js';
import { ExplainedTradeSides, type ExplainedSide } from './side-rules.js';
import { at, tradeOf } from './side-test-kit.js';
import { TradeSides } from './trade-sides.js';

const HK = calendarFor('HK').schedule('2024-06-14')!;

type Sides = { next: (...args: Parameters<TradeSides['next']>) => Direction | ExplainedSide };

function run<T>(sides: Sides, trades: readonly Trade[]): T[] {
  return trades.map((trade) => sides.next(TradeFields.of(trade)) as T);
}

function trade(time: string, price: string, volume: number, extra: Partial<Trade> = {}): Trade {
  return { symbol: '700.HK', timestamp: at(time), price: parseDecimal(price)!, volume, ...extra };
}

describe('ExplainedTradeSides', () => {
  it('names the rule behind each side (hand-computed day)', () => {
    const day = [
      trade('09:29:00', '319.0', 100), // first trade, no quotes: tick rule without a change → neutral
      trade('09:30:00', '320.0', 1000), // up-tick
      trade('09:31:00', '319.8', 300, { bid: parseDecimal('319.8'), ask: parseDecimal('320.0') }), // at the bid: quote rule
      trade('09:32:00', '330.0', 50, { tradeType: 'M' }), // off-exchange
      trade('09:33:00', '319.9', 100, { bid: parseDecimal('319.8'), ask: parseDecimal('320.0') }), // midpoint: falls to the tick rule (up from 319.8)
      trade('09:34:00', '319.7', 100, { tradeType: 'U' }), // auction print
      trade('09:35:00', '319.7', 100, { direction: Direction.Down }), // the feed's side
      trade('16:05:00', '330.0', 100), // closing-auction grace
    ];
    assert.deepEqual(run<ExplainedSide>(new ExplainedTradeSides(HK), day), [
      { direction: Direction.Neutral, rule: 'tick' },
      { direction: Direction.Up, rule: 'tick' },
      { direction: Direction.Down, rule: 'quote' },
      { direction: Direction.Neutral, rule: 'excluded' },
      { direction: Direction.Up, rule: 'tick' },
      { direction: Direction.Neutral, rule: 'auction' },
      { direction: Direction.Down, rule: 'feed' },
      { direction: Direction.Neutral, rule: 'neutral-window' },
    ]);
  });

  it('gives every trade the side TradeSides (the lines) gives it', () => {
    const times = ['09:20:00', '09:30:00', '10:15:30', '12:30:00', '13:00:00', '15:59:59', '16:00:00', '16:09:59', '16:30:00'];
    const tradeArb = fc.record({
      time: fc.constantFrom(...times),
      tenths: fc.integer({ min: 3150, max: 3250 }),
      volume: fc.integer({ min: 1, max: 5000 }),
      direction: fc.constantFrom<Direction | undefined>(undefined, undefined, undefined, Direction.Up, Direction.Down, Direction.Neutral),
      spread: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      tradeType: fc.constantFrom<string | undefined>(undefined, undefined, undefined, 'U', 'M', 'D'),
      method: fc.constantFrom<Trade['classification']>(undefined, 'tick', 'emo', 'clnv', 'lee-ready'),
    });
    fc.assert(
      fc.property(fc.array(tradeArb, { maxLength: 60 }), (specs) => {
        const trades: Trade[] = specs.map((spec) => tradeOf(spec, { units: BigInt(spec.tenths), scale: 1 }));
        const explained = run<ExplainedSide>(new ExplainedTradeSides(HK), trades).map((side) => side.direction);
        assert.deepEqual(explained, run<Direction>(new TradeSides(HK), trades));
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
