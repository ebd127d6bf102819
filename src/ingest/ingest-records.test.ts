import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CapflowError } from '../model/errors.js';
import type { StoredTrade } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { ingestNdjsonBody, ingestRecords } from './ingest-records.js';

const work = mkdtempSync(join(tmpdir(), 'capflow-records-'));
let counter = 0;
after(() => rmSync(work, { recursive: true, force: true }));

async function withStore(body: (store: SqliteFlowStore) => Promise<void>): Promise<void> {
  const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

const BODY =
  '{"symbol":"700.HK","timestamp":"2024-03-01T09:30:00+08:00","price":"35.07","volume":100,"trade_id":"a"}\n' +
  '{"symbol":"700.HK","timestamp":"2024-03-01T09:30:01+08:00","price":35.08,"volume":"200"}\n' +
  '{"symbol":"700.HK","timestamp":"2024-03-01T09:30:02+08:00","price":35.09,"volume":0}\n';

describe('ingestRecords', () => {
  it('ingests an NDJSON body given as bytes and resolves with the committed summary', () =>
    withStore(async (store) => {
      const summary = await ingestNdjsonBody(store, Buffer.from(BODY));
      assert.deepEqual(summary, {
        source: 'body',
        format: 'ndjson',
        records: 3,
        skipped: 0,
        accepted: 2,
        outsideSessions: 0,
        duplicates: 0,
        rejected: 1,
        rejections: [{ line: 3, field: 'volume', reason: 'must be positive, got "0"' }],
        symbols: ['700.HK'],
      });
      assert.equal((await store.tradesOfDay('700.HK', '2024-03-01')).length, 2);
      assert.doesNotThrow(() => JSON.stringify(summary), 'the summary can be an HTTP response body');
    }));

  it('appends again without a source id (ids still dedupe) and resumes with one', () =>
    withStore(async (store) => {
      const again = await ingestNdjsonBody(store, BODY);
      const twice = await ingestNdjsonBody(store, BODY);
      assert.deepEqual([again.accepted, twice.accepted, twice.duplicates], [2, 1, 1]);

      const keyed = await ingestRecords(store, BODY, { sourceId: 'request-1' });
      const retried = await ingestRecords(store, BODY, { sourceId: 'request-1' });
      assert.deepEqual([keyed.accepted, keyed.sourceId, retried.accepted, retried.skipped], [1, 'request-1', 0, 3]);
      assert.equal((await store.tradesOfDay('700.HK', '2024-03-01')).length, 4);
    }));

  it('turns any garbage body into rejections, never a throw', () =>
    withStore(async (store) => {
      const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x0a, 0x22, 0xc3, 0x28, 0x0a, 0x5b, 0x5d, 0x0a, 0x7b, 0x7d]);
      const summary = await ingestNdjsonBody(store, garbage);
      assert.deepEqual([summary.records, summary.accepted, summary.rejected], [4, 0, 4]);
      assert.deepEqual(
        summary.rejections.map((r) => [r.line, r.field]),
        [[1, undefined], [2, undefined], [3, undefined], [4, 'symbol']],
      );
    }));

  it('reads a CSV body and calls back after each commit with the stored trades', () =>
    withStore(async (store) => {
      const commits: StoredTrade[][] = [];
      const csv = 'symbol,timestamp,price,volume\n700.HK,1709256600000,1,1\n700.HK,1709256600001,2,2\n700.HK,1709256600002,3,3\n';
      const summary = await ingestRecords(store, csv, {
        format: 'csv',
        batchSize: 2,
        onCommit: (commit) => {
          commits.push([...commit.stored]);
        },
      });
      assert.equal(summary.accepted, 3);
      assert.deepEqual(
        commits.map((batch) => batch.map((t) => t.volume)),
        [[1, 2], [3]],
      );
      await assert.rejects(
        ingestRecords(store, 'symbol,price\n', { format: 'csv' }),
        (e: unknown) => e instanceof CapflowError && e.httpStatus === 400 && /body: header: missing required columns timestamp, volume/.test(e.message),
      );
    }));
});
