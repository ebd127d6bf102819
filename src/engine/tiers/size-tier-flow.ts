import type { Decimal } from '../../model/decimal.js';
import { formatScaled, pow10 } from '../../model/decimal.js';
import type { Market } from '../../model/market.js';
import { Direction } from '../../model/trade.js';
import type { DayFlow } from '../day-flow.js';
import { toBigInt } from '../exact-units.js';
import { DEFAULT_TIER_THRESHOLDS, type TierThresholds } from '../tier-thresholds.js';

/**
 * Size-tier conventions for the in/out split and main-force flow (capflow's addition; docs/figures.md):
 * - `longport`: 3 tiers by trade turnover with capflow's published per-market defaults
 *   (tier-thresholds.ts); main force = large.
 * - `eastmoney`: 4 fixed tiers by shares OR money — super-large ≥ 500,000 shares or ≥ CNY 1,000,000;
 *   large ≥ 100,000 or ≥ 200,000; medium ≥ 20,000 or ≥ 40,000; small below. Money cut-offs are
 *   converted for other markets at the same round rates as the defaults (HKD ×1.1, USD ×0.15,
 *   SGD ×0.2); share cut-offs are as published. Main force = super-large + large.
 * - `percentile`: Futu-style 4 tiers per security: a trade's turnover against the trailing days'
 *   trade turnovers — above the 90th percentile super-large (top 10 %), above the 70th large,
 *   above the 45th medium, else small (see percentileCutoffs). Main force = super-large + large.
 */
export type TierConvention =
  | { readonly kind: 'longport'; readonly thresholds: TierThresholds }
  | { readonly kind: 'eastmoney'; readonly market: Market }
  | { readonly kind: 'percentile'; readonly cutoffs: PercentileCutoffs };

export interface PercentileCutoffs {
  /** Turnovers above these values are super-large, large, medium. */
  readonly superLarge: Decimal;
  readonly large: Decimal;
  readonly medium: Decimal;
}

export const TIER_NAMES_3 = ['large', 'medium', 'small'] as const;
export const TIER_NAMES_4 = ['superLarge', 'large', 'medium', 'small'] as const;

/** Money cut-offs of the Eastmoney convention per market, as [value, scale] (CNY 1,000,000 → HKD 1,100,000 …). */
const EASTMONEY_MONEY: Readonly<Record<Market, readonly [bigint, bigint, bigint]>> = {
  CN: [1_000_000n, 200_000n, 40_000n],
  HK: [1_100_000n, 220_000n, 44_000n],
  US: [150_000n, 30_000n, 6_000n],
  SG: [200_000n, 40_000n, 8_000n],
};
const EASTMONEY_SHARES = [500_000, 100_000, 20_000] as const;

export function tierNames(convention: TierConvention): readonly string[] {
  return convention.kind === 'longport' ? TIER_NAMES_3 : TIER_NAMES_4;
}

/** Number of leading tiers that make up the main force. */
export function mainForceTiers(convention: TierConvention): number {
  return convention.kind === 'longport' ? 1 : 2;
}

function atScale(value: Decimal, scale: number): bigint {
  return scale >= value.scale ? value.units * pow10(scale - value.scale) : value.units / pow10(value.scale - scale);
}

function thresholdDecimal(value: number | Decimal): Decimal {
  return typeof value === 'number' ? { units: BigInt(value), scale: 0 } : value;
}

