import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction } from '../model/trade.js';
import { JsonNumberText, JsonOtherValue, type RawFields } from './raw-record.js';
import { formatRejection, parseTradeRecord } from './trade-parser.js';

const BASE: RawFields = { symbol: '700.HK', timestamp: '2024-03-01T09:30:00.250+08:00', price: '35.07', volume: '100' };

const SYMBOL_HINT = ' (expected TICKER.REGION, region HK, US, SH, SZ or SG)';

function rejection(fields: RawFields): string {
  const result = parseTradeRecord(7, fields);
  assert.equal(result.ok, false, JSON.stringify(fields));
  if (result.ok) return '';
  return formatRejection(result);
}

describe('parseTradeRecord', () => {
  it('builds a trade with normalised symbol, exact numbers and the market-local trading day', () => {
    const result = parseTradeRecord(2, {
      symbol: '00700.hk',
      timestamp: '2024-03-01T09:30:00.250+08:00',
      price: '35.070',
      volume: '100',
      direction: 'BUY',
      trade_id: ' T1 ',
      bid: '35.06',
      ask: '35.08',
      trade_type: 'U',
    });
    assert.deepEqual(result, {
      ok: true,
      date: '2024-03-01',
      trade: {
        symbol: '700.HK',
        timestamp: Date.UTC(2024, 2, 1, 1, 30, 0, 250),
        price: { units: 35070n, scale: 3 },
        volume: 100,
        direction: Direction.Up,
        tradeId: 'T1',
        bid: { units: 3506n, scale: 2 },
        ask: { units: 3508n, scale: 2 },
        tradeType: 'U',
      },
    });
  });

  it('leaves empty or absent optional fields out (direction not given means classify)', () => {
    const result = parseTradeRecord(2, { ...BASE, direction: '', trade_id: '', bid: '', ask: null, trade_type: '  ' });
    assert.ok(result.ok);
    assert.deepEqual(Object.keys(result.trade).sort(), ['price', 'symbol', 'timestamp', 'volume']);
  });

  it('reads every direction spelling', () => {
    const cases: Array<[string, Direction]> = [
      ['up', Direction.Up], ['Buy', Direction.Up], ['2', Direction.Up],
      ['DOWN', Direction.Down], ['sell', Direction.Down], ['1', Direction.Down],
      ['neutral', Direction.Neutral], ['0', Direction.Neutral],
    ];
    for (const [text, direction] of cases) {
      const result = parseTradeRecord(2, { ...BASE, direction: text });
      assert.ok(result.ok, text);
      assert.equal(result.trade.direction, direction, text);
    }
  });

  it('uses the trading day of the market time zone (US trade late in the New York evening)', () => {
    // 2024-03-02T00:30Z is 2024-03-01 19:30 in New York (EST)
    const result = parseTradeRecord(2, { ...BASE, symbol: 'AAPL.US', timestamp: '2024-03-02T00:30:00Z' });
    assert.ok(result.ok);
    assert.equal(result.date, '2024-03-01');
  });

  it('reads NDJSON numbers from their text, exactly', () => {
    const result = parseTradeRecord(3, {
      symbol: 'BRK.B.US',
      timestamp: new JsonNumberText('1709299800123'),
      price: new JsonNumberText('1234567890.123456789'),
      volume: new JsonNumberText('5'),
      direction: new JsonNumberText('1'),
      trade_id: new JsonNumberText('42'),
    });
    assert.ok(result.ok);
    assert.deepEqual(result.trade.price, { units: 1234567890123456789n, scale: 9 });
    assert.equal(result.trade.timestamp, 1709299800123);
    assert.equal(result.trade.volume, 5);
    assert.equal(result.trade.direction, Direction.Down);
    assert.equal(result.trade.tradeId, '42');
    assert.equal(result.trade.symbol, 'BRK.B.US');
  });

  it('names the line, the field and the reason of every rejection', () => {
    const cases: Array<[RawFields, string]> = [
      [{ ...BASE, symbol: '700' }, `line 7: symbol: malformed symbol "700"${SYMBOL_HINT}`],
      [{ ...BASE, symbol: '700.XX' }, `line 7: symbol: malformed symbol "700.XX"${SYMBOL_HINT}`],
      [{ ...BASE, symbol: 'A-B.US' }, `line 7: symbol: malformed symbol "A-B.US"${SYMBOL_HINT}`],
      [{ ...BASE, symbol: undefined as unknown as string }, 'line 7: symbol: missing'],
      [{ ...BASE, price: '0' }, 'line 7: price: must be positive, got "0"'],
      [{ ...BASE, price: '0.000' }, 'line 7: price: must be positive, got "0.000"'],
      [{ ...BASE, price: '-35.07' }, 'line 7: price: must be positive, got "-35.07"'],
      [{ ...BASE, price: '+35.07' }, 'line 7: price: must be written without a sign, got "+35.07"'],
      [{ ...BASE, price: '3.507e1' }, 'line 7: price: must be written without an exponent, got "3.507e1"'],
      [{ ...BASE, price: new JsonNumberText('1E2') }, 'line 7: price: must be written without an exponent, got "1E2"'],
      [{ ...BASE, price: 'abc' }, 'line 7: price: must be a positive decimal number, got "abc"'],
      [{ ...BASE, price: '1,5' }, 'line 7: price: must be a positive decimal number, got "1,5"'],
      [{ ...BASE, price: '' }, 'line 7: price: missing'],
      [{ ...BASE, price: new JsonOtherValue('boolean') }, 'line 7: price: must be a string or a number, not a JSON boolean'],
      [{ ...BASE, volume: '0' }, 'line 7: volume: must be positive, got "0"'],
      [{ ...BASE, volume: '100.5' }, 'line 7: volume: must be a whole number of shares, got "100.5"'],
      [{ ...BASE, volume: '-3' }, 'line 7: volume: must be a positive integer, got "-3"'],
      [{ ...BASE, volume: 'ten' }, 'line 7: volume: must be a positive integer, got "ten"'],
      [{ ...BASE, volume: '9007199254740993' }, 'line 7: volume: too large, got "9007199254740993"'],
      [
        { ...BASE, timestamp: '2024-03-01T09:30:00' },
        'line 7: timestamp: no UTC offset: ambiguous (add Z or an offset such as +08:00), got "2024-03-01T09:30:00"',
      ],
      [{ ...BASE, direction: 'sideways' }, 'line 7: direction: unknown direction "sideways" (up/buy/2, down/sell/1, neutral/0 or empty)'],
      [{ ...BASE, bid: '0' }, 'line 7: bid: must be positive, got "0"'],
      [{ ...BASE, ask: 'x' }, 'line 7: ask: must be a positive decimal number, got "x"'],
      [{ ...BASE, trade_id: 'x'.repeat(129) }, 'line 7: trade_id: longer than 128 characters'],
      [{ ...BASE, trade_type: new JsonOtherValue('array') }, 'line 7: trade_type: must be a string or a number, not a JSON array'],
    ];
    for (const [fields, expected] of cases) assert.equal(rejection(fields), expected);
  });
});
