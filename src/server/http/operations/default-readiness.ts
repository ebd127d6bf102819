import { allCalendars } from '../../../calendar/trading-calendar.js';
import type { FlowStore } from '../../../store/flow-store.js';
import type { ReadinessCheck } from './operations-routes.js';

/**
 * The checks every server has: the store answers a read, and every market's calendar is loaded.
 * (A calendar running out is a `capflow doctor` warning, not unreadiness: the server then guesses.)
 */
export function defaultReadiness(store: FlowStore): Record<string, ReadinessCheck> {
  return {
    store: async () => {
      await store.lastSeq();
      return true;
    },
    calendars: () => allCalendars().every((calendar) => calendar.coverage().firstYear <= calendar.coverage().lastYear),
  };
}
