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
