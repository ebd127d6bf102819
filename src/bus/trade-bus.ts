import type { TradeToStore } from '../store/flow-store.js';

/**
 * One message as delivered by a bus, with its position in the bus (strictly increasing per
 * partition): its trades (one or many, of one symbol, in order), or the reason a message that is
 * not valid was refused. A refused message is never stored, but its position is passed like any
 * other, so one bad message published by someone else cannot stop a partition.
 */
export type BusDelivery =
  | { readonly sequence: number; readonly items: readonly TradeToStore[]; readonly rejected?: undefined }
  | { readonly sequence: number; readonly items?: undefined; readonly rejected: string };

/** "The lines of this symbol's day changed up to this store sequence number" — for gateways. */
export interface LineNotice {
  readonly symbol: string;
  readonly date: string;
  readonly seq: number;
}

/** A running consumption of one partition. */
export interface PartitionConsumption {
  /** Stops after the batch in hand (its handler finishes first). */
  stop(): Promise<void>;
  /** Resolves when stopped; rejects when a handler or the bus failed (nothing more is delivered). */
  readonly done: Promise<void>;
}

export type DeliveryHandler = (deliveries: readonly BusDelivery[]) => Promise<void>;

/**
 * Where trades travel between the processes that receive them and the workers that store them.
 * Symbols are split into a fixed number of partitions by a consistent hash; each partition is
 * consumed in order by one worker at a time. Delivery is at least once: the consumer keeps its
 * own committed position (`afterSequence`) durably with its effects and skips what it has seen.
 * The embedded default is in-process; the scale-out adapter is NATS JetStream.
 */
export interface TradeBus {
  readonly partitionCount: number;
  /**
   * Publishes trades, each symbol's in order; resolves once the bus holds them durably. With a
   * `messageIdPrefix` (deterministic for the same trades, e.g. a source and its position), a
   * republished batch is recognised as a duplicate by a bus that can.
   */
  publishTrades(batch: readonly TradeToStore[], options?: { readonly messageIdPrefix?: string }): Promise<void>;
  /** Source id under which a store keeps the position of a partition's consumer. */
  checkpointId(partition: number): string;
  /**
   * The identity of the bus's log as it stands (for JetStream, the stream's creation time),
   * recreating a log that was lost. Positions committed against another incarnation do not
   * apply to this one. Absent where the log cannot be replaced under a running consumer.
   */
  incarnation?(): Promise<number>;
  /**
   * Delivers a partition's messages with sequence > afterSequence, in order, in batches of at
   * most `batchSize` trades (at least one message), never
   * skipping one: when the bus cannot be sure of that (a dropped connection, a gap), or the
   * log is not `options.incarnation`, the consumption ends with an error and the consumer
   * starts again from its committed position. A handler's rejection ends it with that error.
   */
  consumePartition(
    partition: number,
    afterSequence: number,
    handler: DeliveryHandler,
    options?: { readonly batchSize?: number; readonly incarnation?: number },
  ): PartitionConsumption;
  /** Tells gateways which lines changed (fire and forget). */
  publishLineNotices(notices: readonly LineNotice[]): void;
  onLineNotices(listener: (notices: readonly LineNotice[]) => void): () => void;
  /** Whether the bus is reachable now (`/readyz`); optional for adapters that cannot tell. */
  isConnected?(): boolean;
  close(): Promise<void>;
}
