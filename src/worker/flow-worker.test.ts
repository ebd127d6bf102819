import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InProcessTradeBus } from '../bus/in-process-trade-bus.js';
import type { LineNotice, TradeBus } from '../bus/trade-bus.js';
import { capturingLogger } from '../logging/log-capture-test-kit.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowWorker, lineNoticesOf } from './flow-worker.js';
import { expectedLines, generateTrades, storedLines } from './scale-test-kit.js';

const dirs: string[] = [];
async function freshStore(): Promise<SqliteFlowStore> {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-worker-'));
  dirs.push(dir);
  return SqliteFlowStore.open(dir);
}

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FlowWorker (in-process bus, embedded store)', () => {
  after(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('stores every trade once, in per-symbol order, and announces the changed lines', async () => {
    const store = await freshStore();
    const bus = new InProcessTradeBus(4);
    const notices: LineNotice[] = [];
    bus.onLineNotices((batch) => notices.push(...batch));
    const trades = generateTrades(2000);
    const worker = new FlowWorker({ store, bus, partitions: [0, 1, 2, 3], batchSize: 64 });
    worker.start();
    await bus.publishTrades(trades.slice(0, 1000));
    await bus.publishTrades(trades.slice(1000));
    await until(async () => (await store.lastSeq()) === 2000);
    await worker.stop();
    assert.equal(worker.applied, 2000);
    assert.deepEqual(await storedLines(store), expectedLines(trades));
    const last = await store.lastSeq();
    assert.ok(notices.some((n) => n.seq === last), 'the last stored trade was announced');
    await store.close();
  });

  it('skips redelivered trades when the bus hands a partition over from its start (crash before the ack)', async () => {
    const store = await freshStore();
    const bus = new InProcessTradeBus(2);
    const trades = generateTrades(600);
    await bus.publishTrades(trades);
    const first = new FlowWorker({ store, bus, partitions: [0, 1], batchSize: 50 });
    first.start();
    await until(async () => (await store.lastSeq()) === 600);
    await first.stop();
    const sources = [0, 1].map((p) => bus.checkpointId(p));
    const positions = await Promise.all(sources.map((s) => store.sourcePosition(s)));
    // At-least-once delivery at its worst: every trade is delivered again.
    const redelivering: TradeBus = {
      partitionCount: bus.partitionCount,
      publishTrades: (batch) => bus.publishTrades(batch),
      checkpointId: (p) => bus.checkpointId(p),
      consumePartition: (p, _after, handler, options) => bus.consumePartition(p, 0, handler, options),
      publishLineNotices: (n) => bus.publishLineNotices(n),
      onLineNotices: (l) => bus.onLineNotices(l),
      close: () => bus.close(),
    };
    let delivered = 0;
    const second = new FlowWorker({ store, bus: redelivering, partitions: [0, 1], batchSize: 50 });
    const counting = redelivering.consumePartition;
    redelivering.consumePartition = (p, after, handler, options) =>
      counting(p, after, async (d) => {
        delivered += d.length;
        await handler(d);
      }, options);
    second.start();
    await until(async () => delivered === 600);
    await second.stop();
    assert.equal(second.applied, 0);
    assert.equal(await store.lastSeq(), 600);
    assert.deepEqual(await Promise.all(sources.map((s) => store.sourcePosition(s))), positions);
    assert.deepEqual(await storedLines(store), expectedLines(trades));
    await store.close();
  });

  it('lets only one of two workers wrongly holding the same partition store each batch', async () => {
    const store = await freshStore();
    const bus = new InProcessTradeBus(1);
    const trades = generateTrades(1500);
    const { logger, entries } = capturingLogger();
    const workers = [0, 1].map(() => new FlowWorker({ store, bus, partitions: [0], batchSize: 20, retryDelayMs: 5, logger }));
    for (const w of workers) w.start();
    await bus.publishTrades(trades);
    await until(async () => (await store.sourcePosition(bus.checkpointId(0))) === 1500);
    await Promise.all(workers.map((w) => w.stop()));
    assert.equal(workers[0]!.applied + workers[1]!.applied, 1500);
    // A refused batch is reported with its partition (never as a free-text line).
    assert.ok(entries.every((entry) => entry.partition === 0));
    assert.equal(await store.lastSeq(), 1500);
    assert.deepEqual(await storedLines(store), expectedLines(trades));
    await store.close();
  });

  it('announces the newest stored sequence number of each symbol and day', () => {
    const base = { price: { units: 1n, scale: 0 }, volume: 1, timestamp: 0 };
    assert.deepEqual(
      lineNoticesOf([
        { ...base, symbol: 'A.US', date: '2024-06-14', seq: 3 },
        { ...base, symbol: 'B.US', date: '2024-06-14', seq: 4 },
        { ...base, symbol: 'A.US', date: '2024-06-14', seq: 7 },
      ]),
      [
        { symbol: 'A.US', date: '2024-06-14', seq: 7 },
        { symbol: 'B.US', date: '2024-06-14', seq: 4 },
      ],
    );
  });
});
