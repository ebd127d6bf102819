import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { ingestFile } from './ingest-file.js';
import { ingestRecords } from './ingest-records.js';
import { BatchIngester, type IngestOptions, type IngestSummary } from './batch-ingester.js';
import { CsvRecordParser } from './csv-record-parser.js';

const work = mkdtempSync(join(tmpdir(), 'capflow-columns-'));
let counter = 0;

/**
 * Ingests the same bytes through the byte-level reader (as a plain .csv file, gzipped as .csv.gz
 * and as an HTTP body, which must agree exactly) and through the general reader (CsvRecordParser →
 * parseTradeRecord, row by row) into fresh stores.
 */
async function bothPaths(content: string, options: IngestOptions = {}) {
  const results = [];
  for (const route of ['plain', 'gzip', 'body', 'general'] as const) {
    const name = `f${++counter}.csv${route === 'gzip' ? '.gz' : ''}`;
    const path = join(work, name);
    writeFileSync(path, route === 'gzip' ? gzipSync(content) : content);
    const store = await SqliteFlowStore.open(join(work, `store-${counter}`));
    try {
      const summary =
        route === 'general'
          ? await ingestCsvGeneral(store, path, content, { batchSize: 4, ...options })
          : route === 'body'
            ? await ingestRecords(store, Buffer.from(content), { format: 'csv', batchSize: 4, ...options })
            : await ingestFile(store, path, { batchSize: 4, ...options });
      const { source: _source, sourceId: _id, ...counts } = summary;
      results.push({ counts, trades: await store.tradesAfter(0, 10_000), days: await store.daysOf('700.HK') });
    } finally {
      await store.close();
    }
  }
  assert.deepEqual(results[1], results[0], 'a gzipped file reads exactly as the plain one');
  assert.deepEqual(results[2], results[0], 'an HTTP body reads exactly as the file');
  return { fast: results[0]!, general: results[3]! };
}

/** The general route: the RFC 4180 reader and parseTradeRecord for every row, nothing byte-level. */
async function ingestCsvGeneral(store: SqliteFlowStore, path: string, content: string, options: IngestOptions): Promise<IngestSummary> {
  const ingester = new BatchIngester(store, `general:${path}`, 0, options);
  const parser = new CsvRecordParser(path);
  await ingester.take(parser.push(content));
  await ingester.take(parser.end());
  return ingester.finish(path, 'csv');
}

const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type';
const TRICKY_ROWS = [
  '700.HK,1709256600000,35.07,100,up,T-1,35.06,35.08,',
  '00700.hk,1709256600001,35.070,200,SELL,T-2,,,', // normalised symbol, direction word in capitals
  '700.HK,2024-03-01T09:30:02.5+08:00,35.1,1,,T-3,35.0,35.2,', // ISO timestamp
  '700.HK,1709256600003,123456789012345678.5,1,,T-4,,,', // price beyond a Number: exact
  '700.HK,1709256600004,1e3,1,,T-5,,,', // exponent: rejected
  '700.HK,1709256600005,35,-1,,T-6,,,', // negative volume: rejected
  '700.HK,1709256600006,35,0,,T-7,,,', // zero volume: rejected
  'BAD,1709256600007,35,1,,T-8,,,', // bad symbol: rejected
  '700.HK,1709256600008,35,1,sideways,T-9,,,', // unknown direction: rejected
  '700.HK,1709256600009,35,1,,T-1,,,', // redelivery
  '700.HK,1709256600010,35,1,,T-2,,,U', // trade type
  '700.HK,1709256600011,35,1,,idé,,,', // non-ASCII id
  `700.HK,1709256600012,35,1,,${'x'.repeat(129)},,,`, // id too long: rejected
  '700.HK,1709256600013,35,1,,T-10,,,,extra', // too many fields: rejected
  '700.HK,1709256600014,35,7', // fewer fields
  '',
  '700.HK, 1709256600015,35,1,,T-11,,,', // a space: general parser's call
  '700.HK,1709342400000,35,1,,T-1,,,', // next day: same id, another day
  '700.HK,1709256600016,0.0,1,,T-12,,,', // zero price: rejected
  '700.HK,1709256600017,35.,1,,T-13,,,', // trailing dot: rejected
  '700.HK,99999999999999999,35,1,,T-14,,,', // timestamp out of range
  '700.HK,1709256600018,35,1,neutral,T-15,1,,', // bid only
];

describe('CsvColumnsReader (durable byte-level CSV reader)', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('stores and rejects exactly what the general reader does, with the same reasons and line numbers', async () => {
    const { fast, general } = await bothPaths(`${HEADER}\n${TRICKY_ROWS.join('\n')}\n`);
    assert.deepEqual(fast, general);
    assert.ok(fast.counts.rejected >= 9, 'the rows meant to be rejected are');
    assert.equal(fast.counts.duplicates, 2); // T-1 again, and T-2 again (with a trade type)
  });

  it('gives the same with CRLF line ends, no final line break, a classification and a BOM', async () => {
    const { fast, general } = await bothPaths(`\ufeff${HEADER}\r\n${TRICKY_ROWS.join('\r\n')}`, { classification: 'tick' });
    assert.deepEqual(fast, general);
    assert.ok(fast.trades.some((t) => t.classification === 'tick'));
  });

  it('hands the rest of the file to the RFC 4180 reader from the first quoted field on', async () => {
    const rows = [...TRICKY_ROWS.slice(0, 4), '700.HK,1709256600020,35,1,,"T,quoted",,,', ...TRICKY_ROWS.slice(4)];
    const { fast, general } = await bothPaths(`${HEADER}\n${rows.join('\n')}\n`);
    assert.deepEqual(fast, general);
    assert.ok(fast.trades.some((t) => t.tradeId === 'T,quoted'));
  });

  it('reads columns in any order and without optional ones', async () => {
    const content = 'volume,price,symbol,timestamp\n1,35,700.HK,1709256600000\n2,35.5,700.HK,1709256600001\nx,35,700.HK,1709256600002\n';
    const { fast, general } = await bothPaths(content);
    assert.deepEqual(fast, general);
    assert.equal(fast.trades.length, 2);
  });
});
