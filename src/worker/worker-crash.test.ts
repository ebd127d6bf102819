/**
 * Needs PostgreSQL (127.0.0.1:5432) and NATS JetStream (127.0.0.1:4222). Two `capflow worker`
 * processes split the partitions; one is killed with SIGKILL mid-stream and started again.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { NatsTradeBus } from '../bus/nats-trade-bus.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, NATS_TEST_URL, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { expectedLines, generateTrades, storedLines } from './scale-test-kit.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/capflow.js');
const TOTAL = 8_000;
const PARTITIONS = 4;

describe('capflow worker killed mid-stream (needs PostgreSQL and NATS)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_worker');
  const stream = uniqueName('CAPFLOW_TEST');
  const storeUrl = postgresUrlWithSchema(schema);
  const busUrl = `${NATS_TEST_URL}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=${PARTITIONS}`;
  let store: PostgresFlowStore;
  let bus: NatsTradeBus;
  const children = new Set<ChildProcess>();

  function startWorker(id: number): ChildProcess {
    const child = spawn(process.execPath, [BIN, 'worker', '--store', storeUrl, '--bus', busUrl, '--workers', '2', '--worker-id', String(id), '--batch', '100'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => process.env['CAPFLOW_TEST_DEBUG'] && process.stderr.write(chunk));
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  }

  const exited = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

  before(async () => {
    store = await PostgresFlowStore.open(storeUrl);
    bus = await NatsTradeBus.connect(busUrl);
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await bus.deleteStream();
    await bus.close();
    await store.close();
    await dropSchemas([schema]);
  });

  it('stores every trade exactly once: the lines equal those of an uninterrupted run', async () => {
    const trades = generateTrades(TOTAL);
    await bus.publishTrades(trades);
    const steady = startWorker(0);
    let victim = startWorker(1);
    // Kill worker 1 while it is in the middle of the stream.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const stored = (await store.tradesAfter(0, TOTAL)).length;
      if (stored >= TOTAL / 10) break;
      assert.ok(Date.now() < deadline, 'the workers did not start storing');
      await new Promise((r) => setTimeout(r, 10));
    }
    victim.kill('SIGKILL');
    await exited(victim);
    const atKill = await store.lastSeq();
    assert.ok(atKill < TOTAL, `killed too late to prove anything (${atKill} stored)`);
    victim = startWorker(1);
    for (;;) {
      const positions = await Promise.all([0, 1, 2, 3].map((p) => store.sourcePosition(bus.checkpointId(p))));
      if (Math.max(...positions) > 0 && (await store.tradesAfter(0, TOTAL + 1)).length === TOTAL) break;
      assert.ok(Date.now() < deadline + 20_000, 'the workers did not finish');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300)); // anything counted twice would show by now
    assert.equal((await store.tradesAfter(0, TOTAL + 1)).length, TOTAL);
    assert.deepEqual(await storedLines(store), expectedLines(trades));
    steady.kill('SIGTERM');
    victim.kill('SIGTERM');
    await Promise.all([exited(steady), exited(victim)]);
    assert.equal(steady.exitCode, 0);
  });
});
