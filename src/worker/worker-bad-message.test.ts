/**
 * Needs PostgreSQL (127.0.0.1:5432) and NATS JetStream (127.0.0.1:4222). A message on a trade
 * subject that is not a capflow trade (published by anyone who can reach NATS) is skipped and
 * counted: it must not stop its partition, which would hold back every later trade for ever.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { NatsTradeBus } from '../bus/nats-trade-bus.js';
import { capturingLogger } from '../logging/log-capture-test-kit.js';
import { partitionOf } from '../bus/symbol-partition.js';
import { symbolToken } from '../bus/trade-message.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, NATS_TEST_URL, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { FlowWorker } from './flow-worker.js';
import { expectedLines, generateTrades, storedLines } from './scale-test-kit.js';

const PARTITIONS = 2;

describe('a worker meeting bus messages that are not trades (needs PostgreSQL and NATS)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_badmsg');
  const stream = uniqueName('CAPFLOW_TEST_BAD');
  const prefix = stream.toLowerCase();
  let store: PostgresFlowStore;
  let bus: NatsTradeBus;
  let raw: NatsConnection;

  before(async () => {
    store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
    bus = await NatsTradeBus.connect(`${NATS_TEST_URL}?stream=${stream}&prefix=${prefix}&partitions=${PARTITIONS}`);
    raw = await connect({ servers: new URL(NATS_TEST_URL).host });
  });
  after(async () => {
    await raw.close();
    await bus.deleteStream();
    await bus.close();
    await store.close();
    await dropSchemas([schema]);
  });

  it('skips and counts them, and stores every trade around them exactly once', async () => {
    const trades = generateTrades(400);
    await bus.publishTrades(trades.slice(0, 200));
    // Not JSON, a JSON trade of the year 9999, and a trade whose date is not its timestamp's day.
    const js = raw.jetstream();
    const subject = `${prefix}.trades.${partitionOf('700.HK', PARTITIONS)}.HK.${symbolToken('700.HK')}`;
    const garbage = ['not json', JSON.stringify({ s: '700.HK', t: 253402300799999, p: '1', v: 1, d: '9999-12-31' }), JSON.stringify({ s: '700.HK', t: Date.parse('2024-06-14T09:30:00+08:00'), p: '1', v: 1, d: '2024-06-13' })];
    for (const text of garbage) await js.publish(subject, new TextEncoder().encode(text));
    await bus.publishTrades(trades.slice(200));

    const { logger, entries } = capturingLogger();
    const worker = new FlowWorker({ store, bus, partitions: [0, 1], batchSize: 50, logger });
    worker.start();
    const deadline = Date.now() + 20_000;
    while (worker.applied < trades.length && Date.now() < deadline) await new Promise((done) => setTimeout(done, 25));
    await worker.stop();

    assert.equal(worker.applied, trades.length);
    assert.equal(worker.rejected, garbage.length);
    assert.equal(worker.retries, 0, 'the partition never had to be taken again');
    const refused = entries.filter((entry) => entry.msg === 'bus message is not a valid trade; skipped');
    assert.deepEqual(refused.map((entry) => [entry.level, entry.partition, entry.rejected]), garbage.map((_, k) => [40, partitionOf('700.HK', PARTITIONS), k + 1]));
    assert.ok(refused.every((entry) => typeof entry.sequence === 'number' && typeof entry.reason === 'string' && entry.reason !== ''));
    assert.deepEqual(await storedLines(store), expectedLines(trades));
  });
});
