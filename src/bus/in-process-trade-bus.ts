import type { TradeToStore } from '../store/flow-store.js';
import { partitionOf } from './symbol-partition.js';
import type { BusDelivery, DeliveryHandler, LineNotice, PartitionConsumption, TradeBus } from './trade-bus.js';

/**
 * The embedded bus: partition logs in this process's memory (nothing survives a restart, so it
 * suits one process and tests). Sequences are global and increasing, as in a JetStream stream.
 */
export class InProcessTradeBus implements TradeBus {
  private readonly logs: BusDelivery[][];
  private readonly waiters = new Set<() => void>();
  private readonly lineListeners = new Set<(notices: readonly LineNotice[]) => void>();
  private sequence = 0;
  private closed = false;

  constructor(readonly partitionCount = 16) {
    this.logs = Array.from({ length: partitionCount }, () => []);
  }

  async publishTrades(batch: readonly TradeToStore[]): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    for (const item of batch) this.logs[partitionOf(item.trade.symbol, this.partitionCount)]!.push({ sequence: ++this.sequence, items: [item] });
    this.wake();
  }

  checkpointId(partition: number): string {
    return `bus:in-process:p${partition}`;
  }

  consumePartition(partition: number, afterSequence: number, handler: DeliveryHandler, options: { readonly batchSize?: number } = {}): PartitionConsumption {
    const log = this.logs[partition];
    if (!log) throw new Error(`no partition ${partition}`);
    const batchSize = options.batchSize ?? 500;
    let stopped = false;
    let wakeUp: (() => void) | undefined;
    const done = (async () => {
      let position = afterSequence;
      while (!stopped && !this.closed) {
        const start = log.findIndex((d) => d.sequence > position);
        if (start === -1) {
          await new Promise<void>((resolve) => {
            wakeUp = resolve;
            this.waiters.add(resolve);
          });
          this.waiters.delete(wakeUp!);
          continue;
        }
        const batch = log.slice(start, start + batchSize);
        await handler(batch);
        position = batch[batch.length - 1]!.sequence;
      }
    })();
    return {
      done,
      stop: async () => {
        stopped = true;
        wakeUp?.();
        await done.catch(() => undefined);
      },
    };
  }

  publishLineNotices(notices: readonly LineNotice[]): void {
    if (notices.length === 0) return;
    for (const listener of this.lineListeners) listener(notices);
  }

  onLineNotices(listener: (notices: readonly LineNotice[]) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Connected until closed (there is nothing to lose a connection to). */
  isConnected(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
