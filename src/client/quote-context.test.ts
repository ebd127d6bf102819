/**
 * The capflow client SDK against a real capflow server: the protocol sequence, exact lines (the
 * same as the official SDK gets), errors, rate-limit pacing, reconnects and live subscriptions.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { CloseCode } from '../model/errors.js';
import type { Credential } from '../server/auth/credential.js';
import { InMemorySessionRegistry } from '../server/socket/session/session-registry.js';
import { startTestServer, storeTrades, testCredential, trade, type TestServer } from '../server/server-test-kit.js';
import { sleep, waitFor } from '../server/socket/transport/transport-test-kit.js';
import type { ClientRuntime } from './client-runtime.js';
import { CapflowClientError, Config, Decimal, QuoteContext, type CapitalFlowUpdate, type ConnectionEvent } from './index.js';
import { nodeRuntime } from './node-runtime.js';

type LongportModule = typeof import('longport');
const require = createRequire(import.meta.url);
const longport = require('longport') as LongportModule;

const HK = [
  trade('700.HK', '2024-06-14T09:30:00.000+08:00', '320.0', 1000), // first trade: neutral
  trade('700.HK', '2024-06-14T09:30:30+08:00', '320.2', 500), // up-tick: +160,100
  trade('700.HK', '2024-06-14T09:31:00+08:00', '320.2', 100), // zero tick after an up move: +32,020
  trade('700.HK', '2024-06-14T09:45:00+08:00', '319.8', 300, '', { bid: '319.8', ask: '320.0' }), // at the bid: -95,940
  trade('700.HK', '2024-06-14T10:00:00+08:00', '320.1', 200, '', { bid: '320.0', ask: '320.2' }), // midpoint, up-tick: +64,020
  trade('700.HK', '2024-06-14T16:09:00+08:00', '322.0', 100, 'down'), // closing auction with a side: -32,200
];
const US = [
  trade('AAPL.US', '2024-06-14T09:30:00.000-04:00', '212.05', 100, 'up'), // +21,205
  trade('AAPL.US', '2024-06-14T12:00:00-04:00', '211.9999', 3, 'sell'), // -635.9997
  trade('AAPL.US', '2024-06-14T15:59:59.999-04:00', '212.10', 10, 'up'), // +2,121
];
/** 09:30 local HK on 2024-06-14, Unix seconds. */
const HK_0930 = Date.parse('2024-06-14T09:30:00+08:00') / 1000;

function configFor(t: TestServer, credential: Credential, extra: Partial<ConstructorParameters<typeof Config>[0]> = {}): Config {
  return new Config({
    appKey: credential.appKey,
    appSecret: credential.appSecret,
    accessToken: credential.accessToken,
    httpUrl: t.httpUrl,
    quoteWsUrl: t.wsUrl,
    reconnectDelayMs: 20,
    ...extra,
  });
}

