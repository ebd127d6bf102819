/**
 * The server's real answers fit the contract: every route is called on a running server, its
 * successes are checked against the route's schema (closed: no undocumented field), its failures
 * against the error body and the route's documented (status, code) pairs, the live stream's
 * events against theirs; and each answer also against the generated OpenAPI document (Ajv).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BusinessCode, HttpErrorCode } from '../protocol/codes/error-codes.js';
import { signedHeaders } from '../protocol/request-signing.js';
import { SseParser } from '../client/sse-parser.js';
import { startTestServer, storeTrades, testCredential, trade, type TestServer } from '../server/server-test-kit.js';
import { answerProblems, callRoute, eventProblems, type Answer, type RouteCall } from './contract-test-kit.js';
import { openApiDocument } from './openapi.js';
import { ROUTES, type Route, type RouteName } from './routes.js';
import { SecurityDirectory } from '../service/rankings/security-directory.js';

type Json = Record<string, any>;

const user = testCredential();
const hkOnly = testCredential({ appKey: 'hk-only', appSecret: 'hk-secret', accessToken: 'hk-token', markets: ['HK'] });
const limited = testCredential({
  appKey: 'limited',
  appSecret: 'l-secret',
  accessToken: 'l-token',
  rateLimits: { 24: { limit: 1, burst: 0 }, 25: { limit: 1, burst: 0 } },
});
const expired = testCredential({ appKey: 'expired', appSecret: 'e-secret', accessToken: 'e-token', expiresAt: Date.parse('2020-01-01T00:00:00Z') });
const bearer = testCredential({ appKey: 'bearer', appSecret: 'b-secret', accessToken: 'b-token', bearer: true });
const readOnly = testCredential({ appKey: 'read-only', appSecret: 'r-secret', accessToken: 'r-token', ingest: false });
const oneStream = testCredential({ appKey: 'one-stream', appSecret: 'o-secret', accessToken: 'o-token', streams: 1 });

/** Two days of 700.HK and a US trade; 9988.HK is known without trades. */
const TRADES = [
  trade('700.HK', '2024-06-13T10:00:00+08:00', '300', 1000, 'up'),
  trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'),
  trade('700.HK', '2024-06-14T09:31:10+08:00', '320.4', 500, 'down'),
  trade('AAPL.US', '2024-06-13T09:30:01-04:00', '212.49', 100, 'up'),
];

/** Compiles the generated document's schema of one answer (its components registered once). */
function documentValidator(): (route: Route, answer: Answer) => string[] {
  const document = openApiDocument('test') as Json;
  const rewrite = (value: unknown): any =>
    Array.isArray(value)
      ? value.map(rewrite)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === '$ref' ? String(item).replace('#/components/schemas/', 'components#/$defs/') : rewrite(item)]))
        : value;
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'components', $defs: rewrite(document.components.schemas) });
  return (route, answer) => {
    const response = document.paths[route.path][route.method.toLowerCase()].responses[String(answer.status)];
    if (!response) return [`${route.path}: HTTP ${answer.status} is not in the document`];
    const media = response.content?.['application/json'];
    if (!media) return [];
    const validate = ajv.compile(rewrite(media.schema));
    return validate(JSON.parse(answer.body)) ? [] : [`${route.path} ${answer.status}: ${ajv.errorsText(validate.errors)}`];
  };
}

