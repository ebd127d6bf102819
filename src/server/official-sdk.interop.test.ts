/**
 * Acceptance: the official `longport` SDK (3.0.18, native) against a real capflow server,
 * pointed at it only through its URL settings.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { calendarFor } from '../calendar/trading-calendar.js';
import { localDate } from '../calendar/time-zone.js';
import { computeDayLines, DayFlow } from '../engine/index.js';
import { ingestFile } from '../ingest/index.js';
import { parseSymbol } from '../model/symbol.js';
import type { Trade } from '../model/trade.js';
import { SAMPLE_FILE } from '../cli/serve-command.js';
import type { Credential } from './auth/credential.js';
import { startTestServer, testCredential, trade, type TestServer } from './server-test-kit.js';

type LongportModule = typeof import('longport');
const require = createRequire(import.meta.url);
const longport = require('longport') as LongportModule;

const HK = [
  trade('700.HK', '2024-06-14T09:30:00.000+08:00', '320.0', 1000), // first trade of the day: neutral
  trade('700.HK', '2024-06-14T09:30:30+08:00', '320.2', 500), // up-tick: +160,100
  trade('700.HK', '2024-06-14T09:31:00+08:00', '320.2', 100), // zero tick after an up move: +32,020
  trade('700.HK', '2024-06-14T09:45:00+08:00', '319.8', 300, '', { bid: '319.8', ask: '320.0' }), // at the bid: -95,940
  trade('700.HK', '2024-06-14T10:00:00+08:00', '320.1', 200, '', { bid: '320.0', ask: '320.2' }), // midpoint → tick up: +64,020
  trade('700.HK', '2024-06-14T16:08:00+08:00', '322.0', 1000), // closing auction without a side: neutral
  trade('700.HK', '2024-06-14T16:09:00+08:00', '322.0', 100, 'down'), // auction with a side: -32,200 in 16:00
  trade('700.HK', '2024-06-14T16:11:00+08:00', '330.0', 100, 'up'), // after the grace period: no line
];
const US = [
  trade('AAPL.US', '2024-06-14T09:29:59-04:00', '212.00', 100), // pre-market: feeds the tick rule only
  trade('AAPL.US', '2024-06-14T09:30:00.000-04:00', '212.05', 100), // up-tick: +21,205
  trade('AAPL.US', '2024-06-14T12:00:00-04:00', '211.9999', 3, 'sell'), // -635.9997
  trade('AAPL.US', '2024-06-14T15:59:59.999-04:00', '212.10', 10), // up-tick: +2,121
  trade('AAPL.US', '2024-06-14T16:00:00.000-04:00', '212.20', 100, 'up'), // post-market: no line
];
const SG = [
  trade('D05.SG', '2024-06-14T09:00:00+08:00', '35.07', 100, 'up'), // +3,507
  trade('D05.SG', '2024-06-14T12:30:00+08:00', '35.20', 100, 'up'), // lunch: no line
  trade('D05.SG', '2024-06-14T17:16:00+08:00', '35.10', 1000), // closing routine without a side: neutral
  trade('D05.SG', '2024-06-14T17:17:00+08:00', '35.10', 200, 'up'), // +7,020 in the 17:15 line
];

/** Parses the SDK's `response error: {status}: detail:…{ code: N, …}` message. */
function wireError(error: unknown): { status: number; code: number } {
  const message = error instanceof Error ? error.message : String(error);
  const match = /response error: (\d+): detail:.*code: (\d+)/.exec(message);
  assert.ok(match, `not a response error: ${message}`);
  return { status: Number(match[1]), code: Number(match[2]) };
}

