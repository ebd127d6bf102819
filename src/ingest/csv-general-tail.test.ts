import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvGeneralTail } from './csv-general-tail.js';
import type { SourceItem } from './raw-record.js';

const HEADER = 'symbol,timestamp,price,volume,trade_id';

function byteByByte(tail: CsvGeneralTail, text: string): SourceItem[] {
  const bytes = Buffer.from(text, 'utf8');
  const items: SourceItem[] = [];
  for (let k = 0; k < bytes.length; k++) items.push(...tail.push(bytes.subarray(k, k + 1)));
  items.push(...tail.end());
  return items;
}

describe('CsvGeneralTail', () => {
  it('takes over after the header on the given line, decoding characters split across pushes', () => {
    const items = byteByByte(new CsvGeneralTail('f.csv', HEADER, 7), '700.HK,1,"35.0",100,"idé\n2"\n700.HK,2,35,1,x');
    assert.deepEqual(items, [
      { line: 7, fields: { symbol: '700.HK', timestamp: '1', price: '35.0', volume: '100', trade_id: 'idé\n2' } },
      { line: 9, fields: { symbol: '700.HK', timestamp: '2', price: '35', volume: '1', trade_id: 'x' } },
    ]);
  });

  it('reads a whole input, header included, when taking over from the start', () => {
    assert.deepEqual(byteByByte(new CsvGeneralTail('f.csv', '', 1), `"symbol",timestamp,price,volume\n"a""b",1,2,3\n`), [
      { line: 2, fields: { symbol: 'a"b', timestamp: '1', price: '2', volume: '3' } },
    ]);
  });
});
