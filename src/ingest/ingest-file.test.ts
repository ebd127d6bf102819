import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { realDataFile, skipWithoutRealData, SSE_SAMPLE_DAY } from '../real-data-test-kit.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CapflowError } from '../model/errors.js';
import { Direction } from '../model/trade.js';
import type { FlowStore } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { ingestFile, type IngestProgress } from './ingest-file.js';

let work: string;
let counter = 0;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'capflow-ingest-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

async function withStore(body: (store: SqliteFlowStore) => Promise<void>): Promise<void> {
  const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

const HK_CSV =
  'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type\r\n' +
  '00700.HK,2024-03-01T09:30:00.250+08:00,35.07,100,up,T1,35.06,35.08,\r\n' +
  '700.HK,2024-03-01T09:30:01+08:00,0,100,,T2,,,\r\n' + // price 0
  '700.HK,2024-03-01T09:30:02+08:00,35.08,200,sell,T3,,,U\r\n' +
  '700.HK,2024-03-01T09:30:03,35.08,200,,T4,,,\r\n' + // no offset
  '700.HK,2024-03-01T09:30:04+08:00,35.09,300,,T1,,,\r\n' + // duplicate of T1
  '700.HK,1709256605000,35.10,10,,,,,\r\n';

describe('ingestFile', () => {
  it('stores valid rows, counts duplicates and reports each rejection by line and field', () =>
    withStore(async (store) => {
      const summary = await ingestFile(store, file('hk.csv', HK_CSV));
      assert.equal(summary.format, 'csv');
      assert.match(summary.sourceId ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual(
        { records: summary.records, accepted: summary.accepted, duplicates: summary.duplicates, rejected: summary.rejected, skipped: summary.skipped },
        { records: 6, accepted: 3, duplicates: 1, rejected: 2, skipped: 0 },
      );
      assert.deepEqual(summary.rejections, [
        { line: 3, field: 'price', reason: 'must be positive, got "0"' },
        {
          line: 5,
          field: 'timestamp',
          reason: 'no UTC offset: ambiguous (add Z or an offset such as +08:00), got "2024-03-01T09:30:03"',
        },
      ]);
      assert.deepEqual(summary.symbols, ['700.HK']);
      const trades = await store.tradesOfDay('700.HK', '2024-03-01');
      assert.deepEqual(
        trades.map((t) => [t.tradeId, t.timestamp, t.price, t.volume, t.direction, t.tradeType]),
        [
          ['T1', Date.UTC(2024, 2, 1, 1, 30, 0, 250), { units: 3507n, scale: 2 }, 100, Direction.Up, undefined],
          ['T3', Date.UTC(2024, 2, 1, 1, 30, 2), { units: 3508n, scale: 2 }, 200, Direction.Down, 'U'],
          [undefined, 1709256605000, { units: 3510n, scale: 2 }, 10, undefined, undefined],
        ],
      );
      assert.deepEqual(trades[0]!.bid, { units: 3506n, scale: 2 });
    }));

  it('reads gzipped CSV and NDJSON, keeping NDJSON numbers with more digits than a double exactly', () =>
    withStore(async (store) => {
      const ndjson =
        '{"symbol":"AAPL.US","timestamp":"2024-03-01T14:30:00Z","price":1234567890.123456789,"volume":"7","direction":2,"trade_id":1}\n' +
        '{"symbol":"AAPL.US","timestamp":1709303400001,"price":"0.0049","volume":3,"bid":0.0048,"ask":"0.0050"}\n' +
        '\n' +
        '{"symbol":"AAPL.US","timestamp":1709303400002,"price":1e3,"volume":1}\n' +
        'not json\n';
      const plain = await ingestFile(store, file('a.ndjson', ndjson));
      assert.deepEqual([plain.accepted, plain.rejected], [2, 2]);
      assert.deepEqual(
        plain.rejections.map((r) => [r.line, r.field]),
        [[4, 'price'], [5, undefined]],
      );
      const trades = await store.tradesOfDay('AAPL.US', '2024-03-01');
      assert.deepEqual(trades[0]!.price, { units: 1234567890123456789n, scale: 9 });
      assert.equal(trades[0]!.tradeId, '1');
      assert.deepEqual([trades[1]!.price, trades[1]!.bid, trades[1]!.ask], [
        { units: 49n, scale: 4 },
        { units: 48n, scale: 4 },
        { units: 50n, scale: 4 },
      ]);

      // The same content gzipped is another file (other bytes) but the same trades; ids dedupe T1.
      const gz = await ingestFile(store, file('b.jsonl.gz', gzipSync(ndjson)));
      assert.deepEqual([gz.accepted, gz.duplicates, gz.rejected], [1, 1, 2]);
      const csvGz = await ingestFile(store, file('hk.CSV.GZ', gzipSync(HK_CSV)));
      assert.deepEqual([csvGz.accepted, csvGz.duplicates, csvGz.rejected], [3, 1, 2]);
    }));

  it('ignores trade ids already ingested from another file for the same symbol and day', () =>
    withStore(async (store) => {
      await ingestFile(store, file('day1.csv', 'symbol,timestamp,price,volume,trade_id\n700.HK,1709256600000,1,1,A\n700.HK,1709256600001,1,1,B\n'));
      const second = await ingestFile(
        store,
        file(
          'day1-redelivered.csv',
          'symbol,timestamp,price,volume,trade_id\n' +
            '700.HK,1709256600000,1,1,A\n' + // redelivery
            '700.HK,1709342400000,1,1,A\n' + // same id on the next day (2024-03-02 09:20 HK)
            '700.HK,1709256600002,1,1,C\n',
        ),
      );
      assert.deepEqual([second.accepted, second.duplicates], [2, 1]);
      assert.deepEqual(await store.daysOf('700.HK'), [
        { symbol: '700.HK', date: '2024-03-01', trades: 3 },
        { symbol: '700.HK', date: '2024-03-02', trades: 1 },
      ]);
    }));

  it('skips a file already ingested, also when its records have no trade ids', () =>
    withStore(async (store) => {
      const path = file('no-ids.csv', 'symbol,timestamp,price,volume\n700.HK,1709256600000,1,1\n700.HK,1709256600000,1,1\nX,1,1,1\n');
      const first = await ingestFile(store, path);
      assert.deepEqual([first.accepted, first.rejected], [2, 1]);
      const again = await ingestFile(store, path);
      assert.deepEqual(
        [again.records, again.skipped, again.accepted, again.duplicates, again.rejected, again.rejections.length],
        [0, 3, 0, 0, 0, 0],
      );
      assert.equal((await store.tradesAfter(0, 10)).length, 2);
    }));

  it('resumes an interrupted ingest where its last commit ended, giving the trades of one clean run', async () => {
    const rows = ['symbol,timestamp,price,volume'];
    for (let k = 0; k < 100; k++) rows.push(k === 42 ? 'BAD,1,1,1' : `700.HK,${1709256600000 + k},${k + 1}.5,${k + 1}`);
    const path = file('resume.csv', `${rows.join('\n')}\n`);

    let expected: unknown;
    await withStore(async (store) => {
      await ingestFile(store, path, { batchSize: 10 });
      expected = await store.tradesAfter(0, 1000);
    });

    await withStore(async (store) => {
      // A store that dies on its fourth append: three batches (30 trades) are committed.
      let appends = 0;
      const failing: FlowStore = Object.create(store, {
        appendTrades: {
          value: (...args: Parameters<FlowStore['appendTrades']>) => {
            if (++appends === 4) return Promise.reject(new Error('disk on fire'));
            return store.appendTrades(...args);
          },
        },
        // The byte-level CSV reader appends columns.
        appendColumns: {
          value: (...args: Parameters<FlowStore['appendColumns']>) => {
            if (++appends === 4) return Promise.reject(new Error('disk on fire'));
            return store.appendColumns(...args);
          },
        },
      });
      await assert.rejects(ingestFile(failing, path, { batchSize: 10 }), /disk on fire/);
      assert.equal((await store.tradesAfter(0, 1000)).length, 30);
      const rerun = await ingestFile(store, path, { batchSize: 10 });
      assert.deepEqual([rerun.skipped, rerun.accepted, rerun.rejected], [30, 69, 1]);
      assert.deepEqual(rerun.rejections.map((r) => r.line), [44]);
      assert.deepEqual(await store.tradesAfter(0, 1000), expected);
    });
  });

  it('counts a file once when two ingests of it run at the same time on one data directory', async () => {
    const rows = ['symbol,timestamp,price,volume'];
    for (let k = 0; k < 50; k++) rows.push(`700.HK,${1709256600000 + k},1,${k + 1}`);
    const path = file('concurrent.csv', rows.join('\n'));
    const dir = join(work, 'concurrent');
    const a = await SqliteFlowStore.open(dir);
    const b = await SqliteFlowStore.open(dir);
    try {
      const results = await Promise.allSettled([ingestFile(a, path, { batchSize: 5 }), ingestFile(b, path, { batchSize: 5 })]);
      for (const result of results) {
        if (result.status === 'rejected') assert.match(String(result.reason), /being ingested by another writer/);
      }
      assert.ok(results.some((r) => r.status === 'fulfilled'));
      const trades = await a.tradesAfter(0, 1000);
      const volumes = trades.map((t) => t.volume);
      // whatever the interleaving, each record is stored once (a loser stopped, or skipped what was done)
      assert.equal(new Set(volumes).size, volumes.length);
      const rerun = await ingestFile(a, path, { batchSize: 5 });
      assert.equal(rerun.skipped + rerun.records, 50);
      assert.equal((await a.tradesAfter(0, 1000)).length, 50);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps the first reasons only but counts every rejection', () =>
    withStore(async (store) => {
      const rows = ['symbol,timestamp,price,volume'];
      for (let k = 0; k < 25; k++) rows.push(`700.HK,1709256600000,-1,${k + 1}`);
      const summary = await ingestFile(store, file('bad.csv', rows.join('\n')), { maxRejections: 3, batchSize: 2 });
      assert.equal(summary.rejected, 25);
      assert.deepEqual(summary.rejections.map((r) => r.line), [2, 3, 4]);
      assert.equal(await store.sourcePosition(summary.sourceId!), 25);
    }));

  it('reports progress as bytes of the file, ending at its size', () =>
    withStore(async (store) => {
      const path = file('progress.csv', HK_CSV);
      const seen: IngestProgress[] = [];
      await ingestFile(store, path, { onProgress: (p) => seen.push(p) });
      const size = Buffer.byteLength(HK_CSV);
      assert.deepEqual(seen.at(-1), { phase: 'ingesting', bytesRead: size, totalBytes: size });
      assert.ok(seen.some((p) => p.phase === 'hashing' && p.bytesRead === size));
    }));

  it('fails the whole file with a clear error for an unknown extension, a missing column or corrupt gzip', () =>
    withStore(async (store) => {
      await assert.rejects(
        ingestFile(store, file('trades.txt', HK_CSV)),
        (e: unknown) => e instanceof CapflowError && /trades\.txt: unknown file type/.test(e.message),
      );
      await assert.rejects(
        ingestFile(store, file('nocol.csv', 'symbol,timestamp,volume\n700.HK,1,1\n')),
        /nocol\.csv: header: missing required column price/,
      );
      await assert.rejects(ingestFile(store, file('broken.csv.gz', Buffer.from('not gzip at all'))), /corrupt gzip data/);
      // Cut short: the file fails with the same clear error.
      const whole = gzipSync(HK_CSV);
      await assert.rejects(ingestFile(store, file('cut.csv.gz', whole.subarray(0, whole.length - 12))), /cut\.csv\.gz: corrupt gzip data/);
      await assert.rejects(ingestFile(store, join(work, 'absent.csv')), /absent\.csv: cannot read \(ENOENT\)/);
      assert.equal(await store.lastSeq(), 0, 'a failed file stores no partial batch');
    }));
});

describe('ingestFile on real data', () => {
  const SSE = SSE_SAMPLE_DAY;
  const GOOG = realDataFile('lobster-goog-2012-06-21.csv.gz');

  it('ingests the SSE 600000.SH day: 14,872 trades with the exact buy and sell turnover', async () => {
    await withStore(async (store) => {
      const summary = await ingestFile(store, SSE);
      assert.deepEqual([summary.accepted, summary.duplicates, summary.rejected], [14872, 0, 0]);
      // Turnover sums from data/README.md, in cents: an exact store keeps every price digit.
      let up = 0n;
      let down = 0n;
      for (const trade of await store.tradesOfDay('600000.SH', '2023-02-01')) {
        assert.equal(trade.price.scale, 2);
        const turnover = trade.price.units * BigInt(trade.volume);
        if (trade.direction === Direction.Up) up += turnover;
        else if (trade.direction === Direction.Down) down += turnover;
      }
      assert.equal(up, 5_364_556_620n);
      assert.equal(down, 7_803_024_706n);
      const again = await ingestFile(store, SSE);
      assert.deepEqual([again.skipped, again.accepted], [14872, 0]);
    });
  });

  it('ingests the LOBSTER GOOG.US day: 11,678 trades', { skip: skipWithoutRealData('lobster-goog-2012-06-21.csv.gz') }, async () => {
    await withStore(async (store) => {
      const summary = await ingestFile(store, GOOG!);
      assert.deepEqual([summary.accepted, summary.rejected], [11678, 0]);
      assert.deepEqual(await store.daysOf('GOOG.US'), [{ symbol: 'GOOG.US', date: '2012-06-21', trades: 11678 }]);
    });
  });
});
