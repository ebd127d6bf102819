import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFor } from '../calendar/trading-calendar.js';
import { Direction, type Trade } from '../model/trade.js';
import { MethodCode } from './classification/classify.js';
import { AddOutcome, DayFlow } from './day-flow.js';
import { DIRECTION_NOT_GIVEN, QUOTE_ABSENT, TradeFields, tradeFields } from './trade-fields.js';

const HK = calendarFor('HK').schedule('2024-06-14')!;
const at = (time: string): number => Date.parse(`2024-06-14T${time}+08:00`);

describe('TradeFields', () => {
  it('takes a Trade object exactly: scaled units, BigInt only beyond 2^53, absent quotes and direction marked', () => {
    const fields = new TradeFields().setTrade({
      symbol: '700.HK',
      timestamp: at('10:00:00'),
      price: { units: 9007199254740993n, scale: 3 }, // 2^53 + 1: not a safe Number
      volume: 300,
      bid: { units: 32018n, scale: 2 },
      classification: 'emo',
      tradeType: 'U',
      tradeId: 'T-1',
    });
    assert.equal(fields.timestampMs, at('10:00:00'));
    assert.equal(fields.priceUnits, 9007199254740993n);
    assert.equal(fields.priceScale, 3);
    assert.equal(fields.volume, 300);
    assert.equal(fields.direction, DIRECTION_NOT_GIVEN);
    assert.equal(fields.bidUnits, 32018);
    assert.equal(fields.bidScale, 2);
    assert.equal(fields.askUnits, QUOTE_ABSENT);
    assert.equal(fields.method, MethodCode.Emo);
    assert.equal(fields.tradeType, 'U');
    assert.equal(fields.idText(), undefined, 'a Trade keeps its id as a string: the record holds none');
  });

  it('names its id by a byte range, read back as text; copies every field', () => {
    const bytes = new TextEncoder().encode('..X-42..');
    const fields = tradeFields({ timestampMs: 5, priceUnits: 1000, priceScale: 2, volume: 7, direction: Direction.Up });
    fields.setId(bytes, 2, 6);
    assert.equal(fields.idText(), 'X-42');
    assert.equal(fields.idDigitsStart, -1, 'digits not scanned');
    const copy = new TradeFields();
    copy.copyFrom(fields);
    assert.deepEqual({ ...copy }, { ...fields });
    assert.equal(tradeFields({ id: 'abc' }).idText(), 'abc');
  });
});

describe('DayFlow.addTrade', () => {
  it('counts a record as add counts the same trade object, and leaves the record as it was', () => {
    const trades: Trade[] = [
      { symbol: '700.HK', timestamp: at('10:00:00'), price: { units: 1000n, scale: 2 }, volume: 100, direction: Direction.Up, tradeId: 'a' },
      // an auction print without a side: neutral, though the record says "not given"
      { symbol: '700.HK', timestamp: at('10:00:01'), price: { units: 1010n, scale: 2 }, volume: 100, tradeType: 'U', tradeId: 'b' },
      // up-tick from 10.10 (the auction print moved the tick state): +10.20 × 100
      { symbol: '700.HK', timestamp: at('10:00:02'), price: { units: 1020n, scale: 2 }, volume: 100, tradeId: 'c' },
      // off-exchange: counted nowhere
      { symbol: '700.HK', timestamp: at('10:00:03'), price: { units: 1n, scale: 0 }, volume: 100, tradeType: 'M', tradeId: 'd' },
      { symbol: '700.HK', timestamp: at('10:00:04'), price: { units: 1000n, scale: 2 }, volume: 100, direction: Direction.Down, tradeId: 'a' },
    ];
    const byObjects = new DayFlow(HK);
    const byRecords = new DayFlow(HK);
    const record = new TradeFields();
    const outcomes = trades.map((trade) => {
      const expected = byObjects.add(trade);
      record.setTrade(trade);
      const id = new TextEncoder().encode(trade.tradeId ?? '');
      record.setId(id, 0, id.length);
      const before = { ...record };
      const got = byRecords.addTrade(record);
      assert.deepEqual({ ...record }, before, 'the caller may refill its record: the day keeps nothing of it and changes nothing');
      assert.equal(got, expected);
      return got;
    });
    assert.deepEqual(outcomes, [AddOutcome.Counted, AddOutcome.Counted, AddOutcome.Counted, AddOutcome.Excluded, AddOutcome.Duplicate]);
    const end = Number.MAX_SAFE_INTEGER;
    assert.deepEqual(byRecords.lines(end), byObjects.lines(end));
    assert.deepEqual(byRecords.detailLines(end), byObjects.detailLines(end));
    assert.equal(byRecords.lines(end)[30]?.inflow, '2020.000'); // 10:00 line: 10.00 × 100 + 10.20 × 100
  });

  it('takes an odd quote as absent without changing the caller\'s record', () => {
    const day = new DayFlow(HK);
    const record = tradeFields({ timestampMs: at('10:00:00'), priceUnits: 1000, priceScale: 2, volume: 100, bidUnits: 999, bidScale: 99, askUnits: 1001, askScale: 2 });
    assert.equal(day.addTrade(record), AddOutcome.Counted);
    assert.equal(record.bidUnits, 999);
    assert.equal(record.bidScale, 99);
    // No usable quotes and no tick yet: neutral, nothing counted.
    assert.equal(day.lines(Number.MAX_SAFE_INTEGER)[30]?.inflow, '0.000');
  });
});
