import type { TradeBus } from '../bus/trade-bus.js';
import type { FlowService } from './flow-service.js';

/**
 * Makes a gateway's FlowService read the store as soon as a worker announces new lines, instead
 * of waiting for its next poll. Notices arriving while a read runs coalesce into one more read.
 */
export function followLineNotices(bus: TradeBus, flows: FlowService, log: (message: string, error?: unknown) => void = () => {}): () => void {
  let running = false;
  let again = false;
  const refresh = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    flows
      .poll()
      .catch((error: unknown) => log('reading new trades after a line notice failed', error))
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  };
  return bus.onLineNotices(refresh);
}
