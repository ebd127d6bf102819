/**
 * The route table of capflow's HTTP API: for every endpoint its query parameters, what it answers
 * (the `data` of LongPort's envelope, a plain JSON body, a live event stream or text), the errors
 * it can answer with, who may call it and which rate-limit bucket it draws on. The OpenAPI
 * document (openapi.ts), the REST client's types and the contract tests all read it.
 */
import { Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { QuoteCommand } from '../protocol/control-command.js';
import { BusinessCode, HttpErrorCode } from '../protocol/codes/error-codes.js';
import { Endpoint, type EndpointName } from './endpoints.js';
import { ApiLimits } from './limits.js';
import {
  Batch,
  BatchKindName,
  ConventionName,
  Daily,
  described,
  Distribution,
  Health,
  History,
  HistoryPeriodName,
  IngestSummary,
  Intraday,
  MinuteTrades,
  LinesEvent,
  Market,
  RankByName,
  Rankings,
  SectorLines,
  SectorRankings,
  Readiness,
  SocketToken,
  StreamToken,
  Symbols,
  TierDaily,
  TierDistribution,
  Tiers,
} from './schemas.js';

/**
 * Who may call an endpoint:
 * - `signed`: the LongPort request signature (or a bearer token, for credentials that allow it);
 * - `signed-or-public`: signed, or anonymous when the server runs as a public dashboard
 *   (`serve --web-credential`), acting as that credential;
 * - `stream`: as `signed-or-public`, or with a single-use stream token (`?token=`);
 * - `none`: anyone.
 */
export type Access = 'signed' | 'signed-or-public' | 'stream' | 'none';

/** One documented failure: HTTP status, the body's code, and when it happens. */
export interface ErrorCase {
  readonly status: number;
  readonly code: number;
  readonly when: string;
}

/** The rate-limit bucket a call takes a token of (per credential, shared with the socket API). */
export type RateLimit =
  /** One token of this quote command's bucket per call. */
  | { readonly command: number }
  /** One token per symbol, of the bucket of the command the symbol's answer mirrors. */
  | { readonly perSymbol: Readonly<Record<string, number>> }
  /** The socket-token endpoints' own bucket (`"token"` in `rateLimits`). */
  | { readonly bucket: 'token' };

export type RouteAnswer =
  /** `{"code":0,"message":"","data":…}` with status 200. */
  | { readonly kind: 'envelope'; readonly data: TSchema; readonly description: string }
  /** A plain JSON body; `statuses` are the HTTP statuses it comes with. */
  | { readonly kind: 'json'; readonly schema: TSchema; readonly description: string; readonly statuses: Readonly<Record<number, string>> }
  /** Server-Sent Events: each event's name and its data's schema. */
  | { readonly kind: 'event-stream'; readonly description: string; readonly example: string; readonly events: Readonly<Record<string, { readonly data: TSchema; readonly description: string }>> }
  /** Text, e.g. Prometheus' exposition format. */
  | { readonly kind: 'text'; readonly contentType: string; readonly description: string };

export interface RouteBody {
  readonly description: string;
  readonly contentTypes: readonly string[];
}

export interface Route<Q extends TObject = TObject, A extends RouteAnswer = RouteAnswer> {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly operationId: string;
  readonly tag: 'capital flow' | 'live stream' | 'socket' | 'ingest' | 'operations';
  readonly summary: string;
  readonly description?: string;
  /** The query parameters (every value arrives as text; integers are decimal digits). */
  readonly query: Q;
  readonly body?: RouteBody;
  /** Request headers besides the signature's. */
  readonly headers?: readonly { readonly name: string; readonly description: string }[];
  readonly answer: A;
  readonly errors: readonly ErrorCase[];
  readonly access: Access;
  readonly rateLimit?: RateLimit;
}

// ---- query parameters ----

const symbol = Type.String({
  description: '`TICKER.REGION`, region HK, US, SH, SZ or SG (case-insensitive; `00700.hk` is `700.HK`)',
  examples: ['700.HK', 'AAPL.US', '600000.SH'],
});
const date = (description: string) => Type.Optional(Type.String({ format: 'date', description }));
const detail = Type.Optional(
  Type.Union([Type.Literal('0'), Type.Literal('1'), Type.Literal('true'), Type.Literal('false')], {
    description: '`1` adds to each line the cumulative inflow (`in`) and outflow (`out`) by size tier',
  }),
);
const convention = Type.Optional(
  described(
    ConventionName,
    "size-tier convention: `longport` (3 tiers by turnover, the server's command-25 thresholds; main force = large), `eastmoney` (4 fixed tiers: super-large ≥ 500,000 shares or ≥ CNY 1,000,000, large ≥ 100,000 shares or ≥ CNY 200,000, medium ≥ 20,000 shares or ≥ CNY 40,000, money converted for other markets at HKD 1.1 / USD 0.15 / SGD 0.2 per CNY; main force = super-large + large) or `futu` (4 tiers per security: a trade's turnover above the 90th / 70th / 45th percentile of the trade turnovers of the trailing `days` stored trading days; main force = super-large + large). Default: the server's `tiers` setting (longport unless configured).",
  ),
);
const days = Type.Optional(
  Type.Integer({
    minimum: 1,
    maximum: ApiLimits.maxPercentileDays,
    description: `futu only: trailing stored trading days behind the percentiles (default ${ApiLimits.defaultPercentileDays}, at most ${ApiLimits.maxPercentileDays}); the day itself when none is stored before it`,
  }),
);
const query = <P extends TProperties>(properties: P): TObject<P> => Type.Object(properties);
const noQuery = query({});

// ---- errors ----

/** The failures of every capital-flow query, in the order they are checked. */
const AUTH_ERRORS: readonly ErrorCase[] = [
  { status: 401, code: HttpErrorCode.UnknownAppKey, when: 'unknown or missing app key (X-Api-Key)' },
  { status: 401, code: HttpErrorCode.UnknownAccessToken, when: 'unknown access token (Authorization)' },
  { status: 401, code: HttpErrorCode.SignatureMismatch, when: 'signature mismatch (X-Api-Signature)' },
  { status: 401, code: HttpErrorCode.StaleTimestamp, when: `X-Timestamp missing, malformed or outside ±${ApiLimits.timestampWindowSeconds} s of the server clock` },
  { status: 401, code: HttpErrorCode.BearerNotAllowed, when: 'a bearer token for a credential without bearer mode' },
  { status: 403, code: HttpErrorCode.CredentialExpired, when: 'credential expired or revoked' },
];
const RATE_LIMITED = (what: string): ErrorCase => ({ status: 429, code: BusinessCode.RateLimited, when: `over the rate limit of ${what} (shared with the socket API)` });
const SERVER_FAILURE: ErrorCase = { status: 500, code: BusinessCode.ServerError, when: 'unexpected internal failure' };
const FLOW_ERRORS = (command: number): readonly ErrorCase[] => [
  { status: 400, code: BusinessCode.InvalidRequest, when: 'malformed symbol or date, a date that is not a trading day or lies after the current one, a range too long, a bad parameter' },
  ...AUTH_ERRORS,
  { status: 403, code: BusinessCode.NoAccess, when: "the credential lacks the symbol's market" },
  { status: 404, code: BusinessCode.InvalidRequest, when: 'the server does not know the symbol' },
  { status: 404, code: BusinessCode.NoQuotes, when: 'a known symbol without any trade data' },
  RATE_LIMITED(`command ${command}`),
  SERVER_FAILURE,
];
const BODY_ERRORS: readonly ErrorCase[] = [
  { status: 400, code: HttpErrorCode.BadRequest, when: 'a malformed Content-Length, or the connection closed before the whole body arrived' },
  { status: 408, code: HttpErrorCode.BodyTimeout, when: 'the body did not arrive within the time limit' },
  { status: 413, code: HttpErrorCode.PayloadTooLarge, when: 'a body larger than the server accepts' },
  { status: 503, code: HttpErrorCode.BodiesInFlight, when: 'request bodies in flight across the server are at their cap; retry shortly' },
];


// ---- rankings ----

const market = described(Market, 'the market: HK, US, CN (Shanghai and Shenzhen) or SG');
const rankingParameters = {
  market,
  by: Type.Optional(described(RankByName, 'default `net`')),
  convention: Type.Optional(described(ConventionName, 'size-tier convention of `main_force` (default `longport`; see `/daily`)')),
  days: Type.Optional(
    Type.Union(
      ApiLimits.rankingWindows.map((n) => Type.Literal(String(n))),
      { description: `trading days in the window ending at \`date\`: ${ApiLimits.rankingWindows.join(', ')} (default 1)` },
    ),
  ),
  date: date("last trading day of the window; default the market's served day"),
  order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { description: '`desc` (default) largest value first, `asc` smallest first' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ApiLimits.maxRankingLimit, description: `items per page (default ${ApiLimits.defaultRankingLimit})` })),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'items skipped (default 0)' })),
};
const RANKING_ERRORS: readonly ErrorCase[] = [
  { status: 400, code: BusinessCode.InvalidRequest, when: 'an unknown market, a bad `by`, `convention`, `days`, `date` or `order`, a `limit` outside 1–500 or a negative `offset`' },
  ...AUTH_ERRORS,
  { status: 403, code: BusinessCode.NoAccess, when: 'the credential lacks the market' },
  RATE_LIMITED(`command ${QuoteCommand.QueryCapitalFlowIntraday}`),
  SERVER_FAILURE,
];

