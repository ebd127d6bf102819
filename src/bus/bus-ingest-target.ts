import type { AppendResult, FlowStore, SourceCheckpoint, StoredTrade, TradeToStore } from '../store/flow-store.js';
import type { ColumnsAppendResult, TradeColumns } from '../store/trade-columns.js';
import type { TradeBus } from './trade-bus.js';

/**
 * Lets the file and body ingesters publish to a bus instead of writing a store: each committed
 * batch is published (and held durably by the bus) before the ingester moves on. Message ids
 * derive from the source and its position, so JetStream drops a batch republished within its
 * duplicate window; past it, trades with a trade id are still deduplicated by the store. The
 * trades it reports carry seq 0: their sequence numbers are given later, by the store.
 * Only the methods ingesters call are supported.
 */
export function busIngestTarget(bus: TradeBus): FlowStore {
  const unsupported = (): never => {
    throw new Error('a bus ingest target only publishes trades');
  };
  const publish = (batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint): Promise<void> =>
    bus.publishTrades(batch, checkpoint ? { messageIdPrefix: `${checkpoint.sourceId}@${checkpoint.position}` } : {});
  const target: FlowStore = {
    async appendColumns(columns: TradeColumns, checkpoint?: SourceCheckpoint): Promise<ColumnsAppendResult> {
      await publish(columns.toTradesToStore(), checkpoint);
      // Every row was published (none is a duplicate here): seq 0 until a store numbers it.
      columns.seq.fill(0, 0, columns.count);
      return { stored: columns.count, duplicates: 0 };
    },
    async appendTrades(batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint): Promise<AppendResult> {
      await publish(batch, checkpoint);
      const stored: StoredTrade[] = batch.map(({ trade, date }) => ({ ...trade, date, seq: 0 }));
      return { stored, duplicates: 0 };
    },
    sourcePosition: async () => 0,
    sourceState: async () => ({ position: 0 }),
    tradesOfDay: unsupported,
    readDayColumns: unsupported,
    tradesAfter: unsupported,
    lastSeq: unsupported,
    symbols: unsupported,
    symbolSummaries: unsupported,
    daysOf: unsupported,
    close: async () => undefined,
  };
  return target;
}
