import { MAX_DAILY_RANGE_DAYS, DEFAULT_DAILY_RANGE_DAYS } from './flow-queries.js';
import { DEFAULT_PERCENTILE_DAYS, MAX_PERCENTILE_DAYS } from '../../service/tier-flows.js';
import { MAX_HISTORY_RANGE_DAYS } from '../../service/flow-history.js';
import { BATCH_SYMBOL_LIMIT } from '../quote/capital-flow-batch.js';

import { ApiLimits } from '../../contract/limits.js';
import { ROUTES } from '../../contract/routes.js';
import { MinuteTrades } from '../../contract/schemas.js';

/** A contract schema inline (its `$id`s dropped: the document names its components itself). */
function withoutIds(schema: object): object {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) => (key === '$id' ? undefined : value)) as object;
}

/** Paths of the REST API (the web page and the CLI rely on them). */
export const REST_PATHS = {
  intraday: '/api/v1/capital-flow/intraday',
  daily: '/api/v1/capital-flow/daily',
  distribution: '/api/v1/capital-flow/distribution',
  stream: '/api/v1/capital-flow/stream',
  streamToken: '/api/v1/stream-token',
  symbols: '/api/v1/symbols',
  openapi: '/api/openapi.json',
  tiers: '/api/v1/capital-flow/tiers',
  history: '/api/v1/capital-flow/history',
  batch: '/api/v1/capital-flow/batch',
  minuteTrades: '/api/v1/capital-flow/minute-trades',
} as const;

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const amount = (description: string): object => ({ type: 'string', pattern: '^-?\\d+\\.\\d{3}$', description, examples: ['-310255860.000'] });

const envelope = (data: object, description: string): object => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['code', 'message', 'data'],
        properties: { code: { const: 0 }, message: { type: 'string' }, data },
      },
    },
  },
});

const errorResponse = (description: string): object => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

/** The failures every capital-flow query can answer with, in the order they are checked. */
const FLOW_ERRORS = {
  '400': errorResponse('301600: malformed symbol or date, a date that is not a trading day or lies after the current one, a range too long'),
  '401': errorResponse('401001 unknown app key, 401002 unknown access token or stream token, 401003 signature mismatch, 401004 timestamp outside ±300 s, 401005 bearer token for a credential without bearer mode'),
  '403': errorResponse('301604: the credential lacks the symbol\'s market; 403001: credential expired'),
  '404': errorResponse('301600: the server does not know the symbol; 301603: a known symbol without any trade data'),
  '429': errorResponse('301606: over the rate limit of the mirrored command (shared with the socket API)'),
  '500': errorResponse('301602: unexpected internal failure'),
};

/** The failures of a request that queries no symbol: authentication and permission only. */
const AUTH_ERRORS = { '401': FLOW_ERRORS['401'], '403': FLOW_ERRORS['403'] };

const symbolParameter = {
  name: 'symbol',
  in: 'query',
  required: true,
  description: '`TICKER.REGION`, region HK, US, SH, SZ or SG (case-insensitive; `00700.hk` is `700.HK`)',
  schema: { type: 'string', examples: ['700.HK', 'AAPL.US', '600000.SH'] },
};
const dateParameter = (name: string, description: string): object => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'string', format: 'date' },
});
const detailParameter = {
  name: 'detail',
  in: 'query',
  required: false,
  description: '`1` adds to each line the cumulative inflow (`in`) and outflow (`out`) by size tier',
  schema: { type: 'string', enum: ['0', '1', 'true', 'false'] },
};

