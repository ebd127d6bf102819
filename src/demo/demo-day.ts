import { calendarFor } from '../calendar/trading-calendar.js';
import type { DaySchedule } from '../calendar/day-schedule.js';
import { MARKET_SESSION_RULES } from '../calendar/session-rules.js';
import { compactDate, dateToDayNumber, zonedEpochMs } from '../calendar/time-zone.js';
import { Direction, type Trade } from '../model/trade.js';
import { DEMO_FEED_PROFILES, type DemoSecurity } from './demo-securities.js';
import { SeededRandom } from './seeded-random.js';
import { snapToTick } from './tick-size.js';

/** Days of the reference-price process replayed before a date (its memory is far shorter). */
const REFERENCE_WARMUP_DAYS = 250;
/** Day-to-day persistence of the log deviation from the base price (mean reversion). */
const REFERENCE_PERSISTENCE = 0.985;
/** Seconds ahead the order flow "knows" the price path: buying pressure leads the price. */
const FLOW_LEAD_SECONDS = 90;
/** When inside this window after the last session end the closing auction prints (ms from the end). */
const AUCTION_WINDOW_MS: Readonly<Record<string, readonly [number, number]>> = {
  HK: [8 * 60_000, 10 * 60_000], // HKEX's random close between 16:08 and 16:10
  CN: [0, 1_000], // SSE/SZSE closing call auction matches at 15:00:00
  SG: [60_000, 120_000], // SGX closing routine matches shortly after 17:15 (lines' model)
};

/**
 * The closing reference price of a security on a calendar day: the base price times the
 * exponential of a mean-reverting random walk, so prices wander realistically but stay near
 * their level for years. A pure function of (seed, symbol, day).
 */
export function referencePrice(seed: number, security: DemoSecurity, dayNumber: number): number {
  let deviation = 0;
  for (let day = dayNumber - REFERENCE_WARMUP_DAYS; day <= dayNumber; day++) {
    const shock = SeededRandom.derive(seed, security.symbol, 'close', String(day)).normal();
    deviation = REFERENCE_PERSISTENCE * deviation + security.dailyVolatility * shock;
  }
  return security.basePrice * Math.exp(deviation);
}

/**
 * Every trade of one simulated trading day, in time order: a pure function of the seed, the
 * security and the day, so a restarted demo regenerates exactly the same trades (and trade ids)
 * and the store skips those it already holds.
 *
 * The price follows a Brownian bridge from the open (previous close plus an overnight gap) to
 * the day's reference close; trade counts per second follow the intraday U-shape (busy open,
 * quiet middle, busy close); the aggressor side leans with the price's next move so net inflow
 * and price co-move as in real data; sizes are log-normal in board lots with occasional blocks.
 * Markets with a closing auction get one large print in the grace window, without a side.
 */
