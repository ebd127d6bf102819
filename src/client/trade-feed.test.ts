/**
 * The client's trade API against a real server: `trades`, subscriptions and their pushes with
 * capflow's sequences (positions in the symbol-day's acceptance order), `tradesAfter` (command
 * 220) from the kept window and from the store, sequences across a server restart, reconnects
 * that restore subscriptions, and subscriptions ending with their connection.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startCapflowServer, type RunningServer } from '../server/capflow-server.js';
import { storeTrades, testCredential, trade } from '../server/server-test-kit.js';
import { waitFor } from '../server/socket/transport/transport-test-kit.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock } from '../service/market-clock.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import type { Trade as ModelTrade } from '../model/trade.js';
import { Config, QuoteContext, SubType, type ConnectionEvent, type PushTradesEvent } from './index.js';

const credential = testCredential({ appKey: 'feed-key', appSecret: 'feed-secret', accessToken: 'feed-token' });

/** A server over a data directory that can be stopped and started again on the same ports. */
async function serverOn(dir: string, ports?: { http: number; tcp: number }) {
  const store = await SqliteFlowStore.open(dir);
  const clock = new MarketClock({ kind: 'fixed', at: Date.parse('2024-06-14T17:00:00+08:00') });
  const flows = await FlowService.open({ store, clock, securities: ['1.HK', '2.HK', '3.HK'], pollIntervalMs: 20 });
  const server: RunningServer = await startCapflowServer({ store, flows, clock, credentials: [credential], port: ports?.http ?? 0, tcpPort: ports?.tcp ?? 0 });
  return {
    store,
    flows,
    server,
    ports: { http: server.httpPort, tcp: server.tcpPort! },
    ingest: async (trades: readonly ModelTrade[]) => {
      await storeTrades(store, trades);
      await flows.poll();
    },
    stop: async () => {
      await server.stop();
      await store.close();
    },
  };
}

const config = (port: number) =>
  new Config({
    appKey: credential.appKey,
    appSecret: credential.appSecret,
    accessToken: credential.accessToken,
    httpUrl: `http://127.0.0.1:${port}`,
    quoteWsUrl: `ws://127.0.0.1:${port}/v2`,
    reconnectDelayMs: 20,
    maxReconnectDelayMs: 200,
  });

/** The n-th trade of a symbol's test day: a second apart from 10:00, prices cycling. */
const nth = (symbol: string, n: number, side = 'up') =>
  trade(symbol, new Date(Date.parse('2024-06-14T10:00:00+08:00') + n * 1000).toISOString(), `${10 + (n % 5)}.${n % 10}`, 100 + n, side);

/** Every trade pushed to a context, with its sequence worked out from the push's. */
function collect(ctx: QuoteContext) {
  const seen: { symbol: string; sequence: number; price: string; volume: number }[] = [];
  ctx.setOnTrades((error, event: PushTradesEvent) => {
    assert.equal(error, null);
    event.data.trades.forEach((one, index) =>
      seen.push({ symbol: event.symbol, sequence: event.data.sequence - event.data.trades.length + 1 + index, price: one.price.toString(), volume: one.volume }),
    );
  });
  return seen;
}

