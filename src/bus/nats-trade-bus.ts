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
  type NatsConnection,
} from 'nats';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { TradeToStore } from '../store/flow-store.js';
import { readPartition, ReadingStopped } from './nats-partition-reader.js';
import { partitionOf } from './symbol-partition.js';
import { groupTradeMessages, type TradeGroupLimits } from './trade-message-groups.js';
import { encodeTradeBatchMessage, symbolToken } from './trade-message.js';
import type { DeliveryHandler, LineNotice, PartitionConsumption, TradeBus } from './trade-bus.js';

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
  /** How long a worker's pull request waits for trades before the next one is sent (default 5 s). */
  readonly fetchExpiresMs?: number;
  /** Where events that need an operator's attention are reported (a lost stream); default silent. */
  readonly logger?: Logger;
  /** Name of this connection as NATS monitoring shows it. */
  readonly name?: string;
  /**
   * How long a publish waits for its acknowledgement (default: the client's 5 s, so a caller that
   * retries learns of a lost connection soon; a bulk publisher of a whole file waits longer).
   */
  readonly publishAckTimeoutMs?: number;
  /** How many trades one published message may hold (default DEFAULT_TRADE_GROUP_LIMITS). */
  readonly messageLimits?: TradeGroupLimits;
}

const PUBLISH_WINDOW = 1000;

/**
 * Trades on NATS JetStream. One stream captures `P.trades.>`; a message holds trades of one
 * symbol (format 2; single-trade messages of format 1 are still read), and its subject carries its
 * partition (consistent hash of the symbol), market and symbol, so a partition is one filtered
 * durable consumer (`<stream>_p<n>`). The consumer is created afresh at the store's committed
 * position each time a worker takes the partition, and acknowledges nothing: the store, not the
 * consumer, is the authority on what was applied. Reading stops at anything that could mean a
 * skipped delivery (a dropped connection, a gap, missed heartbeats — nats-partition-reader.ts);
 * the worker then takes the partition again from its committed position, so a restarted NATS,
 * worker or database never loses or doubles a trade. Line notices are plain NATS messages.
 */
export class NatsTradeBus implements TradeBus {
  private readonly lineListeners = new Set<(notices: readonly LineNotice[]) => void>();
  private lineSubscription: { unsubscribe(): void } | undefined;
  /** False between a `disconnect` status event and the next `reconnect` (for `/readyz`). */
  private connected = true;
  /** Partition readings in progress: a dropped connection aborts them (deliveries may be lost). */
  private readonly readings = new Set<AbortController>();
  private readonly log: Logger;
  private incarnationLookup: Promise<number> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly location: NatsBusLocation,
    private readonly options: NatsTradeBusOptions,
  ) {
    this.log = options.logger ?? silentLogger();
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === Events.Disconnect) {
          this.connected = false;
          for (const reading of this.readings) reading.abort(new Error(`lost the connection to NATS (${String(status.data)})`));
        } else if (status.type === Events.Reconnect) this.connected = true;
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
    // Reconnect for ever, every half second (plus jitter): a restarted server is found quickly.
    const nc = await connect({ servers: location.servers, name: options.name ?? 'capflow', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
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

  /**
   * Publishes trades as batch messages (format 2): each holds consecutive trades of one symbol
   * and day (groupTradeMessages), on that symbol's subject. With a `messageIdPrefix`, message m
   * of the call has the id `<prefix>:b<m>`, the same each time the same trades are published, so
   * JetStream drops a republished batch within its duplicate window.
   */
  async publishTrades(batch: readonly TradeToStore[], options: { readonly messageIdPrefix?: string } = {}): Promise<void> {
    const groups = groupTradeMessages(batch, this.options.messageLimits);
    // Publishes are pipelined on one connection, so the stream stores them in this order; at most
    // PUBLISH_WINDOW wait for their acknowledgement at a time (a sliding window, never drained).
    const inFlight: Promise<unknown>[] = [];
    for (let m = 0; m < groups.length; m++) {
      const group = groups[m]!;
      const ack = this.js.publish(
        this.tradeSubject(group[0]!.trade.symbol),
        encodeTradeBatchMessage(group),
        {
          ...(this.options.publishAckTimeoutMs === undefined ? {} : { timeout: this.options.publishAckTimeoutMs }),
          ...(options.messageIdPrefix === undefined ? {} : { msgID: `${options.messageIdPrefix}:b${m}` }),
        },
      );
      ack.catch(() => undefined); // awaited below; a failure before then must not go unhandled
      inFlight.push(ack);
      if (inFlight.length >= PUBLISH_WINDOW) await inFlight.shift();
    }
    await Promise.all(inFlight);
  }

  checkpointId(partition: number): string {
    return `nats:${this.location.stream}:p${partition}`;
  }

  /**
   * The stream's identity: its creation time (ms). Positions committed while reading another
   * incarnation of the stream (one lost with NATS's store and created again) mean nothing in
   * this one. A missing stream is created again here, and said so in the log.
   */
  incarnation(): Promise<number> {
    // Partitions ask together after a restart: one look (and one re-creation, one log line).
    this.incarnationLookup ??= this.lookUpIncarnation().finally(() => (this.incarnationLookup = undefined));
    return this.incarnationLookup;
  }

  private async lookUpIncarnation(): Promise<number> {
    let info;
    try {
      info = await this.jsm.streams.info(this.location.stream);
    } catch (error) {
      if (!/stream not found/i.test((error as Error).message)) throw error;
      await this.ensureStream();
      info = await this.jsm.streams.info(this.location.stream);
      this.log.error(
        { stream: this.location.stream, created: info.created },
        'stream was lost (NATS restarted without its store?) and exists again: trades published to the lost stream and not stored before are gone with it and must be published again',
      );
    }
    return Date.parse(info.created);
  }

  consumePartition(
    partition: number,
    afterSequence: number,
    handler: DeliveryHandler,
    options: { readonly batchSize?: number; readonly incarnation?: number } = {},
  ): PartitionConsumption {
    const durable = `${this.location.stream}_p${partition}`;
    const controller = new AbortController();
    this.readings.add(controller);
    const done = (async () => {
      if (!this.isConnected()) throw new Error('not connected to NATS');
      if (options.incarnation !== undefined) {
        const current = await this.incarnation();
        if (current !== options.incarnation) throw new Error(`stream ${this.location.stream} was replaced since its positions were read`);
      }
      // A new consumer at the store's committed position: whatever an earlier reader left (a
      // half-delivered pull request, a consumer restored by a restarted server) dies with the old one.
      await this.jsm.consumers.delete(this.location.stream, durable).catch((error: Error) => {
        if (!/consumer not found/i.test(error.message)) throw error;
      });
      await this.jsm.consumers.add(this.location.stream, {
        durable_name: durable,
        filter_subject: `${this.location.prefix}.trades.${partition}.>`,
        // The store, not the consumer, keeps the position: nothing to acknowledge or redeliver.
        ack_policy: AckPolicy.None,
        ...(afterSequence > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSequence + 1 } : { deliver_policy: DeliverPolicy.All }),
      });
      const consumer = await this.js.consumers.get(this.location.stream, durable);
      await readPartition(
        consumer,
        afterSequence,
        handler,
        { name: durable, batchSize: options.batchSize ?? 500, fetchExpiresMs: this.options.fetchExpiresMs ?? 5000 },
        controller.signal,
      );
    })().finally(() => this.readings.delete(controller));
    return {
      done,
      stop: async () => {
        controller.abort(new ReadingStopped());
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
