import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedHeaders, startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { Endpoint } from '../../../contract/endpoints.js';

// 600000.SH: two reference days with turnovers 10,000 … 100,000 (price 10 × 1,000·k shares), then
// the served day 2024-06-05 (clock fixed after the close). Futu cut-offs over the 10 reference
// turnovers by nearest rank: 90th = 90,000, 70th = 70,000, 45th = 50,000 (strictly above).
const REFERENCE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) =>
  trade('600000.SH', `2024-06-0${k <= 5 ? 3 : 4}T10:0${k % 5}:00+08:00`, '10', 1000 * k, k % 2 === 0 ? 'up' : 'down'),
);
// turnover                                   longport   eastmoney          futu (90k/70k/50k)
const SERVED = [
  trade('600000.SH', '2024-06-05T09:30:10+08:00', '10', 20_000, 'up'), //     200,000 large    large (money)      superLarge
  trade('600000.SH', '2024-06-05T09:30:40+08:00', '10', 8_000, 'down'), //     80,000 medium   medium             large
  trade('600000.SH', '2024-06-05T09:31:20+08:00', '5', 12_000, 'up'), //       60,000 medium   medium             medium
  trade('600000.SH', '2024-06-05T09:31:50+08:00', '2', 25_000, 'down'), //     50,000 medium   medium (shares)    small (not above)
  trade('600000.SH', '2024-06-05T09:32:05+08:00', '100', 12_000, 'up'), // 1,200,000 large    superLarge (money) superLarge
  trade('600000.SH', '2024-06-05T10:00:00+08:00', '1', 150_000, 'down'), //  150,000 medium   large (shares)     superLarge
  trade('600000.SH', '2024-06-05T10:01:00+08:00', '3', 1_000, 'up'), //        3,000 small    small              small
];
// History: one trade a day on chosen dates of 000001.SZ (CN: Jan 1 is a holiday; 2023 is outside
// the calendar data, so its weekdays all trade).
const HISTORY = [
  trade('000001.SZ', '2023-12-29T10:00:00+08:00', '10', 1000, 'up'), //      +10,000 small (week of Dec 25)
  trade('000001.SZ', '2024-01-02T10:00:00+08:00', '20', 1000, 'down'), //    −20,000 small (week of Jan 1)
  trade('000001.SZ', '2024-01-05T10:00:00+08:00', '30', 1000, 'up'), //      +30,000 small (week of Jan 1)
  trade('000001.SZ', '2024-01-08T10:00:00+08:00', '50', 1000, 'up'), //      +50,000 medium (week of Jan 8)
  trade('000001.SZ', '2024-03-29T10:00:00+08:00', '4', 1000, 'down'), //      −4,000 small (Q1)
  trade('000001.SZ', '2024-04-01T10:00:00+08:00', '250', 1000, 'up'), //    +250,000 large (Q2)
  trade('000001.SZ', '2024-06-05T10:00:00+08:00', '1', 100, 'up'), //            +100 small (the served day)
];
const NOW = Date.parse('2024-06-05T15:30:00+08:00');

const user = testCredential();
const hkOnly = testCredential({ appKey: 'hk-only', accessToken: 'hk-token', markets: ['HK'] });
const limited = testCredential({ appKey: 'limited', accessToken: 'limited-token', rateLimits: { 24: { limit: 1, burst: 2 } } });

interface Answer {
  status: number;
  body: { code: number; message: string; data: any };
}

