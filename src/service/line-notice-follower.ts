import type { TradeBus } from '../bus/trade-bus.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { FlowService } from './flow-service.js';

/**
 * Makes a gateway's FlowService read the store as soon as a worker announces new lines, instead
 * of waiting for its next poll. Notices arriving while a read runs coalesce into one more read.
 * A failing store is reported once until a read succeeds again (the poller keeps trying).
 */
export function followLineNotices(bus: TradeBus, flows: FlowService, logger: Logger = silentLogger()): () => void {
  let running = false;
  let again = false;
  let failing = false;
  const refresh = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    flows
      .poll()
      .then(
        () => (failing = false),
        (error: unknown) => {
          if (!failing) logger.error({ err: error }, 'reading new trades after a line notice failed');
          failing = true;
        },
      )
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
