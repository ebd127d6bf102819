import type { Market } from '../model/market.js';
import type { SecurityInfo } from '../service/rankings/securities-file.js';

/** One simulated security and the traits that make its day look like the real one's. */
export interface DemoSecurity {
  readonly symbol: string;
  readonly name: string;
  /** GICS sector, so that the demo's rankings have sectors to sum. */
  readonly sector: string;
  readonly market: Market;
  /** Price level the simulated price mean-reverts to across days (trading currency). */
  readonly basePrice: number;
  /** Board lot: volumes are whole lots (US trades in single shares). */
  readonly lotSize: number;
  /** Average number of continuous-session trades per full day. */
  readonly tradesPerDay: number;
  /** Standard deviation of the daily log return. */
  readonly dailyVolatility: number;
  /** Median turnover of one trade (trading currency); sizes spread log-normally around it. */
  readonly typicalTradeValue: number;
}

/**
 * How each market's feed reports trades: the share of trades whose aggressor side the feed
 * gives, and of the rest the share that come with the prevailing bid/ask (quote rule); the
 * remainder carry neither and are classified by the tick rule.
 */
export interface FeedProfile {
  readonly sideGiven: number;
  readonly quoteGiven: number;
}

export const DEMO_FEED_PROFILES: Readonly<Record<Market, FeedProfile>> = {
  HK: { sideGiven: 0.75, quoteGiven: 0.2 },
  US: { sideGiven: 0, quoteGiven: 0.8 },
  CN: { sideGiven: 0.9, quoteGiven: 0 },
  SG: { sideGiven: 0.4, quoteGiven: 0.3 },
};

/** The default line-up: a few liquid names per market, at roughly their real price levels. */
export const DEMO_SECURITIES: readonly DemoSecurity[] = [
  { symbol: '700.HK', name: 'Tencent', sector: 'Communication Services', market: 'HK', basePrice: 480, lotSize: 100, tradesPerDay: 6000, dailyVolatility: 0.018, typicalTradeValue: 60_000 },
  { symbol: '9988.HK', name: 'Alibaba', sector: 'Consumer Discretionary', market: 'HK', basePrice: 130, lotSize: 100, tradesPerDay: 5000, dailyVolatility: 0.025, typicalTradeValue: 45_000 },
  { symbol: '5.HK', name: 'HSBC', sector: 'Financials', market: 'HK', basePrice: 95, lotSize: 400, tradesPerDay: 3000, dailyVolatility: 0.012, typicalTradeValue: 55_000 },
  { symbol: 'AAPL.US', name: 'Apple', sector: 'Information Technology', market: 'US', basePrice: 230, lotSize: 1, tradesPerDay: 7000, dailyVolatility: 0.015, typicalTradeValue: 8_000 },
  { symbol: 'MSFT.US', name: 'Microsoft', sector: 'Information Technology', market: 'US', basePrice: 420, lotSize: 1, tradesPerDay: 5500, dailyVolatility: 0.014, typicalTradeValue: 9_000 },
  { symbol: 'NVDA.US', name: 'NVIDIA', sector: 'Information Technology', market: 'US', basePrice: 180, lotSize: 1, tradesPerDay: 9000, dailyVolatility: 0.028, typicalTradeValue: 7_000 },
  { symbol: '600519.SH', name: 'Kweichow Moutai', sector: 'Consumer Staples', market: 'CN', basePrice: 1450, lotSize: 100, tradesPerDay: 2500, dailyVolatility: 0.015, typicalTradeValue: 220_000 },
  { symbol: '000001.SZ', name: 'Ping An Bank', sector: 'Financials', market: 'CN', basePrice: 11.5, lotSize: 100, tradesPerDay: 4000, dailyVolatility: 0.013, typicalTradeValue: 40_000 },
  { symbol: 'D05.SG', name: 'DBS Group', sector: 'Financials', market: 'SG', basePrice: 45, lotSize: 100, tradesPerDay: 2200, dailyVolatility: 0.01, typicalTradeValue: 10_000 },
  { symbol: 'O39.SG', name: 'OCBC', sector: 'Financials', market: 'SG', basePrice: 17, lotSize: 100, tradesPerDay: 1800, dailyVolatility: 0.01, typicalTradeValue: 8_000 },
];

/** The demo's securities as names and sectors for the rankings, the CLI and the page. */
export function demoSecurityInfo(): SecurityInfo[] {
  return DEMO_SECURITIES.map(({ symbol, name, sector, lotSize }) => ({ symbol, name, sector, lotSize }));
}
