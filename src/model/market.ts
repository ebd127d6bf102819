/** Markets as LongPort permission codes; CN covers both Shanghai (SH) and Shenzhen (SZ). */
export const MARKETS = ['HK', 'US', 'CN', 'SG'] as const;
export type Market = (typeof MARKETS)[number];

/** Symbol regions (what follows the last dot) and the market each belongs to. */
export const REGION_MARKET = {
  HK: 'HK',
  US: 'US',
  SH: 'CN',
  SZ: 'CN',
  SG: 'SG',
} as const satisfies Record<string, Market>;
export type Region = keyof typeof REGION_MARKET;

/** IANA time zone of each market; minutes and trading days are defined in it. */
export const MARKET_TIME_ZONE = {
  HK: 'Asia/Hong_Kong',
  US: 'America/New_York',
  CN: 'Asia/Shanghai',
  SG: 'Asia/Singapore',
} as const satisfies Record<Market, string>;

/** Trading currency of each market (amounts are never converted). */
export const MARKET_CURRENCY = {
  HK: 'HKD',
  US: 'USD',
  CN: 'CNY',
  SG: 'SGD',
} as const satisfies Record<Market, string>;

export function isMarket(value: string): value is Market {
  return (MARKETS as readonly string[]).includes(value);
}

export function isRegion(value: string): value is Region {
  return Object.prototype.hasOwnProperty.call(REGION_MARKET, value);
}
