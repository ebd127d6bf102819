import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapflowError } from '../model/errors.js';
import { CsvRecordParser } from './csv-record-parser.js';
import type { SourceItem } from './raw-record.js';

function readAll(text: string, chunkSizes?: number[]): SourceItem[] {
  const parser = new CsvRecordParser('test.csv');
  const items: SourceItem[] = [];
  if (chunkSizes === undefined) {
    items.push(...parser.push(text));
  } else {
    let offset = 0;
    let k = 0;
    while (offset < text.length) {
      const size = chunkSizes[k++ % chunkSizes.length] as number;
      items.push(...parser.push(text.slice(offset, offset + size)));
      offset += size;
    }
  }
  items.push(...parser.end());
  return items;
}

const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type';

describe('CsvRecordParser', () => {
  it('reads columns by header name and ignores extra columns, in any order', () => {
    const items = readAll('note,volume,price,timestamp,symbol\nhello,100,35.07,1700000000000,700.HK\n');
    assert.deepEqual(items, [
      { line: 2, fields: { volume: '100', price: '35.07', timestamp: '1700000000000', symbol: '700.HK' } },
    ]);
  });

  it('unquotes fields with commas, doubled quotes and line breaks, counting lines from the header', () => {
    const text =
      `${HEADER}\n` +
      '"700.HK","2024-03-01T09:30:00+08:00","35.07",100,up,"id,1","","","say ""U"""\n' +
      '700.HK,2024-03-01T09:31:00+08:00,35.08,200,down,"multi\nline\r\nid",,,\n' +
      '700.HK,2024-03-01T09:32:00+08:00,35.09,300,,,,,\n';
    const items = readAll(text);
    assert.deepEqual(items, [
      {
        line: 2,
        fields: {
          symbol: '700.HK',
          timestamp: '2024-03-01T09:30:00+08:00',
          price: '35.07',
          volume: '100',
          direction: 'up',
          trade_id: 'id,1',
          bid: '',
          ask: '',
          trade_type: 'say "U"',
        },
      },
      {
        line: 3,
        fields: {
          symbol: '700.HK',
          timestamp: '2024-03-01T09:31:00+08:00',
          price: '35.08',
          volume: '200',
          direction: 'down',
          trade_id: 'multi\nline\r\nid',
          bid: '',
          ask: '',
          trade_type: '',
        },
      },
      // the quoted field spans lines 3-5, so this record starts on line 6
      {
        line: 6,
        fields: {
          symbol: '700.HK',
          timestamp: '2024-03-01T09:32:00+08:00',
          price: '35.09',
          volume: '300',
          direction: '',
          trade_id: '',
          bid: '',
          ask: '',
          trade_type: '',
        },
      },
    ]);
  });

  it('accepts CRLF line ends, a UTF-8 BOM, blank lines and a last line without a line break', () => {
    const text = '\uFEFFsymbol,timestamp,price,volume\r\n700.HK,1,2.5,10\r\n\r\nAAPL.US,2,3,20';
    assert.deepEqual(readAll(text), [
      { line: 2, fields: { symbol: '700.HK', timestamp: '1', price: '2.5', volume: '10' } },
      { line: 4, fields: { symbol: 'AAPL.US', timestamp: '2', price: '3', volume: '20' } },
    ]);
  });

  it('treats a lone CR as a line break', () => {
    assert.deepEqual(readAll('symbol,timestamp,price,volume\r700.HK,1,2,3\r'), [
      { line: 2, fields: { symbol: '700.HK', timestamp: '1', price: '2', volume: '3' } },
    ]);
  });

  it('gives the same records whatever the chunk boundaries are', () => {
    const text =
      `\uFEFF${HEADER}\r\n` +
      '"700.HK","2024-03-01T09:30:00+08:00","35.07",100,up,"a ""b"" c","1","2",U\r\n' +
      '\r\n' +
      '9988.HK,1,2,3,,"x\r\ny",,,\n' +
      'AAPL.US,5,6,7\r' +
      'MSFT.US,8,9,10';
    const whole = readAll(text);
    assert.equal(whole.length, 4);
    for (let size = 1; size <= 7; size++) assert.deepEqual(readAll(text, [size]), whole, `chunks of ${size}`);
    for (let cut = 1; cut < text.length; cut++) assert.deepEqual(readAll(text, [cut, text.length]), whole, `cut at ${cut}`);
  });

  it('rejects only the record with text after a closing quote or too many fields, and goes on', () => {
    const text = 'symbol,timestamp,price,volume\n"700.HK"x,1,2,3\n700.HK,1,2,3,4\n700.HK,1,2,3\n';
    assert.deepEqual(readAll(text), [
      { line: 2, error: 'unexpected character after a closing quote (field 1)' },
      { line: 3, error: 'has 5 fields but the header has 4' },
      { line: 4, fields: { symbol: '700.HK', timestamp: '1', price: '2', volume: '3' } },
    ]);
  });

  it('leaves optional columns absent when a record has fewer fields than the header', () => {
    assert.deepEqual(readAll(`${HEADER}\n700.HK,1,2,3\n`), [
      { line: 2, fields: { symbol: '700.HK', timestamp: '1', price: '2', volume: '3' } },
    ]);
  });

  it('reports an unterminated quote at the end of the input as a rejected record', () => {
    assert.deepEqual(readAll('symbol,timestamp,price,volume\n700.HK,1,2,"3\n'), [
      { line: 2, error: 'unterminated quoted field (field 4)' },
    ]);
  });

  it('fails the file at a runaway quoted field instead of buffering the rest of it', () => {
    const parser = new CsvRecordParser('big.csv');
    parser.push('symbol,timestamp,price,volume\n700.HK,1,2,3\n700.HK,1,"2,3\n');
    const filler = `${'9'.repeat(1023)}\n`;
    assert.throws(
      () => {
        for (let k = 0; k < 2048; k++) parser.push(filler);
      },
      (error: unknown) =>
        error instanceof CapflowError && /big\.csv: line 3: record longer than 1048576 characters \(unterminated quote\?\)/.test(error.message),
    );
  });

  it('fails the whole file when a required column is missing, naming it', () => {
    assert.throws(
      () => readAll('symbol,timestamp,volume,direction\n700.HK,1,2,up\n'),
      (error: unknown) => error instanceof CapflowError && /test\.csv: header: missing required column price/.test(error.message),
    );
    assert.throws(
      () => readAll('symbol,timestamp,direction\n'),
      (error: unknown) => error instanceof CapflowError && /missing required columns price, volume/.test(error.message),
    );
  });

  it('matches header names case-insensitively and ignoring spaces, and refuses a column named twice', () => {
    assert.deepEqual(readAll(' Symbol ,TIMESTAMP,Price,Volume\n700.HK,1,2,3\n'), [
      { line: 2, fields: { symbol: '700.HK', timestamp: '1', price: '2', volume: '3' } },
    ]);
    assert.throws(() => readAll('symbol,timestamp,price,volume,price\n'), /column 'price' appears twice/);
  });

  it('yields nothing for an empty input or a header alone', () => {
    assert.deepEqual(readAll(''), []);
    assert.deepEqual(readAll(`${HEADER}\r\n`), []);
  });
});
