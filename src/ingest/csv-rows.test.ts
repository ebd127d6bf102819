import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapflowError } from '../model/errors.js';
import { CsvRows, type CsvRow } from './csv-rows.js';

/** Reads `text` in chunks of `size` characters (the whole text at once without a size). */
function rowsOf(text: string, size = text.length || 1, rows = new CsvRows('t.csv')): Array<[number, string[], string?]> {
  const out: CsvRow[] = [];
  for (let offset = 0; offset < text.length; offset += size) out.push(...rows.push(text.slice(offset, offset + size)));
  out.push(...rows.end());
  return out.map((row) => (row.error === undefined ? [row.line, row.values] : [row.line, row.values, row.error]));
}

describe('CsvRows', () => {
  it('reads quoted fields, CRLF and chunk boundaries', () => {
    const rows = new CsvRows();
    const out = [...rows.push('a,"b,1"\r\n"x""y",'), ...rows.push('z\n\n"multi\nline",2\n'), ...rows.end()];
    assert.deepEqual(
      out.map((row) => [row.line, row.values]),
      [
        [1, ['a', 'b,1']],
        [2, ['x"y', 'z']],
        [4, ['multi\nline', '2']],
      ],
    );
  });

  it('gives the same records and lines for every chunking, with LF, CRLF or lone CR inside and between records', () => {
    const text = '\uFEFFa,b\r\n"1\r\n2",x\r"3\r4"\n\n,\r\nlast,"q""q"';
    const expected = [
      [1, ['a', 'b']],
      [2, ['1\r\n2', 'x']],
      [4, ['3\r4']],
      [7, ['', '']],
      [8, ['last', 'q"q']],
    ];
    // "3\r4" then LF: the record starts on line 4 (the lone CR inside it is a line break), its LF ends line 5; line 6 is blank.
    for (const size of [1, 2, 3, 5, 7, 64]) assert.deepEqual(rowsOf(text, size), expected, `chunks of ${size}`);
  });

  it('keeps any number of columns with no header semantics', () => {
    assert.deepEqual(rowsOf('x\n1,2,3\n4\n'), [
      [1, ['x']],
      [2, ['1', '2', '3']],
      [3, ['4']],
    ]);
  });

  it('flags a malformed record and goes on with the next', () => {
    assert.deepEqual(rowsOf('"a"b,c\nok,1\n"open'), [
      [1, ['', 'c'], 'unexpected character after a closing quote (field 1)'],
      [2, ['ok', '1']],
      [3, ['open'], 'unterminated quoted field (field 1)'],
    ]);
  });

  it('numbers the rest of an input taken over from another reader from the given line, BOM included as data', () => {
    assert.deepEqual(rowsOf('\uFEFFa,b\n"c\nd"\n', 4, CsvRows.continuing('t.csv', 41)), [
      [41, ['\uFEFFa', 'b']],
      [42, ['c\nd']],
    ]);
  });

  it('fails the input at a runaway record, naming the line it starts on', () => {
    const rows = new CsvRows('big.csv');
    rows.push('a\n"');
    assert.throws(
      () => {
        for (let k = 0; k < 1100; k++) rows.push('9'.repeat(1000));
      },
      (error: unknown) => error instanceof CapflowError && /big\.csv: line 2: record longer than 1048576 characters/.test(error.message),
    );
  });
});
