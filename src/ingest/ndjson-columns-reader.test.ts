import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import type { IngestOptions } from './batch-ingester.js';
import { ingestRecords } from './ingest-records.js';
import { MAX_FAST_NDJSON_LINE } from './ndjson-columns-reader.js';

const work = mkdtempSync(join(tmpdir(), 'capflow-ndjson-columns-'));
let counter = 0;

/** The same body through the byte-level reader (bytes) and the general reader (the body as a string). */
async function bothPaths(body: string, options: IngestOptions = {}) {
  const results = [];
  for (const asBytes of [true, false]) {
    const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
    try {
      const summary = await ingestRecords(store, asBytes ? Buffer.from(body, 'utf8') : body, { batchSize: 3, ...options });
      results.push({ summary, trades: await store.tradesAfter(0, 10_000) });
    } finally {
      await store.close();
    }
  }
  return { fast: results[0]!, general: results[1]! };
}

const T = 1718328600000; // 2024-06-14 09:30 Hong Kong
const LINES = [
  `{"symbol":"700.HK","timestamp":${T},"price":"35.07","volume":100,"direction":"up","trade_id":"T-1","bid":"35.06","ask":"35.08"}`,
  `{"timestamp":"${T + 1}","symbol":"00700.hk","price":35.1,"volume":"200","direction":1,"trade_id":"T-2"}`, // any key order, numbers and strings
  `{ "symbol": "700.HK", "timestamp": ${T + 2}, "price": "35", "volume": 1 }`, // spaces
  `{"symbol":"700.HK","timestamp":"2024-06-14T09:30:03+08:00","price":"123456789012345678.5","volume":1,"trade_id":"T-3"}`,
  `{"symbol":"700.HK","timestamp":${T + 4},"price":1e3,"volume":1}`, // exponent
  `{"symbol":"700.HK","timestamp":${T + 5},"price":"35","volume":01}`, // invalid JSON number
  `{"symbol":"700.HK","timestamp":${T + 6},"price":"35","volume":0}`,
  `{"symbol":"700.HK","timestamp":${T + 7},"price":"35","volume":1,"volume":2}`, // key twice
  `{"symbol":"700.HK","timestamp":${T + 8},"price":"35","volume":1,"trade_id":"T-1"}`, // redelivery
  `{"symbol":"700.HK","timestamp":${T + 9},"price":"35","volume":1,"trade_id":"T\\u002d9"}`, // escape
  `{"symbol":"700.HK","timestamp":${T + 10},"price":"35","volume":1,"trade_id":"idé"}`, // non-ASCII
  `{"symbol":"700.HK","timestamp":${T + 11},"price":"35","volume":1,"trade_type":"U"}`,
  `{"symbol":"700.HK","timestamp":${T + 12},"price":"35","volume":1,"note":{"a":[1,2]}}`, // other key
  `{"symbol":"700.HK","timestamp":${T + 13},"price":null,"volume":1}`,
  `{"symbol":"BAD","timestamp":${T + 14},"price":"35","volume":1}`,
  '',
  '   ',
  '\u00a0\u3000 \t', // blank in Unicode's sense, not in ASCII's
  '\u2028',
  'not json',
  `{"symbol":"700.HK","timestamp":${T + 15},"price":"35","volume":1,"direction":"sideways"}`,
  `{"symbol":"700.HK","timestamp":${T + 16},"price":"35","volume":1,"direction":""}`,
  `{"symbol":"700.HK","timestamp":${T + 17},"price":"0.0","volume":1}`,
  `{"symbol":"700.HK","timestamp":${T + 18},"price":"35","volume":1,"trade_id":"${'x'.repeat(129)}"}`,
  `{"symbol":"700.HK","timestamp":${T + 19},"price":"35","volume":1,"bid":"1","ask":""}`,
  `{"symbol":"700.HK","timestamp":99999999999999999,"price":"35","volume":1}`,
  `{"symbol":"700.HK","timestamp":${T + 20},"price":"35","volume":1}   `, // trailing spaces
  `{}`,
  `[1]`,
];

describe('NdjsonColumnsReader (HTTP ingest byte-level reader)', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('stores and rejects exactly what the general reader does, with the same reasons and line numbers', async () => {
    const { fast, general } = await bothPaths(`${LINES.join('\n')}\n`);
    assert.deepEqual(fast, general);
    assert.ok(fast.summary.rejected >= 10);
    assert.ok(fast.summary.accepted >= 8);
  });

  it('gives the same with CRLF, a BOM, no final line break and a classification', async () => {
    const { fast, general } = await bothPaths(`\ufeff${LINES.join('\r\n')}`, { classification: 'emo' });
    assert.deepEqual(fast, general);
    assert.ok(fast.trades.some((t) => t.classification === 'emo'));
  });

  it('leaves a body with a very long line to the general reader', async () => {
    const long = `{"symbol":"700.HK","timestamp":${T},"price":"35","volume":1,"pad":"${'p'.repeat(MAX_FAST_NDJSON_LINE)}"}`;
    const { fast, general } = await bothPaths(`${LINES[0]}\n${long}\n`);
    assert.deepEqual(fast, general);
  });
});