async function get(t: TestServer, path: string, query: string, credential = user): Promise<Answer> {
  const response = await fetch(`${t.httpUrl}${path}?${query}`, { headers: signedHeaders(credential, 'GET', path, query) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const localSeconds = (iso: string): number => Date.parse(iso) / 1000;

describe('size tiers and main force over REST', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [user, hkOnly, limited], trades: [...REFERENCE, ...SERVED, ...HISTORY], clock: { kind: 'fixed', at: NOW } });
  });
  after(() => t.stop());

  it('longport: 3 tiers with the CN thresholds, main force = large, lines cumulative and equal to command 24', async () => {
    const { status, body } = await get(t, Endpoint.tiers.path, 'symbol=600000.SH&convention=longport');
    assert.equal(status, 200, JSON.stringify(body));
    const data = body.data;
    assert.deepEqual([data.convention, data.tiers, data.mainForce, data.date, data.totalLines], ['longport', ['large', 'medium', 'small'], ['large'], '2024-06-05', 241]);
    assert.deepEqual(data.day.in, { large: '1400000.000', medium: '60000.000', small: '3000.000' });
    assert.deepEqual(data.day.out, { large: '0.000', medium: '280000.000', small: '0.000' });
    assert.deepEqual([data.day.inflow, data.day.mainForceNet, data.day.mainForceShare], ['1183000.000', '1400000.000', '80.32']); // 1.4M / 1.743M
    const first = data.lines[0];
    assert.deepEqual([first.timestamp, first.time], [localSeconds('2024-06-05T09:30:00+08:00'), '2024-06-05T09:30:00+08:00']);
    assert.deepEqual([first.inflow, first.net.large, first.net.medium, first.mainForceShare], ['120000.000', '200000.000', '-80000.000', '71.43']); // 200k / 280k
    assert.deepEqual([data.lines[1].inflow, data.lines[1].minute.inflow, data.lines[1].minute.net.medium], ['130000.000', '10000.000', '10000.000']);
    const intraday = await get(t, Endpoint.intraday.path, 'symbol=600000.SH');
    assert.deepEqual(
      data.lines.map((line: { inflow: string }) => line.inflow),
      intraday.body.data.lines.map((line: { inflow: string }) => line.inflow),
    );
  });

  it('eastmoney: super-large by money, large by shares, main force = super-large + large', async () => {
    const { body } = await get(t, Endpoint.tiers.path, 'symbol=600000.SH&convention=eastmoney');
    const day = body.data.day;
    assert.deepEqual(body.data.mainForce, ['superLarge', 'large']);
    assert.deepEqual(day.in, { superLarge: '1200000.000', large: '200000.000', medium: '60000.000', small: '3000.000' });
    assert.deepEqual(day.out, { superLarge: '0.000', large: '150000.000', medium: '130000.000', small: '0.000' });
    assert.deepEqual([day.mainForceNet, day.mainForceShare, day.inflow], ['1250000.000', '71.72', '1183000.000']);
    assert.equal(body.data.percentiles, undefined);
  });

  it('futu: per-security percentile cut-offs from the trailing stored days, shown with the answer', async () => {
    const { body } = await get(t, Endpoint.tiers.path, 'symbol=600000.SH&convention=futu');
    const data = body.data;
    assert.deepEqual(data.percentiles, {
      dates: ['2024-06-03', '2024-06-04'],
      trades: 10,
      cutoffs: { superLarge: '90000', large: '70000', medium: '50000' },
      days: 20,
    });
    assert.deepEqual(data.day.in, { superLarge: '1400000.000', large: '0.000', medium: '60000.000', small: '3000.000' });
    assert.deepEqual(data.day.out, { superLarge: '150000.000', large: '80000.000', medium: '0.000', small: '50000.000' });
    assert.deepEqual([data.day.mainForceNet, data.day.mainForceShare], ['1170000.000', '67.13']);
    assert.equal(data.lines[0].minute.mainForceNet, '120000.000'); // 200,000 super in − 80,000 large out
    assert.equal(data.lines[2].mainForceNet, '1320000.000'); // cumulative after 09:32

    // days=1: only 2024-06-04 (60k … 100k): 90th = 100,000, 70th = 90,000, 45th = 80,000.
    const one = await get(t, Endpoint.tiers.path, 'symbol=600000.SH&convention=futu&days=1');
    assert.deepEqual(one.body.data.percentiles.cutoffs, { superLarge: '100000', large: '90000', medium: '80000' });
    assert.deepEqual(one.body.data.day.out, { superLarge: '150000.000', large: '0.000', medium: '0.000', small: '130000.000' });
  });

  it('the distribution and daily endpoints take a convention too', async () => {
    const distribution = await get(t, Endpoint.distribution.path, 'symbol=600000.SH&convention=eastmoney');
    assert.deepEqual(distribution.body.data.capitalIn, { superLarge: '1200000.000', large: '200000.000', medium: '60000.000', small: '3000.000' });
    assert.deepEqual([distribution.body.data.timestamp, distribution.body.data.time], [localSeconds('2024-06-05T10:01:00+08:00'), '2024-06-05T10:01:00+08:00']);
    const plain = await get(t, Endpoint.distribution.path, 'symbol=600000.SH');
    assert.deepEqual(plain.body.data.capitalIn, { large: '1400000.000', medium: '60000.000', small: '3000.000' });

    const daily = await get(t, Endpoint.daily.path, 'symbol=600000.SH&from=2024-06-03&to=2024-06-05&convention=eastmoney');
    assert.equal(daily.status, 200, JSON.stringify(daily.body));
    const days = daily.body.data.days;
    assert.deepEqual(
      days.map((day: any) => [day.date, day.timestamp, day.time, day.inflow, day.complete]),
      [
        ['2024-06-03', localSeconds('2024-06-03T00:00:00+08:00'), '2024-06-03T00:00:00+08:00', '-30000.000', true], // −10k +20k −30k +40k −50k
        ['2024-06-04', localSeconds('2024-06-04T00:00:00+08:00'), '2024-06-04T00:00:00+08:00', '80000.000', true], // +60k −70k +80k −90k +100k
        ['2024-06-05', localSeconds('2024-06-05T00:00:00+08:00'), '2024-06-05T00:00:00+08:00', '1183000.000', true],
      ],
    );
  });

  it('refuses an unknown convention or days outside 1…250 with 400/301600', async () => {
    for (const query of ['symbol=600000.SH&convention=ths', 'symbol=600000.SH&convention=futu&days=0', 'symbol=600000.SH&convention=futu&days=251']) {
      const { status, body } = await get(t, Endpoint.tiers.path, query);
      assert.deepEqual([status, body.code], [400, 301600], query);
    }
  });
});

