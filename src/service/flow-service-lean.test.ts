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
import { sizeTierFlow } from '../engine/tiers/size-tier-flow.js';

/**
 * Served days without their replay log (the default): every view equals the one a server keeping
 * the logs gives, including views before the day's latest trade, detail lines and tier passes,
 * which are answered from a day rebuilt from the store and kept current as trades arrive.
 */
describe('FlowService: served days without their log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-lean-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every view exactly as a server keeping the logs', async () => {
    const store = await SqliteFlowStore.open(dir);
    try {
      await storeTrades(store, [
        trade('700.HK', '2024-06-14T09:30:10+08:00', '320', 1000, 'up'),
        trade('700.HK', '2024-06-14T09:31:10+08:00', '321', 200), // no side: tick rule
        trade('700.HK', '2024-06-14T09:40:00+08:00', '319.8', 3000), // after the clock below at first
        trade('700.HK', '2024-06-14T09:41:00+08:00', '320.2', 700, 'down'),
      ]);
      let now = Date.parse('2024-06-14T09:35:00+08:00');
      const clock = () => new MarketClock({ kind: 'wall' }, () => now);
      const lean = await FlowService.open({ store, clock: clock() });
      const full = await FlowService.open({ store, clock: clock(), keepServedLogs: true });
      const symbol = parseSymbol('700.HK')!;
      const same = async (label: string): Promise<void> => {
        assert.deepEqual(await lean.capitalFlow(symbol), await full.capitalFlow(symbol), `${label}: lines`);
        assert.deepEqual(await lean.capitalDistribution(symbol), await full.capitalDistribution(symbol), `${label}: distribution`);
        const [leanDay, fullDay] = [await lean.dayFlow(symbol, '2024-06-14', 'log'), await full.dayFlow(symbol, '2024-06-14', 'log')];
        assert.deepEqual(leanDay.detailLines(now), fullDay.detailLines(now), `${label}: detail lines`);
        const convention = { kind: 'eastmoney', market: 'HK' } as const;
        assert.deepEqual(sizeTierFlow(leanDay, now, convention).exact, sizeTierFlow(fullDay, now, convention).exact, `${label}: tier pass`);
        assert.deepEqual((await lean.dayFlow(symbol, '2024-06-14')).totals(now), (await full.dayFlow(symbol, '2024-06-14')).totals(now), `${label}: totals`);
      };
      // The clock stands before two of the day's trades: the lean day cannot show that view by itself.
      await same('before the latest trade');
      assert.equal(lean.loadedDay('700.HK', '2024-06-14'), undefined);
      assert.equal((await lean.dayFlow(symbol, '2024-06-14')).hasLog, true);
      now = Date.parse('2024-06-14T10:00:00+08:00');
      await same('after every trade');
      assert.equal(lean.loadedDay('700.HK', '2024-06-14')?.hasLog, false);
      // New trades reach the lean day and the rebuilt one alike.
      const more = await store.appendTrades([{ trade: trade('700.HK', '2024-06-14T09:59:00+08:00', '321.4', 5000, 'up'), date: '2024-06-14' }]);
      await lean.applyCommitted(more.stored);
      await full.applyCommitted(more.stored);
      await same('after a new trade');
      assert.equal((await lean.capitalFlow(symbol)).lines.at(-1)?.inflow, (await full.capitalFlow(symbol)).lines.at(-1)?.inflow);
    } finally {
      await store.close();
    }
  });
});
