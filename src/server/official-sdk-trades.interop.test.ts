/**
 * Acceptance: the official `longport` SDK (3.0.18, native) queries and subscribes to capflow's
 * trade tape — `trades(symbol, count)` (command 17), `subscribe([…], [SubType.Trade], isFirstPush)`
 * (command 6) with `setOnTrades` (push 104), `unsubscribe` (command 7) — pointed at capflow only
 * through its URL settings.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
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

/**
 * Contexts that subscribe, in longport3-sdk-child.js: a context with `setOnTrades` keeps its
 * process alive for good, so those live in a child this test ends.
 */
class SubscribingContexts {
  private readonly child: ChildProcess;
  private next = 1;
  private readonly replies = new Map<number, (reply: { ok: boolean; message?: string }) => void>();
  private readonly pushed = new Map<string, SdkTrade[]>();

  constructor() {
    this.child = spawn(process.execPath, [fileURLToPath(new URL('./longport3-sdk-child.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const message = JSON.parse(line) as { reply?: number; ok: boolean; message?: string; event?: string; context?: string; symbol?: string; trades?: SdkTrade[] };
      if (message.reply !== undefined) this.replies.get(message.reply)?.(message);
      else if (message.event === 'push') {
        const key = `${message.context} ${message.symbol}`;
        this.pushed.set(key, [...(this.pushed.get(key) ?? []), ...message.trades!]);
      } else assert.fail(`SDK callback error: ${line}`);
    });
  }

  /** Runs a command; rejects with the SDK's error message. */
  call(command: Record<string, unknown>): Promise<void> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, (reply) => (reply.ok ? resolve() : reject(new Error(reply.message))));
      this.child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`);
    });
  }

  /** Waits until `count` trades of `symbol` were pushed to `context`; all of them. */
  async until(context: string, symbol: string, count: number, timeoutMs = 10_000): Promise<SdkTrade[]> {
    const deadline = Date.now() + timeoutMs;
    const key = `${context} ${symbol}`;
    while ((this.pushed.get(key)?.length ?? 0) < count) {
      if (Date.now() > deadline) assert.fail(`${key}: ${this.pushed.get(key)?.length ?? 0} of ${count} trades pushed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.pushed.get(key)!;
  }

  pushedTo(context: string, symbol: string): SdkTrade[] | undefined {
    return this.pushed.get(`${context} ${symbol}`);
  }

  async end(): Promise<void> {
    this.child.stdin!.write(`${JSON.stringify({ id: 0, op: 'exit' })}\n`);
    if (this.child.exitCode === null) await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

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

  let contexts: SubscribingContexts;
  let opened = 0;
  /** A new SDK context in the child; its name. */
  const open = async (credential: Credential = full): Promise<string> => {
    const name = `ctx-${++opened}`;
    const config = { appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, httpUrl: t.httpUrl, quoteWsUrl: t.wsUrl };
    await contexts.call({ op: 'open', context: name, config });
    return name;
  };
  const subscribe = (context: string, symbols: string[], isFirstPush = false, subType = 'Trade') => contexts.call({ op: 'subscribe', context, symbols, isFirstPush, subType });
  const unsubscribe = (context: string, symbols: string[]) => contexts.call({ op: 'unsubscribe', context, symbols });

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
    contexts = new SubscribingContexts();
  });
  after(async () => {
    await contexts?.end();
    await t.stop();
  });

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
    // (Refused subscriptions register no callback: this context needs no child process.)
    const quote = await attempt(ctx.subscribe(['700.HK'], [QUOTE], false));
    assert.deepEqual([quote.status, quote.code], [3, 301600]);
    assert.match(quote.message, /capflow serves trades only/);
    const limited = await contextFor(usOnly);
    assert.deepEqual(await codes(limited.trades('700.HK', 5)), { status: 7, code: 301604 });
    assert.deepEqual(await codes(limited.subscribe(['700.HK'], [TRADE], false)), { status: 7, code: 301604 });
  });

  it('setOnTrades gets every trade accepted after subscribe, exactly once and in order, across batches and symbols', async () => {
    const context = await open();
    await subscribe(context, ['1101.HK', '1102.HK']);
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
    assert.deepEqual(await contexts.until(context, '1101.HK', 750), expected['1101.HK']);
    assert.deepEqual(await contexts.until(context, '1102.HK', 750), expected['1102.HK']);
    // Nothing more arrives (no trade twice).
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(contexts.pushedTo(context, '1101.HK')!.length, 750);
  });

  it('isFirstPush sends the served day’s latest trades at once, then only new ones', async () => {
    const context = await open();
    await subscribe(context, ['1201.HK'], true);
    assert.deepEqual(await contexts.until(context, '1201.HK', HK_TAPE.length), HK_TAPE);
    // Subscribing again changes nothing: no second first push.
    await subscribe(context, ['1201.HK'], true);
    await ingestInTurn(t, [[trade('1201.HK', '2024-06-14T10:05:00+08:00', '330.0', 100)]]);
    await contexts.until(context, '1201.HK', HK_TAPE.length + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = contexts.pushedTo(context, '1201.HK');
    // 330.0 after the day's last print (330.0, an up move): zero tick → up.
    assert.deepEqual(all, [...HK_TAPE, sdkTrade('330.0', 100, '2024-06-14T10:05:00+08:00', 2)]);
  });

  it('unsubscribe stops the pushes of that symbol only', async () => {
    const context = await open();
    await subscribe(context, ['1103.HK', '1104.HK']);
    await unsubscribe(context, ['1103.HK']);
    await ingestInTurn(t, [[trade('1103.HK', '2024-06-14T10:00:00+08:00', '10.0', 100, 'up'), trade('1104.HK', '2024-06-14T10:00:00+08:00', '20.0', 100, 'up')]]);
    assert.deepEqual(await contexts.until(context, '1104.HK', 1), [sdkTrade('20.0', 100, '2024-06-14T10:00:00+08:00', 2)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(contexts.pushedTo(context, '1103.HK'), undefined);
  });

  it('a credential holds at most its subscribe_limit symbols across its connections (3/301607)', async () => {
    const one = await open(small);
    const two = await open(small);
    await subscribe(one, ['1101.HK']);
    await assert.rejects(subscribe(two, ['1102.HK', '1103.HK']), (error) => {
      assert.deepEqual(wireError(error), { status: 3, code: 301607 });
      return true;
    });
    await subscribe(two, ['1102.HK']);
    // Subscribing again to a held symbol takes no further slot.
    await subscribe(one, ['1101.HK']);
    await unsubscribe(one, ['1101.HK']);
    await subscribe(two, ['1105.HK']);
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
