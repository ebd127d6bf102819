/**
 * FlowService while its store is down or stops answering: days already held keep answering,
 * answers that need the store fail with 7/301602 within storeWaitMs instead of hanging, and
 * everything recovers by itself (a load that finished late is kept). Timers are mocked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it, mock } from 'node:test';
import { capturingLogger } from '../logging/log-capture-test-kit.js';
import { CapflowError } from '../model/errors.js';
import { parseSymbol } from '../model/symbol.js';
import { storeTrades, trade } from '../server/server-test-kit.js';
import type { FlowStore } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowService } from './flow-service.js';
import { MarketClock } from './market-clock.js';

type Mode = 'up' | 'down' | 'frozen';

/** The store, with reads that fail (`down`) or wait until it is `up` again (`frozen`). */
function faultyStore(store: FlowStore): { store: FlowStore; set(mode: Mode): void; reads: () => number } {
  let mode: Mode = 'up';
  let reads = 0;
  const waiting: Array<() => void> = [];
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        reads++;
        if (mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        if (mode === 'frozen') await new Promise<void>((resolve) => waiting.push(resolve));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store: proxy,
    set(next) {
      mode = next;
      if (next !== 'frozen') for (const resume of waiting.splice(0)) resume();
    },
    reads: () => reads,
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FlowService when the store fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-flow-faults-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => mock.timers.reset());

  async function open(): Promise<{ flows: FlowService; faults: ReturnType<typeof faultyStore>; logs: Record<string, unknown>[]; close: () => Promise<void> }> {
    const base = await SqliteFlowStore.open(mkdtempSync(join(dir, 'store-')));
    await storeTrades(base, [
      trade('700.HK', '2024-06-14T09:30:10+08:00', '320', 100, 'up'),
      trade('5.HK', '2024-06-14T09:30:10+08:00', '60', 200, 'down'),
    ]);
    const faults = faultyStore(base);
    const { logger, entries: logs } = capturingLogger();
    const now = Date.parse('2024-06-14T16:30:00+08:00');
    const flows = await FlowService.open({ store: faults.store, clock: new MarketClock({ kind: 'wall' }, () => now), storeWaitMs: 5000, logger });
    return { flows, faults, logs, close: () => base.close() };
  }

  it('answers held days from memory and fails the others with 7/301602 after storeWaitMs when the store hangs; a late load is kept', async () => {
    const { flows, faults, close } = await open();
    try {
      const tencent = parseSymbol('700.HK')!;
      const hsbc = parseSymbol('5.HK')!;
      assert.equal((await flows.capitalFlow(tencent)).lines.at(-1)?.inflow, '32000.000');
      mock.timers.enable({ apis: ['setTimeout'] });
      faults.set('frozen');
      const readsBefore = faults.reads();
      // Held: answered without the store.
      assert.equal((await flows.capitalFlow(tencent)).lines.at(-1)?.inflow, '32000.000');
      assert.equal(faults.reads(), readsBefore);
      // Not held: bounded by storeWaitMs.
      const waiting = flows.capitalFlow(hsbc);
      let settled = false;
      waiting.catch(() => undefined).finally(() => (settled = true));
      mock.timers.tick(4999);
      await settle();
      assert.equal(settled, false, 'still within storeWaitMs');
      mock.timers.tick(1);
      await assert.rejects(waiting, (error: unknown) => error instanceof CapflowError && error.status === 7 && error.code === 301602 && /within 5000 ms/.test(error.message));
      // The store answers late: the load finishes and the day is held from then on.
      faults.set('up');
      for (let k = 0; k < 5; k++) await settle();
      const readsAfterLoad = faults.reads();
      assert.equal((await flows.capitalFlow(hsbc)).lines.at(-1)?.inflow, '-12000.000');
      assert.equal(faults.reads(), readsAfterLoad, 'answered from the day the late load kept');
    } finally {
      await close();
    }
  });

  it('fails store-backed answers at once while the store is down, logs a failing poller once per outage, and catches up after it', async () => {
    const { flows, faults, logs, close } = await open();
    try {
      const tencent = parseSymbol('700.HK')!;
      const hsbc = parseSymbol('5.HK')!;
      await flows.capitalFlow(tencent);
      mock.timers.enable({ apis: ['setTimeout'] });
      faults.set('down');
      await assert.rejects(flows.capitalFlow(hsbc), /ECONNREFUSED/);
      flows.start();
      for (let k = 0; k < 10; k++) {
        mock.timers.tick(200);
        for (let j = 0; j < 3; j++) await settle();
      }
      const pollLogs = logs.filter((entry) => String(entry.msg).startsWith('poll'));
      assert.deepEqual(
        pollLogs.map((entry) => [entry.level, entry.msg, (entry.err as { message: string }).message]),
        [[50, 'poll failed; answering from the days held until the store is back', 'connect ECONNREFUSED 127.0.0.1:5432']],
      );
      assert.equal((await flows.capitalFlow(tencent)).lines.at(-1)?.inflow, '32000.000', 'held days still answer');
      faults.set('up');
      mock.timers.tick(200);
      for (let j = 0; j < 5; j++) await settle();
      flows.stop();
      const recovered = logs.at(-1)!;
      assert.equal(recovered.msg, 'poll: reading the store again');
      assert.equal(recovered.level, 30);
      assert.equal(recovered.failedPolls, 10);
      assert.equal(typeof recovered.failingMs, 'number');
      assert.equal((await flows.capitalFlow(hsbc)).lines.at(-1)?.inflow, '-12000.000');
    } finally {
      flows.stop();
      await close();
    }
  });
});
