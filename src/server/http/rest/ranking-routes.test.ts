/**
 * Rankings, sector rankings and sector lines over REST, pinned to answers computed here from the
 * raw trades (sessions, half days and holidays written out by hand) and to the server's own
 * `/daily` and `/intraday` answers: ties by byte order, days without trades, a half day, a window
 * across the Christmas holidays, live updates, errors and limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Trade } from '../../../model/trade.js';
import { SecurityDirectory } from '../../../service/rankings/security-directory.js';
import { signedHeaders, startTestServer, storeTrades, testCredential, trade, type TestServer } from '../../server-test-kit.js';

type Json = Record<string, any>;

/** Generous limits: the test asks many questions in a row. */
const user = testCredential({ rateLimits: { 24: { limit: 100_000, burst: 100_000 } } });
const usOnly = testCredential({ appKey: 'us-only', appSecret: 'us-secret', accessToken: 'us-token', markets: ['US'] });
const limited = testCredential({ appKey: 'limited', appSecret: 'l-secret', accessToken: 'l-token', rateLimits: { 24: { limit: 1, burst: 0 } } });

const HK = '+08:00';
/** [symbol, local time, price, volume, side] — HK full days trade 09:30–12:00 and 13:00–16:00, half days 09:30–12:00. */
const RAW: Array<[string, string, string, number, 'up' | 'down']> = [
  ['9.HK', '2024-12-20T10:00:00', '5.5', 1000, 'up'],
  ['700.HK', '2024-12-23T10:00:00', '300', 1000, 'up'],
  ['700.HK', '2024-12-24T10:30:00', '301.5', 200, 'down'],
  ['700.HK', '2024-12-24T14:00:00', '302', 100, 'up'], // after the half day's close: in no line
  ['700.HK', '2024-12-25T10:00:00', '300', 100, 'up'], // Christmas: not a trading day
  ['700.HK', '2024-12-27T10:00:00', '299.9', 1000, 'up'],
  ['700.HK', '2024-12-30T11:00:00', '300.1', 500, 'down'],
  ['700.HK', '2024-12-31T10:00:00', '301', 300, 'up'],
  ['700.HK', '2024-12-31T11:59:00', '300.5', 800, 'down'],
  ['5.HK', '2024-12-31T10:00:00', '60.05', 20000, 'down'],
];
// 1234.HK and 85.HK trade alike (a tie), not at all on 12-24 and 12-27.
for (const symbol of ['85.HK', '1234.HK']) {
  RAW.push([symbol, '2024-12-23T10:05:00', '10.02', 5000, 'up'], [symbol, '2024-12-30T10:05:00', '9.99', 1000, 'down'], [symbol, '2024-12-31T10:05:00', '10', 100, 'up']);
}
const TRADES: Trade[] = RAW.map(([symbol, time, price, volume, side], index) => trade(symbol, `${time}${HK}`, price, volume, side, { tradeId: `t${index}` }));

const HALF_DAYS = new Set(['2024-12-24', '2024-12-31']);
const TRADING_DAYS = ['2024-12-19', '2024-12-20', '2024-12-23', '2024-12-24', '2024-12-27', '2024-12-30', '2024-12-31'];

/** Whether a trade counts: a trading day, inside its sessions (written out here, not taken from src/calendar). */
function counted(date: string, time: string): boolean {
  if (!TRADING_DAYS.includes(date)) return false;
  const minutes = Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const morning = minutes >= 570 && minutes < 720;
  return HALF_DAYS.has(date) ? morning : morning || (minutes >= 780 && minutes < 960);
}

/** Price text × volume in thousandths. */
function turnover(price: string, volume: number): bigint {
  const [whole, fraction = ''] = price.split('.');
  return BigInt(whole! + fraction.padEnd(3, '0')) * BigInt(volume);
}

/** Net (or main force: turnover ≥ HKD 220,000, longport's large tier) per symbol over `dates`, from the raw trades. */
function expected(dates: readonly string[], mainForce = false): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const [symbol, local, price, volume, side] of RAW) {
    const [date, time] = local.split('T') as [string, string];
    if (!dates.includes(date)) continue;
    const amount = turnover(price, volume);
    // A traded symbol is ranked even when its trades count nowhere (they are stored trades of the window).
    const signed = !counted(date, time) || (mainForce && amount < 220_000_000n) ? 0n : side === 'up' ? amount : -amount;
    sums.set(symbol, (sums.get(symbol) ?? 0n) + signed);
  }
  return sums;
}

function text(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  return `${sign}${abs / 1000n}.${String(abs % 1000n).padStart(3, '0')}`;
}

/** Expected order: value descending (or ascending), ties by symbol in byte order. */
function ranked(sums: Map<string, bigint>, order: 'desc' | 'asc' = 'desc'): Array<[string, string]> {
  const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  return [...sums]
    .sort(([a, x], [b, y]) => (x === y ? byBytes(a, b) : (order === 'desc' ? x > y : x < y) ? -1 : 1))
    .map(([symbol, value]) => [symbol, text(value)]);
}

