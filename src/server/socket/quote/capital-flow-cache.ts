import type { DayFlow } from '../../../engine/index.js';
import { shareResponseBody } from '../transport/shared-response-body.js';

interface CachedBody {
  readonly tradeCount: number;
  readonly visibleLines: number;
  readonly body: Uint8Array;
}

/**
 * Encoded command-24 bodies per symbol-day, so a hot symbol costs no protobuf encoding. An entry
 * is valid while the day has processed the same number of trades (every change of its lines
 * comes from a processed trade: `tradeCount` is the day's version) and the same number of lines
 * is visible. Only answers "as of now" are cached: when the clock is before some trade (a replay
 * clock), the lines depend on the exact instant and are encoded afresh. Keyed weakly by the day
 * state, so a day dropped by the service drops its entry.
 */
export class CapitalFlowBodyCache {
  private readonly entries = new WeakMap<DayFlow, CachedBody>();

  body(day: DayFlow, nowMs: number, encode: () => Uint8Array): Uint8Array {
    if (nowMs < day.latestTimestampMs) return encode();
    const tradeCount = day.tradeCount;
    const visibleLines = day.schedule.visibleLineCount(nowMs);
    const cached = this.entries.get(day);
    if (cached && cached.tradeCount === tradeCount && cached.visibleLines === visibleLines) return cached.body;
    const body = encode();
    shareResponseBody(body); // answered again until the day changes: the transports keep its packet
    this.entries.set(day, { tradeCount, visibleLines, body });
    return body;
  }
}
