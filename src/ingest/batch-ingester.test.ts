import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import type { TradeColumns } from '../store/trade-columns.js';
import type { SourceCheckpoint } from '../store/flow-store.js';
import { DEFAULT_COLUMNAR_BATCH_SIZE, MIN_AVERAGE_BLOCK_TRADES } from './batch-ingester.js';
import { ingestFile, type IngestFileOptions } from './ingest-file.js';

const work = mkdtempSync(join(tmpdir(), 'capflow-batches-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A CSV day of `symbols` HK symbols taking turns, `perSymbol` trades each, during the morning session of 2024-06-14. */
function roundRobinDay(name: string, symbols: number, perSymbol: number): string {
  const rows = ['symbol,timestamp,price,volume,direction,trade_id'];
  const open = Date.parse('2024-06-14T01:30:00Z');
  for (let k = 0; k < perSymbol; k++) {
    for (let s = 0; s < symbols; s++) rows.push(`${s + 1}.HK,${open + k * 100 + s},10.5,100,2,${s + 1}-${k}`);
  }
  const path = join(work, name);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

/** Ingests a file, returning the number of trades in each commit and the trades stored. */
async function commitSizes(path: string, options: IngestFileOptions = {}): Promise<{ sizes: number[]; stored: number; accepted: number }> {
  const store = await SqliteFlowStore.open(join(work, `store-${Math.random().toString(36).slice(2)}`));
  const sizes: number[] = [];
  const append = store.appendColumns.bind(store);
  store.appendColumns = (columns: TradeColumns, checkpoint?: SourceCheckpoint) => {
    sizes.push(columns.count);
    return append(columns, checkpoint);
  };
  try {
    const summary = await ingestFile(store, path, options);
    let stored = 0;
    for (const symbol of await store.symbols()) stored += (await store.readDayColumns(symbol, '2024-06-14')).count;
    return { sizes, stored, accepted: summary.accepted };
  } finally {
    await store.close();
  }
}

describe('BatchIngester commit sizes of a columnar file ingest', () => {
  it('waits, over many symbols, until the blocks average MIN_AVERAGE_BLOCK_TRADES trades', async () => {
    // 2,000 symbols: a 100,000-trade batch would make blocks of 50 trades.
    const symbols = 2_000;
    const perSymbol = MIN_AVERAGE_BLOCK_TRADES + 22;
    const path = roundRobinDay('many.csv', symbols, perSymbol);
    for (const threads of [1, 2]) {
      const { sizes, stored, accepted } = await commitSizes(path, { threads });
      const full = MIN_AVERAGE_BLOCK_TRADES * symbols;
      assert.ok(full > DEFAULT_COLUMNAR_BATCH_SIZE);
      assert.deepEqual(sizes, [full, symbols * perSymbol - full], `threads ${threads}`);
      assert.equal(stored, symbols * perSymbol);
      assert.equal(accepted, symbols * perSymbol);
    }
  });

  it('commits every DEFAULT_COLUMNAR_BATCH_SIZE trades over few symbols', async () => {
    const path = roundRobinDay('few.csv', 100, 2_500);
    const { sizes, stored } = await commitSizes(path);
    assert.deepEqual(sizes, [DEFAULT_COLUMNAR_BATCH_SIZE, DEFAULT_COLUMNAR_BATCH_SIZE, 50_000]);
    assert.equal(stored, 250_000);
  });

  it('keeps 100,000 in a source that yields to a server\'s other clients', async () => {
    const total = 2_000 * (MIN_AVERAGE_BLOCK_TRADES + 22);
    const path = roundRobinDay('yielding.csv', 2_000, MIN_AVERAGE_BLOCK_TRADES + 22);
    const { sizes } = await commitSizes(path, { sliceMs: 50 });
    const expected = Array.from({ length: Math.ceil(total / DEFAULT_COLUMNAR_BATCH_SIZE) }, (_, k) => Math.min(DEFAULT_COLUMNAR_BATCH_SIZE, total - k * DEFAULT_COLUMNAR_BATCH_SIZE));
    assert.deepEqual(sizes, expected);
  });

  it('keeps a batch size the caller chose', async () => {
    const path = roundRobinDay('chosen.csv', 4_000, 10);
    const { sizes } = await commitSizes(path, { batchSize: 15_000 });
    assert.deepEqual(sizes, [15_000, 15_000, 10_000]);
  });
});