describe('rankings over REST', () => {
  let t: TestServer;
  const directory = new SecurityDirectory([
    { symbol: '700.HK', name: 'Tencent', sector: 'Tech' },
    { symbol: '1234.HK', name: 'One Two', sector: 'Tech' },
    { symbol: '85.HK', name: 'Eighty-Five', sector: 'Retail' },
    { symbol: '5.HK', name: 'HSBC', sector: 'Finance' },
    { symbol: '11.HK', name: 'Hang Seng Bank', sector: 'Finance' },
    { symbol: '2.HK', name: 'CLP', sector: 'Utilities' },
  ]);

  before(async () => {
    t = await startTestServer({
      credentials: [user, usOnly, limited],
      trades: TRADES,
      clock: { kind: 'fixed', at: Date.parse(`2024-12-31T16:30:00${HK}`) },
      server: { rest: { securities: directory } },
    });
  });
  after(() => t.stop());

  async function get(path: string, query: Record<string, string>, credential = user): Promise<{ status: number; body: Json }> {
    const search = new URLSearchParams(query).toString();
    const response = await fetch(`${t.httpUrl}${path}?${search}`, { headers: signedHeaders(credential, 'GET', path, search) });
    return { status: response.status, body: (await response.json()) as Json };
  }
  const rankings = async (query: Record<string, string>) => {
    const answer = await get('/api/v1/capital-flow/rankings', { market: 'HK', ...query });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.data as Json;
  };
  const pairs = (data: Json): Array<[string, string]> => data.items.map((item: Json) => [item.symbol, item.value]);

  it('five days across the Christmas holidays, with a half day and days without trades', async () => {
    const window = ['2024-12-23', '2024-12-24', '2024-12-27', '2024-12-30', '2024-12-31'];
    const data = await rankings({ days: '5' });
    assert.equal(data.date, '2024-12-31');
    assert.deepEqual(data.dates, window);
    assert.equal(data.total, 4);
    assert.deepEqual(pairs(data), ranked(expected(window)));
    // The tie: 1234.HK right before 85.HK (byte order of the text, not the number), same value.
    const tie = data.items.findIndex((item: Json) => item.symbol === '1234.HK');
    assert.equal(data.items[tie + 1].symbol, '85.HK');
    assert.equal(data.items[tie + 1].value, data.items[tie].value);
    assert.deepEqual(pairs(data), [
      ['700.HK', '239450.000'],
      ['1234.HK', '41110.000'],
      ['85.HK', '41110.000'],
      ['5.HK', '-1201000.000'],
    ]);
    assert.deepEqual([data.items[0].name, data.items[0].sector], [directory.infoOf(data.items[0].symbol)!.name, directory.infoOf(data.items[0].symbol)!.sector]);
  });

  it('each value is the exact sum of the symbol\'s /daily values', async () => {
    for (const days of ['1', '3', '5', '10']) {
      for (const by of ['net', 'main_force'] as const) {
        for (const convention of by === 'net' ? ['longport'] : ['longport', 'eastmoney', 'futu']) {
          const data = await rankings({ days, by, convention, limit: '500' });
          for (const item of data.items as Json[]) {
            const daily = await get('/api/v1/capital-flow/daily', {
              symbol: item.symbol,
              from: data.dates[0],
              to: data.date,
              ...(by === 'net' ? {} : { convention }),
            });
            let sum = 0n;
            for (const day of daily.body.data.days as Json[]) sum += BigInt((by === 'net' ? day.inflow : day.mainForceNet).replace('.', ''));
            assert.equal(item.value, text(sum), `${item.symbol} days=${days} by=${by} ${convention}`);
          }
        }
      }
    }
  });

  it('main force (longport) against the raw trades; the last day alone; a past date', async () => {
    const window = ['2024-12-23', '2024-12-24', '2024-12-27', '2024-12-30', '2024-12-31'];
    assert.deepEqual(pairs(await rankings({ days: '5', by: 'main_force' })), ranked(expected(window, true)));
    assert.deepEqual(pairs(await rankings({})), ranked(expected(['2024-12-31'])));
    const past = await rankings({ date: '2024-12-27', days: '3' });
    assert.deepEqual(past.dates, ['2024-12-23', '2024-12-24', '2024-12-27']);
    assert.deepEqual(pairs(past), ranked(expected(past.dates)));
    // A window of ten reaches 9.HK's only day.
    const ten = await rankings({ days: '10' });
    assert.ok(ten.items.some((item: Json) => item.symbol === '9.HK'));
    assert.equal(ten.dates.length, 10);
  });

  it('order, limit, offset and a sector filter', async () => {
    const window = ['2024-12-23', '2024-12-24', '2024-12-27', '2024-12-30', '2024-12-31'];
    const all = ranked(expected(window), 'asc');
    const asc = await rankings({ days: '5', order: 'asc' });
    assert.deepEqual(pairs(asc), all);
    const page = await rankings({ days: '5', order: 'asc', limit: '2', offset: '1' });
    assert.deepEqual(pairs(page), all.slice(1, 3));
    assert.deepEqual(page.items.map((item: Json) => item.rank), [2, 3]);
    assert.equal(page.total, 4);
    const tech = await rankings({ days: '5', sector: 'Tech' });
    assert.deepEqual(
      tech.items.map((item: Json) => item.symbol),
      ranked(expected(window)).map(([symbol]) => symbol).filter((symbol) => symbol === '700.HK' || symbol === '1234.HK'),
    );
    assert.equal(tech.total, 2);
  });

  it('sectors: exact sums of their members, a sector without trades left out', async () => {
    const window = ['2024-12-23', '2024-12-24', '2024-12-27', '2024-12-30', '2024-12-31'];
    const sums = expected(window);
    const answer = await get('/api/v1/capital-flow/sectors', { market: 'HK', days: '5' });
    assert.equal(answer.status, 200);
    const bySector = new Map<string, bigint>([
      ['Tech', sums.get('700.HK')! + sums.get('1234.HK')!],
      ['Retail', sums.get('85.HK')!],
      ['Finance', sums.get('5.HK')!],
    ]);
    assert.deepEqual(
      answer.body.data.items.map((item: Json) => [item.sector, item.value, item.members]),
      ranked(bySector).map(([sector, value]) => [sector, value, sector === 'Tech' ? 2 : 1]),
    );
    // Utilities (2.HK) never traded: left out.
    assert.ok(!answer.body.data.items.some((item: Json) => item.sector === 'Utilities'));
  });

  it("a sector's lines are its members' /intraday lines added minute by minute", async () => {
    for (const date of ['2024-12-31', '2024-12-23']) {
      const answer = await get('/api/v1/capital-flow/sector', { market: 'HK', name: 'Tech', date });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const lines = answer.body.data.lines as Json[];
      const members = await Promise.all(['700.HK', '1234.HK'].map((symbol) => get('/api/v1/capital-flow/intraday', { symbol, date })));
      assert.equal(lines.length, members[0]!.body.data.lines.length);
      lines.forEach((line, index) => {
        const sum = members.reduce((total, member) => total + BigInt(member.body.data.lines[index].inflow.replace('.', '')), 0n);
        assert.equal(line.inflow, text(sum));
        assert.equal(line.timestamp, members[0]!.body.data.lines[index].timestamp);
      });
    }
    const none = await get('/api/v1/capital-flow/sector', { market: 'HK', name: 'tech' });
    assert.equal(none.status, 404);
  });

  it('kept current as trades arrive', async () => {
    await rankings({ days: '5' });
    await storeTrades(t.store, [trade('85.HK', `2024-12-31T11:00:00${HK}`, '10', 1000, 'up', { tradeId: 'late-1' })]);
    await t.flows.poll();
    const data = await rankings({ days: '5' });
    const window = ['2024-12-23', '2024-12-24', '2024-12-27', '2024-12-30', '2024-12-31'];
    const sums = expected(window);
    sums.set('85.HK', sums.get('85.HK')! + 10_000_000n);
    assert.deepEqual(pairs(data), ranked(sums));
  });

  it('errors: bad parameters 400, a market outside the credential 403, the rate limit 429', async () => {
    const path = '/api/v1/capital-flow/rankings';
    for (const query of [
      { market: 'XX' },
      {},
      { market: 'HK', by: 'gross' },
      { market: 'HK', days: '2' },
      { market: 'HK', date: '2024-12-25' },
      { market: 'HK', date: '2025-01-31' },
      { market: 'HK', date: '31/12/2024' },
      { market: 'HK', limit: '501' },
      { market: 'HK', limit: '0' },
      { market: 'HK', offset: '-1' },
      { market: 'HK', convention: 'nope' },
      { market: 'HK', order: 'up' },
    ]) {
      const answer = await get(path, query as Record<string, string>);
      assert.equal(answer.status, 400, JSON.stringify(query));
      assert.equal(answer.body.code, 301600);
      assert.ok(answer.body.message.length > 10);
    }
    const denied = await get(path, { market: 'HK' }, usOnly);
    assert.deepEqual([denied.status, denied.body.code], [403, 301604]);
    assert.equal((await get('/api/v1/capital-flow/sectors', { market: 'HK' }, usOnly)).status, 403);
    assert.equal((await get(path, { market: 'HK' }, limited)).status, 200);
    const refused = await get(path, { market: 'HK' }, limited);
    assert.deepEqual([refused.status, refused.body.code], [429, 301606]);
  });
});
