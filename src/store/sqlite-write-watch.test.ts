import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Direction } from '../model/trade.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';
import { watchStoreWrites } from './sqlite-write-watch.js';

describe('watchStoreWrites', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-watch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a reader soon after another connection commits, debounced', async () => {
    const reader = await SqliteFlowStore.open(dir);
    const writer = await SqliteFlowStore.open(dir); // as another process would
    let calls = 0;
    let seen = 0;
    const stop = watchStoreWrites(dir, () => {
      calls++;
      void reader.lastSeq().then((last) => (seen = last));
    }, { minIntervalMs: 20 });
    try {
      const started = Date.now();
      for (let i = 0; i < 20; i++) {
        await writer.appendTrades([
          { trade: { symbol: '700.HK', timestamp: Date.parse('2024-06-14T10:00:00+08:00') + i, price: { units: 3200n, scale: 1 }, volume: 1, direction: Direction.Up }, date: '2024-06-14' },
        ]);
      }
      while (seen < 20 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(seen, 20, 'the reader was told after the last commit');
      assert.ok(calls >= 1 && calls < 20, `20 commits in a burst are told in fewer calls (${calls})`);
    } finally {
      stop();
      await writer.close();
      await reader.close();
    }
  });
});
