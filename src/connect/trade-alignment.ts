/**
 * Where a QueryTrade answer fits between what a relay already holds and what the upstream pushed
 * since it subscribed again, when trades have no identity but their fields (LongPort's trades:
 * time in whole seconds, price, volume, side, type). Pure.
 *
 * The answer is the day's latest trades, oldest first. Its start overlaps the end of what is
 * held, its end may overlap the start of the pushes; what lies between is the gap to record.
 * Overlaps are the longest runs of equal fields. Limits (README, "capflow connect"): identical
 * trades in a row (same second, price, volume, side, type) make a shorter overlap fit as well as
 * the true one; the longest is taken, which is right unless the gap itself repeats the trades
 * around it exactly. An answer that is the whole day (fewer trades than asked for) is aligned by
 * position instead: what is held must be its beginning.
 */

export interface AlignmentInput {
  /** Fingerprints of the day's trades held, oldest first (the latest few thousand). */
  readonly held: readonly string[];
  /** Fingerprints of the QueryTrade answer for the same day, oldest first. */
  readonly queried: readonly string[];
  /** Fingerprints of the day's trades pushed since subscribing again, oldest first. */
  readonly pushed: readonly string[];
  /** True when the answer holds as many trades as were asked for (it may not reach the day's start). */
  readonly full: boolean;
}

export interface Alignment {
  /** Answer trades already held (its first `overlapHeld`). */
  readonly overlapHeld: number;
  /** Answer trades the pushes carry as well (its last `overlapPushed`). */
  readonly overlapPushed: number;
  /** `[from, to)` of the answer: the trades to record. */
  readonly gapFrom: number;
  readonly gapTo: number;
  /** False when trades before the answer's first may be missing (it did not reach what is held, or the day's start). */
  readonly reachesBack: boolean;
}

/** Largest k <= max with a[a.length-k..] equal to b[0..k] (suffix of a = prefix of b). */
function overlap(a: readonly string[], b: readonly string[], max: number): number {
  for (let k = Math.min(max, a.length, b.length); k > 0; k--) {
    let equal = true;
    for (let i = 0; i < k && equal; i++) equal = a[a.length - k + i] === b[i];
    if (equal) return k;
  }
  return 0;
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

export function alignQueried(input: AlignmentInput): Alignment {
  const { held, queried, pushed, full } = input;
  // The whole day: held trades are its beginning, by position.
  const overlapHeld = !full && isPrefix(held, queried) ? held.length : overlap(held, queried, queried.length);
  const rest = queried.slice(overlapHeld);
  const overlapPushed = overlap(rest, pushed, rest.length);
  return {
    overlapHeld,
    overlapPushed,
    gapFrom: overlapHeld,
    gapTo: queried.length - overlapPushed,
    reachesBack: !full || overlapHeld > 0,
  };
}
