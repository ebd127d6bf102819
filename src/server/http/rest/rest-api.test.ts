import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedHeaders, startTestServer, storeTrades, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { Endpoint } from '../../../contract/endpoints.js';

// Served day 2024-06-14 (Fri) under a clock fixed at 09:33:20 HKT; 2024-06-13 is a past day;
// 2024-06-10 was a HK holiday (Tuen Ng). HK tiers: large >= 220,000, medium >= 44,000 HKD.
const TRADES = [
  trade('700.HK', '2024-06-13T10:00:00+08:00', '300', 1000, 'up'), // 300,000 in large
  trade('700.HK', '2024-06-13T10:05:00+08:00', '50', 1000, 'down'), // 50,000 out medium
  trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'), // 320,200 in large
  trade('700.HK', '2024-06-14T09:31:10+08:00', '320', 500, 'down'), // 160,000 out medium
  trade('700.HK', '2024-06-14T09:32:30+08:00', '10.5', 100, 'up'), // 1,050 in small
  trade('700.HK', '2024-06-14T09:40:00+08:00', '10', 100, 'up'), // after now: invisible
  trade('600000.SH', '2024-06-14T10:00:00+08:00', '7', 100, 'up'),
];

const user = testCredential();
const hkOnly = testCredential({ appKey: 'hk-only', accessToken: 'hk-token', markets: ['HK'] });
const limited = testCredential({ appKey: 'limited', accessToken: 'limited-token', rateLimits: { 24: { limit: 1, burst: 1 } } });

const ANONYMOUS = 'anonymous';

interface Answer {
  status: number;
  body: { code: number; message: string; data: any };
}

