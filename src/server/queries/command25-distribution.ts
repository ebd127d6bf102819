import { formatScaled } from '../../model/decimal.js';
import type { ParsedSymbol } from '../../model/symbol.js';
import type { DayDistribution, FlowService } from '../../service/flow-service.js';
import type { TierChoice, TierFlows } from '../../service/tier-flows.js';

/** Finds command 25's answer for a symbol (the served day, up to now). */
export type DistributionSource = (symbol: ParsedSymbol) => Promise<DayDistribution>;

/**
 * Command 25 under the server's configured convention (`tiers`). The wire keeps LongPort's three
 * tiers, which the official SDK reads: `longport` answers from the engine's own tier sums; for the
 * four-tier conventions (`eastmoney`, `futu`) super-large is folded into large, so `large` means
 * "main force" in every convention, and medium and small are the convention's own.
 */
export function command25Distribution(flows: FlowService, tierFlows: TierFlows, choice: TierChoice): DistributionSource {
  if (choice.name === 'longport') return (symbol) => flows.capitalDistribution(symbol);
  return async (symbol) => {
    const schedule = flows.servedSchedule(symbol.market);
    const { flow } = await tierFlows.dayFlow(symbol, schedule, choice);
    const day = await flows.dayFlow(symbol, schedule.date);
    const { timestamp } = day.distribution(flows.now(symbol.market));
    const { scale } = flow.exact;
    const fold = (sums: readonly bigint[]) => ({
      large: formatScaled((sums[0] ?? 0n) + (sums[1] ?? 0n), scale, 3),
      medium: formatScaled(sums[2] ?? 0n, scale, 3),
      small: formatScaled(sums[3] ?? 0n, scale, 3),
    });
    return { symbol: symbol.symbol, date: schedule.date, timestamp, capitalIn: fold(flow.exact.in), capitalOut: fold(flow.exact.out) };
  };
}
