import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSymbol } from '../model/symbol.js';
import { storeTrades, trade } from '../server/server-test-kit.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowService } from './flow-service.js';
import { MarketClock } from './market-clock.js';

describe('FlowService across trading days', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-flow-service-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves each new day and retires the previous served day to the bounded past-day cache', async () => {
    const store = await SqliteFlowStore.open(dir);
    try {
      await storeTrades(store, [
        trade('700.HK', '2024-06-13T09:30:10+08:00', '320', 100, 'up'), // +32,000 on Thursday
        trade('700.HK', '2024-06-14T09:30:10+08:00', '321', 100, 'down'), // -32,100 on Friday
      ]);
      let now = Date.parse('2024-06-13T16:30:00+08:00');
      const flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'wall' }, () => now) });
      const symbol = parseSymbol('700.HK')!;

      const thursday = await flows.capitalFlow(symbol);
      assert.deepEqual([thursday.date, thursday.lines.length, thursday.lines.at(-1)?.inflow], ['2024-06-13', 331, '32000.000']);
      assert.deepEqual(flows.loadedDayCounts(), { served: 1, past: 0 });

      now = Date.parse('2024-06-14T09:31:00+08:00');
      const friday = await flows.capitalFlow(symbol);
      assert.deepEqual([friday.date, friday.lines.length, friday.lines.at(-1)?.inflow], ['2024-06-14', 2, '-32100.000']);
      assert.deepEqual(flows.loadedDayCounts(), { served: 1, past: 1 });
      // The retired day still answers, from the cache.
      assert.equal((await flows.dayFlow(symbol, '2024-06-13')).lines(now).at(-1)?.inflow, '32000.000');
    } finally {
      await store.close();
    }
  });
});
