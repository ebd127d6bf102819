/**
 * Acceptance: the official `longport` SDK (3.0.18, native) queries and subscribes to capflow's
 * trade tape — `trades(symbol, count)` (command 17), `subscribe([…], [SubType.Trade], isFirstPush)`
 * (command 6) with `setOnTrades` (push 104), `unsubscribe` (command 7) — pointed at capflow only
 * through its URL settings.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { ingestFile } from '../ingest/index.js';
import { SAMPLE_FILE } from '../cli/serve-command.js';
import type { Trade } from '../model/trade.js';
import type { Credential } from './auth/credential.js';
import { HK_DAY, HK_TAPE, ingestInTurn, SAMPLE_TAIL, sdkTrade, wireError, type SdkTrade } from './sdk-interop-test-kit.js';
import { startTestServer, testCredential, trade, type TestServer } from './server-test-kit.js';

type LongportModule = typeof import('longport');
type Context = InstanceType<LongportModule['QuoteContext']>;
const require = createRequire(import.meta.url);
const longport = require('longport') as LongportModule;
// The SDK's SubType is a const enum in its types: its runtime values, typed as the enum.
const runtimeSubType = (longport as unknown as { SubType: { Trade: number; Quote: number } }).SubType;
const TRADE = runtimeSubType.Trade as Parameters<Context['subscribe']>[1][number];
const QUOTE = runtimeSubType.Quote as Parameters<Context['subscribe']>[1][number];

const plain = (one: InstanceType<LongportModule['Trade']>): SdkTrade => ({
  price: one.price.toString(),
  volume: one.volume,
  timestamp: one.timestamp.getTime(),
  tradeType: one.tradeType,
  direction: one.direction,
  tradeSession: one.tradeSession,
});

/** HK_DAY under another symbol (each test watches its own). */
const hkDayOf = (symbol: string): Trade[] => HK_DAY.map((one) => ({ ...one, symbol }));

