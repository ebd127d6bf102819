import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSymbol } from '../../model/symbol.js';
import { MarketClock } from '../../service/market-clock.js';
import { FlowService } from '../../service/flow-service.js';
import { runRetention } from '../../service/retention-job.js';
import { SqliteDayArchive } from '../../store/sqlite-day-archive.js';
import { SqliteFlowStore } from '../../store/sqlite-flow-store.js';
import { RateLimiter } from '../rate-limit/token-bucket.js';
import { storeTrades, trade } from '../server-test-kit.js';
import { FlowQueries } from './flow-queries.js';

const OLD_DAY = [
  trade('700.HK', '2024-06-12T09:30:00+08:00', '320.0', 1000), // first trade: neutral
  trade('700.HK', '2024-06-12T09:31:10+08:00', '320.2', 500, 'up'), // +160,100 (medium in)
  trade('700.HK', '2024-06-12T09:45:00+08:00', '320.0', 100, 'down'), // -32,000 (small out)
];
const NOW = Date.parse('2024-06-14T12:00:00+08:00');

describe('days trimmed by retention', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-archived-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('still answer daily, intraday and distribution from their kept lines and summary', async () => {
    const store = await SqliteFlowStore.open(dir);
    const archive = await SqliteDayArchive.open(dir);
    try {
      await storeTrades(store, [...OLD_DAY, trade('700.HK', '2024-06-14T09:30:30+08:00', '321.0', 100, 'up')]);
      assert.deepEqual(await runRetention({ store, archive, retainTradesDays: 1, now: () => NOW }), { daysArchived: 1, tradesDeleted: 3 });
      const flows = await FlowService.open({ store, archive, clock: new MarketClock({ kind: 'fixed', at: NOW }) });
      const queries = new FlowQueries({ flows, store });
      const symbol = parseSymbol('700.HK')!;

      const daily = await queries.daily(symbol, '2024-06-12', '2024-06-14');
      assert.deepEqual(
        daily.days.map((day) => [day.date, day.inflow, day.in.total, day.out.total]),
        [
          ['2024-06-12', '128100.000', '160100.000', '32000.000'],
          ['2024-06-13', '0.000', '0.000', '0.000'],
          ['2024-06-14', '32100.000', '32100.000', '0.000'],
        ],
      );
      const intraday = await queries.intraday(symbol, '2024-06-12', false);
      assert.equal(intraday.lines.length, 331);
      assert.equal(intraday.lines[1]?.inflow, '160100.000');
      assert.equal(intraday.lines.at(-1)?.inflow, '128100.000');
      const distribution = await queries.distribution(symbol, '2024-06-12');
      assert.deepEqual([distribution.capitalIn.medium, distribution.capitalOut.small], ['160100.000', '32000.000']);
    } finally {
      await archive.close();
      await store.close();
    }
  });
});
