/**
 * The JSON payloads of capflow's HTTP API as TypeBox schemas: the one source of their TypeScript
 * types (`Static<typeof X>`, exported under the same name), of the OpenAPI description's
 * components, and of the checks the contract tests run on the server's real answers.
 *
 * A schema with an `$id` becomes a named component of the OpenAPI document; `described()` gives
 * a field its own description while it stays a reference to the component.
 */
import { Type, type Static, type TLiteral, type TObject, type TProperties, type TSchema, type TUnion } from '@sinclair/typebox';
import { MARKETS } from '../model/market.js';
import { BusinessCode } from '../protocol/codes/error-codes.js';

/** A named schema's copy with its own description (and examples): a `$ref` with siblings in the document. */
export function described<T extends TSchema>(schema: T, description: string, extra: { examples?: unknown[] } = {}): T {
  return { ...schema, description, ...extra };
}

/** Strings of fixed choices, as `anyOf` of `const`s (the document shows them as an `enum`). */
function choice<const T extends string>(values: readonly T[], options: { description?: string; $id?: string } = {}): TUnion<TLiteral<T>[]> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  );
}

const DateText = (description?: string) =>
  Type.String({ format: 'date', examples: ['2024-06-14'], ...(description === undefined ? {} : { description }) });

// ---- building blocks ----

export const Market = choice(MARKETS, { $id: 'Market', description: 'LongPort market permission code; CN covers Shanghai (SH) and Shenzhen (SZ)' });
export type Market = Static<typeof Market>;

export const Amount = Type.String({ $id: 'Amount', pattern: '^-?\\d+\\.\\d{3}$', description: 'exact decimal, 3 places', examples: ['-310255860.000'] });

export const TierAmounts = Type.Object(
  { large: Amount, medium: Amount, small: Amount, total: Amount },
  {
    $id: 'TierAmounts',
    description: 'turnover by trade size (large ≥ 220,000 HKD / 30,000 USD / 200,000 CNY / 40,000 SGD; medium ≥ a fifth of that)',
  },
);
export type TierAmounts = Static<typeof TierAmounts>;

export const CapitalAmounts = Type.Object({ large: Amount, medium: Amount, small: Amount }, { $id: 'CapitalAmounts', description: 'command 25\'s three tiers' });
export type CapitalAmounts = Static<typeof CapitalAmounts>;

/** Amounts by tier under a convention: `superLarge` only in the four-tier conventions (eastmoney, futu). */
export const AmountsByTier = Type.Object(
  { superLarge: Type.Optional(Amount), large: Amount, medium: Amount, small: Amount },
  { $id: 'AmountsByTier', description: 'an amount per tier of the convention (`superLarge` in the four-tier conventions only)' },
);
export type AmountsByTier = Static<typeof AmountsByTier>;

/** What every answer about one symbol starts with. */
const symbolFields = {
  symbol: Type.String({ description: 'the symbol, normalised (`00700.hk` → `700.HK`)', examples: ['700.HK'] }),
  market: Market,
  currency: Type.String({ description: 'trading currency of the amounts', examples: ['HKD'] }),
  timeZone: Type.String({ description: 'IANA time zone of the exchange', examples: ['Asia/Hong_Kong'] }),
} satisfies TProperties;

// ---- command 24 / 25 views ----

export const Line = Type.Object(
  {
    timestamp: Type.Integer({ description: 'minute start, Unix seconds' }),
    time: Type.String({ description: 'minute start, exchange-local ISO 8601 with offset', examples: ['2024-06-14T09:30:00+08:00'] }),
    inflow: described(Amount, 'cumulative net inflow of the day up to the end of this minute'),
    in: Type.Optional(described(TierAmounts, 'with detail=1: cumulative inflow by size tier')),
    out: Type.Optional(described(TierAmounts, 'with detail=1: cumulative outflow by size tier')),
  },
  { $id: 'Line' },
);
export type Line = Static<typeof Line>;

export const Session = Type.Object({ start: Type.String({ examples: ['09:30'] }), end: Type.String({ examples: ['12:00'] }) });

