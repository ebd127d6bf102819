import type { DayTotals } from '../../engine/day-flow.js';
import { addTierSums, mainForceTiers, tierFigures, tierNames, type ExactTierSums, type TierConvention } from '../../engine/tiers/size-tier-flow.js';
import { formatScaled } from '../../model/decimal.js';
import type { TierChoice } from '../tier-flows.js';

/** What a ranking ranks by: net inflow, or main-force net under a size-tier convention. */
export type RankBy = 'net' | 'main_force';
export const RANK_BY: readonly RankBy[] = ['net', 'main_force'];

export interface RankMeasure {
  readonly by: RankBy;
  /** The convention of `main_force` (ignored for `net`). */
  readonly convention: TierChoice;
}

export function measureKey(measure: RankMeasure): string {
  if (measure.by === 'net') return 'net';
  return measure.convention.name === 'futu' ? `main futu ${measure.convention.days}` : `main ${measure.convention.name}`;
}

/**
 * A symbol's (or sector's) figures over some days, in thousandths: `value` the ranked figure
 * (net inflow or main-force net), with the inflow and outflow behind it. Each day's figure is
 * the 3-decimal text `/daily` answers, so a window's sum is exactly the sum of those texts.
 */
export interface FlowFigures {
  readonly value: bigint;
  readonly inflow: bigint;
  readonly outflow: bigint;
}

export const ZERO_FIGURES: FlowFigures = { value: 0n, inflow: 0n, outflow: 0n };

export function addFigures(a: FlowFigures, b: FlowFigures): FlowFigures {
  return { value: a.value + b.value, inflow: a.inflow + b.inflow, outflow: a.outflow + b.outflow };
}

export function subtractFigures(a: FlowFigures, b: FlowFigures): FlowFigures {
  return { value: a.value - b.value, inflow: a.inflow - b.inflow, outflow: a.outflow - b.outflow };
}

/** `-123.456` → -123456n: an amount text with exactly three decimals, as thousandths. */
export function thousandths(text: string): bigint {
  const match = /^(-?)(\d+)\.(\d{3})$/.exec(text);
  if (!match) throw new Error(`not an amount with 3 decimals: ${JSON.stringify(text)}`);
  const units = BigInt(match[2]! + match[3]!);
  return match[1] === '-' ? -units : units;
}

export function thousandthsText(units: bigint): string {
  return formatScaled(units, 3, 3);
}

/** Net inflow of a day as `/daily` answers it: `inflow`, with `in.total` and `out.total`. */
export function netFigures(totals: DayTotals): FlowFigures {
  return { value: thousandths(totals.inflow), inflow: thousandths(totals.in.total), outflow: thousandths(totals.out.total) };
}

/**
 * Main-force net of a day as `/daily?convention=` answers it (`mainForceNet`), with the inflow
 * and outflow of the main-force tiers (the sum of their 3-decimal texts).
 */
export function mainForceFigures(convention: TierConvention['kind'], sums: ExactTierSums): FlowFigures {
  const names = tierNames({ kind: convention } as TierConvention);
  const main = mainForceTiers({ kind: convention } as TierConvention);
  // The daily history adds each day to empty sums first; the same here keeps the figures identical.
  const figures = tierFigures(names, main, addTierSums({ scale: 0, in: [], out: [] }, sums));
  let inflow = 0n;
  let outflow = 0n;
  for (const name of names.slice(0, main)) {
    inflow += thousandths(figures.in[name] ?? '0.000');
    outflow += thousandths(figures.out[name] ?? '0.000');
  }
  return { value: thousandths(figures.mainForceNet), inflow, outflow };
}

/** 10^(3 - scale) for scales 0–2 (computed once, not per figure). */
const TO_THOUSANDTHS = [1000n, 100n, 10n];

/**
 * Exact units at `scale` as the thousandths of their 3-decimal text: a multiplication while the
 * scale is at most 3 (the usual case), else the text itself (rounded as every answer rounds it).
 */
export function unitsToThousandths(units: bigint, scale: number): bigint {
  if (scale <= 3) return scale === 3 ? units : units * (TO_THOUSANDTHS[scale] as bigint);
  return thousandths(formatScaled(units, scale, 3));
}

/** The engine's exact tier sums (large, medium, small) of a day. */
export interface EngineTierSums {
  readonly scale: number;
  readonly in: readonly [bigint, bigint, bigint];
  readonly out: readonly [bigint, bigint, bigint];
}

/** Net inflow from the engine's tier sums: what `netFigures(day.totals(now))` gives, without the texts. */
export function netFromSums(sums: EngineTierSums): FlowFigures {
  const inTotal = sums.in[0] + sums.in[1] + sums.in[2];
  const outTotal = sums.out[0] + sums.out[1] + sums.out[2];
  return { value: unitsToThousandths(inTotal - outTotal, sums.scale), inflow: unitsToThousandths(inTotal, sums.scale), outflow: unitsToThousandths(outTotal, sums.scale) };
}

/**
 * Longport main force (the large tier) from the engine's tier sums, whose tiers are longport's
 * with the server's thresholds: what `mainForceFigures('longport', …)` gives, without the texts.
 */
export function longportMainFromSums(sums: EngineTierSums): FlowFigures {
  return {
    value: unitsToThousandths(sums.in[0] - sums.out[0], sums.scale),
    inflow: unitsToThousandths(sums.in[0], sums.scale),
    outflow: unitsToThousandths(sums.out[0], sums.scale),
  };
}
