import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RestClient } from '../../../client/rest-client.js';
import { CapflowClientError } from '../../../client/client-error.js';
import { BusinessCode } from '../../../protocol/codes/error-codes.js';
import type { Trade } from '../../../model/trade.js';
import { startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';

const user = testCredential({ rateLimits: { 24: { limit: 10_000, burst: 10_000 } } });
const DAY = '2024-06-14';
const at = (time: string): string => `${DAY}T${time}+08:00`;

/** A deterministic pseudo-random HK day: sides from the feed, quotes, the tick rule, auction and off-exchange prints, lunch and grace trades. */
function dayOfTrades(): Trade[] {
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const trades: Trade[] = [];
  const times = ['09:30', '09:31', '09:32', '10:15', '12:30', '13:00', '15:59', '16:00', '16:05'];
  for (const minute of times) {
    for (let i = 0; i < 12; i++) {
      const tenths = 3190 + next(20);
      const price = `${Math.floor(tenths / 10)}.${tenths % 10}`;
      const second = String(next(60)).padStart(2, '0');
      const kind = next(6);
      const direction = kind === 0 ? 'up' : kind === 1 ? 'down' : '';
      const tenthsText = (value: number): string => `${Math.floor(value / 10)}.${value % 10}`;
      // Off the midpoint, so the quote test decides: nearer the ask is a buy, nearer the bid a sell.
      const quotes = kind === 2 ? (next(2) === 0 ? { bid: tenthsText(tenths - 1), ask: tenthsText(tenths + 3) } : { bid: tenthsText(tenths - 3), ask: tenthsText(tenths + 1) }) : {};
      const base = trade('700.HK', at(`${minute}:${second}.${String(i).padStart(3, '0')}`), price, 100 * (1 + next(40)), direction, quotes);
      trades.push(kind === 3 ? { ...base, tradeType: 'U' } : kind === 4 && i % 2 === 0 ? { ...base, tradeType: 'M' } : base);
    }
  }
  return trades.sort((a, b) => a.timestamp - b.timestamp);
}

describe('GET /api/v1/capital-flow/minute-trades', () => {
  let t: TestServer;
  let client: RestClient;

  before(async () => {
    t = await startTestServer({
      credentials: [user],
      trades: [
        ...dayOfTrades(),
        trade('700.HK', '2024-06-17T09:30:05+08:00', '320.0', 1000, 'up'),
        trade('700.HK', '2024-06-17T09:30:20+08:00', '320.2', 500),
        trade('700.HK', '2024-06-17T09:31:10+08:00', '320.1', 300, '', { bid: '320.1', ask: '320.3' }),
        { ...trade('700.HK', '2024-06-17T09:32:05+08:00', '320.3', 200, 'up'), classification: 'order-sequence' },
      ],
      clock: { kind: 'fixed', at: Date.parse('2024-06-17T09:32:30+08:00') },
    });
    client = new RestClient({ httpUrl: t.httpUrl, credential: user });
  });
  after(() => t.stop());

  it('names each trade\'s side and rule (hand-checked served day)', async () => {
    const first = await client.minuteTrades({ symbol: '700.HK', minute: '09:30' });
    assert.deepEqual(
      first.trades.map((one) => [one.price, one.volume, one.turnover, one.side, one.rule]),
      [
        ['320.0', 1000, '320000.0', 'buy', 'feed'],
        ['320.2', 500, '160100.0', 'buy', 'tick'],
      ],
    );
    assert.deepEqual([first.previousInflow, first.inflow, first.change, first.sums.net], ['0.000', '480100.000', '480100.000', '480100.000']);
    const second = await client.minuteTrades({ symbol: '700.HK', minute: '09:31' });
    assert.deepEqual(second.trades.map((one) => [one.side, one.rule, one.method]), [['sell', 'quote', 'lee-ready']]);
    assert.deepEqual([second.previousInflow, second.inflow, second.change, second.sums.outflow], ['480100.000', '384070.000', '-96030.000', '96030.000']);
    const third = await client.minuteTrades({ symbol: '700.HK', minute: '09:32' });
    assert.deepEqual(third.trades.map((one) => [one.side, one.rule]), [['buy', 'order-sequence']]);
  });

  it('every minute\'s trades add up to its line\'s change (a generated day)', async () => {
    const day = await client.intraday({ symbol: '700.HK', date: DAY });
    let counted = 0;
    const rules = new Set<string>();
    for (const [index, line] of day.lines.entries()) {
      const minute = line.time.slice(11, 16);
      const answer = await client.minuteTrades({ symbol: '700.HK', date: DAY, minute, limit: 1000 });
      assert.equal(answer.inflow, line.inflow, minute);
      assert.equal(answer.previousInflow, index === 0 ? '0.000' : day.lines[index - 1]!.inflow, minute);
      assert.equal(answer.sums.net, answer.change, minute);
      assert.equal(answer.trades.length, answer.sums.trades);
      counted += answer.sums.trades;
      for (const one of answer.trades) rules.add(`${one.rule} ${one.side}`);
    }
    // Every trade inside the lines' windows but the off-exchange (M) prints: 09:30–12:00, 13:00–16:00 and the grace window.
    const inLines = dayOfTrades().filter((one) => !one.tradeType?.includes('M') && !new Date(one.timestamp).toISOString().startsWith(`${DAY}T04:30`));
    assert.equal(counted, inLines.length);
    const grace = await client.minuteTrades({ symbol: '700.HK', date: DAY, minute: '16:00', limit: 1000 });
    assert.ok(grace.trades.some((one) => one.rule === 'neutral-window' && one.side === 'neutral' && one.time.startsWith(`${DAY}T16:05`)));
    assert.deepEqual([...rules].sort(), ['auction neutral', 'feed buy', 'feed sell', 'neutral-window neutral', 'quote buy', 'quote sell', 'tick buy', 'tick neutral', 'tick sell']); // tick neutral: the first trade, before any price change
    // A minute of the closing-auction window is the closing line's.
    assert.deepEqual(await client.minuteTrades({ symbol: '700.HK', date: DAY, minute: '16:05', limit: 1000 }), grace);
    const truncated = await client.minuteTrades({ symbol: '700.HK', date: DAY, minute: '16:00', limit: 2 });
    assert.deepEqual([truncated.trades.length, truncated.truncated, truncated.sums], [2, true, grace.sums]);
  });

  it('refuses a minute without a line, a malformed minute or limit, and a line not started', async () => {
    const refusal = async (query: Parameters<RestClient['minuteTrades']>[0]): Promise<[number | undefined, number | undefined]> => {
      const error = await client.minuteTrades(query).then(
        () => assert.fail('answered'),
        (failure: unknown) => failure as CapflowClientError,
      );
      return [error.httpStatus, error.code];
    };
    assert.deepEqual(await refusal({ symbol: '700.HK', date: DAY, minute: '12:30' }), [400, BusinessCode.InvalidRequest]);
    assert.deepEqual(await refusal({ symbol: '700.HK', date: DAY, minute: '9:30' }), [400, BusinessCode.InvalidRequest]);
    assert.deepEqual(await refusal({ symbol: '700.HK', date: DAY, minute: '09:30', limit: 0 }), [400, BusinessCode.InvalidRequest]);
    assert.deepEqual(await refusal({ symbol: '700.HK', minute: '10:00' }), [400, BusinessCode.InvalidRequest]);
    assert.deepEqual(await refusal({ symbol: 'NOPE.HK', minute: '10:00' }), [404, BusinessCode.InvalidRequest]);
  });
});
