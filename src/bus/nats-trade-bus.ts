import {
  AckPolicy,
  connect,
  DeliverPolicy,
  Events,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { TradeToStore } from '../store/flow-store.js';
import { partitionOf } from './symbol-partition.js';
import { decodeTradeMessage, encodeTradeMessage, symbolToken } from './trade-message.js';
import type { BusDelivery, DeliveryHandler, LineNotice, PartitionConsumption, TradeBus } from './trade-bus.js';

/** Where the bus lives: `nats://host:port[?stream=NAME&prefix=P&partitions=N]`. */
export interface NatsBusLocation {
  readonly servers: string;
  /** JetStream stream holding the trades (default `CAPFLOW_TRADES`). */
  readonly stream: string;
  /** First subject token (default `capflow`): trades on `P.trades.<partition>.<market>.<symbol>`, notices on `P.lines.<symbol>`. */
  readonly prefix: string;
  /** Partitions of the stream (default 16); fixed for the stream's lifetime. */
  readonly partitions: number;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function parseNatsUrl(url: string, defaults: Partial<NatsBusLocation> = {}): NatsBusLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a NATS URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'nats:') throw new Error(`not a NATS URL (nats://…): ${JSON.stringify(url)}`);
  const stream = parsed.searchParams.get('stream') ?? defaults.stream ?? 'CAPFLOW_TRADES';
  const prefix = parsed.searchParams.get('prefix') ?? defaults.prefix ?? 'capflow';
  const partitionsText = parsed.searchParams.get('partitions');
  const partitions = partitionsText === null ? (defaults.partitions ?? 16) : Number(partitionsText);
  if (!NAME.test(stream)) throw new Error(`stream must match ${NAME.source}, got ${JSON.stringify(stream)}`);
  if (!NAME.test(prefix)) throw new Error(`prefix must match ${NAME.source}, got ${JSON.stringify(prefix)}`);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 4096) throw new Error(`partitions must be 1..4096, got ${partitionsText}`);
  return { servers: `${parsed.hostname}:${parsed.port || '4222'}`, stream, prefix, partitions };
}

export interface NatsTradeBusOptions {
  /** How long JetStream remembers message ids to drop republished duplicates (default 2 min). */
  readonly duplicateWindowMs?: number;
  /** How long a delivered batch may stay unacknowledged before it is redelivered (default 30 s). */
  readonly ackWaitMs?: number;
  /** Name of this connection as NATS monitoring shows it. */
  readonly name?: string;
}

const PUBLISH_WINDOW = 1000;

/**
 * Trades on NATS JetStream. One stream captures `P.trades.>`; a trade's subject carries its
 * partition (consistent hash of the symbol), market and symbol, so a partition is one filtered
 * durable consumer (`<stream>_p<n>`). A consumer is (re)positioned from the store's committed
 * position each time a worker takes the partition, which makes the store, not the consumer's
 * acknowledgements, the authority on what was applied: a restarted or replaced worker resumes
 * exactly after the last committed trade. Line notices are plain NATS messages.
 */