export function generateDemoDay(seed: number, security: DemoSecurity, schedule: DaySchedule): Trade[] {
  const { market } = security;
  const date = schedule.date;
  const rng = SeededRandom.derive(seed, security.symbol, date);
  const previousDate = calendarFor(market).previousTradingDay(date);
  const previousClose = referencePrice(seed, security, dateToDayNumber(previousDate));
  const close = referencePrice(seed, security, schedule.dayNumber);
  const open = previousClose * Math.exp(0.3 * security.dailyVolatility * rng.normal());

  // The day's continuous-trading seconds, as epoch ms of each second's start.
  const seconds: number[] = [];
  for (const session of schedule.sessions) {
    const startMs = zonedEpochMs(market, date, session.start);
    for (let s = 0; s < (session.end - session.start) * 60; s++) seconds.push(startMs + s * 1000);
  }
  const count = seconds.length;
  // A half day trades a proportionally smaller share of a full day's trades.
  const fullDaySeconds = MARKET_SESSION_RULES[market].full.reduce((sum, session) => sum + (session.end - session.start) * 60, 0);
  const dayTrades = security.tradesPerDay * Math.min(1, count / fullDaySeconds);

  // Brownian bridge of the log price from open to close.
  const perSecondVol = security.dailyVolatility / Math.sqrt(count);
  const walk = new Float64Array(count + 1);
  for (let i = 1; i <= count; i++) walk[i] = walk[i - 1]! + perSecondVol * rng.normal();
  const logOpen = Math.log(open);
  const pull = walk[count]! - Math.log(close / open);
  const logPrice = (i: number): number => logOpen + walk[i]! - (i / count) * pull;

  // Intraday U-shape of activity, normalised to the day's trade count.
  const shape = (i: number): number => {
    const x = i / count;
    return 0.45 + 2.2 * (2 * x - 1) ** 2 + 1.8 * Math.exp(-x / 0.02);
  };
  let shapeSum = 0;
  for (let i = 0; i < count; i++) shapeSum += shape(i);

  const profile = DEMO_FEED_PROFILES[market];
  const leadScale = perSecondVol * Math.sqrt(FLOW_LEAD_SECONDS);
  const trades: Trade[] = [];
  const idPrefix = `demo${seed}-${compactDate(date)}-`;
  const nextId = (): string => `${idPrefix}${trades.length}`;

  for (let i = 0; i < count; i++) {
    const arrivals = rng.poisson((dayTrades * shape(i)) / shapeSum);
    if (arrivals === 0) continue;
    const offsets = Array.from({ length: arrivals }, () => Math.floor(rng.next() * 1000)).sort((a, b) => a - b);
    const mid = Math.exp(logPrice(i));
    const lead = logPrice(Math.min(count, i + FLOW_LEAD_SECONDS)) - logPrice(i);
    const buyProbability = 0.5 + 0.3 * Math.tanh(lead / leadScale);
    for (const offset of offsets) {
      const buyer = rng.next() < buyProbability;
      const spreadTicks = rng.next() < 0.85 ? 1 : 2;
      const bid = snapToTick(market, mid, 0);
      const ask = snapToTick(market, mid, spreadTicks);
      // With a two-tick spread some trades print inside it (price improvement / hidden orders).
      const inside = spreadTicks === 2 && rng.next() < 0.3;
      const price = inside ? snapToTick(market, mid, 1) : buyer ? ask : bid;
      const volume = tradeVolume(rng, security, mid);
      const feed = rng.next();
      const sideGiven = feed < profile.sideGiven;
      const quoteGiven = !sideGiven && feed < profile.sideGiven + (1 - profile.sideGiven) * profile.quoteGiven;
      trades.push({
        symbol: security.symbol,
        timestamp: seconds[i]! + offset,
        price,
        volume,
        direction: sideGiven ? (buyer ? Direction.Up : Direction.Down) : undefined,
        tradeId: nextId(),
        bid: quoteGiven ? bid : undefined,
        ask: quoteGiven ? ask : undefined,
        tradeType: undefined,
      });
    }
  }

  const auction = AUCTION_WINDOW_MS[market];
  if (auction && schedule.graceMinutes > 0) {
    const [from, to] = auction;
    const at = schedule.lastSessionEndMs + from + Math.floor(rng.next() * (to - from));
    trades.push({
      symbol: security.symbol,
      timestamp: at,
      price: snapToTick(market, Math.exp(logPrice(count)), 0),
      volume: tradeVolume(rng, security, close, 25),
      direction: undefined,
      tradeId: nextId(),
      bid: undefined,
      ask: undefined,
      tradeType: market === 'HK' ? 'U' : undefined,
    });
  }
  return trades;
}

/** A log-normal trade size in board lots (2% of trades are blocks of ten to thirty times). */
function tradeVolume(rng: SeededRandom, security: DemoSecurity, price: number, multiple = 1): number {
  let value = security.typicalTradeValue * multiple * Math.exp(rng.normal());
  if (rng.next() < 0.02) value *= 10 + 20 * rng.next();
  const lotValue = price * security.lotSize;
  let shares = Math.max(1, Math.round(value / lotValue)) * security.lotSize;
  // US: most prints are round lots of 100 once they reach that size.
  if (security.lotSize === 1 && shares >= 100 && rng.next() < 0.6) shares = Math.round(shares / 100) * 100;
  return shares;
}

/** The schedule of a trading day (throws for a closed day, which callers never ask for). */
export function demoSchedule(security: DemoSecurity, date: string): DaySchedule {
  const schedule = calendarFor(security.market).schedule(date);
  if (!schedule) throw new RangeError(`${date} is not a ${security.market} trading day`);
  return schedule;
}