describe('real answers fit the contract', () => {
  let t: TestServer;
  let checkAgainstDocument: (route: Route, answer: Answer) => string[];
  const answered = new Map<RouteName, Set<number>>();

  before(async () => {
    t = await startTestServer({
      credentials: [user, hkOnly, limited, expired, bearer, readOnly, oneStream],
      trades: TRADES,
      securities: ['9988.HK'],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:33:20+08:00') },
      server: { maxHttpBodyBytes: 4096, rest: { coalesceMs: 10, securities: new SecurityDirectory([{ symbol: '700.HK', name: 'Tencent', sector: 'Tech' }]) } },
    });
    checkAgainstDocument = documentValidator();
  });
  after(() => t.stop());

  /** Calls a route, checks the answer against the contract and the document, and returns it. */
  async function expectAnswer(name: RouteName, call: RouteCall, status: number, code?: number): Promise<Answer> {
    const route = ROUTES[name] as Route;
    const answer = await callRoute(t.httpUrl, route, call);
    const label = `${route.method} ${route.path}?${new URLSearchParams(call.query as Record<string, string>)}`;
    assert.equal(answer.status, status, `${label}: ${answer.body.slice(0, 300)}`);
    if (code !== undefined) assert.equal((JSON.parse(answer.body) as { code: number }).code, code, label);
    assert.deepEqual(answerProblems(route, answer), [], label);
    if (answer.body !== '' && answer.contentType.startsWith('application/json')) assert.deepEqual(checkAgainstDocument(route, answer), [], label);
    answered.set(name, (answered.get(name) ?? new Set()).add(status));
    return answer;
  }
  const as = (credential = user): RouteCall => ({ credential });

  it('capital-flow queries: every view, with and without a convention', async () => {
    const day = await expectAnswer('intraday', { ...as(), query: { symbol: '700.HK', detail: '1' } }, 200);
    assert.equal((JSON.parse(day.body) as Json).data.lines.length, 4);
    await expectAnswer('intraday', { ...as(), query: { symbol: '700.hk', date: '2024-06-13' } }, 200);
    await expectAnswer('daily', { ...as(), query: { symbol: '700.HK', from: '2024-06-10' } }, 200);
    await expectAnswer('daily', { ...as(), query: { symbol: '700.HK', from: '2024-06-13', convention: 'futu', days: '5' } }, 200);
    await expectAnswer('distribution', { ...as(), query: { symbol: '700.HK' } }, 200);
    await expectAnswer('distribution', { ...as(), query: { symbol: '700.HK', convention: 'eastmoney' } }, 200);
    await expectAnswer('distribution', { ...as(), query: { symbol: '700.HK', date: '2024-06-13', convention: 'longport' } }, 200);
    await expectAnswer('tiers', { ...as(), query: { symbol: '700.HK', convention: 'futu' } }, 200);
    await expectAnswer('tiers', { ...as(), query: { symbol: '700.HK' } }, 200);
    await expectAnswer('history', { ...as(), query: { symbol: '700.HK', period: 'week', from: '2024-06-01' } }, 200);
    await expectAnswer('history', { ...as(), query: { symbol: '700.HK', period: 'month', convention: 'eastmoney' } }, 200);
    const batch = await expectAnswer('batch', { ...as(hkOnly), query: { symbols: '700.HK,NOPE.US,AAPL.US,9988.HK,70', kind: 'intraday' } }, 200);
    assert.deepEqual(
      (JSON.parse(batch.body) as Json).data.results.map((result: Json) => result.code),
      [0, BusinessCode.NoAccess, BusinessCode.NoAccess, BusinessCode.NoQuotes, BusinessCode.InvalidRequest],
    );
    await expectAnswer('batch', { ...as(), query: { symbols: '700.HK,AAPL.US', kind: 'distribution' } }, 200);
    const minute = await expectAnswer('minuteTrades', { ...as(), query: { symbol: '700.HK', minute: '09:31' } }, 200);
    assert.deepEqual(
      ((JSON.parse(minute.body) as Json).data.trades as Json[]).map((one) => [one.price, one.side, one.rule]),
      [['320.4', 'sell', 'feed']],
    );
    const top = await expectAnswer('rankings', { ...as(), query: { market: 'HK', days: '3' } }, 200);
    assert.deepEqual((JSON.parse(top.body) as Json).data.items.map((item: Json) => [item.symbol, item.name, item.sector]), [['700.HK', 'Tencent', 'Tech']]);
    await expectAnswer('rankings', { ...as(), query: { market: 'US', by: 'main_force', convention: 'futu', date: '2024-06-13' } }, 200);
    await expectAnswer('sectors', { ...as(), query: { market: 'HK', days: '5' } }, 200);
    await expectAnswer('sector', { ...as(), query: { market: 'HK', name: 'Tech' } }, 200);
    const symbols = await expectAnswer('symbols', as(hkOnly), 200);
    assert.deepEqual((JSON.parse(symbols.body) as Json).data.symbols.map((entry: Json) => [entry.symbol, entry.lastDate]), [
      ['700.HK', '2024-06-14'],
      ['9988.HK', null],
    ]);
  });

  it('their failures: bad input, permission, unknown symbol, no data, rate limit', async () => {
    await expectAnswer('intraday', { ...as(), query: { symbol: '700.HK', date: '2024-06-15' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('intraday', { ...as(), query: { symbol: '700.HK', detail: 'yes' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('daily', { ...as(), query: { symbol: '700.HK', from: '2020-01-01' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('history', { ...as(), query: { symbol: '700.HK', period: 'decade' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('tiers', { ...as(), query: { symbol: '700.HK', convention: 'nope' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('batch', { ...as(), query: { symbols: '' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('minuteTrades', { ...as(), query: { symbol: '700.HK', minute: '12:30' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('batch', { ...as(), query: { symbols: '700.HK', kind: 'both' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('intraday', { ...as(hkOnly), query: { symbol: 'AAPL.US' } }, 403, BusinessCode.NoAccess);
    await expectAnswer('distribution', { ...as(), query: { symbol: 'NOPE.US' } }, 404, BusinessCode.InvalidRequest);
    await expectAnswer('intraday', { ...as(), query: { symbol: '9988.HK' } }, 404, BusinessCode.NoQuotes);
    await expectAnswer('intraday', { ...as(limited), query: { symbol: '700.HK' } }, 200);
    await expectAnswer('history', { ...as(limited), query: { symbol: '700.HK' } }, 429, BusinessCode.RateLimited);
    await expectAnswer('tiers', { ...as(limited), query: { symbol: '700.HK' } }, 200);
    await expectAnswer('distribution', { ...as(limited), query: { symbol: '700.HK' } }, 429, BusinessCode.RateLimited);
    await expectAnswer('rankings', { ...as(), query: { market: 'XX' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('rankings', { ...as(), query: { market: 'HK', limit: '501' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('sectors', { ...as(hkOnly), query: { market: 'US' } }, 403, BusinessCode.NoAccess);
    await expectAnswer('sector', { ...as(), query: { market: 'HK', name: 'Nope' } }, 404, BusinessCode.InvalidRequest);
    await expectAnswer('rankings', { ...as(limited), query: { market: 'HK' } }, 429, BusinessCode.RateLimited);
  });

  it('authentication failures, each with its code', async () => {
    const unsigned = await expectAnswer('symbols', {}, 401, HttpErrorCode.UnknownAppKey);
    // A request without X-Api-Key is told that the header is missing, not that the key is unknown.
    assert.match((JSON.parse(unsigned.body) as Json).message, /X-Api-Key.*missing/);
    await expectAnswer('symbols', as({ ...user, appKey: 'who' }), 401, HttpErrorCode.UnknownAppKey);
    await expectAnswer('intraday', { ...as({ ...user, accessToken: 'nope' }), query: { symbol: '700.HK' } }, 401, HttpErrorCode.UnknownAccessToken);
    await expectAnswer('daily', { ...as({ ...user, appSecret: 'nope' }), query: { symbol: '700.HK' } }, 401, HttpErrorCode.SignatureMismatch);
    const stale = (headers: Record<string, string>) => ({ ...headers, 'X-Timestamp': String(Math.floor(Date.now() / 1000) - 3600) });
    await expectAnswer('tiers', { ...as(), signedHeaders: stale, query: { symbol: '700.HK' } }, 401, HttpErrorCode.StaleTimestamp);
    const asBearer = (token: string) => () => ({ 'X-Api-Key': token === 'b-token' ? 'bearer' : 'test-key', Authorization: `Bearer ${token}` });
    await expectAnswer('history', { ...as(), signedHeaders: asBearer('test-token'), query: { symbol: '700.HK' } }, 401, HttpErrorCode.BearerNotAllowed);
    await expectAnswer('history', { ...as(bearer), signedHeaders: asBearer('b-token'), query: { symbol: '700.HK' } }, 200);
    await expectAnswer('batch', { ...as(expired), query: { symbols: '700.HK' } }, 403, HttpErrorCode.CredentialExpired);
    await expectAnswer('socketTokenV1', as(expired), 403, HttpErrorCode.CredentialExpired);
  });

  it('tokens: stream tokens and the socket protocol\'s one-time passwords', async () => {
    const token = await expectAnswer('streamToken', as(), 200);
    assert.equal((JSON.parse(token.body) as Json).data.ttlSeconds, 60);
    await expectAnswer('socketTokenV1', as(), 200);
    await expectAnswer('socketTokenV2', as(hkOnly), 200);
    await expectAnswer('socketTokenV2', as({ ...hkOnly, appSecret: 'x' }), 401, HttpErrorCode.SignatureMismatch);
  });

  it('ingest: a summary, a refused credential, a reused idempotency key, a body too large', async () => {
    const body = '{"symbol":"9988.HK","timestamp":"2024-06-14T09:31:00+08:00","price":"80.5","volume":200,"direction":"up"}\nnot json\n';
    const stored = await expectAnswer('ingest', { ...as(), body, headers: { 'idempotency-key': 'k1' } }, 200);
    assert.deepEqual([(JSON.parse(stored.body) as Json).data.accepted, (JSON.parse(stored.body) as Json).data.rejected], [1, 1]);
    await expectAnswer('ingest', { ...as(), body: `${body}\n`, headers: { 'idempotency-key': 'k1' } }, 409, BusinessCode.InvalidRequest);
    await expectAnswer('ingest', { ...as(), body, query: { format: 'xml' } }, 400, BusinessCode.InvalidRequest);
    await expectAnswer('ingest', { ...as(readOnly), body }, 403, HttpErrorCode.CredentialExpired);
    await expectAnswer('ingest', { ...as(), body: 'x'.repeat(5000) }, 413, HttpErrorCode.PayloadTooLarge);
  });

  it('operations: health, readiness, metrics and the description itself', async () => {
    await expectAnswer('health', {}, 200);
    await expectAnswer('readiness', {}, 200);
    await expectAnswer('metrics', {}, 200);
    await expectAnswer('openapi', {}, 200);
  });

  it('the live stream: its refusals, then a snapshot and line events', async () => {
    await expectAnswer('stream', { query: { symbol: '700.HK', token: 'made-up' } }, 401, HttpErrorCode.UnknownAccessToken);
    await expectAnswer('stream', { ...as(hkOnly), query: { symbol: '600000.SH' } }, 403, BusinessCode.NoAccess);
    // The limited credential's bucket holds one token of command 24: spend it (whatever earlier
    // tests left), so the stream, which takes one too, is refused however long those took.
    await callRoute(t.httpUrl, ROUTES.intraday as Route, { ...as(limited), query: { symbol: '700.HK' } });
    await expectAnswer('stream', { ...as(limited), query: { symbol: '700.HK' } }, 429, BusinessCode.RateLimited);

    const route = ROUTES.stream;
    const open = async (credential = user, query = 'symbol=700.HK&detail=1'): Promise<{ response: Response; controller: AbortController }> => {
      const controller = new AbortController();
      const response = await fetch(`${t.httpUrl}${route.path}?${query}`, {
        headers: signedHeaders(credential, { method: 'GET', path: route.path, query }),
        signal: controller.signal,
      });
      return { response, controller };
    };
    const { response, controller } = await open();
    assert.deepEqual(answerProblems(route, { status: response.status, contentType: response.headers.get('content-type') ?? '', body: '' }), []);
    answered.set('stream', (answered.get('stream') ?? new Set()).add(200));
    const reader = response.body!.getReader();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const seen: string[] = [];
    const next = async (): Promise<void> => {
      for (;;) {
        const { value, done } = await reader.read();
        assert.ok(!done, 'the stream stays open');
        const events = parser.push(decoder.decode(value, { stream: true }));
        for (const event of events) {
          assert.deepEqual(eventProblems(route, event.event, event.data), [], event.data.slice(0, 200));
          seen.push(event.event);
        }
        if (events.length > 0) return;
      }
    };
    await next();
    assert.deepEqual(seen, ['snapshot']);
    // One stream of its limit of one is open: a second is refused with 429002.
    const first = await open(oneStream);
    await expectAnswer('stream', { ...as(oneStream), query: { symbol: '700.HK' } }, 429, HttpErrorCode.TooManyStreams);
    first.controller.abort();
    await storeTrades(t.store, [trade('700.HK', '2024-06-14T09:30:30+08:00', '320', 100, 'up')]);
    await t.flows.poll();
    while (!seen.includes('lines')) await next();
    controller.abort();
  });

  it('every route was answered, and with success', () => {
    for (const name of Object.keys(ROUTES) as RouteName[]) assert.ok(answered.get(name)?.has(200), `${name} answered 200`);
  });
});