/** A signed GET, or an unsigned one with `ANONYMOUS`. */
async function get(t: TestServer, path: string, query: string, credential: typeof user | typeof ANONYMOUS = user): Promise<Answer> {
  const headers = credential === ANONYMOUS ? {} : signedHeaders(credential, 'GET', path, query);
  const response = await fetch(`${t.httpUrl}${path}${query ? `?${query}` : ''}`, { headers });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

describe('REST API', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [user, hkOnly, limited],
      trades: TRADES,
      securities: ['9988.HK'],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:33:20+08:00') },
    });
  });
  after(() => t.stop());

  it('answers the served day as command 24 does, with exchange-local times', async () => {
    const { status, body } = await get(t, Endpoint.intraday.path, 'symbol=00700.hk');
    assert.equal(status, 200);
    assert.equal(body.code, 0);
    assert.deepEqual(
      { ...body.data, lines: undefined },
      {
        symbol: '700.HK',
        market: 'HK',
        currency: 'HKD',
        timeZone: 'Asia/Hong_Kong',
        date: '2024-06-14',
        totalLines: 331,
        sessions: [
          { start: '09:30', end: '12:00' },
          { start: '13:00', end: '16:00' },
        ],
        lines: undefined,
      },
    );
    assert.deepEqual(body.data.lines, [
      { timestamp: Date.parse('2024-06-14T09:30:00+08:00') / 1000, time: '2024-06-14T09:30:00+08:00', inflow: '320200.000' },
      { timestamp: Date.parse('2024-06-14T09:31:00+08:00') / 1000, time: '2024-06-14T09:31:00+08:00', inflow: '160200.000' },
      { timestamp: Date.parse('2024-06-14T09:32:00+08:00') / 1000, time: '2024-06-14T09:32:00+08:00', inflow: '161250.000' },
      { timestamp: Date.parse('2024-06-14T09:33:00+08:00') / 1000, time: '2024-06-14T09:33:00+08:00', inflow: '161250.000' },
    ]);
  });

  it('adds cumulative inflow and outflow by tier with detail=1', async () => {
    const { body } = await get(t, Endpoint.intraday.path, 'symbol=700.HK&detail=1');
    assert.deepEqual(body.data.lines[2], {
      timestamp: Date.parse('2024-06-14T09:32:00+08:00') / 1000,
      time: '2024-06-14T09:32:00+08:00',
      inflow: '161250.000',
      in: { large: '320200.000', medium: '0.000', small: '1050.000', total: '321250.000' },
      out: { large: '0.000', medium: '160000.000', small: '0.000', total: '160000.000' },
    });
  });

  it('gives a past day whole, and refuses non-trading and future dates', async () => {
    const past = await get(t, Endpoint.intraday.path, 'symbol=700.HK&date=2024-06-13');
    assert.equal(past.body.data.date, '2024-06-13');
    assert.equal(past.body.data.lines.length, 331);
    assert.equal(past.body.data.lines[30].inflow, '300000.000'); // 10:00
    assert.equal(past.body.data.lines.at(-1).inflow, '250000.000');
    const holiday = await get(t, Endpoint.intraday.path, 'symbol=700.HK&date=2024-06-10');
    assert.deepEqual([holiday.status, holiday.body.code], [400, 301600]);
    assert.match(holiday.body.message, /2024-06-10 is not a HK trading day/);
    const future = await get(t, Endpoint.intraday.path, 'symbol=700.HK&date=2024-06-17');
    assert.deepEqual([future.status, future.body.code], [400, 301600]);
    const malformed = await get(t, Endpoint.intraday.path, 'symbol=700.HK&date=2024-6-1');
    assert.deepEqual([malformed.status, malformed.body.code], [400, 301600]);
  });

  it('lists net inflow per trading day over a range, zeros on days without trades', async () => {
    const { body } = await get(t, Endpoint.daily.path, 'symbol=700.HK&from=2024-06-07&to=2024-06-20');
    assert.equal(body.data.to, '2024-06-14'); // capped at the served day
    const zeros = { large: '0.000', medium: '0.000', small: '0.000', total: '0.000' };
    assert.deepEqual(body.data.days, [
      { date: '2024-06-07', inflow: '0.000', in: zeros, out: zeros, complete: true },
      { date: '2024-06-11', inflow: '0.000', in: zeros, out: zeros, complete: true },
      { date: '2024-06-12', inflow: '0.000', in: zeros, out: zeros, complete: true },
      {
        date: '2024-06-13',
        inflow: '250000.000',
        in: { large: '300000.000', medium: '0.000', small: '0.000', total: '300000.000' },
        out: { large: '0.000', medium: '50000.000', small: '0.000', total: '50000.000' },
        complete: true,
      },
      {
        date: '2024-06-14',
        inflow: '161250.000',
        in: { large: '320200.000', medium: '0.000', small: '1050.000', total: '321250.000' },
        out: { large: '0.000', medium: '160000.000', small: '0.000', total: '160000.000' },
        complete: false,
      },
    ]);
    const tooLong = await get(t, Endpoint.daily.path, 'symbol=700.HK&from=2023-01-01&to=2024-06-14');
    assert.deepEqual([tooLong.status, tooLong.body.code], [400, 301600]);
  });

  it('picks up trades that arrive later for a completed day (its cached totals are replaced)', async () => {
    await get(t, Endpoint.daily.path, 'symbol=700.HK&from=2024-06-13&to=2024-06-13');
    await storeTrades(t.store, [trade('700.HK', '2024-06-13T11:00:00+08:00', '1', 1000, 'up')]);
    await t.flows.poll();
    const { body } = await get(t, Endpoint.daily.path, 'symbol=700.HK&from=2024-06-13&to=2024-06-13');
    assert.equal(body.data.days[0].inflow, '251000.000');
    const day = await get(t, Endpoint.intraday.path, 'symbol=700.HK&date=2024-06-13');
    assert.equal(day.body.data.lines.at(-1).inflow, '251000.000');
  });

  it('answers the distribution of the served or a past day', async () => {
    const { body } = await get(t, Endpoint.distribution.path, 'symbol=700.HK');
    assert.deepEqual(body.data, {
      symbol: '700.HK',
      market: 'HK',
      currency: 'HKD',
      timeZone: 'Asia/Hong_Kong',
      date: '2024-06-14',
      timestamp: Date.parse('2024-06-14T09:32:30+08:00') / 1000,
      time: '2024-06-14T09:32:30+08:00',
      capitalIn: { large: '320200.000', medium: '0.000', small: '1050.000' },
      capitalOut: { large: '0.000', medium: '160000.000', small: '0.000' },
    });
    const past = await get(t, Endpoint.distribution.path, 'symbol=700.HK&date=2024-06-13');
    assert.deepEqual(past.body.data.capitalOut, { large: '0.000', medium: '50000.000', small: '0.000' });
  });

  it('lists the symbols the caller may see', async () => {
    const all = await get(t, Endpoint.symbols.path, '');
    assert.deepEqual(all.body.data, {
      markets: ['HK', 'US', 'CN', 'SG'],
      symbols: [
        { symbol: '600000.SH', market: 'CN', currency: 'CNY', hasData: true, lastDate: '2024-06-14' },
        { symbol: '700.HK', market: 'HK', currency: 'HKD', hasData: true, lastDate: '2024-06-14' },
        { symbol: '9988.HK', market: 'HK', currency: 'HKD', hasData: false, lastDate: null },
      ],
    });
    const hk = await get(t, Endpoint.symbols.path, '', hkOnly);
    assert.deepEqual(
      hk.body.data.symbols.map((entry: { symbol: string }) => entry.symbol),
      ['700.HK', '9988.HK'],
    );
  });

  it('maps every failure to its status and code, checked in command 24\'s order', async () => {
    const cases: [string, typeof user | typeof ANONYMOUS, number, number][] = [
      ['symbol=700', user, 400, 301600],
      ['', user, 400, 301600],
      ['symbol=600000.SH', hkOnly, 403, 301604],
      ['symbol=NOPE.SH', hkOnly, 403, 301604], // no permission: learns nothing about existence
      ['symbol=NOPE.US', user, 404, 301600],
      ['symbol=9988.HK', user, 404, 301603],
      ['symbol=700.HK', ANONYMOUS, 401, 401001],
    ];
    for (const [query, credential, status, code] of cases) {
      const answer = await get(t, Endpoint.intraday.path, query, credential);
      assert.deepEqual([answer.status, answer.body.code, query], [status, code, query]);
    }
    const tampered = await fetch(`${t.httpUrl}${Endpoint.intraday.path}?symbol=600000.SH`, {
      headers: signedHeaders(user, 'GET', Endpoint.intraday.path, 'symbol=700.HK'),
    });
    assert.deepEqual([tampered.status, ((await tampered.json()) as { code: number }).code], [401, 401003]);
  });

  it('takes rate-limit tokens from the bucket of the command each call mirrors', async () => {
    // limit 1, burst 1: 2 × 1 + 1 = three tokens for command 24, shared by intraday and daily.
    assert.equal((await get(t, Endpoint.intraday.path, 'symbol=700.HK', limited)).status, 200);
    assert.equal((await get(t, Endpoint.daily.path, 'symbol=700.HK', limited)).status, 200);
    assert.equal((await get(t, Endpoint.intraday.path, 'symbol=700.HK', limited)).status, 200);
    const refused = await get(t, Endpoint.intraday.path, 'symbol=700.HK', limited);
    assert.deepEqual([refused.status, refused.body.code], [429, 301606]);
    // The rate limit is checked before the symbol: even a malformed one is refused as over the limit.
    assert.equal((await get(t, Endpoint.intraday.path, 'symbol=bad', limited)).body.code, 301606);
    assert.equal((await get(t, Endpoint.distribution.path, 'symbol=700.HK', limited)).status, 200); // command 25's own bucket
  });
});

