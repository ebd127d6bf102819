/**
 * Acceptance: the official `longport` SDK (3.0.18, native) against a real capflow server,
 * pointed at it only through its URL settings.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { localDate } from '../calendar/time-zone.js';
import { ingestFile } from '../ingest/index.js';
import { SAMPLE_FILE } from '../cli/serve-command.js';
import type { Credential } from './auth/credential.js';
import { engineDistribution, engineLines, FLOW_CASES, HK_DAY, SG_DAY, US_DAY, wireError } from './sdk-interop-test-kit.js';
import { startTestServer, testCredential, type TestServer } from './server-test-kit.js';

type LongportModule = typeof import('longport');
const require = createRequire(import.meta.url);
const longport = require('longport') as LongportModule;

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
      trades: [...HK_DAY, ...US_DAY, ...SG_DAY],
      clock: { kind: 'feed' },
    });
    await ingestFile(t.store, SAMPLE_FILE);
    await t.flows.poll();
    ctx = await contextFor(full);
  });
  after(() => t.stop());

  for (const c of FLOW_CASES) {
    it(`capitalFlow(${c.symbol}) returns exactly the engine's lines`, async () => {
      const lines = await ctx.capitalFlow(c.symbol);
      const expected = await engineLines(t, c.symbol, c.trades);
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
    const expected = await engineDistribution(t, '700.HK', HK_DAY);
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
