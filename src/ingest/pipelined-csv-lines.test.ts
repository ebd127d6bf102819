import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CsvRowReader, RECORD_RAW, RECORD_STRIDE, RECORD_SYMBOL, SYMBOL_FACTOR } from './csv-row-reader.js';
import { CsvLinesBuilder, csvFileToLines, type CsvLinesSummary } from './fast-csv-lines.js';
import { runReaderLoop } from './pipeline-reader-loop.js';
import { csvFileToLinesPipelined } from './pipelined-csv-lines.js';

import { HEADER, HK_OPEN, randomInput } from './csv-input-test-kit.js';

/** The reference: one builder pushed the whole input. */
function singleReader(bytes: Buffer): { builder: CsvLinesBuilder; summary: CsvLinesSummary } {
  const builder = new CsvLinesBuilder({ maxRejections: 10_000 });
  builder.push(bytes);
  return { builder, summary: builder.end() };
}

/** Both halves of the pipeline in this thread: the reader loop over `bytes`, each chunk applied as soon as it is published. */
function pipelineInOneThread(bytes: Buffer, chunkBytes: number, capacity: number, handOverBelow: number, held: () => number) {
  const builder = new CsvLinesBuilder({ maxRejections: 10_000 });
  const chunks = [0, 1, 2].map(() => ({ bytes: Buffer.alloc(chunkBytes), records: new Float64Array(capacity * RECORD_STRIDE) }));
  runReaderLoop(chunks, capacity, handOverBelow, {
    // A chunk taken again is overwritten: whatever still referred to its bytes would now see junk.
    acquire: (slot) => void chunks[slot]!.bytes.fill(0x37),
    read(target, at, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      bytes.copy(target, at, position, position + n);
      return n;
    },
    held,
    publish(slot, count) {
      builder.applyReadRecords(chunks[slot]!.bytes, chunks[slot]!.records, count);
    },
  });
  for (const chunk of chunks) chunk.bytes.fill(0x37);
  return { builder, summary: builder.end() };
}

function assertSameResult(actual: { builder: CsvLinesBuilder; summary: CsvLinesSummary }, expected: { builder: CsvLinesBuilder; summary: CsvLinesSummary }): void {
  assert.deepEqual(actual.summary, expected.summary);
  const days = actual.builder.days;
  assert.deepEqual([...days.keys()], [...expected.builder.days.keys()]);
  for (const [key, day] of expected.builder.days) {
    const other = days.get(key)!;
    assert.deepEqual(other.lines(Number.MAX_SAFE_INTEGER), day.lines(Number.MAX_SAFE_INTEGER), key);
    assert.deepEqual(other.totals(Number.MAX_SAFE_INTEGER), day.totals(Number.MAX_SAFE_INTEGER), key);
    assert.equal(other.tradeCount, day.tradeCount, key);
    assert.equal(other.duplicateCount, day.duplicateCount, key);
  }
}

describe('CsvRowReader', () => {
  it('reads canonical rows of known symbols into records and hands everything else over raw, in order', () => {
    const text =
      `${HEADER}\n` +
      `700.HK,${HK_OPEN + 1000},320.20,1000,up,T-1,320.1,320.3,\n` + // a new spelling: raw, then named
      `700.HK,${HK_OPEN + 2000},320.2,500,,T-2,,,\n` + // read
      `700.HK,${HK_OPEN + 3000},320.2,-5,,T-3,,,\n` + // bad volume: raw
      `700.HK,${HK_OPEN + 4000},"320.2",5,,T-4,,,\n` + // a quote: raw from here on
      `700.HK,${HK_OPEN + 5000},320.2,5,,T-5,,,\n`;
    const bytes = Buffer.from(text);
    const records = new Float64Array(64 * RECORD_STRIDE);
    const reader = new CsvRowReader();
    const count = reader.read(bytes, 0, bytes.length, records, 64);
    const lineStart = (n: number) => text.split('\n').slice(0, n).join('\n').length + (n > 0 ? 1 : 0);
    const record = (r: number) => Array.from(records.subarray(r * RECORD_STRIDE, (r + 1) * RECORD_STRIDE));
    assert.equal(count, 4);
    assert.deepEqual(record(0).slice(0, 3), [RECORD_RAW, 0, lineStart(2)]); // header and the first row
    assert.deepEqual(record(1).slice(0, 4), [RECORD_SYMBOL, 0, lineStart(1), lineStart(1) + 6]);
    const row = record(2);
    const idStart = text.indexOf('T-2');
    assert.deepEqual(row.slice(0, 7), [HK_OPEN + 2000, 3202, 500, -1, -1, 2, idStart + 0 * SYMBOL_FACTOR]);
    assert.equal(row[7]! & 15, 1); // price scale
    assert.equal((row[7]! >> 12) & 3, 0); // direction not given (+1)
    assert.equal((row[7]! >> 14) & 255, 3); // id length
    assert.equal((row[7]! >> 22) & 255, 2); // its digits start after "T-"
    // The bad row and, from the quote on, everything: one raw span.
    assert.deepEqual(record(3).slice(0, 3), [RECORD_RAW, lineStart(3), bytes.length]);
    assert.equal(reader.readsRows, false);
  });

  it('hands the rest of a chunk over raw when its records are full', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `5.HK,${HK_OPEN + i},1.5,1,,,,,`);
    const bytes = Buffer.from(`${HEADER}\n${rows.join('\n')}\n`);
    const records = new Float64Array(6 * RECORD_STRIDE);
    const count = new CsvRowReader().read(bytes, 0, bytes.length, records, 6);
    assert.ok(count <= 6);
    const last = Array.from(records.subarray((count - 1) * RECORD_STRIDE, count * RECORD_STRIDE));
    assert.equal(last[0], RECORD_RAW);
    assert.equal(last[2], bytes.length);
    assert.ok((last[1] as number) < bytes.length - 10 * 20, 'most rows went over raw');
  });
});

