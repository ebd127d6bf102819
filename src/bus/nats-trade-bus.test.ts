/**
 * Needs NATS JetStream (127.0.0.1:4222). What `publishTrades` puts on the stream: batch messages
 * of one symbol each, every symbol's trades in order, and a republished call with the same
 * message id prefix dropped by JetStream's duplicate window.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'nats';
import type { TradeToStore } from '../store/flow-store.js';
import { NATS_TEST_URL, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { generateTrades, SCALE_TEST_SYMBOLS } from '../worker/scale-test-kit.js';
import { NatsTradeBus } from './nats-trade-bus.js';
import { ReadingStopped } from './nats-partition-reader.js';
import { partitionOf } from './symbol-partition.js';
import type { BusDelivery } from './trade-bus.js';

const PARTITIONS = 2;

describe('NatsTradeBus publishing batch messages (needs NATS)', { skip: SERVICES_SKIPPED }, () => {
  const stream = uniqueName('CAPFLOW_TEST_PUB');
  let bus: NatsTradeBus;

  before(async () => {
    bus = await NatsTradeBus.connect(`${NATS_TEST_URL}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=${PARTITIONS}`, {
      messageLimits: { maxTrades: 40, maxBytes: 1 << 20 },
    });
  });
  after(async () => {
    await bus.deleteStream();
    await bus.close();
  });

  /** Every delivery of a partition up to its `count`-th trade. */
  async function readAll(partition: number, count: number): Promise<BusDelivery[]> {
    const deliveries: BusDelivery[] = [];
    let trades = 0;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const consumption = bus.consumePartition(partition, 0, async (batch) => {
      deliveries.push(...batch);
      trades += batch.reduce((sum, d) => sum + (d.items?.length ?? 0), 0);
      if (trades >= count) finished();
    });
    await Promise.race([done, consumption.done]);
    await consumption.stop();
    await consumption.done.catch((error: unknown) => {
      if (!(error instanceof ReadingStopped)) throw error;
    });
    return deliveries;
  }

  it('keeps each symbol in order in messages of up to the limit, and drops a republished call', async () => {
    // The test symbols interleaved (both partitions get some).
    const trades = generateTrades(1000).map(({ trade, date }, n) => ({ trade: { ...trade, symbol: SCALE_TEST_SYMBOLS[(n * 7 + Math.floor(n / 5)) % 4]! }, date }));
    await bus.publishTrades(trades, { messageIdPrefix: 'file@1000' });
    await bus.publishTrades(trades, { messageIdPrefix: 'file@1000' }); // a publisher that restarted
    const bySymbol = new Map<string, TradeToStore[]>();
    let messages = 0;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const expected = trades.filter((t) => partitionOf(t.trade.symbol, PARTITIONS) === partition).length;
      assert.ok(expected > 0);
      for (const delivery of await readAll(partition, expected)) {
        messages++;
        const items = delivery.items!;
        assert.ok(items.length >= 1 && items.length <= 40);
        assert.ok(items.every((t) => t.trade.symbol === items[0]!.trade.symbol));
        const list = bySymbol.get(items[0]!.trade.symbol) ?? [];
        list.push(...items);
        bySymbol.set(items[0]!.trade.symbol, list);
      }
    }
    for (const [symbol, received] of bySymbol) assert.deepEqual(received, trades.filter((t) => t.trade.symbol === symbol), symbol);
    assert.equal([...bySymbol.values()].reduce((sum, list) => sum + list.length, 0), trades.length, 'each trade once');
    assert.ok(messages < trades.length / 10, `${messages} messages for ${trades.length} trades`);
    const raw = await connect({ servers: new URL(NATS_TEST_URL).host });
    try {
      const info = await (await raw.jetstreamManager()).streams.info(stream);
      assert.equal(info.state.messages, messages, 'the republished messages were dropped as duplicates');
    } finally {
      await raw.close();
    }
  });
});
