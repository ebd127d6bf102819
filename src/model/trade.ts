import type { Decimal } from './decimal.js';

/**
 * LongPort TradeDirection: 0 neutral, 1 down (seller-initiated, outflow),
 * 2 up (buyer-initiated, inflow).
 */
export const Direction = {
  Neutral: 0,
  Down: 1,
  Up: 2,
} as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** A validated trade (docs/computation.md §1). Symbol normalised, times in epoch ms. */
export interface Trade {
  readonly symbol: string;
  /** Epoch milliseconds (finer fractions truncated). */
  readonly timestamp: number;
  /** Positive exact price. */
  readonly price: Decimal;
  /** Positive whole number of shares (a safe integer). */
  readonly volume: number;
  /** Given by the feed; undefined means "classify" (docs/computation.md §3). */
  readonly direction?: Direction | undefined;
  readonly tradeId?: string | undefined;
  readonly bid?: Decimal | undefined;
  readonly ask?: Decimal | undefined;
  /** The feed's own trade type code (e.g. HK `U` auction, `D` odd lot). */
  readonly tradeType?: string | undefined;
  /**
   * How the direction was or is to be decided (capflow's addition): `order-sequence` when an
   * adapter derived `direction` from the order numbers, otherwise the method the engine applies
   * when `direction` is absent. Undefined means the feed's side when given, else Lee–Ready.
   */
  readonly classification?: ClassificationMethod | undefined;
}

/**
 * Ways to decide a trade's aggressor side, in the order they take precedence: the feed's own side,
 * the order-sequence rule (the later of the two orders is the aggressor), then one of the
 * classification algorithms applied by the engine (`lee-ready` is the default).
 */
export const CLASSIFICATION_METHODS = ['feed', 'order-sequence', 'lee-ready', 'emo', 'clnv', 'tick'] as const;
export type ClassificationMethod = (typeof CLASSIFICATION_METHODS)[number];

export function isClassificationMethod(text: string): text is ClassificationMethod {
  return (CLASSIFICATION_METHODS as readonly string[]).includes(text);
}

/** Direction words and codes (case-insensitive). Empty text means "not given". */
export function parseDirection(text: string): Direction | undefined | 'invalid' {
  switch (text.trim().toLowerCase()) {
    case '':
      return undefined;
    case 'up':
    case 'buy':
    case '2':
      return Direction.Up;
    case 'down':
    case 'sell':
    case '1':
      return Direction.Down;
    case 'neutral':
    case '0':
      return Direction.Neutral;
    default:
      return 'invalid';
  }
}
