/**
 * The MCP tools' input and output schemas (TypeBox, so JSON Schema for the MCP client and static
 * types here). Field names follow LongPort's SDKs (`capital_in`, `capital_out`); every amount is
 * an exact decimal string, `date` is `YYYY-MM-DD` and `minute` `HH:MM`, exchange-local.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ApiLimits } from '../contract/limits.js';

const Amount = (description: string) => Type.String({ pattern: '^-?\\d+\\.\\d{3}$', description: `${description} (exact decimal, 3 places)` });
const DateText = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `${description}, YYYY-MM-DD` });
const SymbolText = Type.String({ minLength: 1, description: 'TICKER.REGION, region HK, US, SH, SZ or SG, e.g. 700.HK, AAPL.US, 600000.SH' });
const Market = Type.Union(['HK', 'US', 'CN', 'SG'].map((market) => Type.Literal(market)), { description: 'market: HK, US, CN (Shanghai and Shenzhen) or SG' });
const Convention = Type.Union(['longport', 'eastmoney', 'futu'].map((name) => Type.Literal(name)), {
  description: 'size-tier convention: longport (3 tiers by turnover; main force = large), eastmoney (4 fixed tiers) or futu (4 tiers by percentiles); default the server\'s',
});
const optionalDate = Type.Optional(DateText('a past trading day, exchange-local; default the current one'));
const strict = { additionalProperties: false } as const;

// ---- inputs ----

export const CapitalFlowInput = Type.Object({ symbol: SymbolText, date: optionalDate }, strict);
export const DistributionInput = Type.Object({ symbol: SymbolText, date: optionalDate, convention: Type.Optional(Convention) }, strict);
export const HistoryInput = Type.Object(
  {
    symbol: SymbolText,
    period: Type.Union(['day', 'week', 'month', 'quarter', 'year'].map((name) => Type.Literal(name)), { description: 'day, week (ISO, from Monday), month, quarter or year' }),
    from: Type.Optional(DateText('first day (inclusive)')),
    to: Type.Optional(DateText('last day (inclusive); default the current trading day')),
    convention: Type.Optional(Convention),
  },
  strict,
);
export const ExplainInput = Type.Object(
  {
    symbol: SymbolText,
    minute: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: "the line's minute, HH:MM exchange-local (a session minute; the session end or any minute of the closing-auction window for the closing line)" }),
    date: optionalDate,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ApiLimits.maxMinuteTrades, description: `most trades listed (default ${ApiLimits.defaultMinuteTrades}); the sums cover them all` })),
  },
  strict,
);
export const ListSymbolsInput = Type.Object({ market: Type.Optional(Market) }, strict);
export const RankingsInput = Type.Object(
  {
    market: Market,
    by: Type.Optional(Type.Union([Type.Literal('net'), Type.Literal('main_force')], { description: 'net: net inflow (default); main_force: main-force net under the convention' })),
    days: Type.Optional(Type.Union(ApiLimits.rankingWindows.map((n) => Type.Literal(n)), { description: `trading days in the window: ${ApiLimits.rankingWindows.join(', ')} (default 1)` })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ApiLimits.maxRankingLimit, description: `how many (default ${ApiLimits.defaultRankingLimit})` })),
    order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { description: 'desc (default): largest inflow first; asc: largest outflow first' })),
    date: Type.Optional(DateText("last trading day of the window; default the market's current day")),
    convention: Type.Optional(Convention),
    sector: Type.Optional(Type.String({ minLength: 1, description: 'only the members of this sector' })),
  },
  strict,
);

// ---- outputs ----

export const CapitalFlowOutput = Type.Object({
  symbol: Type.String(),
  date: DateText('the trading day'),
  lines: Type.Array(
    Type.Object({
      timestamp: Type.Integer({ description: 'minute start, Unix seconds (as command 24)' }),
      inflow: Amount('cumulative net inflow up to the end of the minute'),
    }),
  ),
});

const Tiers = (what: string) =>
  Type.Object({
    super_large: Type.Optional(Amount(`${what} of super-large trades (four-tier conventions)`)),
    large: Amount(`${what} of large trades`),
    medium: Amount(`${what} of medium trades`),
    small: Amount(`${what} of small trades`),
  });

export const DistributionOutput = Type.Object({
  symbol: Type.String(),
  timestamp: Type.Integer({ description: 'latest counted trade, Unix seconds' }),
  capital_in: Tiers('inflow'),
  capital_out: Tiers('outflow'),
  convention: Type.Optional(Type.String()),
  main_force_net: Type.Optional(Amount('net of the main-force tiers')),
});

export const HistoryOutput = Type.Object({
  symbol: Type.String(),
  period: Type.String(),
  from: DateText('first day'),
  to: DateText('last day'),
  convention: Type.String(),
  periods: Type.Array(
    Type.Object({
      period: DateText('first date of the period'),
      period_end: DateText('last date of the period'),
      trading_days: Type.Integer(),
      complete: Type.Boolean({ description: 'false while the period holds a day that may still change' }),
      inflow: Amount('net inflow'),
      main_force_net: Amount('net of the main-force tiers'),
      main_force_share: Type.String({ description: 'main-force net / turnover, percent with 2 decimals' }),
      net: Tiers('net inflow'),
    }),
  ),
});

export const ExplainOutput = Type.Object({
  symbol: Type.String(),
  date: DateText('the trading day'),
  minute: Type.String(),
  timestamp: Type.Integer({ description: "the line's minute start, Unix seconds" }),
  previous_inflow: Amount('cumulative net inflow of the line before'),
  inflow: Amount("this line's cumulative net inflow"),
  change: Amount('what the minute added'),
  sums: Type.Object({
    trades: Type.Integer(),
    buys: Type.Integer(),
    sells: Type.Integer(),
    neutrals: Type.Integer(),
    inflow: Amount('turnover of the buys'),
    outflow: Amount('turnover of the sells'),
    neutral: Amount('turnover of neutral trades'),
    net: Amount('inflow − outflow'),
  }),
  truncated: Type.Boolean(),
  trades: Type.Array(
    Type.Object({
      sequence: Type.Integer(),
      time: Type.String({ description: 'exchange-local ISO 8601 with milliseconds' }),
      price: Type.String(),
      volume: Type.Integer(),
      turnover: Type.String(),
      trade_type: Type.String(),
      side: Type.String({ description: 'buy (inflow), sell (outflow) or neutral' }),
      rule: Type.String({ description: 'feed, order-sequence, auction, neutral-window, quote or tick' }),
      method: Type.String(),
    }),
  ),
});

export const ListSymbolsOutput = Type.Object({
  markets: Type.Array(Type.String(), { description: "the credential's markets" }),
  symbols: Type.Array(
    Type.Object({
      symbol: Type.String(),
      market: Type.String(),
      currency: Type.String(),
      has_data: Type.Boolean(),
      last_date: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const RankingsOutput = Type.Object({
  market: Type.String(),
  date: DateText('last trading day of the window'),
  days: Type.Integer(),
  dates: Type.Array(Type.String(), { description: 'the trading days of the window, oldest first' }),
  by: Type.String(),
  convention: Type.Optional(Type.String()),
  total: Type.Integer({ description: 'symbols ranked (those with trades in the window)' }),
  items: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      symbol: Type.String(),
      name: Type.Optional(Type.String()),
      sector: Type.Optional(Type.String()),
      value: Amount('net inflow (or main-force net) over the window'),
      inflow: Amount('inflow behind the value'),
      outflow: Amount('outflow behind the value'),
    }),
  ),
});

export type CapitalFlowOutput = Static<typeof CapitalFlowOutput>;
export type DistributionOutput = Static<typeof DistributionOutput>;
export type HistoryOutput = Static<typeof HistoryOutput>;
export type ExplainOutput = Static<typeof ExplainOutput>;
export type ListSymbolsOutput = Static<typeof ListSymbolsOutput>;

/** A schema as plain JSON (TypeBox's symbol-keyed markers dropped). */
export function jsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}
