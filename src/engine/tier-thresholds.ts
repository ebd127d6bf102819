import type { Decimal } from '../model/decimal.js';
import type { Market } from '../model/market.js';
import { compactUnits, scaleUp, type Units } from './exact-units.js';

/**
 * Size tiers of command 25 by a trade's turnover (price × volume, trading currency): large when
 * turnover >= `large`, medium when >= `medium`, otherwise small. A number is whole currency
 * units; a Decimal allows fractions.
 */
export interface TierThresholds {
  readonly large: number | Decimal;
  readonly medium: number | Decimal;
}

/**
 * Defaults. CN uses Eastmoney's cut-offs (large order >= 200,000 CNY, medium >= 40,000; the
 * most widely published A-share convention; its "super large" >= 1,000,000 is folded into large
 * because the response has three tiers). The other markets take the same cut-offs converted at
 * round exchange rates (1 CNY ≈ 1.1 HKD ≈ 0.15 USD ≈ 0.2 SGD), so a "large" trade means about the
 * same money everywhere.
 */
export const DEFAULT_TIER_THRESHOLDS: Readonly<Record<Market, TierThresholds>> = {
  CN: { large: 200_000, medium: 40_000 },
  HK: { large: 220_000, medium: 44_000 },
  US: { large: 30_000, medium: 6_000 },
  SG: { large: 40_000, medium: 8_000 },
};

export const Tier = { Large: 0, Medium: 1, Small: 2 } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

function toDecimal(value: number | Decimal, name: string): Decimal {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`tier threshold ${name} must be a whole non-negative amount, got ${value}`);
    }
    return { units: BigInt(value), scale: 0 };
  }
  if (value.units < 0n) throw new RangeError(`tier threshold ${name} must not be negative`);
  return value;
}

/** The smallest turnover in units at `scale` that reaches the threshold: ceil(threshold × 10^scale). */
function thresholdUnitsAt(threshold: Decimal, scale: number): Units {
  if (scale >= threshold.scale) return scaleUp(compactUnits(threshold.units), scale - threshold.scale);
  const divisor = 10n ** BigInt(threshold.scale - scale);
  const quotient = threshold.units / divisor;
  return compactUnits(threshold.units % divisor === 0n ? quotient : quotient + 1n);
}

/** Classifies exact turnovers (units at a given scale) into tiers; per-scale bounds are cached. */
export class TierClassifier {
  private readonly large: Decimal;
  private readonly medium: Decimal;
  private readonly largeAt: Units[] = [];
  private readonly mediumAt: Units[] = [];

  constructor(thresholds: TierThresholds) {
    this.large = toDecimal(thresholds.large, 'large');
    this.medium = toDecimal(thresholds.medium, 'medium');
  }

  /** The cut-offs as exact text (what a day snapshot records: sums split by other cut-offs differ). */
  get key(): string {
    return `${this.large.units}e-${this.large.scale}/${this.medium.units}e-${this.medium.scale}`;
  }

  tierOf(turnover: Units, scale: number): Tier {
    let large = this.largeAt[scale];
    if (large === undefined) {
      large = thresholdUnitsAt(this.large, scale);
      this.largeAt[scale] = large;
    }
    if (turnover >= large) return Tier.Large;
    let medium = this.mediumAt[scale];
    if (medium === undefined) {
      medium = thresholdUnitsAt(this.medium, scale);
      this.mediumAt[scale] = medium;
    }
    return turnover >= medium ? Tier.Medium : Tier.Small;
  }
}
