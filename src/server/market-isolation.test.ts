import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedHeaders, startTestServer, testCredential, trade, type TestServer } from './server-test-kit.js';

/**
 * One symbol's impossible trade must not break another symbol's answers. These rows are stored
 * the way capflow stored them before inputs checked the trade time range (the store is written
 * directly), and the server is started over them, as after a restart.
 */
describe('a bad symbol-day stays with its symbol', () => {
  const credential = testCredential();
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [credential],
      clock: { kind: 'feed' },
      trades: [
        trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'),
        trade('9988.HK', '2024-06-14T09:31:05+08:00', '80', 500, 'down'),
        trade('5.HK', '2024-06-14T09:30:05+08:00', '60', 100, 'up'),
        trade('5.HK', '9999-12-31T23:59:59.999Z', '1', 1, 'up'), // its local day is in year 10000
        trade('5.HK', '2099-06-15T09:30:00+08:00', '1', 1, 'up'),
      ],
    });
  });
  after(() => t.stop());

  const intraday = async (symbol: string): Promise<{ status: number; body: { code: number; data?: { date: string; lines: { inflow: string }[] } } }> => {
    const query = `symbol=${symbol}`;
    const response = await fetch(`${t.httpUrl}/api/v1/capital-flow/intraday?${query}`, {
      headers: signedHeaders(credential, 'GET', '/api/v1/capital-flow/intraday', query),
    });
    return { status: response.status, body: (await response.json()) as { code: number; data?: { date: string; lines: { inflow: string }[] } } };
  };

  it('every other symbol of the market answers its day normally', async () => {
    const tencent = await intraday('700.HK');
    assert.equal(tencent.status, 200, JSON.stringify(tencent.body));
    assert.equal(tencent.body.data?.date, '2024-06-14');
    assert.equal(tencent.body.data?.lines.at(-1)?.inflow, '320200.000');
    const alibaba = await intraday('9988.HK');
    assert.equal(alibaba.status, 200, JSON.stringify(alibaba.body));
    assert.equal(alibaba.body.data?.lines.at(-1)?.inflow, '-40000.000');
  });

  it('the symbol holding the bad rows answers its served day from its good trades', async () => {
    const hsbc = await intraday('5.HK');
    assert.equal(hsbc.status, 200, JSON.stringify(hsbc.body));
    assert.equal(hsbc.body.data?.date, '2024-06-14');
    assert.equal(hsbc.body.data?.lines.at(-1)?.inflow, '6000.000');
  });
});