export const Intraday = Type.Object(
  {
    ...symbolFields,
    date: DateText('the trading day (exchange-local)'),
    totalLines: Type.Integer({ description: 'lines of the whole day (331 on a full HK day); `lines` has fewer while the day runs' }),
    sessions: Type.Array(Session, { description: 'regular sessions, exchange-local HH:MM (start inclusive, end exclusive)' }),
    lines: Type.Array(Line),
  },
  { $id: 'Intraday' },
);
export type Intraday = Static<typeof Intraday>;

export const LinesEvent = Type.Object(
  {
    symbol: Type.String(),
    date: DateText(),
    from: Type.Integer({ description: 'index of the first line given; replace the lines from there on' }),
    lines: Type.Array(Line),
  },
  { $id: 'LinesEvent', description: 'data of a `lines` event of the live stream' },
);
export type LinesEvent = Static<typeof LinesEvent>;

export const Distribution = Type.Object(
  {
    ...symbolFields,
    date: DateText(),
    timestamp: Type.Integer({ description: 'latest counted trade (Unix s), or the first session start without trades' }),
    time: Type.String({ description: 'the same instant, exchange-local ISO 8601' }),
    capitalIn: CapitalAmounts,
    capitalOut: CapitalAmounts,
  },
  { $id: 'Distribution' },
);
export type Distribution = Static<typeof Distribution>;

export const DailyDay = Type.Object(
  {
    date: DateText(),
    inflow: described(Amount, 'net inflow of the day'),
    in: TierAmounts,
    out: TierAmounts,
    complete: Type.Boolean({ description: 'false for the served day until its closing auction ends' }),
  },
  { $id: 'DailyDay' },
);
export type DailyDay = Static<typeof DailyDay>;

export const Daily = Type.Object(
  { ...symbolFields, from: DateText(), to: DateText(), days: Type.Array(DailyDay) },
  { $id: 'Daily' },
);
export type Daily = Static<typeof Daily>;

export const SymbolEntry = Type.Object(
  {
    symbol: Type.String(),
    market: Market,
    currency: Type.String(),
    hasData: Type.Boolean(),
    lastDate: Type.Union([DateText(), Type.Null()], { description: 'latest day with trades (null without data)' }),
  },
  { $id: 'SymbolEntry' },
);
export type SymbolEntry = Static<typeof SymbolEntry>;

export const Symbols = Type.Object(
  {
    markets: Type.Array(Market, { description: "the caller's markets" }),
    symbols: Type.Array(SymbolEntry),
  },
  { $id: 'Symbols' },
);
export type Symbols = Static<typeof Symbols>;

// ---- size tiers, main force, history ----

export const TierFigures = Type.Object(
  {
    inflow: described(Amount, 'net inflow of all tiers'),
    in: described(AmountsByTier, 'inflow by tier (superLarge, large, medium, small)'),
    out: described(AmountsByTier, 'outflow by tier'),
    net: described(AmountsByTier, 'net inflow by tier'),
    mainForceNet: described(Amount, 'net of the main-force tiers'),
    mainForceShare: Type.String({
      pattern: '^-?\\d+\\.\\d{2}$',
      description: 'mainForceNet / (inflow + outflow of all tiers), percent with 2 decimals; 0.00 without turnover',
      examples: ['-12.34'],
    }),
  },
  { $id: 'TierFigures' },
);
export type TierFigures = Static<typeof TierFigures>;

export const ConventionName = choice(['longport', 'eastmoney', 'futu'] as const, { $id: 'ConventionName' });
export type ConventionName = Static<typeof ConventionName>;

const Cutoff = Type.String({ pattern: '^\\d+(\\.\\d+)?$', description: 'trade turnover' });

export const Percentiles = Type.Object(
  {
    days: Type.Integer({ description: 'trailing stored trading days asked for' }),
    dates: Type.Array(DateText(), { description: 'the reference days used (the day itself when none is stored before it)' }),
    trades: Type.Integer({ description: 'trades of the reference days' }),
    cutoffs: Type.Object({ superLarge: Cutoff, large: Cutoff, medium: Cutoff }, { description: 'turnovers above these are super-large, large, medium' }),
  },
  { $id: 'Percentiles', description: "futu only: the reference days (the last day's for history), their trade count and the turnover cut-offs" },
);