async function rejection(promise: Promise<unknown>): Promise<CapflowClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CapflowClientError, `not a CapflowClientError: ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

/** Line values as plain text pairs, for exact comparison. */
/**
 * Holds every `tradesOfDay` read of the server's store until `release`, so answering a symbol
 * whose day is not loaded yet waits; `restore` puts the store's own method back.
 */
function gateDayReads(t: TestServer): { release: () => void; restore: () => void } {
  // A day is read through `readDayColumns` (FlowService) or `tradesOfDay` (other readers).
  const store = t.store as unknown as Record<'tradesOfDay' | 'readDayColumns', (...args: unknown[]) => Promise<unknown>>;
  const originals = { tradesOfDay: store.tradesOfDay, readDayColumns: store.readDayColumns };
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  for (const name of ['tradesOfDay', 'readDayColumns'] as const) {
    const original = originals[name];
    store[name] = async (...args) => {
      await gate;
      return original.apply(t.store, args);
    };
  }
  return {
    release,
    restore: () => {
      store.tradesOfDay = originals.tradesOfDay;
      store.readDayColumns = originals.readDayColumns;
    },
  };
}

const plain = (lines: readonly { inflow: { toString(): string }; timestamp: Date }[]) =>
  lines.map((line) => [line.timestamp.getTime() / 1000, line.inflow.toString()] as const);

describe('capflow client SDK against a real server', () => {
  const full = testCredential({ appKey: 'cli-full', appSecret: 'cli-secret', accessToken: 'cli-token' });
  const usOnly = testCredential({ appKey: 'cli-us', appSecret: 's-us', accessToken: 't-us', markets: ['US'] });
  let t: TestServer;
  let ctx: QuoteContext;

  before(async () => {
    t = await startTestServer({ credentials: [full, usOnly], securities: ['NODATA.HK'], trades: [...HK, ...US] });
    ctx = await QuoteContext.new(configFor(t, full));
  });
  after(async () => {
    await ctx.close();
    await t.stop();
  });

  it('gets exactly the lines and distribution the official SDK gets for the same fixture', async () => {
    const official = await longport.QuoteContext.new(
      new longport.Config({
        appKey: full.appKey,
        appSecret: full.appSecret,
        accessToken: full.accessToken,
        httpUrl: t.httpUrl,
        quoteWsUrl: t.wsUrl,
        enablePrintQuotePackages: false,
      }),
    );
    for (const symbol of ['700.HK', 'AAPL.US']) {
      const ours = await ctx.capitalFlow(symbol);
      const theirs = await official.capitalFlow(symbol);
      assert.deepEqual(plain(ours), plain(theirs));
    }
    const hk = await ctx.capitalFlow('00700.hk');
    assert.equal(hk.length, 331);
    assert.ok(hk[0]!.inflow instanceof Decimal);
    assert.deepEqual(plain(hk.slice(0, 2)), [
      [HK_0930, '160100.000'],
      [HK_0930 + 60, '192120.000'],
    ]);
    // 160,100 + 32,020 - 95,940 + 64,020 - 32,200, in the 16:00 line and after.
    assert.equal(hk.at(-1)!.inflow.toString(), '128000.000');
    assert.equal(hk.at(-1)!.timestamp.toISOString(), '2024-06-14T08:00:00.000Z');
    const us = await ctx.capitalFlow('AAPL.US');
    assert.equal(us.at(-1)!.inflow.toString(), '22690.000'); // 21,205 - 635.9997 + 2,121, rounded at 3 places

    const ours = await ctx.capitalDistribution('700.HK');
    const theirs = await official.capitalDistribution('700.HK');
    assert.equal(ours.timestamp.getTime(), theirs.timestamp.getTime());
    for (const side of ['capitalIn', 'capitalOut'] as const) {
      for (const tier of ['large', 'medium', 'small'] as const) {
        assert.equal(ours[side][tier].toString(), theirs[side][tier].toString(), `${side}.${tier}`);
      }
    }
    assert.deepEqual([ours.capitalIn.large, ours.capitalIn.medium, ours.capitalIn.small].map(String), ['0.000', '224120.000', '32020.000']);
  });

  it('surfaces error answers with their status and code', async () => {
    const unknown = await rejection(ctx.capitalFlow('ZZZZ.US'));
    assert.deepEqual([unknown.kind, unknown.status, unknown.code], ['response', 7, 301600]);
    assert.match(unknown.message, /^response error: 7: code 301600: symbol not found: ZZZZ\.US/);
    const malformed = await rejection(ctx.capitalDistribution('700.XX'));
    assert.deepEqual([malformed.status, malformed.code], [3, 301600]);
    const noData = await rejection(ctx.capitalFlow('NODATA.HK'));
    assert.deepEqual([noData.status, noData.code], [7, 301603]);
    const limited = await QuoteContext.new(configFor(t, usOnly));
    try {
      const denied = await rejection(limited.capitalFlow('700.HK'));
      assert.deepEqual([denied.status, denied.code], [7, 301604]);
      assert.equal((await limited.capitalFlow('AAPL.US')).length, 390);
    } finally {
      await limited.close();
    }
  });

  it('fails QuoteContext.new with the token endpoint answer for a wrong secret', async () => {
    const error = await rejection(QuoteContext.new(configFor(t, { ...full, appSecret: 'wrong' })));
    assert.deepEqual([error.kind, error.httpStatus, error.code], ['http', 401, 401003]);
  });

  it('reads the LONGPORT_* environment variables like the official SDK', () => {
    const config = Config.fromEnv({
      LONGPORT_APP_KEY: 'k',
      LONGPORT_APP_SECRET: 's',
      LONGPORT_ACCESS_TOKEN: 't',
      LONGPORT_HTTP_URL: 'https://flow.example.com',
    });
    assert.deepEqual([config.appKey, config.appSecret, config.accessToken], ['k', 's', 't']);
    assert.equal(config.httpUrl, 'https://flow.example.com');
    assert.equal(config.quoteWsUrl, 'wss://flow.example.com/v2'); // derived when LONGPORT_QUOTE_WS_URL is unset
    assert.equal(Config.fromEnv({ LONGPORT_APP_KEY: 'k', LONGPORT_APP_SECRET: 's', LONGPORT_ACCESS_TOKEN: 't', LONGPORT_QUOTE_WS_URL: 'ws://h:1/v2' }).quoteWsUrl, 'ws://h:1/v2');
    assert.throws(() => Config.fromEnv({ LONGPORT_APP_KEY: 'k' }), /LONGPORT_APP_SECRET/);
  });

  it('keeps decimals exact', () => {
    const a = new Decimal('-24384680.860');
    assert.equal(a.toString(), '-24384680.860');
    assert.equal(a.add(new Decimal('0.001')).toString(), '-24384680.859');
    assert.equal(new Decimal('0.1').add(new Decimal('0.2')).toString(), '0.3');
    assert.ok(new Decimal('10.000').equals(new Decimal('10')));
    assert.ok(new Decimal('-0.001').lessThan(Decimal.ZERO()));
    assert.equal(new Decimal('1e-3').toString(), '0.001');
    assert.equal(new Decimal('192120.000').toNumber(), 192120);
  });
});

describe('client pacing by the advertised rate limits', () => {
  const paced = testCredential({ appKey: 'pace', appSecret: 's1', accessToken: 't1', rateLimits: { 24: { limit: 20, burst: 1 } } });
  const unpaced = testCredential({ appKey: 'nopace', appSecret: 's2', accessToken: 't2', rateLimits: { 24: { limit: 20, burst: 1 } } });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [paced, unpaced], trades: HK });
  });
  after(() => t.stop());

  it('sends 30 concurrent requests at 20/s (burst 1) and none is refused', async () => {
    const ctx = await QuoteContext.new(configFor(t, paced));
    try {
      const started = Date.now();
      const results = await Promise.allSettled(Array.from({ length: 30 }, () => ctx.capitalFlow('700.HK')));
      const elapsed = Date.now() - started;
      assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
      // 29 intervals of 50 ms after the first request.
      assert.ok(elapsed >= 1400, `paced requests took only ${elapsed} ms`);
    } finally {
      await ctx.close();
    }
  });

  it('without pacing the same burst is refused by the server with 3/301606', async () => {
    const ctx = await QuoteContext.new(configFor(t, unpaced, { enableRateLimit: false }));
    try {
      const results = await Promise.allSettled(Array.from({ length: 30 }, () => ctx.capitalFlow('700.HK')));
      const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as CapflowClientError);
      assert.ok(refused.length >= 5, `only ${refused.length} refused`);
      assert.ok(refused.every((error) => error.status === 3 && error.code === 301606));
    } finally {
      await ctx.close();
    }
  });
});

describe('client reconnects and live subscriptions', () => {
  const credential = testCredential({ appKey: 'live', appSecret: 'live-s', accessToken: 'live-t' });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [credential], trades: HK.slice(0, 2), server: { liveCoalesceMs: 20 } });
  });
  after(() => t.stop());

  const append = async (...trades: ReturnType<typeof trade>[]) => {
    await storeTrades(t.store, trades);
    await t.flows.poll();
  };

  /** Collects updates and connection events of one context. */
  async function liveContext(extra: Partial<ConstructorParameters<typeof Config>[0]> = {}) {
    const ctx = await QuoteContext.new(configFor(t, credential, extra));
    const updates: CapitalFlowUpdate[] = [];
    const events: ConnectionEvent[] = [];
    ctx.setOnConnectionEvent((event) => events.push(event));
    return { ctx, updates, events, onUpdate: (update: CapitalFlowUpdate) => void updates.push(update) };
  }

  const serverConnection = () => {
    const connections = t.server.gateway.connectionsOf(credential.appKey);
    assert.equal(connections.length, 1);
    return connections[0]!;
  };

  it('pushes each new or changed minute line after trades are stored, with hand-computed values', async () => {
    const { ctx, updates, onUpdate } = await liveContext();
    try {
      const initial = await ctx.subscribeCapitalFlow('0700.HK', onUpdate);
      assert.deepEqual(plain(initial), [[HK_0930, '160100.000']]); // feed clock at 09:30:30
      assert.deepEqual(ctx.subscribedSymbols(), ['700.HK']);

      await append(trade('700.HK', '2024-06-14T09:32:10+08:00', '320.4', 100)); // up-tick: +32,040
      await waitFor(() => updates.length === 1);
      assert.equal(updates[0]!.tradeDay, '20240614');
      assert.deepEqual(plain(updates[0]!.changed), [
        [HK_0930 + 60, '160100.000'],
        [HK_0930 + 120, '192140.000'],
      ]);

      // A late trade in 09:31 changes that line and every later one.
      await append(trade('700.HK', '2024-06-14T09:31:30+08:00', '320.0', 100, 'down')); // -32,000
      await waitFor(() => updates.length === 2);
      assert.deepEqual(plain(updates[1]!.changed), [
        [HK_0930 + 60, '128100.000'],
        [HK_0930 + 120, '160140.000'],
      ]);
      assert.deepEqual(plain(updates[1]!.lines), [
        [HK_0930, '160100.000'],
        [HK_0930 + 60, '128100.000'],
        [HK_0930 + 120, '160140.000'],
      ]);
      assert.deepEqual(plain(updates[1]!.lines), plain(await ctx.capitalFlow('700.HK')));

      await ctx.unsubscribeCapitalFlow('00700.HK');
      assert.deepEqual(ctx.subscribedSymbols(), []);
      await append(trade('700.HK', '2024-06-14T09:33:00+08:00', '320.5', 100, 'up'));
      await sleep(150);
      assert.equal(updates.length, 2);
    } finally {
      await ctx.close();
    }
  });

  it('resumes the same session after the server closes the socket and keeps its subscription', async () => {
    const { ctx, updates, events, onUpdate } = await liveContext();
    try {
      await ctx.subscribeCapitalFlow('700.HK', onUpdate);
      const sessionId = ctx.sessionId;
      assert.ok(sessionId);
      serverConnection().close(CloseCode.ServerError, 'test drop');
      await waitFor(() => events.some((event) => event.type === 'reconnected'));
      assert.deepEqual(events.find((event) => event.type === 'reconnected'), { type: 'reconnected', sessionId, resumed: true });
      assert.equal(ctx.sessionId, sessionId);
      await waitFor(() => t.server.live.subscriptionCount(credential.appKey) === 1);

      await append(trade('700.HK', '2024-06-14T09:34:00+08:00', '320.6', 100, 'up')); // +32,060 in 09:34
      await waitFor(() => updates.some((update) => update.changed.at(-1)!.timestamp.getTime() / 1000 === HK_0930 + 240));
      const last = updates.at(-1)!;
      assert.deepEqual(plain(last.lines), plain(await ctx.capitalFlow('700.HK')));
      assert.equal(last.lines.at(-1)!.inflow.toString(), '224250.000'); // 160,140 + 32,050 (09:33) + 32,060
    } finally {
      await ctx.close();
    }
  });

  it('reconnects after an abrupt drop and reports lines that moved while it was away', async () => {
    const { ctx, updates, events, onUpdate } = await liveContext({ reconnectDelayMs: 150 });
    try {
      await ctx.subscribeCapitalFlow('700.HK', onUpdate);
      const sessionId = ctx.sessionId;
      (serverConnection() as unknown as { abort(): void }).abort(); // no close push: the socket just dies
      await waitFor(() => events.some((event) => event.type === 'disconnected'));
      await append(trade('700.HK', '2024-06-14T09:35:00+08:00', '320.7', 100, 'up')); // +32,070 while away
      await waitFor(() => events.some((event) => event.type === 'reconnected'));
      assert.equal(ctx.sessionId, sessionId);
      await waitFor(() => updates.length > 0);
      assert.deepEqual(plain(updates.at(-1)!.changed), [[HK_0930 + 300, '256320.000']]);
    } finally {
      await ctx.close();
    }
  });

  it('falls back to a fresh token and auth when the session is gone, and re-subscribes', async () => {
    // The server's sessions live 24 h on a clock the test moves: the session expires without a wait.
    let clockOffsetMs = 0;
    const sessions = new InMemorySessionRegistry(24 * 3_600_000, () => Date.now() + clockOffsetMs);
    const short = await startTestServer({ credentials: [credential], trades: HK.slice(0, 2), server: { sessions, liveCoalesceMs: 20 } });
    const ctx = await QuoteContext.new(configFor(short, credential));
    const events: ConnectionEvent[] = [];
    ctx.setOnConnectionEvent((event) => events.push(event));
    try {
      await ctx.subscribeCapitalFlow('700.HK', () => {});
      const first = ctx.sessionId;
      clockOffsetMs = 24 * 3_600_000 + 1; // the session has expired on the server
      short.server.gateway.connectionsOf(credential.appKey)[0]!.close(CloseCode.ServerError, 'test drop');
      await waitFor(() => events.some((event) => event.type === 'reconnected'));
      const reconnected = events.find((event) => event.type === 'reconnected');
      assert.equal(reconnected?.type === 'reconnected' && reconnected.resumed, false);
      assert.notEqual(ctx.sessionId, first);
      await waitFor(() => short.server.live.subscriptionCount(credential.appKey) === 1);
      assert.equal((await ctx.capitalFlow('700.HK')).length, 1);
    } finally {
      await ctx.close();
      await short.stop();
    }
  });

  it('sends heartbeats and, when one goes unanswered, reconnects to the same session', async () => {
    let dropHeartbeats = false;
    const sentCommands: number[] = [];
    const runtime: ClientRuntime = {
      ...nodeRuntime,
      openWebSocket(url) {
        const socket = nodeRuntime.openWebSocket(url);
        const send = socket.send.bind(socket);
        socket.send = (data) => {
          sentCommands.push(data[1]!); // byte 1 of a request is its command code
          if (!(dropHeartbeats && data[1] === 1)) send(data);
        };
        return socket;
      },
    };
    const { ctx, events } = await liveContext({ heartbeatIntervalMs: 40, runtime });
    try {
      const sessionId = ctx.sessionId;
      await waitFor(() => sentCommands.filter((cmd) => cmd === 1).length >= 3);
      assert.equal(events.length, 0, 'answered heartbeats keep the connection');
      dropHeartbeats = true; // the connection now looks dead from the client's side
      await waitFor(() => events.some((event) => event.type === 'disconnected'));
      dropHeartbeats = false;
      await waitFor(() => events.some((event) => event.type === 'reconnected'));
      assert.equal(ctx.sessionId, sessionId);
      assert.equal((await ctx.capitalFlow('700.HK')).length, 6);
    } finally {
      await ctx.close();
    }
  });

  it('fails a pending request clearly when the server drops the connection, and times out slow ones', async () => {
    const ctx = await QuoteContext.new(configFor(t, credential, { requestTimeoutMs: 400 }));
    const gated = gateDayReads(t);
    try {
      // A symbol whose day is not loaded yet: answering it reads the (gated) store.
      await storeTrades(t.store, [trade('5.HK', '2024-06-14T09:30:05+08:00', '60.0', 100, 'up')]);
      await t.flows.poll();
      const slow = ctx.capitalFlow('5.HK');
      await sleep(50);
      t.server.gateway.connectionsOf(credential.appKey)[0]!.close(CloseCode.ServerError, 'test drop');
      const closed = await rejection(slow);
      assert.equal(closed.kind, 'closed');
      assert.equal(closed.closeCode, CloseCode.ServerError);
      assert.match(closed.message, /connection closed by the server \(ServerError\): test drop/);

      const timedOut = await rejection(ctx.capitalFlow('5.HK')); // waits for the reconnect, then for the gate
      assert.equal(timedOut.kind, 'timeout');
    } finally {
      gated.restore();
      gated.release();
      await ctx.close();
    }
  });

  it('fails pending and later requests when the context is closed', async () => {
    const ctx = await QuoteContext.new(configFor(t, credential));
    const gated = gateDayReads(t);
    try {
      await storeTrades(t.store, [trade('6.HK', '2024-06-14T09:30:05+08:00', '50.0', 100, 'up')]);
      await t.flows.poll();
      const pending = ctx.capitalFlow('6.HK');
      await sleep(30);
      await ctx.close();
      const error = await rejection(pending);
      assert.equal(error.kind, 'closed');
      assert.match(error.message, /closed/);
      assert.equal((await rejection(ctx.capitalFlow('700.HK'))).kind, 'closed');
    } finally {
      gated.restore();
      gated.release();
    }
  });
});
