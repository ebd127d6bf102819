import type { LineNotice, PartitionConsumption, TradeBus } from '../bus/trade-bus.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { FlowStore, StoredTrade, TradeToStore } from '../store/flow-store.js';

/** Trades per store transaction unless told otherwise: large, so a backlog drains in big appends. */
export const DEFAULT_WORKER_BATCH = 10_000;

export interface FlowWorkerOptions {
  store: FlowStore;
  bus: TradeBus;
  /** Partitions this worker owns (see partitionsOfWorker). */
  partitions: readonly number[];
  /** Most trades per store transaction (default DEFAULT_WORKER_BATCH); whole bus messages are stored together. */
  batchSize?: number;
  /** Wait before taking a partition again after a failure (default 1 s), doubling while it keeps failing… */
  retryDelayMs?: number;
  /** …up to this (default 5 s). */
  maxRetryDelayMs?: number;
  /** Where failure streaks, recoveries, refused messages and lost streams are reported (default silent). */
  logger?: Logger;
}

/** Notices for gateways: the highest stored sequence number per (symbol, day) of a batch. */
export function lineNoticesOf(stored: readonly StoredTrade[]): LineNotice[] {
  const latest = new Map<string, { symbol: string; date: string; seq: number }>();
  let current: { symbol: string; date: string; seq: number } | undefined;
  for (const trade of stored) {
    // Batches from the bus come in runs of one symbol-day: one lookup per run.
    if (current === undefined || current.symbol !== trade.symbol || current.date !== trade.date) {
      const key = `${trade.symbol} ${trade.date}`;
      current = latest.get(key);
      if (current === undefined) latest.set(key, (current = { symbol: trade.symbol, date: trade.date, seq: trade.seq }));
    }
    current.seq = trade.seq;
  }
  return [...latest.values()];
}

/**
 * Moves trades from the bus into the store, exactly once. For each owned partition it reads the
 * committed position (the last applied bus sequence, kept in the store), consumes from there,
 * and stores each batch together with its new position, conditioned on the old one. A crash
 * between commit and acknowledgement only causes a redelivery that the position filters out;
 * a second worker wrongly holding the same partition is refused by the condition and resyncs.
 * Any failure of the bus or the store ends the partition's consumption; it is taken again from
 * the stored position after a pause that doubles while the failures last (logged once per streak
 * and once more when storing resumes).
 */
export class FlowWorker {
  private readonly running = new Map<number, PartitionConsumption>();
  private readonly loops: Promise<void>[] = [];
  private stopped = false;
  private readonly retryWakers = new Set<() => void>();
  private readonly log: Logger;
  /** Trades stored by this worker since it started. */
  applied = 0;
  /** Trades not stored because their trade id was stored already (a feed's repetition). */
  duplicates = 0;
  /** Times a partition was taken again after a failure (bus or store). */
  retries = 0;
  /** Partitions read again from the start of a stream that replaced a lost one. */
  streamResets = 0;
  /** Bus messages that were not valid (skipped, never stored; the first few are logged). */
  rejected = 0;

  constructor(private readonly options: FlowWorkerOptions) {
    this.log = options.logger ?? silentLogger();
  }

  start(): void {
    for (const partition of this.options.partitions) this.loops.push(this.run(partition));
  }

