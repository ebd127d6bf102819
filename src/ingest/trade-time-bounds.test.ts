import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { ingestAdapterSource } from './adapters/adapter-source.js';
import { l2TradeSource } from './adapters/l2-trade-source.js';
import { lobsterSource } from './adapters/lobster-source.js';
import { mappedFileSource } from './adapters/mapped-source.js';
import type { IngestSummary } from './batch-ingester.js';
import { ingestFile } from './ingest-file.js';
import { ingestRecords } from './ingest-records.js';

/**
 * Every input refuses trade times outside 1990-01-01 … 2100-01-01 (UTC) and times more than 15
 * minutes ahead of the wall clock, naming the line; the good trade beside them is stored.
 */
const work = mkdtempSync(join(tmpdir(), 'capflow-bounds-'));
after(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** The server's clock in these tests. */
const NOW = Date.parse('2024-06-14T12:00:00+08:00');
const GOOD = '2024-06-14T09:30:05+08:00';
/** Each is wrong: the reported year-10000 trade, the same as epoch ms, 1989, epoch seconds, 2100, a day ahead. */
const BAD = [
  '9999-12-31T23:59:59.999Z',
  '253402300799999',
  '1989-12-31T23:59:59.999Z',
  '1718328605',
  '2100-01-01T00:00:00Z',
  '2024-06-15T12:00:00+08:00',
];
const REASON = /out of range: trades must be from 1990-01-01T00:00:00Z up to \(not including\) 2100-01-01T00:00:00Z|more than 15 minutes ahead of the server's clock/;

function file(name: string, content: string | Buffer): string {
  const path = join(work, `${++counter}-${name}`);
  writeFileSync(path, content);
  return path;
}

async function withStore(run: (store: SqliteFlowStore) => Promise<IngestSummary>): Promise<{ summary: IngestSummary; stored: number }> {
  const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
  try {
    const summary = await run(store);
    const stored = (await store.symbolSummaries()).length === 0 ? 0 : (await store.daysOf('700.HK')).reduce((sum, day) => sum + day.trades, 0);
    return { summary, stored };
  } finally {
    await store.close();
  }
}

/** One good trade on `goodLine`, each bad one on the lines after it. */
function assertBounded({ summary, stored }: { summary: IngestSummary; stored: number }, goodLine: number, field?: string): void {
  assert.equal(summary.accepted, 1, JSON.stringify(summary.rejections));
  assert.equal(stored, 1);
  assert.equal(summary.rejected, BAD.length);
  assert.deepEqual(
    summary.rejections.map((rejection) => rejection.line),
    BAD.map((_, index) => goodLine + 1 + index),
  );
  for (const rejection of summary.rejections) {
    assert.match(rejection.reason, REASON);
    if (field !== undefined) assert.equal(rejection.field, field);
  }
}

const csvRow = (time: string, id: string): string => `700.HK,${time},320.2,100,up,${id},,,`;
const CSV = ['symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type', csvRow(GOOD, 'g'), ...BAD.map((time, i) => csvRow(time, `b${i}`)), ''].join('\n');
/** The same rows read by the RFC 4180 reader (a quoted field first sends the rest there). */
const QUOTED_CSV = CSV.replace(',g,', ',"g",');
const ndjsonRow = (time: string, id: string): string =>
  JSON.stringify({ symbol: '700.HK', timestamp: /^\d+$/.test(time) ? Number(time) : time, price: '320.2', volume: 100, direction: 'up', trade_id: id });
const NDJSON = [ndjsonRow(GOOD, 'g'), ...BAD.map((time, i) => ndjsonRow(time, `b${i}`)), ''].join('\n');
/** The same records with a space after each colon: the general NDJSON reader. */
const SPACED_NDJSON = NDJSON.replaceAll('":', '": ');
const options = { now: () => NOW };

describe('trade time bounds at every input', () => {
  for (const [name, content] of [
    ['fast.csv', CSV],
    ['quoted.csv', QUOTED_CSV],
    ['fast.csv.gz', gzipSync(CSV)],
    ['quoted.csv.gz', gzipSync(QUOTED_CSV)],
    ['plain.ndjson', NDJSON],
    ['plain.ndjson.gz', gzipSync(NDJSON)],
  ] as const) {
    it(`capflow ingest of ${name}`, async () => {
      const path = file(name, content);
      const lineOfGood = name.includes('csv') ? 2 : 1;
      assertBounded(await withStore((store) => ingestFile(store, path, options)), lineOfGood, 'timestamp');
    });
  }

  for (const [format, body, lineOfGood] of [
    ['csv', CSV, 2],
    ['csv', QUOTED_CSV, 2],
    ['ndjson', NDJSON, 1],
    ['ndjson', SPACED_NDJSON, 1],
  ] as const) {
    it(`an HTTP body, ${format}${body === QUOTED_CSV || body === SPACED_NDJSON ? ' (general reader)' : ''}`, async () => {
      assertBounded(await withStore((store) => ingestRecords(store, new TextEncoder().encode(body), { ...options, format })), lineOfGood, 'timestamp');
    });
  }

  it('a mapped CSV with a time zone (local date-times and canonical instants)', async () => {
    const lines = ['Code,Time,Px,Qty', `700.HK,2024-06-14T09:30:05,320.2,100`, ...BAD.map((time) => `700.HK,${time.replace(/Z$/, '')},320.2,100`), ''];
    const body = lines.join('\n');
    const source = mappedFileSource({
      file: 'body',
      body,
      format: 'csv',
      mapping: { columns: { symbol: 'Code', timestamp: 'Time', price: 'Px', volume: 'Qty' }, timeZone: 'Asia/Hong_Kong' },
    });
    assertBounded(await withStore((store) => ingestAdapterSource(store, source, options)), 2);
  });

  it('a mapped NDJSON with canonical instants', async () => {
    const body = [`{"S":"700.HK","T":"${GOOD}","P":"320.2","V":100}`, ...BAD.map((time) => `{"S":"700.HK","T":"${time}","P":"320.2","V":100}`)].join('\n');
    const source = mappedFileSource({ file: 'body', body, format: 'ndjson', mapping: { columns: { symbol: 'S', timestamp: 'T', price: 'P', volume: 'V' } } });
    assertBounded(await withStore((store) => ingestAdapterSource(store, source, options)), 1);
  });

  it('Level-2 trade-by-trade rows dated outside the range', async () => {
    const header = 'SecurityID,TradeTime,TradePrice,TradeQty,TradeBSFlag,Market,ApplSeqNum';
    const body = [header, '700,2024.06.14T09:30:05.000,1,100,B,SH,1', '700,9999.12.31T23:59:59.999,1,100,B,SH,2', '700,1989.12.31T09:30:00.000,1,100,B,SH,3', ''].join('\n');
    const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
    try {
      const summary = await ingestAdapterSource(store, l2TradeSource({ file: 'body', body }), options);
      assert.equal(summary.accepted, 1);
      assert.deepEqual(
        summary.rejections.map((rejection) => [rejection.line, /^TradeTime: out of range/.test(rejection.reason)]),
        [
          [3, true],
          [4, true],
        ],
      );
    } finally {
      await store.close();
    }
  });

  it('a LOBSTER pair whose file names date it outside the range', async () => {
    const messages = file('message.csv', '34200.1,4,1,100,5800000,-1\n');
    const book = file('orderbook.csv', '5800100,10,5799900,10\n');
    const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
    try {
      const summary = await ingestAdapterSource(store, lobsterSource({ messageFile: messages, orderbookFile: book, symbol: 'X', date: '1989-06-21' }), options);
      assert.equal(summary.accepted, 0);
      assert.equal(summary.rejected, 1);
      assert.match(summary.rejections[0]!.reason, /^time: out of range/);
    } finally {
      await store.close();
    }
  });

  it('historical replays stay accepted: a 2012 LOBSTER-style day and a 2023 SSE day', async () => {
    const body = [ndjsonRow('2012-06-21T09:30:00.100-04:00', 'a').replace('700.HK', 'GOOG.US'), ndjsonRow('2023-02-01T09:30:01+08:00', 'b').replace('700.HK', '600000.SH')].join('\n');
    const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
    try {
      const summary = await ingestRecords(store, body, { format: 'ndjson' });
      assert.deepEqual([summary.accepted, summary.rejected], [2, 0]);
    } finally {
      await store.close();
    }
  });
});