/** What every tier answer says about its convention. */
const conventionFields = {
  convention: ConventionName,
  tiers: Type.Array(Type.String(), { description: 'tier names, largest first', examples: [['superLarge', 'large', 'medium', 'small']] }),
  mainForce: Type.Array(Type.String(), { description: 'the tiers whose net makes up the main force' }),
  percentiles: Type.Optional(Percentiles),
} satisfies TProperties;

export const TierLine = Type.Object(
  {
    timestamp: Type.Integer({ description: 'minute start, Unix seconds' }),
    time: Type.String({ description: 'minute start, exchange-local ISO 8601' }),
    ...TierFigures.properties,
    minute: Type.Object(
      { inflow: Amount, net: AmountsByTier, mainForceNet: Amount },
      { description: "this minute's own net inflow, net by tier and main-force net" },
    ),
  },
  { $id: 'TierLine', description: "figures cumulative up to the end of the minute (`inflow` equals command 24's line)" },
);
export type TierLine = Static<typeof TierLine>;

export const Tiers = Type.Object(
  {
    ...symbolFields,
    date: DateText(),
    ...conventionFields,
    totalLines: Type.Integer(),
    lines: Type.Array(TierLine),
    day: described(TierFigures, 'the figures of the day so far'),
  },
  { $id: 'Tiers' },
);
export type Tiers = Static<typeof Tiers>;

export const TierDistribution = Type.Object(
  {
    ...symbolFields,
    date: DateText(),
    ...conventionFields,
    timestamp: Type.Integer({ description: 'latest counted trade (Unix s), or the first session start without trades' }),
    time: Type.String(),
    capitalIn: AmountsByTier,
    capitalOut: AmountsByTier,
    net: AmountsByTier,
    inflow: Amount,
    mainForceNet: Amount,
    mainForceShare: TierFigures.properties.mainForceShare,
  },
  { $id: 'TierDistribution' },
);
export type TierDistribution = Static<typeof TierDistribution>;

export const TierDailyDay = Type.Object(
  {
    date: DateText(),
    timestamp: Type.Integer({ description: 'the day\'s local midnight, Unix seconds' }),
    time: Type.String({ description: 'the day\'s local midnight, exchange-local ISO 8601' }),
    complete: Type.Boolean(),
    ...TierFigures.properties,
  },
  { $id: 'TierDailyDay' },
);

export const TierDaily = Type.Object(
  { ...symbolFields, ...conventionFields, from: DateText(), to: DateText(), days: Type.Array(TierDailyDay) },
  { $id: 'TierDaily', description: 'the daily history under a convention: every tier, main force, `timestamp` and `time` of each day' },
);
export type TierDaily = Static<typeof TierDaily>;

export const HistoryPeriodName = choice(['day', 'week', 'month', 'quarter', 'year'] as const, { $id: 'HistoryPeriodName' });
export type HistoryPeriodName = Static<typeof HistoryPeriodName>;

export const HistoryPeriod = Type.Object(
  {
    period: DateText('first date of the period'),
    timestamp: Type.Integer({ description: 'period start (local midnight), Unix seconds' }),
    time: Type.String({ description: 'period start, exchange-local ISO 8601', examples: ['2024-06-10T00:00:00+08:00'] }),
    periodEnd: DateText('last date of the period'),
    from: DateText('first trading day of the period in the range'),
    to: DateText('last trading day of the period in the range'),
    tradingDays: Type.Integer(),
    complete: Type.Boolean({ description: 'false while the period holds the served day and that day may still change' }),
    ...TierFigures.properties,
  },
  { $id: 'HistoryPeriod' },
);
export type HistoryPeriod = Static<typeof HistoryPeriod>;

export const History = Type.Object(
  { ...symbolFields, ...conventionFields, period: HistoryPeriodName, from: DateText(), to: DateText(), periods: Type.Array(HistoryPeriod) },
  { $id: 'History' },
);
export type History = Static<typeof History>;

// ---- batch ----

