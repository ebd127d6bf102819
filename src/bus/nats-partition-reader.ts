import { ConsumerEvents, type Consumer, type ConsumerMessages, type JsMsg } from 'nats';
import { BadTradeMessage, decodeBusMessage } from './trade-message.js';
import type { BusDelivery, DeliveryHandler } from './trade-bus.js';

export interface PartitionReadOptions {
  /** The consumer's name, for messages. */
  readonly name: string;
  /** Most trades per handler call (whole messages, at least one). */
  readonly batchSize: number;
  /** How long one pull request waits for messages before the next is sent (≥ 1 s). */
  readonly fetchExpiresMs: number;
}

/** The reason a reading is aborted when it should just end (not fail). */
export class ReadingStopped extends Error {
  constructor() {
    super('stopped');
  }
}

/** Consumer status events after which deliveries may have gone astray. */
const DOUBTFUL: ReadonlySet<string> = new Set([
  ConsumerEvents.HeartbeatsMissed,
  ConsumerEvents.ConsumerDeleted,
  ConsumerEvents.ConsumerNotFound,
  ConsumerEvents.StreamNotFound,
  ConsumerEvents.NoResponders,
]);

/** Most messages per pull request (a batch message holds up to a few hundred trades). */
const MAX_PULL = 1000;

/**
 * Reads a freshly created, unacknowledged (AckPolicy.None) consumer of one partition in order and
 * hands the messages' trades to `handler` in batches: whatever arrived while the previous batch
 * was being stored, so an idle pipeline stores a single trade at once. There is exactly one pull
 * request at a time (`fetch`, of at most MAX_PULL messages), and the fetcher pauses while a
 * batch's worth of trades is waiting, so about two batches are held in memory.
 *
 * It trusts nothing it cannot check: every message must be the consumer's next delivery (its
 * delivery sequence one more than the last, never a redelivery, its stream sequence higher).
 * At the first gap, missed heartbeat, lost consumer or stream, or abort with an error (the bus
 * aborts on a dropped connection), it stops its pull request and rejects — so nothing is ever
 * handed over after a skipped message, and no pull request outlives it. The caller starts again
 * from the position its store committed, on a new consumer. Resolves after an abort with
 * `ReadingStopped` (the batch in hand finishes first); rejects with a handler's error.
 */
export async function readPartition(
  consumer: Consumer,
  afterSequence: number,
  handler: DeliveryHandler,
  options: PartitionReadOptions,
  signal: AbortSignal,
): Promise<void> {
  const queue: BusDelivery[] = [];
  /** Trades in `queue` (a refused message counts as one). */
  let queued = 0;
  let ended = false;
  let failure: unknown;
  let current: ConsumerMessages | undefined;
  let wakeReader: (() => void) | undefined;
  let wakeFetcher: (() => void) | undefined;
  const end = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    failure = error;
    current?.stop();
    wakeReader?.();
    wakeFetcher?.();
  };
  const onAbort = (): void => end(signal.reason instanceof ReadingStopped ? undefined : signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  const fetcher = (async () => {
    let lastDelivery = 0;
    let lastSequence = afterSequence;
    while (!ended) {
      if (queued >= options.batchSize) {
        await new Promise<void>((resolve) => (wakeFetcher = resolve));
        wakeFetcher = undefined;
        continue;
      }
      const messages = await consumer.fetch({ max_messages: Math.min(MAX_PULL, options.batchSize), expires: options.fetchExpiresMs });
      current = messages;
      if (ended) {
        messages.stop();
        return;
      }
      void (async () => {
        for await (const status of await messages.status()) {
          if (DOUBTFUL.has(status.type)) end(new Error(`consumer ${options.name}: ${status.type} (${String(status.data)})`));
        }
      })().catch(() => undefined);
      for await (const message of messages) {
        if (ended) break;
        const { deliverySequence, redeliveryCount } = message.info;
        if (deliverySequence !== lastDelivery + 1 || redeliveryCount !== 1 || message.seq <= lastSequence) {
          throw new Error(
            `consumer ${options.name}: delivery ${deliverySequence} (stream sequence ${message.seq}, delivery count ${redeliveryCount}) ` +
              `does not follow delivery ${lastDelivery} (stream sequence ${lastSequence}); something may have been skipped`,
          );
        }
        lastDelivery = deliverySequence;
        lastSequence = message.seq;
        const delivery = deliveryOf(message);
        queue.push(delivery);
        queued += delivery.items?.length ?? 1;
        wakeReader?.();
      }
      current = undefined;
    }
  })().then(
    () => end(),
    (error: unknown) => end(error),
  );

  try {
    for (;;) {
      if (ended) break;
      if (queue.length === 0) {
        await new Promise<void>((resolve) => (wakeReader = resolve));
        wakeReader = undefined;
        continue;
      }
      let take = 0;
      let trades = 0;
      while (take < queue.length && (take === 0 || trades + (queue[take]!.items?.length ?? 1) <= options.batchSize)) {
        trades += queue[take]!.items?.length ?? 1;
        take++;
      }
      const batch = queue.splice(0, take);
      queued -= trades;
      wakeFetcher?.();
      await handler(batch);
    }
  } catch (error) {
    end(error);
  } finally {
    signal.removeEventListener('abort', onAbort);
    end();
    await fetcher;
  }
  if (failure !== undefined) throw failure;
}

/** A message as a delivery: its trades, or why it is not valid (it cannot have come from capflow). */
function deliveryOf(message: JsMsg): BusDelivery {
  try {
    return { sequence: message.seq, items: decodeBusMessage(message.data) };
  } catch (error) {
    if (error instanceof BadTradeMessage) return { sequence: message.seq, rejected: error.message };
    throw error;
  }
}