describe('capflow client: trades and trade subscriptions', () => {
  const dirs: string[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-trade-feed-'));
    dirs.push(dir);
    return dir;
  };

  it('numbers pushed trades by their position in the symbol-day, and the numbers survive a restart', async () => {
    const dir = freshDir();
    let one = await serverOn(dir);
    await one.ingest([1, 2, 3].map((n) => nth('1.HK', n)));
    const ctx = await QuoteContext.new(config(one.ports.http));
    cleanup.push(() => ctx.close());
    const seen = collect(ctx);
    const events: ConnectionEvent[] = [];
    ctx.setOnConnectionEvent((event) => events.push(event));
    await ctx.subscribe(['1.HK'], [SubType.Trade], true);
    await waitFor(() => seen.length === 3);
    await one.ingest([4, 5].map((n) => nth('1.HK', n)));
    await waitFor(() => seen.length === 5);
    assert.deepEqual(seen.map((s) => s.sequence), [1, 2, 3, 4, 5]);
    assert.deepEqual((await ctx.subscriptions()).map((s) => [s.symbol, s.subTypes]), [['1.HK', [SubType.Trade]]]);

    // Restart on the same data: the client reconnects, restores the subscription (no first push)
    // and the numbering goes on from the stored trades.
    const ports = one.ports;
    await one.stop();
    one = await serverOn(dir, ports);
    cleanup.push(() => one.stop());
    await waitFor(() => events.some((event) => event.type === 'resubscribed'), 10_000);
    await one.ingest([6, 7].map((n) => nth('1.HK', n)));
    await waitFor(() => seen.length === 7, 5_000);
    assert.deepEqual(seen.map((s) => s.sequence), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(seen.map((s) => s.volume), [101, 102, 103, 104, 105, 106, 107]);
    const resubscribed = events.find((event) => event.type === 'resubscribed');
    assert.deepEqual(resubscribed, { type: 'resubscribed', tradeSymbols: ['1.HK'] });
  });

  it('tradesAfter answers exact ranges, from the kept window and from the store', async () => {
    const one = await serverOn(freshDir());
    cleanup.push(() => one.stop());
    // 1,500 trades: more than the tape keeps (1,000), so early ranges are replayed from the store.
    const all = Array.from({ length: 1500 }, (_, i) => nth('2.HK', i + 1, ['up', 'down', ''][i % 3]));
    await one.ingest(all.slice(0, 700));
    await one.ingest(all.slice(700));
    const ctx = await QuoteContext.new(config(one.ports.http));
    cleanup.push(() => ctx.close());
    const early = await ctx.tradesAfter('2.HK', { afterSequence: 10, count: 5 });
    assert.equal(early.tradeDay, '20240614');
    assert.equal(early.firstSequence, 11);
    assert.equal(early.dayTrades, 1500);
    assert.deepEqual(
      early.trades.map((one) => one.volume),
      [111, 112, 113, 114, 115],
    );
    const late = await ctx.tradesAfter('2.HK', { afterSequence: 1495, count: 100 });
    assert.deepEqual(late.trades.map((one) => one.volume), [1596, 1597, 1598, 1599, 1600]);
    // The same trades through command 17 and through the store replay agree field for field.
    const latest = await ctx.trades('2.HK', 1000);
    const replayed = await ctx.tradesAfter('2.HK', { afterSequence: 500, count: 1000 });
    assert.deepEqual(replayed.trades.map((one) => one.toJSON()), latest.map((one) => one.toJSON()));
    const nothing = await ctx.tradesAfter('2.HK', { afterSequence: 1500, count: 10 });
    assert.deepEqual([nothing.trades.length, nothing.firstSequence, nothing.dayTrades], [0, 1501, 1500]);
  });

  it('subscriptions end with their connection, releasing the credential’s slots', async () => {
    const one = await serverOn(freshDir());
    cleanup.push(() => one.stop());
    const ctx = await QuoteContext.new(config(one.ports.http));
    await ctx.subscribe(['1.HK', '2.HK', '3.HK'], [SubType.Trade]);
    assert.equal(one.server.trades.subscriptions.subscriptionCount(credential.appKey), 3);
    await ctx.unsubscribe(['3.HK'], [SubType.Trade]);
    assert.equal(one.server.trades.subscriptions.subscriptionCount(credential.appKey), 2);
    assert.deepEqual((await ctx.subscriptions()).map((s) => s.symbol), ['1.HK', '2.HK']);
    await ctx.close();
    await waitFor(() => one.server.trades.subscriptions.subscriptionCount(credential.appKey) === 0);
    assert.deepEqual(one.server.trades.tape.followedSymbols(), []);
  });
});