export const BatchKindName = choice(['intraday', 'distribution'] as const, { $id: 'BatchKindName' });
export type BatchKindName = Static<typeof BatchKindName>;

export const BatchSuccess = Type.Object(
  {
    symbol: Type.String({ description: 'the symbol as asked (normalised when valid)' }),
    code: Type.Literal(0),
    data: Type.Union([Intraday, Distribution], { description: 'Intraday for kind=intraday, Distribution for kind=distribution' }),
  },
  { $id: 'BatchSuccess' },
);
export const BatchFailure = Type.Object(
  {
    symbol: Type.String(),
    code: Type.Integer({ description: "the business code of this symbol's failure", examples: [BusinessCode.NoAccess] }),
    httpStatus: Type.Integer({ description: 'the HTTP status the single request would have had' }),
    message: Type.String(),
  },
  { $id: 'BatchFailure' },
);
export const BatchResult = Type.Union([BatchSuccess, BatchFailure], { $id: 'BatchResult' });
export type BatchResult = Static<typeof BatchResult>;

export const Batch = Type.Object(
  {
    kind: BatchKindName,
    symbolLimit: Type.Integer({ description: 'most symbols per request' }),
    results: Type.Array(BatchResult, { description: 'one per symbol, in request order' }),
  },
  { $id: 'Batch' },
);
export type Batch = Static<typeof Batch>;

// ---- tokens ----

export const StreamToken = Type.Object(
  {
    token: Type.String({ description: 'single use: pass it as `?token=` to the stream' }),
    expiresAt: Type.Integer({ description: 'Unix seconds' }),
    ttlSeconds: Type.Integer(),
  },
  { $id: 'StreamToken' },
);
export type StreamToken = Static<typeof StreamToken>;

export const SocketToken = Type.Object(
  {
    otp: Type.String({ description: 'one-time password for the socket auth request (command 2)' }),
    limit: Type.Integer({ description: "the credential's connection limit" }),
    online: Type.Integer({ description: 'connections of the credential open now (across a fleet)' }),
  },
  { $id: 'SocketToken' },
);
export type SocketToken = Static<typeof SocketToken>;

// ---- ingest and operations ----

export const IngestRejection = Type.Object(
  {
    line: Type.Integer({ description: 'line (CSV) or record (NDJSON) number, 1-based' }),
    field: Type.Optional(Type.String({ description: 'the field at fault, when one is' })),
    reason: Type.String(),
  },
  { $id: 'IngestRejection' },
);

export const IngestSummary = Type.Object(
  {
    source: Type.String({ description: '`body` for an HTTP body' }),
    sourceId: Type.Optional(Type.String({ description: 'the id a body was given (`http:APPKEY:IDEMPOTENCY-KEY`)' })),
    format: choice(['csv', 'ndjson', 'lobster', 'l2', 'mapped-csv', 'mapped-ndjson'] as const),
    records: Type.Integer({ description: 'records read in this run (accepted + outsideSessions + duplicates + rejected)' }),
    skipped: Type.Integer({ description: 'records an earlier run of the same Idempotency-Key already handled' }),
    accepted: Type.Integer({ description: 'trades stored whose time falls in a line of their trading day' }),
    outsideSessions: Type.Integer({
      description: 'trades stored whose time falls in no line (before the open, in a lunch break, after the closing grace period, on a closed day): they feed the tick rule only',
    }),
    duplicates: Type.Integer(),
    rejected: Type.Integer(),
    rejections: Type.Array(IngestRejection, { description: 'the first rejections, in body order' }),
    symbols: Type.Array(Type.String(), { description: 'symbols that received new trades, sorted' }),
  },
  { $id: 'IngestSummary' },
);
export type IngestSummary = Static<typeof IngestSummary>;

export const Health = Type.Object({ status: Type.Literal('ok') }, { $id: 'Health' });
export type Health = Static<typeof Health>;

export const Readiness = Type.Object(
  {
    status: choice(['ready', 'not ready'] as const),
    checks: Type.Record(Type.String(), Type.Boolean(), { description: 'each named check (accepting, store, calendars, bus…) and whether it passed' }),
  },
  { $id: 'Readiness' },
);
export type Readiness = Static<typeof Readiness>;

