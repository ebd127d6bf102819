import { silentLogger, type Logger } from '../../logging/logger.js';
import type { FlowStore, StoredTrade } from '../flow-store.js';

/**
 * The store as an ingester sees it, telling `onStored` of each batch after its commit (e.g. a
 * gateway announcing to the fleet the trades `POST /v1/ingest` stored). Everything else is the
 * store itself; a failing listener is logged and never fails the append that already committed.
 */
export function notifyingAppends(
  store: FlowStore,
  onStored: (stored: readonly StoredTrade[]) => void,
  logger: Logger = silentLogger(),
): FlowStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendTrades') {
        return async (...args: Parameters<FlowStore['appendTrades']>) => {
          const result = await target.appendTrades(...args);
          if (result.stored.length > 0) {
            try {
              onStored(result.stored);
            } catch (error) {
              logger.error({ err: error }, 'a listener of stored trades failed');
            }
          }
          return result;
        };
      }
      if (property === 'appendColumns') {
        return async (...args: Parameters<FlowStore['appendColumns']>) => {
          const result = await target.appendColumns(...args);
          if (result.stored > 0) {
            try {
              const columns = args[0];
              const stored: StoredTrade[] = [];
              for (let row = 0; row < columns.count; row++) if ((columns.seq[row] as number) >= 0) stored.push(columns.storedTrade(row));
              onStored(stored);
            } catch (error) {
              logger.error({ err: error }, 'a listener of stored trades failed');
            }
          }
          return result;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