describe('official longport SDK against capflow', () => {
  const full = testCredential({ appKey: 'sdk-full', appSecret: 'sdk-secret', accessToken: 'sdk-token' });
  const usOnly = testCredential({ appKey: 'sdk-us', appSecret: 'sdk-secret-us', accessToken: 'sdk-token-us', markets: ['US'] });
  const tight = testCredential({ appKey: 'sdk-tight', appSecret: 'sdk-secret-t', accessToken: 'sdk-token-t', rateLimits: { 24: { limit: 1, burst: 1 } } });
  let t: TestServer;
  let ctx: InstanceType<LongportModule['QuoteContext']>;

  const contextFor = (credential: Credential) =>
    longport.QuoteContext.new(
      new longport.Config({
        appKey: credential.appKey,
        appSecret: credential.appSecret,
        accessToken: credential.accessToken,
        httpUrl: t.httpUrl,
        quoteWsUrl: t.wsUrl,
        enablePrintQuotePackages: false,
      }),
    );

  before(async () => {
    t = await startTestServer({
      credentials: [full, usOnly, tight],
      securities: ['NODATA.HK'],
      trades: [...HK, ...US, ...SG],
      clock: { kind: 'feed' },
    });
    await ingestFile(t.store, SAMPLE_FILE);
    await t.flows.poll();
    ctx = await contextFor(full);
  });
  after(() => t.stop());

  /** What the engine computes for the fixture day, seen at the feed clock's now. */
  async function engineLines(symbol: string, trades?: Trade[]) {
    const parsed = parseSymbol(symbol)!;
    const now = t.clock.now(parsed.market);
    const schedule = calendarFor(parsed.market).servedDay(now);
    const dayTrades = trades ?? (await t.store.tradesOfDay(parsed.symbol, schedule.date));
    return computeDayLines(schedule, dayTrades, now);
  }

  const cases = [
    { symbol: '700.HK', trades: HK, lines: 331, last: '128000.000' },
    { symbol: 'AAPL.US', trades: US, lines: 390, last: '22690.000' },
    { symbol: '600000.SH', trades: undefined, lines: 241, last: '-24384680.860' },
    { symbol: 'D05.SG', trades: SG, lines: 436, last: '10527.000' },
  ];
  for (const c of cases) {
    it(`capitalFlow(${c.symbol}) returns exactly the engine's lines`, async () => {
      const lines = await ctx.capitalFlow(c.symbol);
      const expected = await engineLines(c.symbol, c.trades);
      assert.equal(lines.length, c.lines);
      assert.equal(expected.length, c.lines);
      assert.deepEqual(
        lines.map((line) => ({ inflow: line.inflow.toString(), timestamp: line.timestamp.getTime() / 1000 })),
        expected,
      );
      assert.equal(lines.at(-1)!.inflow.toString(), c.last);
    });
  }

  it('capitalDistribution matches the engine', async () => {
    const response = await ctx.capitalDistribution('700.HK');
    const now = t.clock.now('HK');
    const day = new DayFlow(calendarFor('HK').servedDay(now));
    for (const one of HK) day.add(one);
    const expected = day.distribution(now);
    assert.equal(response.timestamp.getTime() / 1000, expected.timestamp);
    assert.deepEqual(
      [response.capitalIn.large, response.capitalIn.medium, response.capitalIn.small].map(String),
      [expected.capitalIn.large, expected.capitalIn.medium, expected.capitalIn.small],
    );
    assert.deepEqual(
      [response.capitalOut.large, response.capitalOut.medium, response.capitalOut.small].map(String),
      [expected.capitalOut.large, expected.capitalOut.medium, expected.capitalOut.small],
    );
    // Hand-computed: HK large >= 220,000 HKD, medium >= 44,000; neutral trades count nowhere.
    assert.deepEqual([response.capitalIn.large, response.capitalIn.medium, response.capitalIn.small].map(String), ['0.000', '224120.000', '32020.000']);
    assert.deepEqual([response.capitalOut.large, response.capitalOut.medium, response.capitalOut.small].map(String), ['0.000', '95940.000', '32200.000']);
    assert.equal(localDate('HK', response.timestamp.getTime()), '2024-06-14');
  });

  it('each error case reaches the SDK with the documented status and code', async () => {
    const attempt = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return wireError(error);
      }
      assert.fail('expected an error');
    };
    assert.deepEqual(await attempt(ctx.capitalFlow('ZZZZ.US')), { status: 7, code: 301600 });
    assert.deepEqual(await attempt(ctx.capitalFlow('NODATA.HK')), { status: 7, code: 301603 });
    assert.deepEqual(await attempt(ctx.capitalFlow('700.XX')), { status: 3, code: 301600 });
    assert.deepEqual(await attempt(ctx.capitalDistribution('ZZZZ.US')), { status: 7, code: 301600 });
    const limited = await contextFor(usOnly);
    assert.deepEqual(await attempt(limited.capitalFlow('700.HK')), { status: 7, code: 301604 });
    assert.equal((await limited.capitalFlow('AAPL.US')).length, 390);
  });

  it('rate-limit refusals reach the SDK as 3/301606', async () => {
    // Four SDK contexts of one credential each pace themselves at 1/s (burst 1); together they
    // exceed the server's per-credential bucket of 2 × burst + limit = 3.
    const contexts = await Promise.all([contextFor(tight), contextFor(tight), contextFor(tight), contextFor(tight)]);
    const results = await Promise.allSettled(contexts.map((one) => one.capitalFlow('700.HK')));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => wireError((r as PromiseRejectedResult).reason));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    assert.deepEqual(refused, [{ status: 3, code: 301606 }]);
  });
});