// ---- one minute's trades (why a line moved) ----

export const SideRuleName = choice(['feed', 'order-sequence', 'auction', 'neutral-window', 'quote', 'tick'] as const, {
  $id: 'SideRuleName',
  description:
    "what decided the side: `feed` the feed's own side; `order-sequence` a side a Level-2 adapter derived from the order sequence (the later order is the aggressor); `auction` an auction print without a side (neutral); `neutral-window` the closing-auction grace window (neutral without a feed side); `quote` the classification method's quote test (Lee–Ready's quote rule, EMO or CLNV); `tick` the tick rule",
});

export const MinuteTrade = Type.Object(
  {
    sequence: Type.Integer({ description: "position in the symbol-day's acceptance order, from 1 (as the trade tape numbers it)" }),
    timestampMs: Type.Integer({ description: 'trade time, Unix milliseconds' }),
    time: Type.String({ description: 'the same instant, exchange-local ISO 8601 with milliseconds', examples: ['2024-06-14T09:30:05.000+08:00'] }),
    price: Type.String({ description: 'exact decimal, as accepted', examples: ['320.2'] }),
    volume: Type.Integer({ description: 'shares' }),
    turnover: Type.String({ description: 'price × volume, exact', examples: ['320200.0'] }),
    tradeType: Type.String({ description: "the feed's trade type code, empty when none" }),
    side: choice(['buy', 'sell', 'neutral'] as const, { description: '`buy` counts as inflow (buyer-initiated), `sell` as outflow, `neutral` in neither' }),
    rule: SideRuleName,
    method: choice(['lee-ready', 'tick', 'emo', 'clnv'] as const, { description: 'the classification method of a trade without a feed side' }),
  },
  { $id: 'MinuteTrade' },
);
export type MinuteTrade = Static<typeof MinuteTrade>;

export const MinuteTrades = Type.Object(
  {
    ...symbolFields,
    date: DateText('the trading day (exchange-local)'),
    minute: Type.String({ description: "the line's minute, exchange-local `HH:MM`", examples: ['09:30'] }),
    timestamp: Type.Integer({ description: "the line's minute start, Unix seconds (as in command 24)" }),
    time: Type.String({ description: 'the same instant, exchange-local ISO 8601', examples: ['2024-06-14T09:30:00+08:00'] }),
    previousInflow: described(Amount, "the cumulative net inflow of the line before (0.000 for the day's first line)"),
    inflow: described(Amount, "this line's cumulative net inflow (as command 24 answers it)"),
    change: described(Amount, 'inflow − previousInflow: what the minute added'),
    sums: Type.Object(
      {
        trades: Type.Integer({ description: "trades counted in the minute's line" }),
        buys: Type.Integer(),
        sells: Type.Integer(),
        neutrals: Type.Integer(),
        inflow: described(Amount, 'turnover of the buys'),
        outflow: described(Amount, 'turnover of the sells'),
        neutral: described(Amount, 'turnover of the neutral trades (counted in neither)'),
        net: described(Amount, 'inflow − outflow (equals `change` up to the lines\' rounding to 3 places)'),
      },
      { description: "sums over all the minute's trades" },
    ),
    truncated: Type.Boolean({ description: 'true when `trades` holds only the first `limit` of them' }),
    trades: Type.Array(MinuteTrade, { description: 'the trades in acceptance order' }),
  },
  { $id: 'MinuteTrades', description: "one minute's trades behind the change of its line" },
);
export type MinuteTrades = Static<typeof MinuteTrades>;

// ---- envelopes ----

/** Body of every failure: `{code, message}` with the HTTP status of the error. */
// ---- rankings and sectors ----

export const RankByName = choice(['net', 'main_force'] as const, { $id: 'RankByName', description: '`net` net inflow; `main_force` main-force net under `convention`' });
export type RankByName = Static<typeof RankByName>;

