import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CsvLinesBuilder, csvFileToLines, symbolPartition } from './fast-csv-lines.js';
import { csvFileToLinesParallel } from './parallel-csv-lines.js';

const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type';
// HK 2024-06-14 09:30 local = 01:30 UTC.
const OPEN = Date.UTC(2024, 5, 14, 1, 30);

/** A day of several symbols with redeliveries, spellings, bad rows (a field too many, a bad volume) and, after row 40, a quoted field. */
function sampleCsv(): string {
  const rows = [HEADER];
  const symbols = ['700.HK', '00005.HK', '5.HK', '388.HK', '9988.HK', '1299.HK', 'AAPL.US', 'X Y.HK'];
  for (let i = 0; i < 80; i++) {
    const symbol = symbols[i % symbols.length] as string;
    const price = (100 + ((i * 7) % 13) / 10).toFixed(1);
    const id = i % 5 === 0 ? `t${i % 20}` : ''; // t0 … t15 come back: redeliveries
    const direction = i % 4 === 0 ? 'up' : '';
    const quoted = i > 40 && i % 9 === 0 ? `"${symbol}"` : symbol;
    const volume = i === 17 ? '-5' : String(100 + i); // one bad volume
    const extra = i === 23 || i === 30 ? ',surplus' : ''; // more fields than the header: rejected by one part only
    rows.push(`${quoted},${OPEN + i * 37_000},${price},${volume},${direction},${id},,,${extra}`);
  }
  return rows.join('\n') + '\n';
}

describe('csvFileToLinesParallel', () => {
  it('spreads symbols over parts so that every symbol, however spelled, has exactly one part', () => {
    assert.equal(symbolPartition('5.HK', 3), symbolPartition('5.HK', 3));
    const parts = new Set(['700.HK', '5.HK', '388.HK', '9988.HK', '1299.HK', 'AAPL.US'].map((s) => symbolPartition(s, 3)));
    assert.ok(parts.size >= 2, 'the sample symbols fall in more than one part');
  });

  it('gives exactly the lines, counts and rejections of the single reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-parallel-'));
    try {
      const path = join(dir, 'day.csv');
      writeFileSync(path, sampleCsv());
      const single = await csvFileToLines(path, { maxRejections: 1000 });
      for (const workers of [2, 3]) {
        const parallel = await csvFileToLinesParallel(path, { workers, maxRejections: 1000 });
        assert.deepEqual([...parallel.days.keys()].sort(), [...single.builder.days.keys()].sort());
        for (const [key, day] of single.builder.days) assert.deepEqual(parallel.days.get(key), day.lines(Number.MAX_SAFE_INTEGER), key);
        const { rejections, ...counts } = parallel.summary;
        const { rejections: expectedRejections, ...expectedCounts } = single.summary;
        assert.deepEqual(counts, expectedCounts);
        assert.deepEqual(rejections, expectedRejections);
      }
      // Hand-checked: 80 records, the negative volume and the two 'X Y.HK' … rows rejected, 4 redeliveries.
      assert.equal(single.summary.records, 80);
      assert.ok(single.summary.rejected >= 2);
      assert.ok(single.summary.duplicates >= 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CsvLinesBuilder partitions', () => {
  it('together read exactly what one reader does, whatever the rows and the chunk boundaries (property)', () => {
    // Rows of several parts' symbols, with the shapes that make a reader look twice: a field too
    // many or too few, a quote, a lone CR, a bad number, a trade type, a redelivered id.
    const row = fc
      .tuple(
        fc.constantFrom('700.HK', '5.HK', '00005.HK', '388.HK', '9988.HK', 'AAPL.US', 'BAD', 'X Y.HK'),
        fc.integer({ min: 0, max: 400 }).map((k) => String(OPEN - 60_000 + k * 25_000)),
        fc.constantFrom('320.2', '320.4', '7', '1.25', '0', 'x'),
        fc.constantFrom('100', '2500', '-5'),
        fc.constantFrom('', '', 'up', 'down', 'sideways'),
        fc.oneof(fc.integer({ min: 1, max: 30 }).map((n) => `T-${n}`), fc.constantFrom('', 'T-007', 'q', 'a"b', 'T\r1')),
        fc.constantFrom('', '', '320.3'),
        fc.constantFrom('', '', '320.5'),
        fc.constantFrom('', '', '', '', 'U'),
        fc.constantFrom('', '', '', '', '', ',extra', '"', '\r', 'short'),
      )
      .map(([symbol, ts, price, volume, direction, id, bid, ask, type, odd]) =>
        odd === 'short' ? `${symbol},${ts},${price}` : odd === '"' ? `"${symbol}",${ts},${price},${volume},,,,,` : `${symbol},${ts},${price},${volume},${direction},${id},${bid},${ask},${type}${odd}`,
      );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 120 }), fc.boolean(), fc.integer({ min: 5, max: 300 }), (rows, crlf, chunk) => {
        const bytes = Buffer.from(`${HEADER}\n${rows.join(crlf ? '\r\n' : '\n')}\n`);
        const read = (partition?: { index: number; count: number }) => {
          const builder = new CsvLinesBuilder({ maxRejections: 1000, ...(partition ? { partition } : {}) });
          for (let at = 0; at < bytes.length; at += chunk) builder.push(bytes.subarray(at, at + chunk));
          return { builder, summary: builder.end() };
        };
        const single = read();
        for (const count of [2, 3]) {
          const parts = Array.from({ length: count }, (_, index) => read({ index, count }));
          const days = new Map(parts.flatMap((part) => [...part.builder.days].map(([key, day]) => [key, day.lines(Number.MAX_SAFE_INTEGER)] as const)));
          assert.deepEqual([...days.keys()].sort(), [...single.builder.days.keys()].sort());
          for (const [key, day] of single.builder.days) assert.deepEqual(days.get(key), day.lines(Number.MAX_SAFE_INTEGER), key);
          const sum = (field: 'records' | 'accepted' | 'duplicates' | 'rejected') => parts.reduce((total, part) => total + part.summary[field], 0);
          assert.deepEqual(
            { records: sum('records'), accepted: sum('accepted'), duplicates: sum('duplicates'), rejected: sum('rejected') },
            { records: single.summary.records, accepted: single.summary.accepted, duplicates: single.summary.duplicates, rejected: single.summary.rejected },
          );
          assert.deepEqual(
            parts.flatMap((part) => part.summary.rejections).sort((a, b) => a.line - b.line),
            single.summary.rejections,
          );
        }
      }),
      { seed: 1126, numRuns: 200 },
    );
  });
});

