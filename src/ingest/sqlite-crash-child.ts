/**
 * Child process of the crash tests (not a test itself): writes to a store until it is killed.
 *   append DIR            appends batches of 50 trades with ids t0, t1, … and a checkpoint
 *                         counting them, printing `committed N` after each commit
 *   ingest DIR FILE SIZE  ingests FILE with batches of SIZE, printing `committed N` per commit
 *                         and pausing a little after each so the parent can kill it mid-file
 */
import { ingestFile } from './ingest-file.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';

const [mode, dir, file, size] = process.argv.slice(2);
const store = await SqliteFlowStore.open(dir as string);

if (mode === 'append') {
  let next = 0;
  for (;;) {
    const batch = [];
    for (let k = 0; k < 50; k++, next++) {
      batch.push({
        trade: { symbol: '700.HK', timestamp: Date.UTC(2024, 2, 1, 1, 30) + next, price: { units: 3507n, scale: 2 }, volume: 100, tradeId: `t${next}` },
        date: '2024-03-01',
      });
    }
    await store.appendTrades(batch, { sourceId: 'loop', position: next });
    process.stdout.write(`committed ${next}\n`);
  }
} else if (mode === 'ingest') {
  await ingestFile(store, file as string, {
    batchSize: Number(size),
    onCommit: async (commit) => {
      process.stdout.write(`committed ${commit.position}\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
  });
  process.stdout.write('done\n');
  await store.close();
}