export class NatsTradeBus implements TradeBus {
  private readonly lineListeners = new Set<(notices: readonly LineNotice[]) => void>();
  private lineSubscription: { unsubscribe(): void } | undefined;
  /** False between a `disconnect` status event and the next `reconnect` (for `/readyz`). */
  private connected = true;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly location: NatsBusLocation,
    private readonly options: NatsTradeBusOptions,
  ) {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === Events.Disconnect) this.connected = false;
        else if (status.type === Events.Reconnect) this.connected = true;
      }
    })().catch(() => undefined);
  }

  /** True while the connection to NATS is up (it reconnects by itself; readiness reports the gap). */
  isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  get partitionCount(): number {
    return this.location.partitions;
  }

  /** Connects and makes sure the stream exists with the expected partition count. */
  static async connect(target: string | NatsBusLocation, options: NatsTradeBusOptions = {}): Promise<NatsTradeBus> {
    const location = typeof target === 'string' ? parseNatsUrl(target) : target;
    const nc = await connect({ servers: location.servers, name: options.name ?? 'capflow', maxReconnectAttempts: -1 });
    try {
      const jsm = await nc.jetstreamManager();
      const bus = new NatsTradeBus(nc, nc.jetstream(), jsm, location, options);
      await bus.ensureStream();
      return bus;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  private async ensureStream(): Promise<void> {
    const { stream, prefix, partitions } = this.location;
    let existing;
    try {
      existing = await this.jsm.streams.info(stream);
    } catch (error) {
      if (!/stream not found/i.test((error as Error).message)) throw error;
    }
    if (existing) {
      // The count lives in the description (stream metadata needs NATS 2.10).
      const declared = /capflow trades in (\d+) partitions/.exec(existing.config.description ?? '')?.[1];
      if (declared !== String(partitions)) {
        throw new Error(`stream ${stream} was created with ${declared ?? 'unknown'} partitions, not ${partitions}: every process must use the same count`);
      }
      return;
    }
    await this.jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.trades.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(this.options.duplicateWindowMs ?? 120_000),
      description: `capflow trades in ${partitions} partitions`,
    });
  }

  private tradeSubject(symbol: string): string {
    const partition = partitionOf(symbol, this.location.partitions);
    const market = symbol.slice(symbol.lastIndexOf('.') + 1);
    return `${this.location.prefix}.trades.${partition}.${market}.${symbolToken(symbol)}`;
  }

  async publishTrades(batch: readonly TradeToStore[], options: { readonly messageIdPrefix?: string } = {}): Promise<void> {
    // Publishes are pipelined on one connection, so the stream stores them in batch order.
    for (let start = 0; start < batch.length; start += PUBLISH_WINDOW) {
      const acks: Promise<unknown>[] = [];
      for (let k = start; k < Math.min(batch.length, start + PUBLISH_WINDOW); k++) {
        const item = batch[k]!;
        acks.push(
          this.js.publish(
            this.tradeSubject(item.trade.symbol),
            encodeTradeMessage(item),
            options.messageIdPrefix === undefined ? {} : { msgID: `${options.messageIdPrefix}:${k}` },
          ),
        );
      }
      await Promise.all(acks);
    }
  }

  checkpointId(partition: number): string {
    return `nats:${this.location.stream}:p${partition}`;
  }

  consumePartition(partition: number, afterSequence: number, handler: DeliveryHandler, options: { readonly batchSize?: number } = {}): PartitionConsumption {
    const batchSize = options.batchSize ?? 500;
    const durable = `${this.location.stream}_p${partition}`;
    let stopped = false;
    let stopConsuming = (): void => undefined;
    const done = (async () => {
      // Reposition the durable consumer at the store's committed position.
      await this.jsm.consumers.delete(this.location.stream, durable).catch(() => undefined);
      await this.jsm.consumers.add(this.location.stream, {
        durable_name: durable,
        filter_subject: `${this.location.prefix}.trades.${partition}.>`,
        ack_policy: AckPolicy.All,
        ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
        max_ack_pending: batchSize * 2,
        ...(afterSequence > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSequence + 1 } : { deliver_policy: DeliverPolicy.All }),
      });
      const consumer = await this.js.consumers.get(this.location.stream, durable);
      // Messages stream in continuously; a batch is whatever arrived while the previous one was
      // being stored (up to batchSize), so an idle pipeline stores a single trade at once.
      const messages = await consumer.consume({ max_messages: batchSize * 2 });
      stopConsuming = () => void messages.stop();
      const queue: JsMsg[] = [];
      let ended = false;
      let failure: unknown;
      let wake: (() => void) | undefined;
      void (async () => {
        try {
          for await (const message of messages) {
            queue.push(message);
            wake?.();
          }
        } catch (error) {
          failure = error;
        } finally {
          ended = true;
          wake?.();
        }
      })();
      let position = afterSequence;
      while (!stopped) {
        if (queue.length === 0) {
          if (ended) throw failure ?? new Error(`consumer ${durable} ended`);
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const batch = queue.splice(0, batchSize);
        const deliveries: BusDelivery[] = [];
        for (const message of batch) {
          if (message.seq <= position) continue; // a redelivery of what this run already handled
          deliveries.push({ sequence: message.seq, item: decodeTradeMessage(message.data) });
        }
        if (deliveries.length > 0) await handler(deliveries);
        position = Math.max(position, batch[batch.length - 1]!.seq);
        batch[batch.length - 1]!.ack(); // AckPolicy.All: acknowledges the whole batch
      }
      stopConsuming();
    })();
    return {
      done,
      stop: async () => {
        stopped = true;
        stopConsuming();
        await done.catch(() => undefined);
      },
    };
  }

  publishLineNotices(notices: readonly LineNotice[]): void {
    for (const notice of notices) {
      this.nc.publish(`${this.location.prefix}.lines.${symbolToken(notice.symbol)}`, new TextEncoder().encode(JSON.stringify(notice)));
    }
  }

  onLineNotices(listener: (notices: readonly LineNotice[]) => void): () => void {
    this.lineListeners.add(listener);
    if (!this.lineSubscription) {
      this.lineSubscription = this.nc.subscribe(`${this.location.prefix}.lines.>`, {
        callback: (error, message) => {
          if (error) return;
          let notice: LineNotice;
          try {
            notice = JSON.parse(new TextDecoder().decode(message.data)) as LineNotice;
          } catch {
            return; // not ours: ignore rather than stop the subscription
          }
          for (const l of this.lineListeners) l([notice]);
        },
      });
    }
    return () => this.lineListeners.delete(listener);
  }

  /** Waits until everything published so far reached the server (e.g. line notices before exit). */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /** Deletes the stream and its consumers (tests and teardown of a throw-away setup). */
  async deleteStream(): Promise<void> {
    await this.jsm.streams.delete(this.location.stream).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch(() => this.nc.close());
  }
}