describe('csvFileToLinesPipelined', () => {
  it('ends in exactly the single reader’s state however the input is cut, parsed or handed over (property)', () => {
    fc.assert(
      fc.property(
        randomInput(),
        fc.integer({ min: 64, max: 700 }),
        fc.integer({ min: 5, max: 40 }),
        fc.constantFrom(-1, 1, 99),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        (text, chunkBytes, capacity, handOverBelow, heldAnswers) => {
          const bytes = Buffer.from(text);
          let k = 0;
          const held = () => heldAnswers[k++ % heldAnswers.length]!;
          assertSameResult(pipelineInOneThread(bytes, chunkBytes, capacity, handOverBelow, held), singleReader(bytes));
        },
      ),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it('gives csvFileToLines’s lines, counts and rejections across threads, chunk boundaries and hand-overs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-pipelined-'));
    try {
      const path = join(dir, 'day.csv');
      const rows: string[] = [HEADER];
      const symbols = ['700.HK', '5.HK', '00005.HK', 'AAPL.US', '600000.SH', '388.HK'];
      for (let i = 0; i < 3000; i++) {
        const symbol = symbols[i % symbols.length]!;
        const ts = symbol.endsWith('.US') ? Date.UTC(2024, 5, 14, 13, 30) + i * 7_000 : symbol.endsWith('.SH') ? Date.UTC(2024, 5, 14, 1, 30) + i * 3_000 : HK_OPEN + i * 5_000;
        const id = i % 97 === 0 ? `T-${i - 5}` : `T-${i}`; // some redeliveries
        const volume = i === 1500 ? '-5' : String(100 + (i % 37)); // one rejected row
        rows.push(`${symbol},${ts},${(100 + ((i * 7) % 13) / 10).toFixed(2)},${volume},${i % 4 === 0 ? 'up' : ''},${id},,,`);
      }
      rows.push(`700.HK,${HK_OPEN + 9},"320.2",5,,Q-1,,,`, `700.HK,${HK_OPEN + 10},320.2,5,,Q-2,,,`);
      writeFileSync(path, rows.join('\n') + '\n');
      const expected = await csvFileToLines(path, { maxRejections: 10_000 });
      assert.equal(expected.summary.rejected, 1);
      assert.ok(expected.summary.duplicates > 0);
      for (const handOverBelow of [-1, 1, 99]) {
        const actual = await csvFileToLinesPipelined(path, { maxRejections: 10_000, chunkBytes: 1024, chunks: 2, handOverBelow });
        assertSameResult(actual, expected);
      }
      const defaults = await csvFileToLinesPipelined(path, { maxRejections: 10_000 });
      assertSameResult(defaults, expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails like the single reader on a bad header or a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-pipelined-'));
    try {
      const path = join(dir, 'bad.csv');
      writeFileSync(path, 'symbol,price,volume\n700.HK,1,1\n');
      await assert.rejects(csvFileToLines(path), /missing required column timestamp/);
      await assert.rejects(csvFileToLinesPipelined(path), /missing required column timestamp/);
      await assert.rejects(csvFileToLinesPipelined(join(dir, 'absent.csv')), /ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
