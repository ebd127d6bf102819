import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerEvents, type Consumer, type JsMsg } from 'nats';
import { readPartition, ReadingStopped } from './nats-partition-reader.js';
import type { BusDelivery } from './trade-bus.js';
import { encodeTradeBatchMessage, encodeTradeMessage } from './trade-message.js';

interface FakeDelivery {
  readonly seq: number;
  readonly delivery: number;
  readonly count?: number;
  /** Trades in the message: more than one makes it a batch message. */
  readonly trades?: number;
}

/**
 * A consumer whose pull requests deliver scripted messages: each `fetch` takes the next script
 * (then ends, as an expired request does); `status` events can be injected. Records how many
 * requests were made and whether each was stopped.
 */
class ScriptedConsumer {
  requests = 0;
  readonly stopped: boolean[] = [];
  private statusListeners: Array<(event: { type: string; data: unknown }) => void> = [];

  constructor(private readonly scripts: FakeDelivery[][]) {}

  emitStatus(type: string): void {
    for (const listener of this.statusListeners) listener({ type, data: 2 });
  }

  fetch(): Promise<unknown> {
    const index = this.requests++;
    this.stopped.push(false);
    const script = this.scripts[index] ?? [];
    let stop: (() => void) | undefined;
    const stoppedPromise = new Promise<void>((resolve) => (stop = resolve));
    const iterable = {
      stop: () => {
        this.stopped[index] = true;
        stop!();
      },
      status: async () => ({
        [Symbol.asyncIterator]: () => ({
          next: () =>
            new Promise<IteratorResult<{ type: string; data: unknown }>>((resolve) => {
              const listener = (event: { type: string; data: unknown }): void => {
                this.statusListeners = this.statusListeners.filter((l) => l !== listener);
                resolve({ value: event, done: false });
              };
              this.statusListeners.push(listener);
              void stoppedPromise.then(() => resolve({ value: undefined, done: true }));
            }),
        }),
      }),
      [Symbol.asyncIterator]: async function* () {
        for (const message of script) {
          await new Promise((resolve) => setImmediate(resolve));
          yield fakeMessage(message);
        }
        // An exhausted script waits like a request with nothing to deliver, until stopped.
        if (index >= lastScript) await stoppedPromise;
      },
    };
    const lastScript = this.scripts.length - 1;
    return Promise.resolve(iterable);
  }
}

function fakeMessage({ seq, delivery, count = 1, trades = 1 }: FakeDelivery): JsMsg {
  const items = Array.from({ length: trades }, (_, k) => ({
    trade: { symbol: '700.HK', timestamp: Date.parse('2024-06-14T09:30:00+08:00') + seq * 1000 + k, price: { units: 100n, scale: 0 }, volume: 100 },
    date: '2024-06-14',
  }));
  const data = trades === 1 ? encodeTradeMessage(items[0]!) : encodeTradeBatchMessage(items);
  return { seq, info: { deliverySequence: delivery, redeliveryCount: count }, data } as unknown as JsMsg;
}

const OPTIONS = { name: 'S_p0', batchSize: 10, fetchExpiresMs: 1000 };

function collect(): { handled: number[]; handler: (deliveries: readonly BusDelivery[]) => Promise<void> } {
  const handled: number[] = [];
  return { handled, handler: async (deliveries) => void handled.push(...deliveries.map((d) => d.sequence)) };
}