describe('official longport SDK (3.0.18): trades and trade subscriptions', () => {
  const full = testCredential({ appKey: 'trades-full', appSecret: 'trades-secret', accessToken: 'trades-token' });
  const usOnly = testCredential({ appKey: 'trades-us', appSecret: 'trades-secret-us', accessToken: 'trades-token-us', markets: ['US'] });
  const small = testCredential({ appKey: 'trades-small', appSecret: 'trades-secret-s', accessToken: 'trades-token-s', subscribeLimit: 2 });
  let t: TestServer;
  let ctx: Context;

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

  /** A context whose trade pushes are collected per symbol; `until(n)` waits for n trades of a symbol. */
  const listening = async (credential = full) => {
    const context = await contextFor(credential);
    const pushed = new Map<string, SdkTrade[]>();
    const waiters: (() => void)[] = [];
    context.setOnTrades((error, event) => {
      assert.equal(error, null);
      const list = pushed.get(event.symbol) ?? [];
      list.push(...event.data.trades.map(plain));
      pushed.set(event.symbol, list);
      for (const wake of waiters.splice(0)) wake();
    });
    const until = async (symbol: string, count: number, timeoutMs = 10_000): Promise<SdkTrade[]> => {
      const deadline = Date.now() + timeoutMs;
      while ((pushed.get(symbol)?.length ?? 0) < count) {
        const left = deadline - Date.now();
        if (left <= 0) assert.fail(`${symbol}: ${pushed.get(symbol)?.length ?? 0} of ${count} trades pushed`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.min(left, 200));
        });
      }
      return pushed.get(symbol)!;
    };
    return { context, pushed, until };
  };

  before(async () => {
    t = await startTestServer({
      credentials: [full, usOnly, small],
      securities: ['1101.HK', '1102.HK', '1103.HK', '1104.HK', '1105.HK', '1106.HK'],
      trades: [...HK_DAY, ...hkDayOf('1201.HK'), ...hkDayOf('1202.HK')],
      clock: { kind: 'feed' },
    });
    await ingestFile(t.store, SAMPLE_FILE);
    await t.flows.poll();
    ctx = await contextFor(full);
  });
  after(() => t.stop());

  it('trades(symbol, count) answers the latest trades of the served day, oldest first, with their sides', async () => {
    // The sample file's rows read from its text: exact prices, whole seconds, the feed's sides.
    assert.deepEqual((await ctx.trades('600000.SH', 1000)).map(plain), SAMPLE_TAIL.slice(-1000));
    assert.deepEqual((await ctx.trades('600000.SH', 1)).map(plain), SAMPLE_TAIL.slice(-1));
    // HK_DAY's sides by hand: the tick rule, the quote rule, auction prints and the closing-auction window.
    assert.deepEqual((await ctx.trades('700.HK', 1000)).map(plain), HK_TAPE);
    // A known symbol without trades has an empty tape.
    assert.deepEqual(await ctx.trades('1106.HK', 10), []);
  });

  it('each refusal reaches the SDK with the documented status and code', async () => {
    const attempt = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return { ...wireError(error), message: (error as Error).message };
      }
      assert.fail('expected an error');
    };
    const codes = async (promise: Promise<unknown>) => {
      const { status, code } = await attempt(promise);
      return { status, code };
    };
    assert.deepEqual(await codes(ctx.trades('700.HK', 0)), { status: 3, code: 301600 });
    assert.deepEqual(await codes(ctx.trades('700.HK', 1001)), { status: 3, code: 301600 });
    assert.deepEqual(await codes(ctx.trades('ZZZZ.US', 5)), { status: 7, code: 301600 });
    assert.deepEqual(await codes(ctx.trades('700.XX', 5)), { status: 3, code: 301600 });
    assert.deepEqual(await codes(ctx.subscribe(['ZZZZ.US'], [TRADE], false)), { status: 7, code: 301600 });
    assert.deepEqual(await codes(ctx.subscribe(['700.XX'], [TRADE], false)), { status: 3, code: 301600 });
    const quote = await attempt(ctx.subscribe(['700.HK'], [QUOTE], false));
    assert.deepEqual([quote.status, quote.code], [3, 301600]);
    assert.match(quote.message, /capflow serves trades only/);
    const limited = await contextFor(usOnly);
    assert.deepEqual(await codes(limited.trades('700.HK', 5)), { status: 7, code: 301604 });
    assert.deepEqual(await codes(limited.subscribe(['700.HK'], [TRADE], false)), { status: 7, code: 301604 });
  });

  it('setOnTrades gets every trade accepted after subscribe, exactly once and in order, across batches and symbols', async () => {
    const { context, until } = await listening();
    await context.subscribe(['1101.HK', '1102.HK'], [TRADE], false);
    // 1,500 trades over two symbols in 6 stored batches: pushes split at 500 trades, interleaved symbols.
    const groups: Trade[][] = [];
    const expected: Record<string, SdkTrade[]> = { '1101.HK': [], '1102.HK': [] };
    const ticks = new Map<string, { price: number; change: number }>();
    for (let batch = 0; batch < 6; batch++) {
      const group: Trade[] = [];
      for (let i = 0; i < 250; i++) {
        const symbol = i % 2 === 0 ? '1101.HK' : '1102.HK';
        const second = batch * 250 + i;
        const time = new Date(Date.parse('2024-06-14T10:00:00+08:00') + second * 1000).toISOString();
        const price = `${80 + (second % 7)}.${second % 10}5`;
        const side = ['up', 'down', ''][second % 3]!;
        group.push(trade(symbol, time, price, 100 + i, side));
        // No side: the tick rule over the symbol's previous price (equal: the last change's side).
        const tick = tickOf(ticks, symbol, Number(price));
        const direction = side === 'up' ? 2 : side === 'down' ? 1 : tick;
        expected[symbol]!.push(sdkTrade(price, 100 + i, time, direction));
      }
      groups.push(group);
    }
    await ingestInTurn(t, groups);
    assert.deepEqual(await until('1101.HK', 750), expected['1101.HK']);
    assert.deepEqual(await until('1102.HK', 750), expected['1102.HK']);
    // Nothing more arrives (no trade twice).
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await until('1101.HK', 750)).length, 750);
  });

  it('isFirstPush sends the served day’s latest trades at once, then only new ones', async () => {
    const { context, until } = await listening();
    await context.subscribe(['1201.HK'], [TRADE], true);
    assert.deepEqual(await until('1201.HK', HK_TAPE.length), HK_TAPE);
    // Subscribing again changes nothing: no second first push.
    await context.subscribe(['1201.HK'], [TRADE], true);
    await ingestInTurn(t, [[trade('1201.HK', '2024-06-14T10:05:00+08:00', '330.0', 100)]]);
    const all = await until('1201.HK', HK_TAPE.length + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 330.0 after the day's last print (330.0, an up move): zero tick → up.
    assert.deepEqual(all, [...HK_TAPE, sdkTrade('330.0', 100, '2024-06-14T10:05:00+08:00', 2)]);
  });

  it('unsubscribe stops the pushes of that symbol only', async () => {
    const { context, pushed, until } = await listening();
    await context.subscribe(['1103.HK', '1104.HK'], [TRADE], false);
    await context.unsubscribe(['1103.HK'], [TRADE]);
    await ingestInTurn(t, [[trade('1103.HK', '2024-06-14T10:00:00+08:00', '10.0', 100, 'up'), trade('1104.HK', '2024-06-14T10:00:00+08:00', '20.0', 100, 'up')]]);
    assert.deepEqual(await until('1104.HK', 1), [sdkTrade('20.0', 100, '2024-06-14T10:00:00+08:00', 2)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(pushed.get('1103.HK'), undefined);
  });

  it('a credential holds at most its subscribe_limit symbols across its connections (3/301607)', async () => {
    const one = await contextFor(small);
    const two = await contextFor(small);
    await one.subscribe(['1101.HK'], [TRADE], false);
    await assert.rejects(two.subscribe(['1102.HK', '1103.HK'], [TRADE], false), (error) => {
      assert.deepEqual(wireError(error), { status: 3, code: 301607 });
      return true;
    });
    await two.subscribe(['1102.HK'], [TRADE], false);
    // Subscribing again to a held symbol takes no further slot.
    await one.subscribe(['1101.HK'], [TRADE], false);
    await one.unsubscribe(['1101.HK'], [TRADE]);
    await two.subscribe(['1105.HK'], [TRADE], false);
  });
});

/**
 * The tick rule's side of a symbol's next price (2 up-tick, 1 down-tick, equal: the side of the
 * last change, 0 before any), moving the symbol's state on.
 */
function tickOf(state: Map<string, { price: number; change: number }>, symbol: string, price: number): number {
  const previous = state.get(symbol);
  const change = previous === undefined || price === previous.price ? (previous?.change ?? 0) : price > previous.price ? 2 : 1;
  state.set(symbol, { price, change });
  return change;
}
