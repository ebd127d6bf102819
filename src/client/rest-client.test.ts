import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BusinessCode, HttpErrorCode } from '../protocol/codes/error-codes.js';
import { startTestServer, storeTrades, testCredential, trade, type TestServer } from '../server/server-test-kit.js';
import { CapflowClientError } from './client-error.js';
import { isTransient, queryString, RestClient } from './rest-client.js';

const user = testCredential();
const hkOnly = testCredential({ appKey: 'hk-only', appSecret: 'hk-secret', accessToken: 'hk-token', markets: ['HK'] });

async function failure(promise: Promise<unknown>): Promise<CapflowClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CapflowClientError, String(error));
    return error;
  }
  assert.fail('expected a failure');
}

describe('REST client', () => {
  let t: TestServer;
  let rest: RestClient;
  before(async () => {
    t = await startTestServer({
      credentials: [user, hkOnly],
      trades: [trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'), trade('AAPL.US', '2024-06-13T09:30:01-04:00', '212.49', 100, 'up')],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:31:20+08:00') },
      server: { rest: { coalesceMs: 10 } },
    });
    rest = new RestClient({ httpUrl: `${t.httpUrl}/`, credential: user });
  });
  after(() => t.stop());

  it('signs each call and returns its data, typed by the contract', async () => {
    const day = await rest.intraday({ symbol: '700.hk', detail: '1', date: undefined });
    assert.deepEqual([day.symbol, day.lines.length, day.lines[0]?.inflow, day.lines[0]?.in?.large], ['700.HK', 2, '320200.000', '320200.000']);
    const tiered = await rest.distribution({ symbol: '700.HK', convention: 'eastmoney' });
    assert.equal(tiered.mainForceNet, '320200.000');
    const batch = await rest.batch({ symbols: ['700.HK', 'NOPE.US'] });
    assert.deepEqual(batch.results.map((result) => result.code), [0, BusinessCode.InvalidRequest]);
    assert.equal((await rest.socketToken(2)).limit, 10);
    assert.equal((await rest.streamToken()).ttlSeconds, 60);
  });

  it('reports refusals as kind http with the code, and an unreachable server as kind unreachable', async () => {
    const refused = await failure(new RestClient({ httpUrl: t.httpUrl, credential: hkOnly }).intraday({ symbol: 'AAPL.US' }));
    assert.deepEqual([refused.kind, refused.httpStatus, refused.code, isTransient(refused)], ['http', 403, BusinessCode.NoAccess, false]);
    assert.match(refused.message, /no access/);
    const unsigned = await failure(new RestClient({ httpUrl: t.httpUrl }).symbols());
    assert.deepEqual([unsigned.httpStatus, unsigned.code], [401, HttpErrorCode.UnknownAppKey]);
    const away = await failure(new RestClient({ httpUrl: 'http://127.0.0.1:1', credential: user }).symbols());
    assert.deepEqual([away.kind, isTransient(away)], ['unreachable', true]);
    assert.match(away.message, /^cannot reach http:\/\/127\.0\.0\.1:1: /);
    assert.ok(isTransient(new CapflowClientError('slow down', { kind: 'http', httpStatus: 429, code: BusinessCode.RateLimited })));
  });

  it('streams a snapshot, then line events, and ends quietly when aborted', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    for await (const event of rest.stream({ symbol: '700.HK' }, { signal: controller.signal })) {
      events.push(`${event.event}:${event.data.lines.length}`);
      if (event.event === 'snapshot') {
        await storeTrades(t.store, [trade('700.HK', '2024-06-14T09:31:05+08:00', '10', 100, 'down')]);
        await t.flows.poll();
      } else controller.abort();
    }
    assert.deepEqual(events, ['snapshot:2', 'lines:1']);
    const refused = await failure((async () => {
      for await (const _ of new RestClient({ httpUrl: t.httpUrl, credential: hkOnly }).stream({ symbol: 'AAPL.US' })) assert.fail('no event');
    })());
    assert.deepEqual([refused.httpStatus, refused.code], [403, BusinessCode.NoAccess]);
  });

  it('builds query text in order, leaving out what is not given', () => {
    assert.equal(queryString({ symbols: ['700.HK', 'AAPL.US'], kind: undefined, days: 5 }), 'symbols=700.HK%2CAAPL.US&days=5');
  });
});