const conventionParameter = {
  name: 'convention',
  in: 'query',
  required: false,
  description:
    'size-tier convention: `longport` (3 tiers by turnover, the server\'s command-25 thresholds; main force = large), `eastmoney` (4 fixed tiers: super-large ≥ 500,000 shares or ≥ CNY 1,000,000, large ≥ 100,000 shares or ≥ CNY 200,000, medium ≥ 20,000 shares or ≥ CNY 40,000, money converted for other markets at HKD 1.1 / USD 0.15 / SGD 0.2 per CNY; main force = super-large + large) or `futu` (4 tiers per security: a trade\'s turnover above the 90th / 70th / 45th percentile of the trade turnovers of the trailing `days` stored trading days; main force = super-large + large). Default: the server\'s `tiers` setting (longport unless configured).',
  schema: { type: 'string', enum: ['longport', 'eastmoney', 'futu'] },
};
const daysParameter = {
  name: 'days',
  in: 'query',
  required: false,
  description: `futu only: trailing stored trading days behind the percentiles (default ${DEFAULT_PERCENTILE_DAYS}, at most ${MAX_PERCENTILE_DAYS}); the day itself when none is stored before it`,
  schema: { type: 'integer', minimum: 1, maximum: MAX_PERCENTILE_DAYS },
};

const SIGNED = [{ appKey: [], accessToken: [], timestamp: [], signature: [] }];
/** Signed, or anonymous when the server runs as a public dashboard (`serve --web-credential`). */
const SIGNED_OR_PUBLIC = [...SIGNED, {}];

