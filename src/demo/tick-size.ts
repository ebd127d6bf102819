import type { Decimal } from '../model/decimal.js';
import type { Market } from '../model/market.js';

/** A price band of an exchange's tick table: prices below `below` move in steps of `tick`. */
interface TickBand {
  readonly below: number;
  /** Tick in units of 10^-4 (the finest tick served is US sub-dollar 0.0001). */
  readonly tick: number;
}

const SCALE = 4;

/**
 * Tick tables: HKEX's spread table (part A), SEC Rule 612 for US stocks (a cent from $1, else
 * 0.0001), SSE/SZSE A shares (0.01), SGX securities (0.001 below 0.20, 0.005 below 1.00, then
 * 0.01).
 */
const TICK_TABLES: Readonly<Record<Market, readonly TickBand[]>> = {
  HK: [
    { below: 0.25, tick: 10 },
    { below: 0.5, tick: 50 },
    { below: 10, tick: 100 },
    { below: 20, tick: 200 },
    { below: 100, tick: 500 },
    { below: 200, tick: 1000 },
    { below: 500, tick: 2000 },
    { below: 1000, tick: 5000 },
    { below: 2000, tick: 10000 },
    { below: 5000, tick: 20000 },
    { below: Infinity, tick: 50000 },
  ],
  US: [
    { below: 1, tick: 1 },
    { below: Infinity, tick: 100 },
  ],
  CN: [{ below: Infinity, tick: 100 }],
  SG: [
    { below: 0.2, tick: 10 },
    { below: 1, tick: 50 },
    { below: Infinity, tick: 100 },
  ],
};

/** The tick (in 10^-4 units) that applies at a price. */
export function tickUnitsAt(market: Market, price: number): number {
  const table = TICK_TABLES[market];
  return (table.find((band) => price < band.below) ?? table[table.length - 1]!).tick;
}

/**
 * A price snapped to the exchange's grid, `offsetTicks` ticks away (negative: below), as an
 * exact decimal written with at least two places (`480.20`, `11.52`, `0.1234`).
 */
export function snapToTick(market: Market, price: number, offsetTicks = 0): Decimal {
  const tick = tickUnitsAt(market, price);
  const steps = Math.max(1, Math.round((price * 10 ** SCALE) / tick) + offsetTicks);
  let units = BigInt(steps * tick);
  let scale = SCALE;
  while (scale > 2 && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return { units, scale };
}

/** A decimal's value as a float (for the simulation's own arithmetic only, never for money). */
export function approximate(value: Decimal): number {
  return Number(value.units) / 10 ** value.scale;
}