const windowFields = {
  market: Market,
  date: DateText('last trading day of the window'),
  days: Type.Integer({ minimum: 1, description: 'trading days in the window' }),
  dates: Type.Array(DateText(), { description: 'the trading days of the window, oldest first' }),
  by: RankByName,
  convention: Type.Optional(ConventionName),
  total: Type.Integer({ minimum: 0, description: 'how many are ranked (those with trades in the window), whatever the page' }),
};
const rankedFigures = {
  rank: Type.Integer({ minimum: 1, description: 'position in the requested order (1 = first); ties by name in ascending byte order' }),
  value: described(Amount, "exact sum of the window's `/daily` values (net inflow, or `mainForceNet` under the convention)"),
  inflow: described(Amount, "the window's inflow behind `value` (all tiers for `net`, the main-force tiers for `main_force`)"),
  outflow: described(Amount, "the window's outflow behind `value`"),
};

export const RankedSymbol = Type.Object(
  {
    ...rankedFigures,
    symbol: Type.String({ examples: ['700.HK'] }),
    name: Type.Optional(Type.String({ description: 'from the securities file or config' })),
    sector: Type.Optional(Type.String({ description: 'from the securities file or config' })),
  },
  { $id: 'RankedSymbol' },
);
export type RankedSymbol = Static<typeof RankedSymbol>;

export const Rankings = Type.Object({ ...windowFields, items: Type.Array(RankedSymbol) }, { $id: 'Rankings' });
export type Rankings = Static<typeof Rankings>;

export const RankedSector = Type.Object(
  {
    ...rankedFigures,
    sector: Type.String({ examples: ['Technology'] }),
    members: Type.Integer({ minimum: 1, description: 'members with trades in the window (their values add up to the sector\'s)' }),
  },
  { $id: 'RankedSector' },
);
export type RankedSector = Static<typeof RankedSector>;

export const SectorRankings = Type.Object({ ...windowFields, items: Type.Array(RankedSector) }, { $id: 'SectorRankings' });
export type SectorRankings = Static<typeof SectorRankings>;

export const SectorLines = Type.Object(
  {
    sector: Type.String(),
    market: Market,
    date: DateText(),
    members: Type.Array(Type.String(), { description: "the sector's symbols in the market, in ascending byte order" }),
    lines: Type.Array(
      Type.Object({ timestamp: Type.Integer({ description: 'minute start, Unix seconds' }), inflow: described(Amount, "the members' cumulative net inflows of this minute, added") }),
    ),
  },
  { $id: 'SectorLines' },
);
export type SectorLines = Static<typeof SectorLines>;

export const ErrorBody = Type.Object(
  {
    code: Type.Integer({ description: 'business code (3016xx) or HTTP API code (4xx0xx, 5xx0xx)', examples: [BusinessCode.NoAccess] }),
    message: Type.String({ description: 'what went wrong, for people' }),
  },
  { $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** LongPort's success envelope around a payload: `{"code":0,"message":"","data":…}`. */
export function Envelope<T extends TSchema>(data: T): TObject<{ code: ReturnType<typeof Type.Literal<0>>; message: ReturnType<typeof Type.String>; data: T }> {
  return Type.Object({ code: Type.Literal(0), message: Type.String(), data });
}

/** Every named schema, for the document's components. */
export const NAMED_SCHEMAS: readonly TSchema[] = [
  ErrorBody,
  Market,
  Amount,
  TierAmounts,
  CapitalAmounts,
  AmountsByTier,
  Line,
  Intraday,
  LinesEvent,
  Distribution,
  DailyDay,
  Daily,
  SymbolEntry,
  Symbols,
  TierFigures,
  ConventionName,
  Percentiles,
  TierLine,
  Tiers,
  TierDistribution,
  TierDailyDay,
  TierDaily,
  HistoryPeriodName,
  HistoryPeriod,
  History,
  BatchKindName,
  BatchSuccess,
  BatchFailure,
  BatchResult,
  Batch,
  SideRuleName,
  MinuteTrade,
  MinuteTrades,
  StreamToken,
  SocketToken,
  IngestRejection,
  IngestSummary,
  Health,
  Readiness,
  RankByName,
  RankedSymbol,
  Rankings,
  RankedSector,
  SectorRankings,
  SectorLines,
];