describe('csvFileToLines reading a plain file through one reused buffer', () => {
  it('reads a BOM, CRLF line ends, a file shorter than a BOM and a line longer than its buffer like one push of all bytes', async () => {
    const { CsvLinesBuilder } = await import('./fast-csv-lines.js');
    const dir = mkdtempSync(join(tmpdir(), 'capflow-reuse-'));
    try {
      const long = 'x'.repeat(5 << 20); // 5 MiB trade type: longer than the 4 MiB buffer (the row is rejected)
      const cases: Record<string, string> = {
        bom: `\uFEFF${sampleCsv().replace(/\n/g, '\r\n')}`,
        tiny: 'a',
        long: `${HEADER}\n700.HK,${OPEN},1.5,100,up,,,,${long}\n700.HK,${OPEN + 1000},1.6,100,,,,,\n`,
        // Several reads of the file: an unfinished line carried into the next read's headroom…
        manyReads: `${HEADER}\n${Array.from({ length: 250_000 }, (_, k) => `${k % 3 === 0 ? '700.HK' : '5.HK'},${OPEN + k * 20},1.${k % 7},${100 + (k % 5)},,T-${k},,,`).join('\n')}\n`,
        // …and lines longer than that headroom across read boundaries (joined into a larger buffer).
        longAcrossReads: `${HEADER}\n${Array.from({ length: 120 }, (_, k) => `700.HK,${OPEN + k * 1000},1.5,100,,,,,${k % 2 === 0 ? 'y'.repeat(150_000) : ''}`).join('\n')}\n`,
      };
      for (const [name, text] of Object.entries(cases)) {
        const path = join(dir, `${name}.csv`);
        writeFileSync(path, text);
        const reference = new CsvLinesBuilder({ maxRejections: 1000 });
        let expectedError: unknown;
        let expected;
        try {
          reference.push(Buffer.from(text));
          expected = reference.end();
        } catch (error) {
          expectedError = error;
        }
        if (expectedError) {
          await assert.rejects(csvFileToLines(path), { message: (expectedError as Error).message.replace('input', path) });
          continue;
        }
        const { builder, summary } = await csvFileToLines(path, { maxRejections: 1000 });
        assert.deepEqual({ ...summary, rejections: summary.rejections.length }, { ...expected!, rejections: expected!.rejections.length }, name);
        for (const [key, day] of reference.days) assert.deepEqual(builder.days.get(key)?.lines(Number.MAX_SAFE_INTEGER), day.lines(Number.MAX_SAFE_INTEGER), name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
