import type { LineNotice, PartitionConsumption, TradeBus } from '../bus/trade-bus.js';
import type { FlowStore, StoredTrade } from '../store/flow-store.js';

export interface FlowWorkerOptions {
  store: FlowStore;
  bus: TradeBus;
  /** Partitions this worker owns (see partitionsOfWorker). */
  partitions: readonly number[];
  /** Trades per store transaction (default 500). */
  batchSize?: number;
  /** Wait before taking a partition again after a failure (default 1 s). */
  retryDelayMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/** Notices for gateways: the highest stored sequence number per (symbol, day) of a batch. */
export function lineNoticesOf(stored: readonly StoredTrade[]): LineNotice[] {
  const latest = new Map<string, LineNotice>();
  for (const trade of stored) latest.set(`${trade.symbol} ${trade.date}`, { symbol: trade.symbol, date: trade.date, seq: trade.seq });
  return [...latest.values()];
}

/**
 * Moves trades from the bus into the store, exactly once. For each owned partition it reads the
 * committed position (the last applied bus sequence, kept in the store), consumes from there,
 * and stores each batch together with its new position, conditioned on the old one. A crash
 * between commit and acknowledgement only causes a redelivery that the position filters out;
 * a second worker wrongly holding the same partition is refused by the condition and resyncs.
 */
export class FlowWorker {
  private readonly running = new Map<number, PartitionConsumption>();
  private readonly loops: Promise<void>[] = [];
  private stopped = false;
  private readonly retryWakers = new Set<() => void>();
  /** Trades stored by this worker since it started. */
  applied = 0;

  constructor(private readonly options: FlowWorkerOptions) {}

  start(): void {
    for (const partition of this.options.partitions) this.loops.push(this.run(partition));
  }

  private async run(partition: number): Promise<void> {
    const { store, bus } = this.options;
    const log = this.options.log ?? (() => {});
    const sourceId = bus.checkpointId(partition);
    while (!this.stopped) {
      try {
        let committed = await store.sourcePosition(sourceId);
        const consumption = bus.consumePartition(
          partition,
          committed,
          async (deliveries) => {
            const fresh = deliveries.filter((d) => d.sequence > committed);
            if (fresh.length === 0) return;
            const position = fresh[fresh.length - 1]!.sequence;
            const result = await store.appendTrades(
              fresh.map((d) => d.item),
              { sourceId, position, expectedPosition: committed },
            );
            committed = position;
            this.applied += result.stored.length;
            bus.publishLineNotices(lineNoticesOf(result.stored));
          },
          this.options.batchSize === undefined ? {} : { batchSize: this.options.batchSize },
        );
        this.running.set(partition, consumption);
        await consumption.done;
      } catch (error) {
        if (this.stopped) return;
        log(`partition ${partition}: ${(error as Error).message}; taking it again from the stored position`, error);
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            this.retryWakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, this.options.retryDelayMs ?? 1000);
          this.retryWakers.add(wake);
        });
      } finally {
        this.running.delete(partition);
      }
    }
  }

  /** Stops consuming after the batches in hand are stored. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.retryWakers]) wake();
    await Promise.all([...this.running.values()].map((c) => c.stop()));
    await Promise.all(this.loops);
  }
}
