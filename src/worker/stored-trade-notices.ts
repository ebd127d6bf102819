import type { TradeBus } from '../bus/trade-bus.js';
import type { StoredTrade } from '../store/flow-store.js';
import { lineNoticesOf } from './flow-worker.js';

/**
 * Announces trades stored outside a worker (a gateway's `POST /v1/ingest`) to every gateway, as
 * a worker announces its own: fire and forget, after the commit. A lost notice only delays
 * other gateways until their next poll.
 */
export function announceStoredTrades(bus: TradeBus): (stored: readonly StoredTrade[]) => void {
  return (stored) => bus.publishLineNotices(lineNoticesOf(stored));
}
