import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { capturingLogger } from '../logging/log-capture-test-kit.js';
import { parseSymbol } from '../model/symbol.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock } from '../service/market-clock.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { demoSchedule, generateDemoDay } from './demo-day.js';
import { DemoMarket } from './demo-market.js';
import { DEMO_SECURITIES } from './demo-securities.js';

const SEED = 99;
const securities = DEMO_SECURITIES.filter((s) => s.symbol === '700.HK' || s.symbol === 'AAPL.US');
const [tencent, apple] = [securities.find((s) => s.market === 'HK')!, securities.find((s) => s.market === 'US')!];
// Monday 2025-06-16 10:00 in Hong Kong: HK opened 30 minutes ago; in New York it is Sunday night.
const START = Date.parse('2025-06-16T10:00:00+08:00');

describe('demo market on the clock', () => {
  let dir: string;
  let store: SqliteFlowStore;
  let now = START;
  let demo: DemoMarket;
  let flows: FlowService;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capflow-demo-'));
    store = await SqliteFlowStore.open(dir);
    flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'wall' }, () => now) });
    demo = new DemoMarket({ store, flows, seed: SEED, securities, now: () => now });
  });
  after(async () => {
    await demo.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('preloads the previous complete trading day and today up to now', async () => {
    const progress = await demo.preload();
    const hkPrevious = generateDemoDay(SEED, tencent, demoSchedule(tencent, '2025-06-13'));
    const hkToday = generateDemoDay(SEED, tencent, demoSchedule(tencent, '2025-06-16')).filter((t) => t.timestamp <= START);
    // US: the served day is Friday 2025-06-13 (complete), its previous day Thursday 2025-06-12.
    const usServed = generateDemoDay(SEED, apple, demoSchedule(apple, '2025-06-13'));
    const usPrevious = generateDemoDay(SEED, apple, demoSchedule(apple, '2025-06-12'));
    assert.ok(hkToday.length > 100);

    const ids = async (symbol: string, date: string): Promise<string[]> =>
      (await store.tradesOfDay(symbol, date)).map((t) => t.tradeId!);
    assert.deepEqual(await ids('700.HK', '2025-06-13'), hkPrevious.map((t) => t.tradeId));
    assert.deepEqual(await ids('700.HK', '2025-06-16'), hkToday.map((t) => t.tradeId));
    assert.deepEqual(await ids('AAPL.US', '2025-06-12'), usPrevious.map((t) => t.tradeId));
    assert.deepEqual(await ids('AAPL.US', '2025-06-13'), usServed.map((t) => t.tradeId));
    assert.equal(progress.stored, hkPrevious.length + hkToday.length + usServed.length + usPrevious.length);
    assert.equal(progress.duplicates, 0);

    // The served HK day shows its lines 09:30..10:00 (31 minutes); the US one is complete.
    const hk = await flows.capitalFlow(parseSymbol('700.HK')!);
    assert.equal(hk.date, '2025-06-16');
    assert.equal(hk.lines.length, 31);
    const us = await flows.capitalFlow(parseSymbol('AAPL.US')!);
    assert.equal(us.date, '2025-06-13');
    assert.equal(us.lines.length, 390);
  });

  it('adds nothing twice when restarted over the same data', async () => {
    const { logger, entries } = capturingLogger();
    const restarted = new DemoMarket({ store, flows, seed: SEED, securities, now: () => now, logger });
    const progress = await restarted.preload();
    assert.equal(progress.stored, 0);
    assert.ok(progress.duplicates > 10_000);
    assert.deepEqual(
      entries.map((entry) => [entry.level, entry.msg, entry.seed, entry.stored, entry.alreadyPresent]),
      [[30, 'demo market preloaded', SEED, 0, progress.duplicates]],
    );
  });

  it('releases exactly the trades whose time has come as the clock moves', async () => {
    now = START + 60_000;
    const expected = generateDemoDay(SEED, tencent, demoSchedule(tencent, '2025-06-16')).filter(
      (t) => t.timestamp > START && t.timestamp <= now,
    );
    assert.ok(expected.length > 0);
    const progress = await demo.advance();
    assert.equal(progress.stored, expected.length);
    const hk = await flows.capitalFlow(parseSymbol('700.HK')!);
    assert.equal(hk.lines.length, 32);
  });

  it('stores nothing during the lunch break', async () => {
    now = Date.parse('2025-06-16T12:00:00+08:00');
    await demo.advance();
    now = Date.parse('2025-06-16T12:59:59.999+08:00');
    assert.deepEqual(await demo.advance(), { stored: 0, duplicates: 0 });
  });

  it('prints the closing auction within the grace window and then stops', async () => {
    now = Date.parse('2025-06-16T16:10:00+08:00');
    await demo.advance();
    const day = await store.tradesOfDay('700.HK', '2025-06-16');
    const all = generateDemoDay(SEED, tencent, demoSchedule(tencent, '2025-06-16'));
    assert.equal(day.length, all.length);
    now = Date.parse('2025-06-16T20:00:00+08:00');
    assert.deepEqual(await demo.advance(), { stored: 0, duplicates: 0 });
  });
});
