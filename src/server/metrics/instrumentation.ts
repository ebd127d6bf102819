import type { FlowStore } from '../../store/flow-store.js';
import type { CapflowMetrics } from './capflow-metrics.js';

/** The same store, timing each durable write and noting what it stored (store write and line-update latency). */
export function instrumentStore(store: FlowStore, metrics: CapflowMetrics): FlowStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendTrades') {
        const append: FlowStore['appendTrades'] = async (batch, checkpoint) => {
          const started = process.hrtime.bigint();
          const result = await target.appendTrades(batch, checkpoint);
          metrics.storeWriteDone(Number(process.hrtime.bigint() - started) / 1e9, result.stored.at(-1)?.seq);
          return result;
        };
        return append;
      }
      if (property === 'appendColumns') {
        const append: FlowStore['appendColumns'] = async (columns, checkpoint) => {
          const started = process.hrtime.bigint();
          const result = await target.appendColumns(columns, checkpoint);
          let lastSeq: number | undefined;
          for (let row = columns.count - 1; row >= 0 && lastSeq === undefined; row--) if ((columns.seq[row] as number) > 0) lastSeq = columns.seq[row];
          metrics.storeWriteDone(Number(process.hrtime.bigint() - started) / 1e9, lastSeq);
          return result;
        };
        return append;
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
