import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonObjectLine } from './json-line.js';
import { NdjsonRecordParser } from './ndjson-record-parser.js';
import { JsonNumberText, JsonOtherValue, MAX_RECORD_CHARS, type SourceItem } from './raw-record.js';

describe('parseJsonObjectLine', () => {
  it('keeps number tokens as their exact text, beyond what a double holds', () => {
    const result = parseJsonObjectLine(
      '{"symbol":"AAPL.US","price":1234567890.123456789,"volume":100,"timestamp":1709299800123,"bid":0.10}',
    );
    assert.deepEqual(result, {
      ok: true,
      fields: {
        symbol: 'AAPL.US',
        price: new JsonNumberText('1234567890.123456789'),
        volume: new JsonNumberText('100'),
        timestamp: new JsonNumberText('1709299800123'),
        bid: new JsonNumberText('0.10'),
      },
    });
    // what JSON.parse would have produced instead
    assert.notEqual(String(JSON.parse('1234567890.123456789')), '1234567890.123456789');
  });

  it('decodes string escapes and keeps null, booleans and nested values apart', () => {
    const result = parseJsonObjectLine(
      '{ "symbol" : "70\\u0030.HK", "trade_id": "a\\"b\\\\c\\/", "bid": null, "ask": true, "trade_type": {"x":[1,{"y":null}]}, "direction": [] }',
    );
    assert.deepEqual(result, {
      ok: true,
      fields: {
        symbol: '700.HK',
        trade_id: 'a"b\\c/',
        bid: null,
        ask: new JsonOtherValue('boolean'),
        trade_type: new JsonOtherValue('object'),
        direction: new JsonOtherValue('array'),
      },
    });
  });

  it('skips unknown keys with any value', () => {
    assert.deepEqual(parseJsonObjectLine('{"venue":{"a":[1,2,-3.5e+7]},"symbol":"X.US","extra":false}'), {
      ok: true,
      fields: { symbol: 'X.US' },
    });
  });

  it('keeps signs and exponents in number text for the validator to reject', () => {
    assert.deepEqual(parseJsonObjectLine('{"price":-1.5,"volume":1e3}'), {
      ok: true,
      fields: { price: new JsonNumberText('-1.5'), volume: new JsonNumberText('1e3') },
    });
  });

  it('rejects malformed lines with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['[1,2]', /not a JSON object/],
      ['{"symbol":"700.HK"', /expected ',' or '}'/],
      ['{"symbol":"700.HK",}', /expected a string key/],
      ['{"price":01}', /expected ',' or '}'/],
      ['{"price":1.}', /malformed number/],
      ['{"symbol":"a\\x"}', /malformed escape/],
      ['{"symbol":"abc}', /unterminated string/],
      ['{"price":1} x', /unexpected text after the object/],
      ['{"price":1,"price":2}', /key 'price' appears twice/],
      ['{"symbol":nul}', /expected a value/],
    ];
    for (const [line, reason] of cases) {
      const result = parseJsonObjectLine(line);
      assert.equal(result.ok, false, line);
      if (!result.ok) assert.match(result.reason, reason, line);
    }
  });
});

describe('NdjsonRecordParser', () => {
  function readAll(chunks: string[]): SourceItem[] {
    const parser = new NdjsonRecordParser();
    const items: SourceItem[] = [];
    for (const chunk of chunks) items.push(...parser.push(chunk));
    items.push(...parser.end());
    return items;
  }

  it('numbers records by line, skips blank lines and goes on after a malformed line', () => {
    const text = '\uFEFF{"symbol":"700.HK"}\r\n\n   \n{bad\n{"symbol":"AAPL.US"}';
    const items = readAll([text]);
    assert.deepEqual(items, [
      { line: 1, fields: { symbol: '700.HK' } },
      { line: 4, error: 'malformed JSON at column 2: expected a string key' },
      { line: 5, fields: { symbol: 'AAPL.US' } },
    ]);
    assert.deepEqual(readAll([...text]), items, 'one char at a time');
  });

  it('rejects an overlong line without buffering it and reads the next one', () => {
    const long = `{"symbol":"${'A'.repeat(MAX_RECORD_CHARS)}"}`;
    const items = readAll([long.slice(0, 1000), long.slice(1000), '\n{"symbol":"X.US"}\n']);
    assert.deepEqual(items, [
      { line: 1, error: `line longer than ${MAX_RECORD_CHARS} characters` },
      { line: 2, fields: { symbol: 'X.US' } },
    ]);
  });

  it('rejects a line just over the limit however it is chunked, and accepts one at the limit', () => {
    const over = `{"symbol":"${'A'.repeat(MAX_RECORD_CHARS - 12)}"}`; // MAX_RECORD_CHARS + 1 characters
    const atLimit = over.replace('AA', 'A');
    const text = `${over}\n${atLimit}\n`;
    const expected = [
      { line: 1, error: `line longer than ${MAX_RECORD_CHARS} characters` },
      { line: 2, fields: { symbol: 'A'.repeat(MAX_RECORD_CHARS - 13) } },
    ];
    assert.equal(over.length, MAX_RECORD_CHARS + 1);
    assert.deepEqual(readAll([text]), expected, 'in one chunk');
    assert.deepEqual(readAll([text.slice(0, 5000), text.slice(5000, MAX_RECORD_CHARS), text.slice(MAX_RECORD_CHARS)]), expected, 'in three');
  });
});