const INTRADAY = QuoteCommand.QueryCapitalFlowIntraday;
const DISTRIBUTION = QuoteCommand.QueryCapitalFlowDistribution;

// ---- the routes ----

export const ROUTES = {
  intraday: {
    ...Endpoint.intraday,
    operationId: 'getIntradayFlow',
    tag: 'capital flow',
    summary: 'Cumulative net inflow per minute of one day',
    description:
      'Without `date`: the served day, as command 24 answers it (the lines whose minute has started). With a past `date`: every line of that trading day.',
    query: query({ symbol, date: date('a past trading day (`YYYY-MM-DD`, exchange-local); default the served day'), detail }),
    answer: { kind: 'envelope', data: Intraday, description: "the day's lines" },
    errors: FLOW_ERRORS(INTRADAY),
    access: 'signed-or-public',
    rateLimit: { command: INTRADAY },
  },
  daily: {
    ...Endpoint.daily,
    operationId: 'getDailyFlow',
    tag: 'capital flow',
    summary: 'Net inflow, inflow and outflow per trading day over a range',
    description: `Every trading day in [from, to] (days without trades are zeros). \`to\` defaults to, and is capped at, the served day; \`from\` defaults to ${ApiLimits.defaultDailyRangeDays - 1} days before \`to\`; at most ${ApiLimits.dailyRangeDays} days.`,
    query: query({ symbol, from: date('first day (inclusive)'), to: date('last day (inclusive)'), convention, days }),
    answer: {
      kind: 'envelope',
      data: Type.Union([Daily, TierDaily]),
      description: 'one entry per trading day; with `convention`, a TierDaily (every tier of that convention, main force, `timestamp` and `time` of each day)',
    },
    errors: FLOW_ERRORS(INTRADAY),
    access: 'signed-or-public',
    rateLimit: { command: INTRADAY },
  },
  distribution: {
    ...Endpoint.distribution,
    operationId: 'getDistribution',
    tag: 'capital flow',
    summary: 'Inflow and outflow by trade size (command 25)',
    description: 'The served day up to now, or a past trading day.',
    query: query({ symbol, date: date('a past trading day; default the served day'), convention, days }),
    answer: {
      kind: 'envelope',
      data: Type.Union([Distribution, TierDistribution]),
      description: "the day's distribution (command 25's three tiers); with `convention`, a TierDistribution with every tier of that convention",
    },
    errors: FLOW_ERRORS(DISTRIBUTION),
    access: 'signed-or-public',
    rateLimit: { command: DISTRIBUTION },
  },
  tiers: {
    ...Endpoint.tiers,
    operationId: 'getTierFlow',
    tag: 'capital flow',
    summary: 'Size tiers and main-force flow per minute and for the day',
    description:
      "Each line holds the cumulative inflow, outflow and net per tier up to the end of its minute, the main-force net and its share of the turnover so far, and the minute's own net (`minute`); `day` holds the figures of the day so far.",
    query: query({ symbol, date: date('a past trading day; default the served day'), convention, days }),
    answer: { kind: 'envelope', data: Tiers, description: "the day's tier flow" },
    errors: FLOW_ERRORS(DISTRIBUTION),
    access: 'signed-or-public',
    rateLimit: { command: DISTRIBUTION },
  },
  history: {
    ...Endpoint.history,
    operationId: 'getFlowHistory',
    tag: 'capital flow',
    summary: 'Net inflow (total, per tier, main force) by day, week, month, quarter or year',
    description: `Periods follow the exchange's local calendar: ISO weeks starting on Monday, calendar months, quarters (Jan, Apr, Jul, Oct) and years, each labelled by its first date with \`timestamp\` / \`time\` of its local midnight. \`to\` defaults to, and is capped at, the served day; \`from\` defaults to the start of the period holding 30 days (day), 26 weeks, 12 months, 8 quarters or 5 years before \`to\`; at most ${ApiLimits.historyRangeDays} days. Completed days are computed once and kept.`,
    query: query({
      symbol,
      period: Type.Optional(described(HistoryPeriodName, 'default `day`')),
      from: date('first day (inclusive)'),
      to: date('last day (inclusive)'),
      convention,
      days,
    }),
    answer: { kind: 'envelope', data: History, description: 'one entry per period with trading days in the range' },
    errors: FLOW_ERRORS(INTRADAY),
    access: 'signed-or-public',
    rateLimit: { command: INTRADAY },
  },
  batch: {
    ...Endpoint.batch,
    operationId: 'getBatch',
    tag: 'capital flow',
    summary: `Command 24's lines or command 25's distribution of up to ${ApiLimits.batchSymbols} symbols`,
    description: `Each symbol is answered as its single request would be and takes one token of that command's rate limit (24 for intraday, 25 for distribution). A symbol that fails (rate limit ${BusinessCode.RateLimited}, malformed or unknown symbol ${BusinessCode.InvalidRequest}, no data ${BusinessCode.NoQuotes}, no permission ${BusinessCode.NoAccess}) is reported in its place with its code while the others succeed. The socket API offers the same as command 210.`,
    query: query({
      symbols: Type.String({ description: `comma-separated, 1 to ${ApiLimits.batchSymbols}`, examples: ['700.HK,AAPL.US,600000.SH'] }),
      kind: Type.Optional(described(BatchKindName, 'default `intraday`')),
    }),
    answer: { kind: 'envelope', data: Batch, description: 'one result per symbol, in request order' },
    errors: [
      { status: 400, code: BusinessCode.InvalidRequest, when: `no symbols, more than ${ApiLimits.batchSymbols}, or an unknown kind` },
      ...AUTH_ERRORS,
      SERVER_FAILURE,
    ],
    access: 'signed-or-public',
    rateLimit: { perSymbol: { intraday: INTRADAY, distribution: DISTRIBUTION } },
  },
  minuteTrades: {
    ...Endpoint.minuteTrades,
    operationId: 'getMinuteTrades',
    tag: 'capital flow',
    summary: "One minute's trades behind its line: each trade's side and the rule that decided it, and the sums",
    description:
      "Why a line moved: every trade counted in the minute's line (trades of the closing-auction grace window count in the last line; excluded trade types in none), in acceptance order, with its side (`buy` inflow, `sell` outflow, `neutral`), the rule that decided the side (feed side, auction print, neutral window, quote test, tick rule) and the sums. `change` is the line's change from the line before, as the intraday lines answer it. A past day whose trades retention removed answers 301603.",
    query: query({
      symbol,
      minute: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'the line\'s minute, exchange-local `HH:MM` (a session minute; the session end or any minute of the closing-auction window for the closing line)', examples: ['09:30', '16:00'] }),
      date: date('a past trading day; default the served day'),
      limit: Type.Optional(
        Type.Integer({ minimum: 1, maximum: ApiLimits.maxMinuteTrades, description: `most trades listed (default ${ApiLimits.defaultMinuteTrades}, at most ${ApiLimits.maxMinuteTrades}); the sums cover them all` }),
      ),
    }),
    answer: { kind: 'envelope', data: MinuteTrades, description: "the minute's trades and sums" },
    errors: FLOW_ERRORS(INTRADAY),
    access: 'signed-or-public',
    rateLimit: { command: INTRADAY },
  },
  rankings: {
    ...Endpoint.rankings,
    operationId: 'getRankings',
    tag: 'capital flow',
    summary: "A market's symbols ranked by net inflow or main-force net over 1, 3, 5 or 10 trading days",
    description: `Each symbol's \`value\` is the exact sum of its \`/daily\` values (\`inflow\`, or \`mainForceNet\` under \`convention\`) over the \`days\` trading days ending at \`date\`. Ties are broken by symbol in ascending byte order (\`1234.HK\` before \`85.HK\`) in either order. Symbols without trades in the window are left out; \`total\` counts the ranked ones. The ranking is kept current as trades arrive.`,
    query: query({ ...rankingParameters, sector: Type.Optional(Type.String({ description: 'only the members of this sector (exactly as written)' })) }),
    answer: { kind: 'envelope', data: Rankings, description: 'one page of the ranking' },
    errors: RANKING_ERRORS,
    access: 'signed-or-public',
    rateLimit: { command: INTRADAY },
  },
  sectors: {
    ...Endpoint.sectors,
    operationId: 'getSectorRankings',
    tag: 'capital flow',
    summary: "A market's sectors ranked by the sum of their members' values",
    description:
      "Sectors come from the securities file (`serve --securities`) or the config's `securities`. Each sector's `value` is the exact sum of the values its members have in the symbol ranking of the same query; a sector none of whose members traded in the window is left out. Ranked like symbols, ties by sector name in ascending byte order.",
    query: query(rankingParameters),
    answer: { kind: 'envelope', data: SectorRankings, description: 'one page of the sector ranking' },
    errors: RANKING_ERRORS,
    access: 'signed-or-public',
    rateLimit: { command: INTRADAY },
  },
  sector: {
    ...Endpoint.sector,
    operationId: 'getSectorLines',
    tag: 'capital flow',
    summary: "A sector's per-minute cumulative net inflow: its members' lines added minute by minute",
    description: 'The served day up to now, or every line of a past trading day. Sector names are compared exactly as written.',
    query: query({
      name: Type.String({ description: 'the sector, exactly as written in the securities file', examples: ['Technology'] }),
      market,
      date: date('a past trading day; default the served day'),
    }),
    answer: { kind: 'envelope', data: SectorLines, description: "the sector's lines" },
    errors: [...RANKING_ERRORS.filter((error) => error.status !== 500), { status: 404, code: BusinessCode.InvalidRequest, when: 'no security of the market lists the sector' }, SERVER_FAILURE],
    access: 'signed-or-public',
    rateLimit: { command: INTRADAY },
  },
  symbols: {
    ...Endpoint.symbols,
    operationId: 'listSymbols',
    tag: 'capital flow',
    summary: "Known symbols in the caller's markets",
    query: noQuery,
    answer: { kind: 'envelope', data: Symbols, description: 'configured or ingested symbols the credential may query' },
    errors: [...AUTH_ERRORS, SERVER_FAILURE],
    access: 'signed-or-public',
  },
  streamToken: {
    ...Endpoint.streamToken,
    operationId: 'createStreamToken',
    tag: 'live stream',
    summary: 'A single-use token for opening the live stream from a browser',
    description:
      'EventSource cannot send signature headers: sign this request instead and pass the token as `?token=` to the stream within its lifetime. It opens one stream, once. A rotation or revocation of the credential voids it.',
    query: noQuery,
    answer: { kind: 'envelope', data: StreamToken, description: 'the token' },
    errors: AUTH_ERRORS,
    access: 'signed-or-public',
  },
  stream: {
    ...Endpoint.stream,
    operationId: 'streamIntradayFlow',
    tag: 'live stream',
    summary: 'Live lines of the served day (Server-Sent Events)',
    description: [
      `Events: \`snapshot\` (data: the Intraday payload; first, and again whenever the served day changes), \`lines\` (data: LinesEvent, the lines from index \`from\` on that changed or were added), and \`: heartbeat\` comments every ${ApiLimits.streamHeartbeatSeconds} s.`,
      `Event ids count up per connection. A reconnecting client (EventSource does it by itself, after \`retry: ${ApiLimits.streamRetryMs}\`) always starts with a fresh snapshot, so \`Last-Event-ID\` needs no handling.`,
      'A failure before the stream starts (credential, symbol, limits) is an ordinary JSON error answer with its HTTP status.',
    ].join('\n\n'),
    query: query({ symbol, detail, token: Type.Optional(Type.String({ description: 'a token from `POST /api/v1/stream-token`' })) }),
    answer: {
      kind: 'event-stream',
      description: 'an event stream',
      example: 'id: 1\nevent: snapshot\ndata: {"symbol":"700.HK",…}\n\n',
      events: {
        snapshot: { data: Intraday, description: 'the whole served day; first, and again when the served day changes' },
        lines: { data: LinesEvent, description: 'replace the lines from index `from` on with `lines`' },
      },
    },
    errors: [
      ...FLOW_ERRORS(INTRADAY).filter((error) => error.status !== 429),
      { status: 401, code: HttpErrorCode.UnknownAccessToken, when: 'stream token unknown, already used or expired' },
      RATE_LIMITED(`command ${INTRADAY}`),
      { status: 429, code: HttpErrorCode.TooManyStreams, when: `the credential already holds its limit of streams (${ApiLimits.streamsPerCredential} by default)` },
      { status: 429, code: HttpErrorCode.TooManyConnections, when: 'too many streams open on the server' },
    ],
    access: 'stream',
    rateLimit: { command: INTRADAY },
  },
  openapi: {
    ...Endpoint.openapi,
    operationId: 'getOpenApi',
    tag: 'operations',
    summary: 'This description',
    query: noQuery,
    answer: {
      kind: 'json',
      schema: Type.Object({ openapi: Type.String({ pattern: '^3\\.1\\.\\d+$' }), info: Type.Object({}, { additionalProperties: true }), paths: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: true }),
      description: 'OpenAPI 3.1 document',
      statuses: { 200: 'OpenAPI 3.1 document' },
    },
    errors: [],
    access: 'none',
  },
  socketTokenV1: {
    ...Endpoint.socketTokenV1,
    operationId: 'getSocketToken',
    tag: 'socket',
    summary: 'A one-time password for the socket protocol (LongPort `GET /v1/socket/token`)',
    description:
      'What the official SDKs (the Rust-core ones, and the Go SDK up to v0.16) call before they open the quote socket: the `otp` authenticates the socket (command 2) once. `limit` and `online` are the credential\'s connection limit and its connections open now. Shares its rate-limit bucket with `/v2/socket/token`.',
    query: noQuery,
    answer: { kind: 'envelope', data: SocketToken, description: 'the one-time password' },
    errors: [...AUTH_ERRORS, RATE_LIMITED('the socket-token endpoints'), SERVER_FAILURE],
    access: 'signed',
    rateLimit: { bucket: 'token' },
  },
  socketTokenV2: {
    ...Endpoint.socketTokenV2,
    operationId: 'getSocketTokenV2',
    tag: 'socket',
    summary: 'The same as `GET /v1/socket/token`, for the Go SDK since v0.20',
    query: noQuery,
    answer: { kind: 'envelope', data: SocketToken, description: 'the one-time password' },
    errors: [...AUTH_ERRORS, RATE_LIMITED('the socket-token endpoints'), SERVER_FAILURE],
    access: 'signed',
    rateLimit: { bucket: 'token' },
  },
  ingest: {
    ...Endpoint.ingest,
    operationId: 'ingestTrades',
    tag: 'ingest',
    summary: 'Stores trades, answering once they are durable',
    description:
      'The body is read and validated whole before anything is stored (all or nothing): a body-level error (an unterminated quote, a missing column, an over-long record) is a 400 naming the line; a malformed row is a rejection in the answer. The signature covers the body (its SHA-1) and the query, which selects the format. An `Idempotency-Key` makes retries safe: the same key again resumes from what was committed; the same key with another body is refused with 409. Only credentials allowed to ingest may call it.',
    query: query({
      format: Type.Optional(
        Type.Union([Type.Literal('ndjson'), Type.Literal('csv'), Type.Literal('l2')], {
          description: 'default `ndjson`; `csv` canonical CSV; `l2` SSE/SZSE Level-2 trade-by-trade CSV (LOBSTER is a file pair: use `capflow ingest`)',
        }),
      ),
      classify: Type.Optional(
        Type.Union([Type.Literal('lee-ready'), Type.Literal('emo'), Type.Literal('clnv'), Type.Literal('tick')], { description: 'classification of trades without a side' }),
      ),
      map: Type.Optional(Type.String({ description: 'a column mapping for csv or ndjson: `FIELD=COLUMN,…`', examples: ['symbol=Code,price=Px,volume=Qty,timestamp=Time'] })),
      symbol: Type.Optional(Type.String({ description: 'with a mapping: the symbol of every row (when no column holds it)' })),
      'time-zone': Type.Optional(Type.String({ description: 'with a mapping: the IANA time zone of local times', examples: ['Asia/Hong_Kong'] })),
      date: Type.Optional(Type.String({ format: 'date', description: 'the trading day of time-only columns (format=l2 or a mapping)' })),
      sides: Type.Optional(Type.String({ description: 'with a mapping: side codes, `CODE=up|down,…`', examples: ['B=up,S=down'] })),
    }),
    body: { description: 'the trades: NDJSON (one JSON object per line) or CSV, as `format` says', contentTypes: ['application/x-ndjson', 'text/csv'] },
    headers: [{ name: 'Idempotency-Key', description: 'makes a retried body resume from what was committed instead of storing its trades twice' }],
    answer: { kind: 'envelope', data: IngestSummary, description: 'what was stored, once it is durable' },
    errors: [
      { status: 400, code: BusinessCode.InvalidRequest, when: 'a bad parameter, or a body-level error naming its line' },
      ...AUTH_ERRORS,
      { status: 403, code: HttpErrorCode.CredentialExpired, when: 'this credential may not ingest trades' },
      { status: 409, code: BusinessCode.InvalidRequest, when: 'the Idempotency-Key was used for another body' },
      ...BODY_ERRORS,
      SERVER_FAILURE,
    ],
    access: 'signed',
  },
  health: {
    ...Endpoint.health,
    operationId: 'getHealth',
    tag: 'operations',
    summary: 'Liveness: the process answers',
    query: noQuery,
    answer: { kind: 'envelope', data: Health, description: 'always ok while the process runs' },
    errors: [],
    access: 'none',
  },
  readiness: {
    ...Endpoint.readiness,
    operationId: 'getReadiness',
    tag: 'operations',
    summary: 'Readiness: every check passes (store open, calendars loaded, bus connected…)',
    description: 'A check that does not answer within its bound counts as failed, so this never hangs; during shutdown `accepting` is false, so load balancers move away first.',
    query: noQuery,
    answer: { kind: 'json', schema: Readiness, description: 'each check and whether it passed', statuses: { 200: 'every check passed', 503: 'a check failed (named in `checks`)' } },
    errors: [],
    access: 'none',
  },
  metrics: {
    ...Endpoint.metrics,
    operationId: 'getMetrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    query: noQuery,
    answer: { kind: 'text', contentType: 'text/plain; version=0.0.4; charset=utf-8', description: 'Prometheus text exposition format' },
    errors: [],
    access: 'none',
  },
} as const satisfies Record<EndpointName, Route>;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;
