/**
 * The connector's other targets: a bus (the workers store from it; the connector cannot read
 * back what is held) and a fleet's PostgreSQL store. B is a capflow server over the store the
 * trades end up in; after live relaying and a restart of the connector, B's trades and lines
 * equal A's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { busIngestTarget } from '../bus/bus-ingest-target.js';
import { InProcessTradeBus } from '../bus/in-process-trade-bus.js';
import { silentLogger } from '../logging/logger.js';
import { startCapflowServer } from '../server/capflow-server.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock } from '../service/market-clock.js';
import type { FlowStore } from '../store/flow-store.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowWorker } from '../worker/flow-worker.js';
import { ConnectMetrics } from './connect-metrics.js';
import { configOf, eventually, linesOf, nodeOn, RELAY_CREDENTIAL, tapeOf, tradeStream, type TestNode } from './connect-test-kit.js';
import { Connector } from './connector.js';
import { storeReader, unreadableTarget, type RelayTargetReader } from './relay-target.js';
import type { RecorderTarget } from './trade-recorder.js';

const DAY = '2024-06-14';
const SYMBOLS = ['700.HK', '600000.SH'];

/** A capflow server over an existing store (what B serves), shaped like the test kit's nodes. */
async function nodeOver(store: FlowStore): Promise<TestNode> {
  const clock = new MarketClock({ kind: 'feed' });
  const flows = await FlowService.open({ store, clock, pollIntervalMs: 20 });
  const server = await startCapflowServer({ store, flows, clock, credentials: [RELAY_CREDENTIAL], port: 0, tcpPort: null });
  return {
    dir: '',
    store: store as SqliteFlowStore,
    flows,
    server,
    ports: { http: server.httpPort, tcp: 0 },
    ingest: async () => assert.fail('B takes trades from the connector only'),
    stop: () => server.stop(),
  };
}

/** Streams to A with a connector restart in the middle; B must end equal to A. */
async function relayAcrossARestart(a: TestNode, b: TestNode, target: RecorderTarget, reader: RelayTargetReader): Promise<void> {
  const stream = tradeStream(SYMBOLS, DAY, 3000, 51);
  const connect = () => {
    const connector = new Connector({ config: configOf(a.ports.http), symbols: SYMBOLS, target, reader, metrics: new ConnectMetrics(), logger: silentLogger(), retryMs: 50 });
    connector.start();
    return connector;
  };
  let connector = connect();
  for (let i = 0; i < 1500; i += 250) await a.ingest(stream.slice(i, i + 250));
  await connector.flush();
  await connector.stop();
  await a.ingest(stream.slice(1500, 2000)); // while no connector runs
  connector = connect();
  for (let i = 2000; i < 3000; i += 250) await a.ingest(stream.slice(i, i + 250));
  await eventually(async () => {
    await b.flows.poll();
    for (const symbol of SYMBOLS) if ((await tapeOf(b, symbol)).length !== (await tapeOf(a, symbol)).length) return false;
    return true;
  }, 'B to hold every trade of A');
  await connector.stop();
  const fields = (trade: { sequence: number; timestampMs: number; price: string; volume: number; tradeType: string; direction: number }) =>
    `${trade.sequence}|${Math.floor(trade.timestampMs / 1000)}|${trade.price}|${trade.volume}|${trade.tradeType}|${trade.direction}`;
  for (const symbol of SYMBOLS) {
    assert.deepEqual((await tapeOf(b, symbol)).map(fields), (await tapeOf(a, symbol)).map(fields), symbol);
    assert.deepEqual(await linesOf(b, symbol), await linesOf(a, symbol), symbol);
  }
}

describe('capflow connect into a bus (workers store the trades)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('relays exactly once; after a restart it fetches the day again and the workers drop what they hold', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'capflow-bus-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'capflow-bus-b-'));
    dirs.push(dirA, dirB);
    const a = await nodeOn(dirA);
    const store = await SqliteFlowStore.open(dirB);
    const bus = new InProcessTradeBus(4);
    const worker = new FlowWorker({ store, bus, partitions: [0, 1, 2, 3], batchSize: 500 });
    worker.start();
    const b = await nodeOver(store);
    try {
      await relayAcrossARestart(a, b, busIngestTarget(bus), unreadableTarget);
    } finally {
      await worker.stop();
      await b.stop();
      await store.close();
      await a.stop();
    }
  });
});

describe('capflow connect into PostgreSQL (a fleet’s store)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_connect');
  const dirs: string[] = [];
  after(async () => {
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    await dropSchemas([schema]);
  });

  it('relays exactly once and resumes from the sequence ids the store holds', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'capflow-pg-a-'));
    dirs.push(dirA);
    const a = await nodeOn(dirA);
    const store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
    const target = await PostgresFlowStore.open(postgresUrlWithSchema(schema)); // the connector's own, as another process has
    const b = await nodeOver(store);
    try {
      await relayAcrossARestart(a, b, target, storeReader(target));
    } finally {
      await b.stop();
      await target.close();
      await store.close();
      await a.stop();
    }
  });
});