/** The OpenAPI 3.1 description served at `GET /api/openapi.json`. */
export function openApiDocument(serverVersion: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'capflow REST API',
      version: serverVersion,
      description: [
        'Capital flow (net inflow per minute), daily history and distribution by trade size, over the same engine, credentials and rate limits as the LongPort-compatible socket API (commands 24 and 25).',
        '',
        'Every successful answer is the LongPort envelope `{"code":0,"message":"","data":…}`; a failure is `{"code":…,"message":…}` with the HTTP status of the error.',
        '',
        '**Authentication** is the LongPort request signature of `GET /v1/socket/token`: headers `X-Api-Key` (app key), `Authorization` (access token), `X-Timestamp` (Unix seconds, optionally with a fraction, or exactly 13 digits of Unix milliseconds; within ±300 s of the server clock) and `X-Api-Signature: HMAC-SHA256 SignedHeaders=authorization;x-api-key;x-timestamp, Signature=HEX`, where HEX is the hex HMAC-SHA256, keyed with the app secret, of `HMAC-SHA256|` + sha1hex(`METHOD|PATH|QUERY|authorization:TOKEN\\nx-api-key:KEY\\nx-timestamp:TS\\n|authorization;x-api-key;x-timestamp|` + sha1hex(body) when there is a body). The official SDKs\' signing code produces exactly this. A credential configured with `bearer` also accepts `Authorization: Bearer TOKEN` without a signature (OAuth mode; `X-Timestamp` optional).',
        '',
        'When the server runs with `--web-credential APPKEY` (a public dashboard), requests without these headers act as that credential.',
        '',
        'Amounts are decimal strings with exactly three decimals, in the trading currency of the security (HKD, USD, CNY, SGD). Timestamps are Unix seconds of the minute start; `time` is the same instant in exchange-local ISO 8601 with its offset.',
      ].join('\n'),
    },
    servers: [{ url: '/' }],
    security: SIGNED,
    paths: {
      [REST_PATHS.intraday]: {
        get: {
          operationId: 'getIntradayFlow',
          summary: 'Cumulative net inflow per minute of one day',
          description:
            'Without `date`: the served day, as command 24 answers it (the lines whose minute has started). With a past `date`: every line of that trading day. The rate limit is shared with command 24.',
          security: SIGNED_OR_PUBLIC,
          parameters: [symbolParameter, dateParameter('date', 'a past trading day (`YYYY-MM-DD`, exchange-local); default the served day'), detailParameter],
          responses: { '200': envelope(ref('Intraday'), 'the day\'s lines'), ...FLOW_ERRORS },
        },
      },
      [REST_PATHS.daily]: {
        get: {
          operationId: 'getDailyFlow',
          summary: 'Net inflow, inflow and outflow per trading day over a range',
          description: `Every trading day in [from, to] (days without trades are zeros). \`to\` defaults to, and is capped at, the served day; \`from\` defaults to ${DEFAULT_DAILY_RANGE_DAYS - 1} days before \`to\`; at most ${MAX_DAILY_RANGE_DAYS} days. The rate limit is shared with command 24.`,
          security: SIGNED_OR_PUBLIC,
          parameters: [symbolParameter, dateParameter('from', 'first day (inclusive)'), dateParameter('to', 'last day (inclusive)'), conventionParameter, daysParameter],
          responses: {
            '200': envelope({ oneOf: [ref('Daily'), ref('TierDaily')] }, 'one entry per trading day; with `convention`, a TierDaily (every tier of that convention, main force, `timestamp` and `time` of each day)'),
            ...FLOW_ERRORS,
          },
        },
      },
      [REST_PATHS.distribution]: {
        get: {
          operationId: 'getDistribution',
          summary: 'Inflow and outflow by trade size (command 25)',
          description: 'The served day up to now, or a past trading day. The rate limit is shared with command 25.',
          security: SIGNED_OR_PUBLIC,
          parameters: [symbolParameter, dateParameter('date', 'a past trading day; default the served day'), conventionParameter, daysParameter],
          responses: {
            '200': envelope({ oneOf: [ref('Distribution'), ref('TierDistribution')] }, 'the day\'s distribution (command 25\'s three tiers); with `convention`, a TierDistribution with every tier of that convention'),
            ...FLOW_ERRORS,
          },
        },
      },
      [REST_PATHS.tiers]: {
        get: {
          operationId: 'getTierFlow',
          summary: 'Size tiers and main-force flow per minute and for the day',
          description: 'Each line holds the cumulative inflow, outflow and net per tier up to the end of its minute, the main-force net and its share of the turnover so far, and the minute\'s own net (`minute`); `day` holds the figures of the day so far. The rate limit is shared with command 25.',
          security: SIGNED_OR_PUBLIC,
          parameters: [symbolParameter, dateParameter('date', 'a past trading day; default the served day'), conventionParameter, daysParameter],
          responses: { '200': envelope(ref('Tiers'), 'the day\'s tier flow'), ...FLOW_ERRORS },
        },
      },
      [REST_PATHS.history]: {
        get: {
          operationId: 'getFlowHistory',
          summary: 'Net inflow (total, per tier, main force) by day, week, month, quarter or year',
          description: `Periods follow the exchange\'s local calendar: ISO weeks starting on Monday, calendar months, quarters (Jan, Apr, Jul, Oct) and years, each labelled by its first date with \`timestamp\` / \`time\` of its local midnight. \`to\` defaults to, and is capped at, the served day; \`from\` defaults to the start of the period holding 30 days (day), 26 weeks, 12 months, 8 quarters or 5 years before \`to\`; at most ${MAX_HISTORY_RANGE_DAYS} days. Completed days are computed once and kept. The rate limit is shared with command 24.`,
          security: SIGNED_OR_PUBLIC,
          parameters: [
            symbolParameter,
            { name: 'period', in: 'query', required: false, description: 'default `day`', schema: { type: 'string', enum: ['day', 'week', 'month', 'quarter', 'year'] } },
            dateParameter('from', 'first day (inclusive)'),
            dateParameter('to', 'last day (inclusive)'),
            conventionParameter,
            daysParameter,
          ],
          responses: { '200': envelope(ref('History'), 'one entry per period with trading days in the range'), ...FLOW_ERRORS },
        },
      },
      [REST_PATHS.batch]: {
        get: {
          operationId: 'getBatch',
          summary: `Command 24's lines or command 25's distribution of up to ${BATCH_SYMBOL_LIMIT} symbols`,
          description: 'Each symbol is answered as its single request would be and takes one token of that command\'s rate limit (24 for intraday, 25 for distribution). A symbol that fails (rate limit 301606, malformed or unknown symbol 301600, no data 301603, no permission 301604) is reported in its place with its code while the others succeed. The socket API offers the same as command 210.',
          security: SIGNED_OR_PUBLIC,
          parameters: [
            { name: 'symbols', in: 'query', required: true, description: `comma-separated, 1 to ${BATCH_SYMBOL_LIMIT}`, schema: { type: 'string', examples: ['700.HK,AAPL.US,600000.SH'] } },
            { name: 'kind', in: 'query', required: false, description: 'default `intraday`', schema: { type: 'string', enum: ['intraday', 'distribution'] } },
          ],
          responses: {
            '200': envelope(ref('Batch'), 'one result per symbol, in request order'),
            '400': errorResponse(`301600: no symbols, more than ${BATCH_SYMBOL_LIMIT}, or an unknown kind`),
            ...AUTH_ERRORS,
          },
        },
      },
      [REST_PATHS.minuteTrades]: {
        get: {
          operationId: 'getMinuteTrades',
          summary: ROUTES.minuteTrades.summary,
          description: ROUTES.minuteTrades.description,
          security: SIGNED_OR_PUBLIC,
          parameters: [
            symbolParameter,
            { name: 'minute', in: 'query', required: true, description: ROUTES.minuteTrades.query.properties.minute.description, schema: { type: 'string', pattern: '^\\d{2}:\\d{2}$', examples: ['09:30', '16:00'] } },
            dateParameter('date', 'a past trading day; default the served day'),
            { name: 'limit', in: 'query', required: false, description: ROUTES.minuteTrades.query.properties.limit.description, schema: { type: 'integer', minimum: 1, maximum: ApiLimits.maxMinuteTrades } },
          ],
          responses: { '200': envelope(withoutIds(MinuteTrades), "the minute's trades and sums"), ...FLOW_ERRORS },
        },
      },
      [REST_PATHS.symbols]: {
        get: {
          operationId: 'listSymbols',
          summary: 'Known symbols in the caller\'s markets',
          security: SIGNED_OR_PUBLIC,
          responses: {
            '200': envelope(ref('Symbols'), 'configured or ingested symbols the credential may query'),
            ...AUTH_ERRORS,
          },
        },
      },
      [REST_PATHS.streamToken]: {
        post: {
          operationId: 'createStreamToken',
          summary: 'A single-use token for opening the live stream from a browser',
          description: 'EventSource cannot send signature headers: sign this request instead and pass the token as `?token=` to the stream within its lifetime. It opens one stream, once.',
          security: SIGNED_OR_PUBLIC,
          responses: {
            '200': envelope(ref('StreamToken'), 'the token'),
            ...AUTH_ERRORS,
          },
        },
      },
      [REST_PATHS.stream]: {
        get: {
          operationId: 'streamIntradayFlow',
          summary: 'Live lines of the served day (Server-Sent Events)',
          description: [
            'Events: `snapshot` (data: the Intraday payload; first, and again whenever the served day changes), `lines` (data: LinesEvent, the lines from index `from` on that changed or were added), and `: heartbeat` comments every 15 s.',
            'Event ids count up per connection. A reconnecting client (EventSource does it by itself, after `retry: 3000`) always starts with a fresh snapshot, so `Last-Event-ID` needs no handling.',
            'Opening a stream takes one token of command 24\'s rate limit.',
          ].join('\n\n'),
          security: [...SIGNED, { streamToken: [] }, {}],
          parameters: [
            symbolParameter,
            detailParameter,
            { name: 'token', in: 'query', required: false, description: 'a token from `POST /api/v1/stream-token`', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'an event stream',
              content: { 'text/event-stream': { schema: { type: 'string' }, example: 'id: 1\nevent: snapshot\ndata: {"symbol":"700.HK",…}\n\n' } },
            },
            ...FLOW_ERRORS,
            '429': errorResponse('301606: over the rate limit of command 24; 429002: the credential already holds its limit of streams (10 by default); 429001: too many streams open on the server'),
          },
        },
      },
      [REST_PATHS.openapi]: {
        get: {
          operationId: 'getOpenApi',
          summary: 'This description',
          security: [{}],
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: {
      securitySchemes: {
        appKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'the app key' },
        accessToken: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'the access token, as is (no scheme); `Bearer TOKEN` is accepted without a signature' },
        timestamp: { type: 'apiKey', in: 'header', name: 'X-Timestamp', description: 'Unix seconds, e.g. `1718328600.123`, or 13 digits of Unix milliseconds' },
        signature: { type: 'apiKey', in: 'header', name: 'X-Api-Signature', description: 'the LongPort request signature (see the description above)' },
        streamToken: { type: 'apiKey', in: 'query', name: 'token', description: 'single-use stream token' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'integer', examples: [301604] }, message: { type: 'string' } },
        },
        Market: { type: 'string', enum: ['HK', 'US', 'CN', 'SG'] },
        Amount: amount('exact decimal, 3 places'),
        TierAmounts: {
          type: 'object',
          required: ['large', 'medium', 'small', 'total'],
          properties: { large: ref('Amount'), medium: ref('Amount'), small: ref('Amount'), total: ref('Amount') },
          description: 'turnover by trade size (large ≥ 220,000 HKD / 30,000 USD / 200,000 CNY / 40,000 SGD; medium ≥ a fifth of that)',
        },
        Line: {
          type: 'object',
          required: ['timestamp', 'time', 'inflow'],
          properties: {
            timestamp: { type: 'integer', description: 'minute start, Unix seconds' },
            time: { type: 'string', description: 'minute start, exchange-local ISO 8601 with offset', examples: ['2024-06-14T09:30:00+08:00'] },
            inflow: { ...ref('Amount'), description: 'cumulative net inflow of the day up to the end of this minute' },
            in: { ...ref('TierAmounts'), description: 'with detail=1: cumulative inflow by size tier' },
            out: { ...ref('TierAmounts'), description: 'with detail=1: cumulative outflow by size tier' },
          },
        },
        Intraday: {
          type: 'object',
          required: ['symbol', 'market', 'currency', 'timeZone', 'date', 'totalLines', 'sessions', 'lines'],
          properties: {
            symbol: { type: 'string' },
            market: ref('Market'),
            currency: { type: 'string', examples: ['HKD'] },
            timeZone: { type: 'string', examples: ['Asia/Hong_Kong'] },
            date: { type: 'string', format: 'date' },
            totalLines: { type: 'integer', description: 'lines of the whole day (331 on a full HK day)' },
            sessions: {
              type: 'array',
              items: { type: 'object', required: ['start', 'end'], properties: { start: { type: 'string' }, end: { type: 'string' } } },
              description: 'regular sessions, exchange-local HH:MM',
            },
            lines: { type: 'array', items: ref('Line') },
          },
        },
        LinesEvent: {
          type: 'object',
          required: ['symbol', 'date', 'from', 'lines'],
          properties: {
            symbol: { type: 'string' },
            date: { type: 'string', format: 'date' },
            from: { type: 'integer', description: 'index of the first line given; replace the lines from there on' },
            lines: { type: 'array', items: ref('Line') },
          },
        },
        Distribution: {
          type: 'object',
          required: ['symbol', 'market', 'currency', 'timeZone', 'date', 'timestamp', 'time', 'capitalIn', 'capitalOut'],
          properties: {
            symbol: { type: 'string' },
            market: ref('Market'),
            currency: { type: 'string' },
            timeZone: { type: 'string' },
            date: { type: 'string', format: 'date' },
            timestamp: { type: 'integer', description: 'latest counted trade (Unix s), or the first session start without trades' },
            time: { type: 'string' },
            capitalIn: ref('CapitalAmounts'),
            capitalOut: ref('CapitalAmounts'),
          },
        },
        CapitalAmounts: {
          type: 'object',
          required: ['large', 'medium', 'small'],
          properties: { large: ref('Amount'), medium: ref('Amount'), small: ref('Amount') },
        },
        DailyDay: {
          type: 'object',
          required: ['date', 'inflow', 'in', 'out', 'complete'],
          properties: {
            date: { type: 'string', format: 'date' },
            inflow: { ...ref('Amount'), description: 'net inflow of the day' },
            in: ref('TierAmounts'),
            out: ref('TierAmounts'),
            complete: { type: 'boolean', description: 'false for the served day until its closing auction ends' },
          },
        },
        Daily: {
          type: 'object',
          required: ['symbol', 'market', 'currency', 'timeZone', 'from', 'to', 'days'],
          properties: {
            symbol: { type: 'string' },
            market: ref('Market'),
            currency: { type: 'string' },
            timeZone: { type: 'string' },
            from: { type: 'string', format: 'date' },
            to: { type: 'string', format: 'date' },
            days: { type: 'array', items: ref('DailyDay') },
          },
        },
        Symbols: {
          type: 'object',
          required: ['markets', 'symbols'],
          properties: {
            markets: { type: 'array', items: ref('Market'), description: 'the caller\'s markets' },
            symbols: {
              type: 'array',
              items: {
                type: 'object',
                required: ['symbol', 'market', 'currency', 'hasData', 'lastDate'],
                properties: {
                  symbol: { type: 'string' },
                  market: ref('Market'),
                  currency: { type: 'string' },
                  hasData: { type: 'boolean' },
                  lastDate: { type: ['string', 'null'], format: 'date', description: 'latest day with trades' },
                },
              },
            },
          },
        },
        TierFigures: {
          type: 'object',
          required: ['inflow', 'in', 'out', 'net', 'mainForceNet', 'mainForceShare'],
          properties: {
            inflow: { ...ref('Amount'), description: 'net inflow of all tiers' },
            in: { type: 'object', additionalProperties: ref('Amount'), description: 'inflow by tier (superLarge, large, medium, small)' },
            out: { type: 'object', additionalProperties: ref('Amount'), description: 'outflow by tier' },
            net: { type: 'object', additionalProperties: ref('Amount'), description: 'net inflow by tier' },
            mainForceNet: { ...ref('Amount'), description: 'net of the main-force tiers' },
            mainForceShare: { type: 'string', description: 'mainForceNet / (inflow + outflow of all tiers), percent with 2 decimals', examples: ['-12.34'] },
          },
        },
        Convention: {
          type: 'object',
          required: ['convention', 'tiers', 'mainForce'],
          properties: {
            convention: { type: 'string', enum: ['longport', 'eastmoney', 'futu'] },
            tiers: { type: 'array', items: { type: 'string' }, description: 'largest first' },
            mainForce: { type: 'array', items: { type: 'string' } },
            percentiles: {
              type: 'object',
              description: 'futu only: the reference days (the last day\'s for history), their trade count and the turnover cut-offs',
              properties: {
                days: { type: 'integer' },
                dates: { type: 'array', items: { type: 'string', format: 'date' } },
                trades: { type: 'integer' },
                cutoffs: { type: 'object', properties: { superLarge: { type: 'string' }, large: { type: 'string' }, medium: { type: 'string' } } },
              },
            },
          },
        },
        TierLine: {
          allOf: [
            ref('TierFigures'),
            {
              type: 'object',
              required: ['timestamp', 'time', 'minute'],
              properties: {
                timestamp: { type: 'integer', description: 'minute start, Unix seconds' },
                time: { type: 'string', description: 'minute start, exchange-local ISO 8601' },
                minute: { type: 'object', description: 'this minute\'s own net inflow, net by tier and main-force net', properties: { inflow: ref('Amount'), net: { type: 'object' }, mainForceNet: ref('Amount') } },
              },
            },
          ],
          description: 'figures cumulative up to the end of the minute (`inflow` equals command 24\'s line)',
        },
        Tiers: {
          allOf: [
            ref('Convention'),
            {
              type: 'object',
              required: ['symbol', 'market', 'currency', 'timeZone', 'date', 'totalLines', 'lines', 'day'],
              properties: {
                symbol: { type: 'string' },
                market: ref('Market'),
                currency: { type: 'string' },
                timeZone: { type: 'string' },
                date: { type: 'string', format: 'date' },
                totalLines: { type: 'integer' },
                lines: { type: 'array', items: ref('TierLine') },
                day: ref('TierFigures'),
              },
            },
          ],
        },
        TierDistribution: {
          allOf: [
            ref('Convention'),
            {
              type: 'object',
              required: ['symbol', 'date', 'timestamp', 'time', 'capitalIn', 'capitalOut', 'net', 'inflow', 'mainForceNet', 'mainForceShare'],
              properties: {
                symbol: { type: 'string' },
                date: { type: 'string', format: 'date' },
                timestamp: { type: 'integer' },
                time: { type: 'string' },
                capitalIn: { type: 'object', additionalProperties: ref('Amount') },
                capitalOut: { type: 'object', additionalProperties: ref('Amount') },
                net: { type: 'object', additionalProperties: ref('Amount') },
                inflow: ref('Amount'),
                mainForceNet: ref('Amount'),
                mainForceShare: { type: 'string' },
              },
            },
          ],
        },
        TierDaily: {
          allOf: [
            ref('Convention'),
            {
              type: 'object',
              required: ['symbol', 'from', 'to', 'days'],
              properties: {
                symbol: { type: 'string' },
                from: { type: 'string', format: 'date' },
                to: { type: 'string', format: 'date' },
                days: {
                  type: 'array',
                  items: {
                    allOf: [
                      ref('TierFigures'),
                      { type: 'object', required: ['date', 'timestamp', 'time', 'complete'], properties: { date: { type: 'string', format: 'date' }, timestamp: { type: 'integer' }, time: { type: 'string' }, complete: { type: 'boolean' } } },
                    ],
                  },
                },
              },
            },
          ],
        },
        History: {
          allOf: [
            ref('Convention'),
            {
              type: 'object',
              required: ['symbol', 'period', 'from', 'to', 'periods'],
              properties: {
                symbol: { type: 'string' },
                period: { type: 'string', enum: ['day', 'week', 'month', 'quarter', 'year'] },
                from: { type: 'string', format: 'date' },
                to: { type: 'string', format: 'date' },
                periods: {
                  type: 'array',
                  items: {
                    allOf: [
                      ref('TierFigures'),
                      {
                        type: 'object',
                        required: ['period', 'timestamp', 'time', 'periodEnd', 'from', 'to', 'tradingDays', 'complete'],
                        properties: {
                          period: { type: 'string', format: 'date', description: 'first date of the period' },
                          timestamp: { type: 'integer', description: 'period start (local midnight), Unix seconds' },
                          time: { type: 'string', description: 'period start, exchange-local ISO 8601', examples: ['2024-06-10T00:00:00+08:00'] },
                          periodEnd: { type: 'string', format: 'date' },
                          from: { type: 'string', format: 'date', description: 'first trading day of the period in the range' },
                          to: { type: 'string', format: 'date', description: 'last trading day of the period in the range' },
                          tradingDays: { type: 'integer' },
                          complete: { type: 'boolean' },
                        },
                      },
                    ],
                  },
                },
              },
            },
          ],
        },
        Batch: {
          type: 'object',
          required: ['kind', 'symbolLimit', 'results'],
          properties: {
            kind: { type: 'string', enum: ['intraday', 'distribution'] },
            symbolLimit: { type: 'integer' },
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['symbol', 'code'],
                properties: {
                  symbol: { type: 'string' },
                  code: { type: 'integer', description: '0, or the business code of this symbol\'s failure' },
                  httpStatus: { type: 'integer', description: 'on failure: the HTTP status the single request would have had' },
                  message: { type: 'string' },
                  data: { oneOf: [ref('Intraday'), ref('Distribution')] },
                },
              },
            },
          },
        },
        StreamToken: {
          type: 'object',
          required: ['token', 'expiresAt', 'ttlSeconds'],
          properties: {
            token: { type: 'string' },
            expiresAt: { type: 'integer', description: 'Unix seconds' },
            ttlSeconds: { type: 'integer' },
          },
        },
      },
    },
  };
}
