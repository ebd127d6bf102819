import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { BatchIngester, type IngestSummary } from './batch-ingester.js';
import { CsvColumnsReader } from './csv-columns-reader.js';
import { HEADER, HK_OPEN, randomInput } from './csv-input-test-kit.js';
import { ingestCsvFilePipelined } from './pipelined-csv-ingest.js';

const work = mkdtempSync(join(tmpdir(), 'capflow-pipelined-ingest-'));
after(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;

interface Outcome {
  readonly summary: IngestSummary;
  /** Every stored trade, in store order, as text. */
  readonly stored: string[];
}

/**
 * Ingests `file` into a fresh store with one reader or the other, starting after `resumeAt`
 * records (as a rerun after a crash does), with the wall clock at `nowMs` (rows stamped more than
 * 15 minutes later are rejected) and a small batch (many commits, some inside a chunk).
 */
async function ingest(file: string, pipelined: boolean, options: { resumeAt: number; nowMs: number; chunkBytes: number; handOverBelow: number }): Promise<Outcome> {
  const store = await SqliteFlowStore.open(join(work, `store-${runs++}`));
  try {
    const ingester = new BatchIngester(store, 'file', options.resumeAt, { columnar: true, batchSize: 37, maxRejections: 10_000, now: () => options.nowMs });
    if (pipelined) await ingestCsvFilePipelined(ingester, file, { chunkBytes: options.chunkBytes, handOverBelow: options.handOverBelow });
    else await new CsvColumnsReader(ingester, file).readFile(file);
    const summary = await ingester.finish(file, 'csv');
    const stored = (await store.tradesAfter(0, 1_000_000)).map((trade) => JSON.stringify(trade, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)));
    return { summary, stored };
  } finally {
    await store.close();
  }
}

describe('ingestCsvFilePipelined (capflow ingest on two threads)', () => {
  it('stores exactly what the one-thread reader stores, with the same counts, line numbers and rejections, on random files (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        randomInput(),
        fc.constantFrom(1024, 1500, 4096),
        fc.constantFrom(-1, 1, 100),
        fc.constantFrom(0, 0, 3, 40),
        fc.constantFrom(Date.UTC(2024, 5, 14, 2, 0), Date.UTC(2024, 5, 20)),
        async (text, chunkBytes, handOverBelow, resumeAt, nowMs) => {
          const file = join(work, `input-${runs}.csv`);
          writeFileSync(file, text);
          const options = { resumeAt, nowMs, chunkBytes, handOverBelow };
          let expected: Outcome;
          try {
            expected = await ingest(file, false, options);
          } catch (error) {
            // A file-level problem (a header without a required column…) is the same error on both paths.
            await assert.rejects(ingest(file, true, options), { message: (error as Error).message });
            return;
          }
          const actual = await ingest(file, true, options);
          assert.deepEqual(actual.summary, expected.summary);
          assert.deepEqual(actual.stored, expected.stored);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('crosses many chunk boundaries on a larger file, committing inside chunks, with rows too far ahead rejected', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const symbol = ['700.HK', '5.HK', 'AAPL.US', '600000.SH'][i % 4];
      rows.push(`${symbol},${HK_OPEN + i * 997},${100 + (i % 13)}.${i % 100},${1 + (i % 900)},${['', 'up', 'down'][i % 3]},T${i % 4_900},,,`);
    }
    const file = join(work, 'larger.csv');
    writeFileSync(file, `${HEADER}\n${rows.join('\n')}\n`);
    // The clock an hour after the first row: the rest of the day is "in the future" and rejected.
    const options = { resumeAt: 0, nowMs: HK_OPEN + 3_600_000, chunkBytes: 2048, handOverBelow: 1 };
    const expected = await ingest(file, false, options);
    const actual = await ingest(file, true, options);
    assert.ok(expected.summary.rejected > 400 && expected.summary.outsideSessions > 1_000 && expected.summary.accepted > 1_000, JSON.stringify(expected.summary).slice(0, 300));
    assert.deepEqual(actual.summary, expected.summary);
    assert.deepEqual(actual.stored, expected.stored);
  });

  it('reports a file it cannot read', async () => {
    const ingester = new BatchIngester(await SqliteFlowStore.open(join(work, 'missing-store')), 'file', 0, { columnar: true });
    await assert.rejects(ingestCsvFilePipelined(ingester, join(work, 'missing.csv')), /ENOENT|no such file/);
  });
});
