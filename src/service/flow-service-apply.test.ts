import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSymbol } from '../model/symbol.js';
import { Direction } from '../model/trade.js';
import type { TradeToStore } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowService } from './flow-service.js';
import { MarketClock } from './market-clock.js';

const DAY = '2024-06-14';
const OPEN = Date.parse('2024-06-14T09:30:00+08:00');
let n = 0;
/** An up trade of 1 share at 1.000: a line's inflow is the count of trades applied. */
function up(symbol = '700.HK'): TradeToStore {
  n++;
  return { trade: { symbol, timestamp: OPEN + n * 10, price: { units: 1000n, scale: 3 }, volume: 1, direction: Direction.Up, tradeId: `U-${n}` }, date: DAY };
}

describe('FlowService: trades applied as committed and by poll, never twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-apply-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts each trade once, whether the server applied it directly, another writer stored it, or both paths saw it', async () => {
    const server = await SqliteFlowStore.open(dir);
    const other = await SqliteFlowStore.open(dir); // e.g. `capflow ingest` in another process
    const clock = new MarketClock({ kind: 'fixed', at: Date.parse('2024-06-14T16:30:00+08:00') });
    const flows = await FlowService.open({ store: server, clock });
    const tencent = parseSymbol('700.HK')!;
    const inflow = async (symbol = tencent) => (await flows.capitalFlow(symbol)).lines.at(-1)?.inflow;
    const seen: number[] = [];
    flows.onTrades((trades) => seen.push(...trades.map((t) => t.seq)));
    try {
      assert.equal(await inflow(), '0.000'); // the day is loaded (empty)

      // Own commits with nothing in between: applied at once, the watermark follows them.
      const own1 = await server.appendTrades([up(), up()]);
      await flows.applyCommitted(own1.stored);
      assert.equal(await inflow(), '2.000');
      await flows.poll();
      assert.equal(await inflow(), '2.000');

      // Another writer's trade, then an own commit after it: applied ahead of the watermark.
      await other.appendTrades([up()]);
      const own2 = await server.appendTrades([up(), up()]);
      await flows.applyCommitted(own2.stored);
      assert.equal(await inflow(), '4.000'); // the other writer's trade waits for the poll
      await flows.applyCommitted(own2.stored); // told twice: still once
      assert.equal(await inflow(), '4.000');
      await flows.poll();
      assert.equal(await inflow(), '5.000');

      // Poll first, direct apply later (the order the two may race in): once.
      const own3 = await server.appendTrades([up()]);
      await flows.poll();
      await flows.applyCommitted(own3.stored);
      assert.equal(await inflow(), '6.000');

      // A day first loaded while trades are applied ahead of the watermark: loaded with them, once.
      await other.appendTrades([up('5.HK')]);
      const own4 = await server.appendTrades([up('5.HK'), up('5.HK')]);
      await flows.applyCommitted(own4.stored);
      const hsbc = parseSymbol('5.HK')!;
      assert.equal(await inflow(hsbc), '2.000');
      await flows.poll();
      assert.equal(await inflow(hsbc), '3.000');
      await flows.poll();
      assert.equal(await inflow(hsbc), '3.000');

      // Listeners heard of every stored trade exactly once, and a fresh service agrees.
      const all = (await server.tradesAfter(0, 100)).map((t) => t.seq);
      assert.deepEqual([...seen].sort((a, b) => a - b), all);
      const fresh = await FlowService.open({ store: server, clock });
      assert.equal((await fresh.capitalFlow(tencent)).lines.at(-1)?.inflow, '6.000');
      assert.equal((await fresh.capitalFlow(hsbc)).lines.at(-1)?.inflow, '3.000');
    } finally {
      await other.close();
      await server.close();
    }
  });
});