describe('REST API as a public dashboard (publicCredential)', () => {
  const viewer = testCredential({ appKey: 'viewer', accessToken: 'viewer-token', markets: ['HK'] });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [user, viewer],
      trades: TRADES,
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:33:20+08:00') },
      server: { publicCredential: 'viewer' },
    });
  });
  after(() => t.stop());

  it('serves unsigned requests as the public credential, within its markets', async () => {
    const hk = await get(t, Endpoint.intraday.path, 'symbol=700.HK', ANONYMOUS);
    assert.deepEqual([hk.status, hk.body.data.lines.length], [200, 4]);
    const cn = await get(t, Endpoint.intraday.path, 'symbol=600000.SH', ANONYMOUS);
    assert.deepEqual([cn.status, cn.body.code], [403, 301604]);
    const symbols = await get(t, Endpoint.symbols.path, '', ANONYMOUS);
    assert.deepEqual(symbols.body.data.markets, ['HK']);
  });

  it('still verifies signed requests as their own credential', async () => {
    const cn = await get(t, Endpoint.intraday.path, 'symbol=600000.SH', user);
    assert.equal(cn.status, 200);
    const wrongSecret = await get(t, Endpoint.intraday.path, 'symbol=700.HK', { ...user, appSecret: 'wrong' });
    assert.deepEqual([wrongSecret.status, wrongSecret.body.code], [401, 401003]);
  });
});
