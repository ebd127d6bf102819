import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { capturingLogger } from '../logging/log-capture-test-kit.js';
import { parseSymbol } from '../model/symbol.js';
import { storeTrades, trade } from '../server/server-test-kit.js';
import { SqliteDayArchive } from '../store/sqlite-day-archive.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowService } from './flow-service.js';
import { MarketClock } from './market-clock.js';
import { retentionCutoff, runRetention } from './retention-job.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const OLD_DAY = [
  trade('700.HK', '2024-06-12T09:30:00+08:00', '320.0', 1000), // first trade: neutral
  trade('700.HK', '2024-06-12T09:31:10+08:00', '320.2', 500, 'up'), // +160,100 (medium in)
  trade('700.HK', '2024-06-12T09:45:00+08:00', '320.0', 100, 'down'), // -32,000 (small out)
];
const SERVED_DAY = [trade('700.HK', '2024-06-14T09:30:30+08:00', '321.0', 100, 'up')]; // +32,100
const NOW = Date.parse('2024-06-14T12:00:00+08:00');

describe('retention', () => {
  it('puts the cutoff N local days before the market’s today', () => {
    assert.equal(retentionCutoff('HK', NOW, 1), '2024-06-13');
    assert.equal(retentionCutoff('US', Date.parse('2024-06-14T02:00:00Z'), 30), '2024-05-14'); // still June 13 in New York
  });

  it('archives old days’ lines and summary, deletes their raw trades, and leaves recent days and counts alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-retention-'));
    dirs.push(dir);
    const store = await SqliteFlowStore.open(dir);
    const archive = await SqliteDayArchive.open(dir);
    await storeTrades(store, [...OLD_DAY, ...SERVED_DAY]);
    const { logger, entries } = capturingLogger();
    const result = await runRetention({ store, archive, retainTradesDays: 1, now: () => NOW, logger });
    assert.deepEqual(result, { daysArchived: 1, tradesDeleted: 3 });
    assert.deepEqual(entries.map((entry) => [entry.level, entry.msg, entry.daysArchived, entry.tradesDeleted]), [[30, 'retention pass archived days', 1, 3]]);
    assert.equal((await store.tradesOfDay('700.HK', '2024-06-12')).length, 0);
    assert.equal((await store.tradesOfDay('700.HK', '2024-06-14')).length, 1);
    // The per-day counts stay: history still knows the day had 3 trades.
    assert.deepEqual((await store.daysOf('700.HK')).map((d) => [d.date, d.trades]), [
      ['2024-06-12', 3],
      ['2024-06-14', 1],
    ]);
    const day = (await archive.day('700.HK', '2024-06-12'))!;
    assert.equal(day.trades, 3);
    assert.equal(day.inflow, '128100.000');
    assert.equal(day.lines.length, 331);
    assert.deepEqual(day.lines[0], { timestamp: Date.parse('2024-06-12T09:30:00+08:00') / 1000, inflow: '0.000' });
    assert.equal(day.lines[1]!.inflow, '160100.000');
    assert.equal(day.lines[14]!.inflow, '160100.000'); // 09:44
    assert.equal(day.lines[15]!.inflow, '128100.000'); // 09:45
    assert.equal(day.lines.at(-1)!.inflow, '128100.000');
    const { distribution, totals } = day.summary as {
      distribution: { capitalIn: Record<string, string>; capitalOut: Record<string, string> };
      totals: { inflow: string; in: { total: string }; out: { total: string } };
    };
    assert.deepEqual([totals.inflow, totals.in.total, totals.out.total], ['128100.000', '160100.000', '32000.000']);
    assert.deepEqual(distribution.capitalIn, { large: '0.000', medium: '160100.000', small: '0.000' });
    assert.deepEqual(distribution.capitalOut, { large: '0.000', medium: '0.000', small: '32000.000' });

    // A second pass finds nothing more to do; the served day's lines are untouched.
    assert.deepEqual(await runRetention({ store, archive, retainTradesDays: 1, now: () => NOW, logger }), { daysArchived: 0, tradesDeleted: 0 });
    assert.equal(entries.length, 1, 'a pass that archives nothing says nothing');
    const flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'fixed', at: NOW }), archive });
    assert.equal((await flows.capitalFlow(parseSymbol('700.HK')!)).lines.at(-1)!.inflow, '32100.000');
    // History reads the trimmed day from the archive through the service.
    assert.equal((await flows.archivedDay('700.HK', '2024-06-12'))?.inflow, '128100.000');
    assert.equal(await flows.archivedDay('700.HK', '2024-06-14'), undefined);
    await archive.close();
    await store.close();
  });

  it('never trims the day a replay clock serves, however old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-retention-'));
    dirs.push(dir);
    const store = await SqliteFlowStore.open(dir);
    const archive = await SqliteDayArchive.open(dir);
    await storeTrades(store, OLD_DAY);
    const clock = new MarketClock({ kind: 'feed' });
    clock.observe('HK', OLD_DAY.at(-1)!.timestamp);
    assert.deepEqual(await runRetention({ store, archive, retainTradesDays: 1, now: (market) => clock.now(market) }), { daysArchived: 0, tradesDeleted: 0 });
    await archive.close();
    await store.close();
  });
});
