/**
 * Needs PostgreSQL (127.0.0.1:5432); starts its own nats-server. Workers keep storing every trade
 * exactly once across NATS restarts — after earlier store failures, with the stream's store kept,
 * and with it lost — and resume within seconds rather than after an acknowledgement timeout.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { NatsTradeBus } from '../bus/nats-trade-bus.js';
import { NATS_SERVER_SKIPPED, ThrowawayNats } from '../bus/nats-server-test-kit.js';
import { capturingLogger, errorMessageOf } from '../logging/log-capture-test-kit.js';
import type { FlowStore } from '../store/flow-store.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { FlowWorker } from './flow-worker.js';
import { expectedLines, generateTrades, storedLines } from './scale-test-kit.js';

const PARTITIONS = 4;
/** How long the workers may take to store what was published after NATS came back. */
const RECOVERY_BOUND_MS = 15_000;

async function until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

/** The store with its first `failures` appends refused, as while PostgreSQL restarts. */
function failingFirstAppends(store: PostgresFlowStore, failures: number): FlowStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendTrades') {
        return (...args: Parameters<FlowStore['appendTrades']>) =>
          ++calls <= failures ? Promise.reject(new Error('the database system is shutting down (injected)')) : target.appendTrades(...args);
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('workers across NATS restarts (needs PostgreSQL; starts nats-server)', { skip: SERVICES_SKIPPED || NATS_SERVER_SKIPPED }, () => {
  let nats: ThrowawayNats;
  const schemas: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    nats = await ThrowawayNats.start();
  });
  // Each test's fleet stops with it, so the next restart only concerns its own.
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });
  after(async () => {
    await nats.dispose();
    await dropSchemas(schemas);
  });

  /** A publisher and two workers (partitions split between them) on a new stream and schema. */
  async function fleet(options: { readonly storeFailures?: number } = {}): Promise<{ store: PostgresFlowStore; publisher: NatsTradeBus; logs: Record<string, unknown>[] }> {
    const schema = uniqueName('capflow_test_natsrestart');
    schemas.push(schema);
    const stream = uniqueName('CAPFLOW_TEST_RESTART');
    const busUrl = `${nats.url}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=${PARTITIONS}`;
    const store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
    closers.push(() => store.close());
    const publisher = await NatsTradeBus.connect(busUrl);
    closers.push(() => publisher.close());
    const { logger, entries: logs } = capturingLogger();
    for (const partitions of [
      [0, 2],
      [1, 3],
    ]) {
      const workerLogger = logger.child({ partitions });
      const bus = await NatsTradeBus.connect(busUrl, { logger: workerLogger.child({ module: 'bus' }) });
      const workerStore = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
      const worker = new FlowWorker({
        store: options.storeFailures ? failingFirstAppends(workerStore, options.storeFailures) : workerStore,
        bus,
        partitions,
        batchSize: 50,
        retryDelayMs: 100,
        logger: workerLogger.child({ module: 'worker' }),
      });
      worker.start();
      closers.push(async () => {
        await worker.stop();
        await bus.close();
        await workerStore.close();
      });
    }
    return { store, publisher, logs };
  }

  const storedCount = async (store: PostgresFlowStore): Promise<number> => (await store.tradesAfter(0, 1e9)).length;

  async function restartNats(options: { readonly freshStore?: boolean } = {}, publisher: NatsTradeBus): Promise<void> {
    await nats.stop();
    await nats.start(options);
    await until('the publisher reconnected', 20_000, async () => publisher.isConnected());
  }

  async function assertEveryTradeOnce(store: PostgresFlowStore, trades: ReturnType<typeof generateTrades>, withinMs: number): Promise<void> {
    await until(`all ${trades.length} trades are stored`, withinMs, async () => (await storedCount(store)) >= trades.length);
    await new Promise((done) => setTimeout(done, 300)); // anything stored twice would show by now
    assert.equal(await storedCount(store), trades.length);
    assert.deepEqual(await storedLines(store), expectedLines(trades));
  }

  it('stores every trade once after store failures followed by a NATS restart (no consumer left behind by a failed batch)', async () => {
    const { store, publisher, logs } = await fleet({ storeFailures: 2 });
    const trades = generateTrades(4000);
    await publisher.publishTrades(trades.slice(0, 2000));
    await until('the workers stored some trades', 20_000, async () => (await storedCount(store)) > 0);
    await restartNats({}, publisher);
    await publisher.publishTrades(trades.slice(2000));
    await assertEveryTradeOnce(store, trades, RECOVERY_BOUND_MS);
    assert.ok(
      logs.some((entry) => entry.module === 'worker' && entry.msg === 'partition failed; taking it again from the stored position' && errorMessageOf(entry).includes('injected')),
      'the store failures were logged',
    );
  });

  it('resumes within seconds when NATS restarts with its store mid-stream', async () => {
    const { store, publisher } = await fleet();
    const trades = generateTrades(4000);
    await publisher.publishTrades(trades.slice(0, 2000));
    await until('the workers stored some trades', 20_000, async () => (await storedCount(store)) > 0);
    await restartNats({}, publisher);
    const resumed = Date.now();
    await publisher.publishTrades(trades.slice(2000));
    await assertEveryTradeOnce(store, trades, RECOVERY_BOUND_MS);
    assert.ok(Date.now() - resumed < RECOVERY_BOUND_MS);
  });

  it('recreates a lost stream, says so, and stores what is published to the new one exactly once', async () => {
    const { store, publisher, logs } = await fleet();
    const trades = generateTrades(3000);
    const before = trades.slice(0, 2000);
    await publisher.publishTrades(before);
    await assertEveryTradeOnce(store, before, 20_000);
    await restartNats({ freshStore: true }, publisher);
    await until('a worker noticed the lost stream', 20_000, async () => logs.some((entry) => entry.module === 'bus' && /^stream was lost/.test(String(entry.msg)) && typeof entry.stream === 'string') && logs.some((entry) => entry.module === 'worker' && /^the stream is a new one/.test(String(entry.msg)) && typeof entry.lostPosition === 'number'));
    // New trades of a later part of the day: sequence numbers start again at 1 in the new stream.
    await publisher.publishTrades(trades.slice(2000));
    await assertEveryTradeOnce(store, trades, RECOVERY_BOUND_MS);
  });
});