/** Tier index of a trade (0 = the largest tier) by its exact turnover (units at `scale`) and shares. */
export function tierIndex(convention: TierConvention, turnover: bigint, scale: number, volume: number): number {
  switch (convention.kind) {
    case 'longport': {
      // Greater or equal compares exactly: turnover·10^t ≥ threshold·10^scale.
      const reaches = (threshold: number | Decimal): boolean => {
        const t = thresholdDecimal(threshold);
        return turnover * pow10(t.scale) >= t.units * pow10(scale);
      };
      return reaches(convention.thresholds.large) ? 0 : reaches(convention.thresholds.medium) ? 1 : 2;
    }
    case 'eastmoney': {
      const money = EASTMONEY_MONEY[convention.market];
      for (let tier = 0; tier < 3; tier++) {
        if (volume >= (EASTMONEY_SHARES[tier] as number) || turnover >= (money[tier] as bigint) * pow10(scale)) return tier;
      }
      return 3;
    }
    case 'percentile': {
      const above = (cutoff: Decimal): boolean => turnover * pow10(cutoff.scale) > cutoff.units * pow10(scale);
      const { superLarge, large, medium } = convention.cutoffs;
      return above(superLarge) ? 0 : above(large) ? 1 : above(medium) ? 2 : 3;
    }
  }
}

/**
 * Futu-style cut-offs from the trade turnovers of the trailing stored days: the 90th, 70th and
 * 45th percentiles by nearest rank (the value at position ⌈p·n⌉ of the ascending list).
 * Undefined without any turnover.
 */