describe('readPartition', () => {
  it('hands over consecutive deliveries across pull requests, one request at a time', async () => {
    const consumer = new ScriptedConsumer([
      [
        { seq: 3, delivery: 1 },
        { seq: 7, delivery: 2 },
      ],
      [{ seq: 8, delivery: 3 }],
      [],
    ]);
    const { handled, handler } = collect();
    const controller = new AbortController();
    const reading = readPartition(consumer as unknown as Consumer, 2, handler, OPTIONS, controller.signal);
    while (handled.length < 3) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new ReadingStopped());
    await reading;
    assert.deepEqual(handled, [3, 7, 8]);
    assert.equal(consumer.requests, 3);
    assert.ok(consumer.stopped[2], 'the request waiting when it was stopped was stopped');
  });

  it('hands over whole messages, up to batchSize trades a call (a larger message alone)', async () => {
    const sizes = [4, 4, 4, 12, 1];
    const consumer = new ScriptedConsumer([sizes.map((trades, k) => ({ seq: k + 1, delivery: k + 1, trades })), []]);
    const calls: number[][] = [];
    let first = true;
    const handler = async (deliveries: readonly BusDelivery[]): Promise<void> => {
      // The first batch takes a while, so the others queue up behind it.
      if (first) for (let tick = 0; tick < 50; tick++) await new Promise((resolve) => setImmediate(resolve));
      first = false;
      calls.push(deliveries.map((d) => d.items?.length ?? 0));
    };
    const controller = new AbortController();
    const reading = readPartition(consumer as unknown as Consumer, 0, handler, OPTIONS, controller.signal);
    while (calls.flat().length < sizes.length) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new ReadingStopped());
    await reading;
    assert.deepEqual(calls, [[4], [4, 4], [12], [1]]);
  });

  it('hands over a message that is not valid as a refusal with its reason', async () => {
    const consumer = new ScriptedConsumer([[{ seq: 5, delivery: 1 }], []]);
    const scripted = consumer.fetch.bind(consumer);
    consumer.fetch = async () => {
      const iterable = (await scripted()) as { [Symbol.asyncIterator]: () => AsyncIterator<JsMsg> };
      const original = iterable[Symbol.asyncIterator];
      iterable[Symbol.asyncIterator] = async function* () {
        for await (const message of { [Symbol.asyncIterator]: original }) yield { ...message, data: new TextEncoder().encode('{"fmt":2}') } as unknown as JsMsg;
      } as () => AsyncIterator<JsMsg>;
      return iterable;
    };
    const seen: BusDelivery[] = [];
    const controller = new AbortController();
    const reading = readPartition(consumer as unknown as Consumer, 0, async (deliveries) => void seen.push(...deliveries), OPTIONS, controller.signal);
    while (seen.length < 1) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new ReadingStopped());
    await reading;
    assert.equal(seen[0]!.sequence, 5);
    assert.match(seen[0]!.rejected ?? '', /bad symbol undefined/);
  });

  for (const [name, bad] of [
    ['a gap in the delivery sequence', { seq: 9, delivery: 4 }],
    ['a redelivery', { seq: 9, delivery: 3, count: 2 }],
    ['a stream sequence that does not increase', { seq: 5, delivery: 3 }],
  ] as const) {
    it(`stops at ${name}, handing over nothing after it`, async () => {
      const consumer = new ScriptedConsumer([
        [
          { seq: 3, delivery: 1 },
          { seq: 7, delivery: 2 },
          bad,
          { seq: 10, delivery: 5 },
        ],
      ]);
      const { handled, handler } = collect();
      await assert.rejects(readPartition(consumer as unknown as Consumer, 2, handler, OPTIONS, new AbortController().signal), /may have been skipped/);
      assert.deepEqual(handled, [3, 7]);
      assert.deepEqual(consumer.stopped, [true]);
    });
  }

  it('fails on missed heartbeats and stops its request', async () => {
    const consumer = new ScriptedConsumer([[{ seq: 1, delivery: 1 }]]);
    const { handled, handler } = collect();
    const reading = readPartition(consumer as unknown as Consumer, 0, handler, OPTIONS, new AbortController().signal);
    while (handled.length < 1) await new Promise((resolve) => setImmediate(resolve));
    consumer.emitStatus(ConsumerEvents.HeartbeatsMissed);
    await assert.rejects(reading, /heartbeats_missed/);
    assert.deepEqual(consumer.stopped, [true]);
  });

  it('fails with the handler’s error and leaves no request behind', async () => {
    const consumer = new ScriptedConsumer([[{ seq: 1, delivery: 1 }]]);
    const reading = readPartition(
      consumer as unknown as Consumer,
      0,
      async () => {
        throw new Error('database down');
      },
      OPTIONS,
      new AbortController().signal,
    );
    await assert.rejects(reading, /database down/);
    assert.deepEqual(consumer.stopped, [true]);
    assert.equal(consumer.requests, 1);
  });

  it('fails when aborted with an error (a dropped connection), after the batch in hand', async () => {
    const consumer = new ScriptedConsumer([[{ seq: 1, delivery: 1 }], []]);
    const controller = new AbortController();
    let finished = false;
    const reading = readPartition(
      consumer as unknown as Consumer,
      0,
      async () => {
        controller.abort(new Error('lost the connection to NATS'));
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = true;
      },
      OPTIONS,
      controller.signal,
    );
    await assert.rejects(reading, /lost the connection/);
    assert.ok(finished, 'the batch in hand was finished first');
    assert.ok(consumer.stopped.every(Boolean));
  });
});