describe('history by period over REST', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [user], trades: HISTORY, clock: { kind: 'fixed', at: NOW } });
  });
  after(() => t.stop());

  const history = async (query: string) => {
    const { status, body } = await get(t, Endpoint.history.path, `symbol=000001.SZ&${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body.data;
  };
  const withTrades = (periods: any[]) => periods.filter((period) => period.inflow !== '0.000');

  it('weeks are ISO weeks starting on Monday, labelled by their start with epoch seconds and local ISO', async () => {
    const data = await history('period=week&from=2023-12-25&to=2024-01-12');
    assert.deepEqual(
      data.periods.map((p: any) => [p.period, p.timestamp, p.time, p.periodEnd, p.from, p.to, p.tradingDays, p.inflow]),
      [
        ['2023-12-25', localSeconds('2023-12-25T00:00:00+08:00'), '2023-12-25T00:00:00+08:00', '2023-12-31', '2023-12-25', '2023-12-29', 5, '10000.000'],
        ['2024-01-01', localSeconds('2024-01-01T00:00:00+08:00'), '2024-01-01T00:00:00+08:00', '2024-01-07', '2024-01-02', '2024-01-05', 4, '10000.000'],
        ['2024-01-08', localSeconds('2024-01-08T00:00:00+08:00'), '2024-01-08T00:00:00+08:00', '2024-01-14', '2024-01-08', '2024-01-12', 5, '50000.000'],
      ],
    );
    assert.deepEqual(data.periods[1].net, { large: '0.000', medium: '0.000', small: '10000.000' });
  });

  it('months, quarters and years add up the days inside their calendar boundaries', async () => {
    const months = await history('period=month&from=2023-12-01&to=2024-06-05');
    assert.deepEqual(
      months.periods.map((p: any) => [p.period, p.inflow]),
      [
        ['2023-12-01', '10000.000'],
        ['2024-01-01', '60000.000'],
        ['2024-02-01', '0.000'],
        ['2024-03-01', '-4000.000'],
        ['2024-04-01', '250000.000'],
        ['2024-05-01', '0.000'],
        ['2024-06-01', '100.000'],
      ],
    );
    assert.equal(months.periods[1].periodEnd, '2024-01-31');
    assert.equal(months.periods[2].periodEnd, '2024-02-29');
    const quarters = await history('period=quarter&from=2023-10-01&to=2024-06-05');
    assert.deepEqual(
      quarters.periods.map((p: any) => [p.period, p.periodEnd, p.inflow, p.net.small, p.net.medium, p.mainForceNet]),
      [
        ['2023-10-01', '2023-12-31', '10000.000', '10000.000', '0.000', '0.000'],
        ['2024-01-01', '2024-03-31', '56000.000', '6000.000', '50000.000', '0.000'],
        ['2024-04-01', '2024-06-30', '250100.000', '100.000', '0.000', '250000.000'],
      ],
    );
    assert.equal(quarters.periods[2].mainForceShare, '99.96'); // 250,000 / 250,100
    const years = await history('period=year&from=2023-01-01&to=2024-06-05');
    assert.deepEqual(
      years.periods.map((p: any) => [p.period, p.time, p.inflow, p.complete]),
      [
        ['2023-01-01', '2023-01-01T00:00:00+08:00', '10000.000', true],
        ['2024-01-01', '2024-01-01T00:00:00+08:00', '306100.000', true],
      ],
    );
    assert.deepEqual([years.from, years.to, years.convention], ['2023-01-01', '2024-06-05', 'longport']);
  });

  it('takes a convention, and is the sum of the daily answers', async () => {
    const quarters = await history('period=quarter&from=2024-01-01&to=2024-03-31&convention=eastmoney');
    assert.deepEqual(quarters.periods[0].net, { superLarge: '0.000', large: '0.000', medium: '50000.000', small: '6000.000' });
    const days = await history('period=day&from=2024-01-01&to=2024-03-31');
    assert.deepEqual(
      withTrades(days.periods).map((p: any) => [p.period, p.inflow]),
      [
        ['2024-01-02', '-20000.000'],
        ['2024-01-05', '30000.000'],
        ['2024-01-08', '50000.000'],
        ['2024-03-29', '-4000.000'],
      ],
    );
  });

  it('refuses a bad period, from after to, and more than ten years', async () => {
    for (const query of ['period=fortnight', 'period=day&from=2024-06-01&to=2024-05-01', 'period=year&from=2010-01-01']) {
      const { status, body } = await get(t, Endpoint.history.path, `symbol=000001.SZ&${query}`);
      assert.deepEqual([status, body.code], [400, 301600], query);
    }
  });
});

describe('batch over REST', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [user, hkOnly, limited], trades: [...SERVED, ...HISTORY], securities: ['9988.HK'], clock: { kind: 'fixed', at: NOW } });
  });
  after(() => t.stop());

  it('answers many symbols in one call, each exactly as its single call', async () => {
    const { status, body } = await get(t, Endpoint.batch.path, 'symbols=600000.SH,000001.sz');
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual([body.data.kind, body.data.symbolLimit, body.data.results.length], ['intraday', 50, 2]);
    const single = await get(t, Endpoint.intraday.path, 'symbol=000001.SZ');
    assert.deepEqual(body.data.results[1], { symbol: '000001.SZ', code: 0, data: single.body.data });
    assert.equal(body.data.results[0].data.lines.at(-1).inflow, '1183000.000');

    const distribution = await get(t, Endpoint.batch.path, 'symbols=600000.SH&kind=distribution');
    assert.deepEqual(distribution.body.data.results[0].data.capitalOut, { large: '0.000', medium: '280000.000', small: '0.000' });
  });

  it('reports each symbol failure inline with its code while the others succeed', async () => {
    const { body } = await get(t, Endpoint.batch.path, 'symbols=600000.SH,700.HK,NOPE,9988.HK,ZZZZ.SH', hkOnly);
    assert.deepEqual(
      body.data.results.map((r: any) => [r.symbol, r.code, r.httpStatus]),
      [
        ['600000.SH', 301604, 403],
        ['700.HK', 301600, 404],
        ['NOPE', 301600, 400],
        ['9988.HK', 301603, 404],
        ['ZZZZ.SH', 301604, 403],
      ],
    );
  });

  it('takes one token of the mirrored command per symbol: the bucket empties inside a batch and stays shared', async () => {
    // limit 1/s, burst 2: 2 × 2 + 1 = five tokens.
    const { body } = await get(t, Endpoint.batch.path, 'symbols=600000.SH,000001.SZ,600000.SH,000001.SZ,600000.SH,000001.SZ', limited);
    assert.deepEqual(
      body.data.results.map((r: any) => r.code),
      [0, 0, 0, 0, 0, 301606],
    );
    const single = await get(t, Endpoint.intraday.path, 'symbol=600000.SH', limited);
    assert.deepEqual([single.status, single.body.code], [429, 301606]);
  });

  it('refuses no symbols, more than 50, or an unknown kind as a whole', async () => {
    const fiftyOne = Array.from({ length: 51 }, (_, k) => `${600000 + k}.SH`).join(',');
    for (const query of ['symbols=', `symbols=${fiftyOne}`, 'symbols=600000.SH&kind=candles']) {
      const { status, body } = await get(t, Endpoint.batch.path, query);
      assert.deepEqual([status, body.code], [400, 301600], query.slice(0, 40));
    }
  });
});
