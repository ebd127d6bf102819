/**
 * Measures the single-node figures docs/scaling.md is based on (needs PostgreSQL and NATS):
 * `node dist/worker/measure-scale-out.js`. Uses throw-away schema and stream names, removed after.
 * The whole-day run through the CLI processes is `npm run bench:scale-out`.
 */
import { NatsTradeBus } from '../bus/nats-trade-bus.js';
import { partitionsOfWorker } from '../bus/symbol-partition.js';
import type { TradeToStore } from '../store/flow-store.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, NATS_TEST_URL, postgresUrlWithSchema, uniqueName } from '../store/postgres-test-kit.js';
import { FlowWorker } from './flow-worker.js';
import { generateTrades } from './scale-test-kit.js';

const PARTITIONS = 16;

/** `count` HK trades spread over `symbols` symbols (a market's interleaving), with trade ids. */
function marketTrades(count: number, symbols: number): TradeToStore[] {
  const start = Date.parse('2024-06-14T09:30:00+08:00');
  const trades: TradeToStore[] = [];
  let state = 12345;
  for (let n = 0; n < count; n++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const symbol = `${1 + ((state >> 8) % symbols)}.HK`;
    trades.push({
      trade: {
        symbol,
        timestamp: start + Math.floor((n * 2 * 3600_000) / count),
        price: { units: BigInt(30_000 + ((state >> 4) % 500)), scale: 3 },
        volume: 100 * (1 + ((state >> 12) % 20)),
        tradeId: `T${n}`,
      },
      date: '2024-06-14',
    });
  }
  return trades;
}

async function appendThroughput(batchSize: number, total: number): Promise<number> {
  const schema = uniqueName('capflow_measure');
  const store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
  try {
    const trades = marketTrades(total, 1000);
    const start = performance.now();
    for (let k = 0; k < total; k += batchSize) await store.appendTrades(trades.slice(k, k + batchSize));
    return total / ((performance.now() - start) / 1000);
  } finally {
    await store.close();
    await dropSchemas([schema]);
  }
}

/** Publishes a backlog, then drains it with `workers` workers (in this process, a store connection each). */
async function publishAndDrain(total: number, workers: number): Promise<{ publishPerSecond: number; drainPerSecond: number }> {
  const schema = uniqueName('capflow_measure');
  const stream = uniqueName('CAPFLOW_MEASURE');
  const url = `${NATS_TEST_URL}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=${PARTITIONS}`;
  const stores = await Promise.all(Array.from({ length: workers }, () => PostgresFlowStore.open(postgresUrlWithSchema(schema))));
  const bus = await NatsTradeBus.connect(url);
  const fleet = stores.map((store, id) => new FlowWorker({ store, bus, partitions: partitionsOfWorker(PARTITIONS, workers, id) }));
  try {
    const bulk = marketTrades(total, 1000);
    const start = performance.now();
    for (let k = 0; k < bulk.length; k += 100_000) await bus.publishTrades(bulk.slice(k, k + 100_000));
    const publishPerSecond = bulk.length / ((performance.now() - start) / 1000);
    const drainStart = performance.now();
    for (const worker of fleet) worker.start();
    while (fleet.reduce((sum, w) => sum + w.applied, 0) < bulk.length) await new Promise((r) => setTimeout(r, 20));
    const drainPerSecond = bulk.length / ((performance.now() - drainStart) / 1000);
    return { publishPerSecond, drainPerSecond };
  } finally {
    await Promise.all(fleet.map((w) => w.stop()));
    await bus.deleteStream();
    await bus.close();
    await Promise.all(stores.map((s) => s.close()));
    await dropSchemas([schema]);
  }
}

/** Single trades on an idle pipeline: publish → the worker's line notice. */
async function latencies(): Promise<number[]> {
  const schema = uniqueName('capflow_measure');
  const stream = uniqueName('CAPFLOW_MEASURE');
  const store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
  const bus = await NatsTradeBus.connect(`${NATS_TEST_URL}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=4`);
  const worker = new FlowWorker({ store, bus, partitions: [0, 1, 2, 3] });
  worker.start();
  try {
    const samples: number[] = [];
    for (const item of generateTrades(50)) {
      const seen = new Promise<void>((resolve) => {
        const stop = bus.onLineNotices(() => {
          stop();
          resolve();
        });
      });
      const t0 = performance.now();
      await bus.publishTrades([item]);
      await seen;
      samples.push(performance.now() - t0);
    }
    return samples.sort((a, b) => a - b);
  } finally {
    await worker.stop();
    await bus.deleteStream();
    await bus.close();
    await store.close();
    await dropSchemas([schema]);
  }
}

const round = (n: number): string => Math.round(n).toLocaleString('en-US');
for (const batch of [100, 500, 5000, 20_000]) {
  console.log(`PostgreSQL append, batches of ${batch} (1,000 symbols, trade ids): ${round(await appendThroughput(batch, batch < 1000 ? 50_000 : 200_000))} trades/s`);
}
for (const workers of [1, 2]) {
  const { publishPerSecond, drainPerSecond } = await publishAndDrain(200_000, workers);
  console.log(`JetStream publish, batch messages (200,000 trades over 1,000 symbols): ${round(publishPerSecond)} trades/s`);
  console.log(`${workers} worker(s) in one process storing that backlog (16 partitions): ${round(drainPerSecond)} trades/s`);
}
const samples = await latencies();
const pct = (p: number): string => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(1);
console.log(`publish → stored → line notice, single trades: p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms`);
