/**
 * A large synthetic trading day in the canonical CSV: symbols spread over HK, US, SH/SZ and SG
 * on 2024-06-14, trades in arrival order with a little time jitter (some out of order), some
 * before the open, in the lunch break and in the closing auction; a quarter with the feed's side,
 * the rest classified (half of those with bid/ask), trade ids with occasional redeliveries.
 * Deterministic for a seed. Prices have at most 3 decimals.
 */
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { calendarFor } from '../src/calendar/trading-calendar.js';
import type { Market } from '../src/model/market.js';

export const BENCH_DATE = '2024-06-14';

/** Mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SymbolSpec {
  name: string;
  market: Market;
  units: number;
  scale: number;
  tick: number;
  quotes: boolean;
  lastId: number;
  lastRow: string;
}

const MARKET_SHARE: ReadonlyArray<[string, Market, number, number, boolean]> = [
  // suffix, market, share, price scale, with quotes
  ['HK', 'HK', 0.3, 3, true],
  ['US', 'US', 0.3, 2, true],
  ['SH', 'CN', 0.2, 2, false],
  ['SZ', 'CN', 0.1, 2, false],
  ['SG', 'SG', 0.1, 3, false],
];

export function makeSymbols(count: number, random: () => number): SymbolSpec[] {
  const symbols: SymbolSpec[] = [];
  for (let i = 0; i < count; i++) {
    const pick = i / count;
    let acc = 0;
    let spec = MARKET_SHARE[0]!;
    for (const entry of MARKET_SHARE) {
      acc += entry[2];
      if (pick < acc) {
        spec = entry;
        break;
      }
    }
    const [suffix, market, , scale, quotes] = spec;
    const ticker = suffix === 'US' ? `S${i.toString(36).toUpperCase()}` : suffix === 'SG' ? `G${i}` : String(suffix === 'SH' ? 600000 + i : suffix === 'SZ' ? i + 1 : i + 1);
    const price = 5 + Math.floor(random() * 500);
    symbols.push({ name: `${ticker}.${suffix}`, market, units: price * 10 ** scale, scale, tick: scale === 3 ? 5 : 1, quotes, lastId: 0, lastRow: '' });
  }
  return symbols;
}

function formatUnits(units: number, scale: number): string {
  const text = String(units).padStart(scale + 1, '0');
  return scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}

/**
 * `market`: the shape of a whole-market day — each market's share of the trades (CN the busiest,
 * then US, HK, SG), a few symbols taking most of their market's trades (Zipf-like popularity), and
 * more trades near the open and the close than at midday (a U-shaped intraday profile).
 * `uniform` (default): every symbol alike, trades spread evenly over each market's day.
 */
export type DayShape = 'uniform' | 'market';

/** Share of the day's trades per market in the `market` shape (a busy day's rough proportions). */
const MARKET_TRADE_SHARE: Readonly<Record<Market, number>> = { CN: 0.45, US: 0.35, HK: 0.15, SG: 0.05 };
/** Popularity exponent: the symbol of rank r draws trades in proportion to 1 / r^ZIPF. */
const ZIPF = 0.8;

/** Fraction of the day elapsed at arrival fraction `x` for a U-shaped intensity 1 + 2(2t − 1)², as a lookup table. */
function uShapeTable(points = 4096): Float64Array {
  // The intensity's cumulative share at t, normalised: F(t) = (t + ((2t − 1)³ + 1) / 3) / (5/3).
  const cdf = (t: number): number => (t + ((2 * t - 1) ** 3 + 1) / 3) / (5 / 3);
  const table = new Float64Array(points + 1);
  let t = 0;
  for (let i = 0; i <= points; i++) {
    const target = i / points;
    while (t < 1 && cdf(t) < target) t += 1 / (points * 16);
    table[i] = Math.min(1, t);
  }
  return table;
}

/** A picker of symbols by market share and popularity rank. */
function marketPicker(symbols: readonly SymbolSpec[], random: () => number): () => SymbolSpec {
  const markets = (['CN', 'US', 'HK', 'SG'] as const).map((market) => {
    const members = symbols.filter((symbol) => symbol.market === market);
    const cumulative = new Float64Array(members.length);
    let total = 0;
    members.forEach((_, rank) => (cumulative[rank] = total += 1 / (rank + 1) ** ZIPF));
    return { members, cumulative, total, share: members.length === 0 ? 0 : MARKET_TRADE_SHARE[market] };
  });
  const shares = markets.reduce((sum, market) => sum + market.share, 0);
  return () => {
    let pick = random() * shares;
    const market = markets.find((candidate) => (pick -= candidate.share) < 0) ?? markets.find((candidate) => candidate.members.length > 0)!;
    const target = random() * market.total;
    let low = 0;
    let high = market.members.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((market.cumulative[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return market.members[low]!;
  };
}

/** Writes the day to `path` (skipped when it already exists); returns the path. */
export async function generateDayCsv(path: string, trades: number, symbolCount: number, seed = 7, shape: DayShape = 'uniform'): Promise<string> {
  if (existsSync(path)) return path;
  const random = prng(seed);
  const symbols = makeSymbols(symbolCount, random);
  const pickSymbol = shape === 'market' ? marketPicker(symbols, random) : () => symbols[Math.floor(random() * symbols.length)]!;
  const elapsed = shape === 'market' ? uShapeTable() : undefined;
  const windows = new Map<Market, { from: number; span: number }>();
  for (const market of ['HK', 'US', 'CN', 'SG'] as const) {
    const day = calendarFor(market).schedule(BENCH_DATE)!;
    const from = day.firstSessionStartMs - 10 * 60_000;
    windows.set(market, { from, span: day.graceEndMs + 5 * 60_000 - from });
  }
  const temp = `${path}.tmp`;
  const out = createWriteStream(temp);
  out.write('symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type\n');
  let chunk = '';
  for (let i = 0; i < trades; i++) {
    const s = pickSymbol();
    if (s.lastRow !== '' && random() < 0.0005) {
      chunk += s.lastRow; // a redelivery: the same trade id again
    } else {
      const w = windows.get(s.market)!;
      const at = elapsed ? (elapsed[Math.floor((i / trades) * (elapsed.length - 1))] as number) : i / trades;
      const ts = Math.floor(w.from + at * w.span + (random() - 0.7) * 2000);
      const move = random();
      if (move < 0.3) s.units += s.tick;
      else if (move < 0.6 && s.units > 10 * s.tick) s.units -= s.tick;
      const price = formatUnits(s.units, s.scale);
      const volume = random() < 0.1 ? 1 + Math.floor(random() * 99) : 100 * (1 + Math.floor(random() * 50));
      const r = random();
      const direction = r < 0.11 ? 'up' : r < 0.22 ? 'down' : r < 0.25 ? 'neutral' : '';
      let bid = '';
      let ask = '';
      if (direction === '' && s.quotes && random() < 0.5) {
        const below = Math.floor(random() * 3); // price at the bid, inside or at the ask
        const bidUnits = s.units - below * s.tick;
        bid = formatUnits(bidUnits, s.scale);
        ask = formatUnits(bidUnits + 2 * s.tick, s.scale);
      }
      const id = random() < 0.85 ? `${s.name}-${++s.lastId}` : '';
      const row = `${s.name},${ts},${price},${volume},${direction},${id},${bid},${ask},\n`;
      if (id !== '') s.lastRow = row;
      chunk += row;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'finish');
  renameSync(temp, path);
  return path;
}