export function percentileCutoffs(turnovers: readonly Decimal[]): PercentileCutoffs | undefined {
  if (turnovers.length === 0) return undefined;
  const scale = turnovers.reduce((max, t) => Math.max(max, t.scale), 0);
  const sorted = turnovers.map((t) => atScale(t, scale)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = (percent: number): Decimal => ({ units: sorted[Math.ceil((percent * sorted.length) / 100) - 1] as bigint, scale });
  return { superLarge: rank(90), large: rank(70), medium: rank(45) };
}

/** In and out turnover by tier (3 decimals each), with main-force net and its share of turnover. */
export interface TierFlowFigures {
  /** Net inflow of all tiers (in − out). */
  readonly inflow: string;
  readonly in: Record<string, string>;
  readonly out: Record<string, string>;
  /** Net inflow by tier. */
  readonly net: Record<string, string>;
  readonly mainForceNet: string;
  /** mainForceNet / (in + out of all tiers), percent with 2 decimals; '0.00' without turnover. */
  readonly mainForceShare: string;
}

export interface TierFlowLine extends TierFlowFigures {
  /** Minute start, Unix seconds. */
  readonly timestamp: number;
  /** Cumulative main-force net inflow of the day up to the end of this minute. */
  readonly mainForceNetCumulative: string;
  /** The day's figures up to the end of this minute (`cumulative.inflow` is command 24's line). */
  readonly cumulative: TierFlowFigures;
}

/** Exact in/out sums by tier (index 0 = the largest), in units at `scale`: for adding days up. */
export interface ExactTierSums {
  readonly scale: number;
  readonly in: readonly bigint[];
  readonly out: readonly bigint[];
}

export interface TierFlow {
  readonly convention: TierConvention['kind'];
  readonly tiers: readonly string[];
  /** The day's sums behind `day`, exactly. */
  readonly exact: ExactTierSums;
  /** Per minute (that minute's own figures), for the lines visible at `nowMs`. */
  readonly lines: TierFlowLine[];
  /** The day up to `nowMs`. */
  readonly day: TierFlowFigures;
}

/**
 * The day's counted trades (the engine's sides, sessions and auction rules) split by a size-tier
 * convention, per minute and for the day, exactly.
 */
export function sizeTierFlow(day: DayFlow, nowMs: number, convention: TierConvention): TierFlow {
  const counted: Array<{ line: number; up: boolean; units: bigint; scale: number; volume: number }> = [];
  let scale = 0;
  day.visitCounted(nowMs, (line, direction, trade) => {
    const { priceScale, volume } = trade;
    counted.push({ line, up: direction === Direction.Up, units: toBigInt(trade.priceUnits) * BigInt(volume), scale: priceScale, volume });
    if (priceScale > scale) scale = priceScale;
  });
  const names = tierNames(convention);
  const tierCount = names.length;
  const visible = day.schedule.visibleLineCount(nowMs);
  // Per line: in[tier], out[tier] at `scale`.
  const perLine: bigint[][] = Array.from({ length: visible }, () => new Array<bigint>(tierCount * 2).fill(0n));
  const total = new Array<bigint>(tierCount * 2).fill(0n);
  for (const trade of counted) {
    if (trade.line >= visible) continue;
    const turnover = trade.units * pow10(scale - trade.scale);
    const slot = tierIndex(convention, turnover, scale, trade.volume) + (trade.up ? 0 : tierCount);
    const row = perLine[trade.line] as bigint[];
    row[slot] = (row[slot] as bigint) + turnover;
    total[slot] = (total[slot] as bigint) + turnover;
  }
  const main = mainForceTiers(convention);
  const figures = (sums: bigint[]): TierFlowFigures & { mainUnits: bigint } =>
    tierFigures(names, main, { scale, in: sums.slice(0, tierCount), out: sums.slice(tierCount) });
  let running = 0n;
  const runningSums = new Array<bigint>(tierCount * 2).fill(0n);
  const lines = perLine.map((sums, index): TierFlowLine => {
    const { mainUnits, ...line } = figures(sums);
    running += mainUnits;
    sums.forEach((value, slot) => (runningSums[slot] = (runningSums[slot] as bigint) + value));
    const { mainUnits: _cumulativeMain, ...cumulative } = figures(runningSums);
    return {
      timestamp: (day.schedule.lineStartMs[index] as number) / 1000,
      ...line,
      mainForceNetCumulative: formatScaled(running, scale, 3),
      cumulative,
    };
  });
  const { mainUnits: _main, ...dayFigures } = figures(total);
  const exact = { scale, in: total.slice(0, tierCount), out: total.slice(tierCount) };
  return { convention: convention.kind, tiers: names, exact, lines, day: dayFigures };
}

/**
 * Formats exact tier sums: in, out and net per tier, main-force net (the first `mainTiers` tiers)
 * and its share of the turnover (in + out of every tier), as a percentage rounded to 2 decimals.
 */
export function tierFigures(names: readonly string[], mainTiers: number, sums: ExactTierSums): TierFlowFigures & { mainUnits: bigint } {
  const inflow: Record<string, string> = {};
  const outflow: Record<string, string> = {};
  const net: Record<string, string> = {};
  let mainUnits = 0n;
  let turnover = 0n;
  let netUnits = 0n;
  names.forEach((name, tier) => {
    const a = sums.in[tier] ?? 0n;
    const b = sums.out[tier] ?? 0n;
    inflow[name] = formatScaled(a, sums.scale, 3);
    outflow[name] = formatScaled(b, sums.scale, 3);
    net[name] = formatScaled(a - b, sums.scale, 3);
    if (tier < mainTiers) mainUnits += a - b;
    turnover += a + b;
    netUnits += a - b;
  });
  const share = turnover === 0n ? '0.00' : formatScaled((mainUnits * 10_000_000n) / turnover, 5, 2);
  return { inflow: formatScaled(netUnits, sums.scale, 3), in: inflow, out: outflow, net, mainForceNet: formatScaled(mainUnits, sums.scale, 3), mainForceShare: share, mainUnits };
}

/** Adds exact tier sums (of days, say) at their largest scale. */
export function addTierSums(a: ExactTierSums, b: ExactTierSums): ExactTierSums {
  const scale = Math.max(a.scale, b.scale);
  const up = (value: bigint, from: number): bigint => value * pow10(scale - from);
  const length = Math.max(a.in.length, b.in.length);
  const sum = (x: readonly bigint[], y: readonly bigint[]): bigint[] =>
    Array.from({ length }, (_, tier) => up(x[tier] ?? 0n, a.scale) + up(y[tier] ?? 0n, b.scale));
  return { scale, in: sum(a.in, b.in), out: sum(a.out, b.out) };
}

/** The `longport` convention with capflow's default thresholds of a market. */
export function longportConvention(market: Market, thresholds?: TierThresholds): TierConvention {
  return { kind: 'longport', thresholds: thresholds ?? DEFAULT_TIER_THRESHOLDS[market] };
}