  private async run(partition: number): Promise<void> {
    const { store, bus } = this.options;
    const sourceId = bus.checkpointId(partition);
    const baseDelay = this.options.retryDelayMs ?? 1000;
    const maxDelay = Math.max(baseDelay, this.options.maxRetryDelayMs ?? 5000);
    let failures = 0;
    let failingSince = 0;
    let lastMessage = '';
    while (!this.stopped) {
      const attemptStarted = Date.now();
      try {
        const incarnation = bus.incarnation ? await bus.incarnation() : undefined;
        let committed = await store.sourcePosition(sourceId);
        if (incarnation !== undefined) committed = await this.followIncarnation(partition, sourceId, committed, incarnation);
        const consumption = bus.consumePartition(
          partition,
          committed,
          async (deliveries) => {
            const fresh = deliveries.filter((d) => d.sequence > committed);
            if (fresh.length === 0) return;
            const position = fresh[fresh.length - 1]!.sequence;
            const trades: TradeToStore[] = [];
            for (const delivery of fresh) {
              if (delivery.items) for (const item of delivery.items) trades.push(item);
              else this.refused(partition, delivery.sequence, delivery.rejected);
            }
            // The position moves past refused messages too, committed with the batch's trades.
            const result = await store.appendTrades(trades, { sourceId, position, expectedPosition: committed });
            committed = position;
            this.applied += result.stored.length;
            this.duplicates += result.duplicates;
            bus.publishLineNotices(lineNoticesOf(result.stored));
            if (failures > 0) {
              this.log.info({ partition, position, failedAttempts: failures, failingMs: Date.now() - failingSince }, 'storing again');
              failures = 0;
            }
          },
          {
            batchSize: this.options.batchSize ?? DEFAULT_WORKER_BATCH,
            ...(incarnation === undefined ? {} : { incarnation }),
          },
        );
        this.running.set(partition, consumption);
        await consumption.done;
        if (!this.stopped) throw new Error('the bus ended the consumption');
      } catch (error) {
        if (this.stopped) return;
        // A long healthy run before this failure starts a new streak (and a short delay).
        if (failures > 0 && Date.now() - attemptStarted > 2 * maxDelay) failures = 0;
        if (failures === 0) failingSince = Date.now();
        failures++;
        this.retries++;
        const message = (error as Error).message;
        // One line per streak and per new reason, not one per attempt while a service is down.
        if (failures === 1 || message !== lastMessage) {
          this.log.error({ partition, attempt: failures, err: error }, 'partition failed; taking it again from the stored position');
        }
        lastMessage = message;
        await this.pause(Math.min(maxDelay, baseDelay * 2 ** (failures - 1)));
        // While the bus is reconnecting by itself, an attempt could only time out: wait for it.
        while (!this.stopped && bus.isConnected?.() === false) await this.pause(50);
      } finally {
        this.running.delete(partition);
      }
    }
  }

  /** Counts a bus message that is not a valid trade; logs the first ones and then every 1,000th. */
  private refused(partition: number, sequence: number, reason: string): void {
    this.rejected++;
    if (this.rejected <= 10 || this.rejected % 1000 === 0) {
      this.log.warn({ partition, sequence, reason, rejected: this.rejected }, 'bus message is not a valid trade; skipped');
    }
  }

  /**
   * Makes sure `committed` belongs to the bus's current log. The incarnation a partition's
   * position refers to is kept beside it in the store; when the log was replaced (NATS lost its
   * store and the stream was created again, numbering from 1), the old position would skip the
   * new log's first trades, so the partition starts again from the new log's beginning.
   */
  private async followIncarnation(partition: number, sourceId: string, committed: number, incarnation: number): Promise<number> {
    const { store } = this.options;
    const incarnationId = `${sourceId}:incarnation`;
    const recorded = await store.sourcePosition(incarnationId);
    if (recorded === incarnation) return committed;
    let position = committed;
    // Nothing recorded yet (first run, or positions from before incarnations were kept): adopt.
    if (recorded !== 0 && committed !== 0) {
      this.log.warn(
        { partition, streamCreated: new Date(incarnation).toISOString(), lostPosition: committed },
        "the stream is a new one: the position belonged to the lost stream, so the partition is read again from the new stream's start",
      );
      await store.appendTrades([], { sourceId, position: 0, expectedPosition: committed });
      this.streamResets++;
      position = 0;
    }
    await store.appendTrades([], { sourceId: incarnationId, position: incarnation });
    return position;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.retryWakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.retryWakers.add(wake);
    });
  }

  /** Stops consuming after the batches in hand are stored. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.retryWakers]) wake();
    await Promise.all([...this.running.values()].map((c) => c.stop()));
    await Promise.all(this.loops);
  }
}
