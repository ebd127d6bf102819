import type { CapitalFlowLine } from '../../../engine/index.js';

/** One symbol's lines of one served day, as last read or delivered. Never mutated once made. */
export interface DayLines {
  /** `YYYY-MM-DD`, market-local. */
  readonly date: string;
  readonly lines: readonly CapitalFlowLine[];
}

/**
 * Index of the first line a receiver holding `held` must replace to hold `current`, or
 * undefined when nothing changed. Another day, or fewer lines than before, replaces everything
 * (index 0): the receiver keeps only lines stamped before the first line it is sent.
 */
export function firstChangedLine(held: DayLines | undefined, current: DayLines): number | undefined {
  if (!held || held.date !== current.date) return 0;
  const before = held.lines;
  const after = current.lines;
  if (after.length < before.length) return 0;
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (a.timestamp !== b.timestamp || a.inflow !== b.inflow) return i;
  }
  return after.length > before.length ? before.length : undefined;
}

/** What a receiver holds after applying `update` (lines from its first minute on) to `held`. */
export function applyLineUpdate(held: readonly CapitalFlowLine[], update: readonly CapitalFlowLine[]): CapitalFlowLine[] {
  const first = update[0];
  if (!first) return [];
  const kept = held.filter((line) => line.timestamp < first.timestamp);
  return [...kept, ...update];
}
