/**
 * Measures the single-node figures docs/scaling.md is based on (needs PostgreSQL and NATS):
 * `node dist/worker/measure-scale-out.js`. Uses throw-away schema and stream names, removed after.
 */
import { NatsTradeBus } from '../bus/nats-trade-bus.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, NATS_TEST_URL, postgresUrlWithSchema, uniqueName } from '../store/postgres-test-kit.js';
import { FlowWorker } from './flow-worker.js';
import { generateTrades } from './scale-test-kit.js';

async function appendThroughput(batchSize: number, total: number): Promise<number> {
  const schema = uniqueName('capflow_measure');
  const store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
  try {
    const trades = generateTrades(total);
    const start = performance.now();
    for (let k = 0; k < total; k += batchSize) await store.appendTrades(trades.slice(k, k + batchSize));
    return total / ((performance.now() - start) / 1000);
  } finally {
    await store.close();
    await dropSchemas([schema]);
  }
}

async function publishToApply(): Promise<{ publishPerSecond: number; drainPerSecond: number; latencies: number[] }> {
  const schema = uniqueName('capflow_measure');
  const stream = uniqueName('CAPFLOW_MEASURE');
  const url = `${NATS_TEST_URL}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=4`;
  const store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
  const bus = await NatsTradeBus.connect(url);
  const worker = new FlowWorker({ store, bus, partitions: [0, 1, 2, 3], batchSize: 500 });
  try {
    const bulk = generateTrades(20_000);
    const start = performance.now();
    await bus.publishTrades(bulk);
    const publishPerSecond = bulk.length / ((performance.now() - start) / 1000);
    const drainStart = performance.now();
    worker.start();
    while ((await store.lastSeq()) < bulk.length) await new Promise((r) => setTimeout(r, 20));
    const drainPerSecond = bulk.length / ((performance.now() - drainStart) / 1000);
    // Latency of single trades on an idle pipeline: publish → the worker's line notice.
    const latencies: number[] = [];
    const single = generateTrades(50);
    for (const item of single) {
      const seen = new Promise<void>((resolve) => {
        const stop = bus.onLineNotices(() => {
          stop();
          resolve();
        });
      });
      const t0 = performance.now();
      await bus.publishTrades([item]);
      await seen;
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    return { publishPerSecond, drainPerSecond, latencies };
  } finally {
    await worker.stop();
    await bus.deleteStream();
    await bus.close();
    await store.close();
    await dropSchemas([schema]);
  }
}

const round = (n: number): string => Math.round(n).toLocaleString('en-US');
for (const batch of [100, 500, 5000]) {
  console.log(`PostgreSQL append, batches of ${batch}: ${round(await appendThroughput(batch, 50_000))} trades/s`);
}
const { publishPerSecond, drainPerSecond, latencies } = await publishToApply();
console.log(`JetStream publish (acknowledged, pipelined): ${round(publishPerSecond)} trades/s`);
console.log(`one worker storing a backlog of 20,000 trades (4 partitions, batches of 500): ${round(drainPerSecond)} trades/s`);
const pct = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
console.log(`publish → stored → line notice, single trades: p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms`);
