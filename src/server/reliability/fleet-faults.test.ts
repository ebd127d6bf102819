/**
 * Starts its own PostgreSQL and nats-server. The whole fleet — trades published in chunks →
 * JetStream → two `capflow worker` processes → PostgreSQL → two `capflow serve` gateways under a
 * steady command-24 load from four SDK clients — lives through a PostgreSQL restart, a NATS
 * restart and the killing of one gateway's database connections. At the end every trade is
 * stored exactly once (the lines of every symbol equal an uninterrupted computation), both
 * gateways serve those lines, no request waited longer than the stated bound, /readyz named
 * what was down while it was down, and a session moved between gateways still closes its old
 * connection at once (the listening connection came back). Figures go to the test's diagnostics
 * (RELIABILITY.md records them).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { NatsTradeBus } from '../../bus/nats-trade-bus.js';
import { NATS_SERVER_SKIPPED, ThrowawayNats } from '../../bus/nats-server-test-kit.js';
import { Config, QuoteContext } from '../../client/index.js';
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema } from '../../protocol/gen/control_pb.js';
import { encodePacket } from '../../protocol/packet-codec.js';
import { PostgresFlowStore } from '../../store/postgres-flow-store.js';
import { POSTGRES_SERVER_SKIPPED, ThrowawayPostgres } from '../../store/postgres-server-test-kit.js';
import { expectedLines, generateTrades, SCALE_TEST_SYMBOLS, storedLines } from '../../worker/scale-test-kit.js';
import { fetchOtp, testCredential } from '../server-test-kit.js';
import { closePushOf, wsClient } from '../socket/transport/transport-test-kit.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../../bin/capflow.js');
const TRADES = 12_000;
const CHUNK = 60;
const CHUNK_EVERY_MS = 100;
const OUTAGE_MS = 2_000;
/** No request may wait longer: the gateways' 5 s store wait plus slack for a loaded machine. */
const REQUEST_BOUND_MS = 8_000;
const CREDENTIALS = [0, 1, 2, 3].map((k) =>
  testCredential({ appKey: `fleet-${k}`, appSecret: `secret-${k}`, accessToken: `token-${k}`, rateLimits: { 24: { limit: 100, burst: 100 } } }),
);

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function until(what: string, ms: number, probe: () => Promise<boolean> | boolean): Promise<number> {
  const start = Date.now();
  for (;;) {
    try {
      if (await probe()) return Date.now() - start;
    } catch {
      // not yet
    }
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await sleep(50);
  }
}

interface Spawned {
  readonly child: ChildProcess;
  output: string;
}

function spawnCapflow(args: string[]): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned: Spawned = { child, output: '' };
  const keep = (chunk: Buffer): void => {
    spawned.output += chunk.toString();
    if (process.env['CAPFLOW_TEST_DEBUG']) process.stderr.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return spawned;
}

/** One observation of a gateway's /readyz. */
interface Readiness {
  readonly at: number;
  readonly status: number;
  readonly checks: Record<string, boolean>;
}

/** Outcome of one command-24 request of the load. */
interface Answer {
  readonly at: number;
  readonly ms: number;
  /** 0 for lines, else the error code (or the client error kind). */
  readonly code: number | string;
}

describe('the fleet through database and bus faults (starts PostgreSQL and nats-server)', { skip: POSTGRES_SERVER_SKIPPED || NATS_SERVER_SKIPPED }, () => {
  it('loses and doubles nothing, answers throughout within the bound, reports what is down and recovers by itself', { timeout: 180_000 }, async (t: TestContext) => {
    const started = Date.now();
    const pg = await ThrowawayPostgres.start();
    const nats = await ThrowawayNats.start();
    const dir = mkdtempSync(join(tmpdir(), 'capflow-fleet-faults-'));
    const processes: Spawned[] = [];
    const contexts: QuoteContext[] = [];
    let monitor: PostgresFlowStore | undefined;
    let publisher: NatsTradeBus | undefined;
    const stopLoad = { stopped: false };
    const loops: Promise<void>[] = [];
    try {
      const schema = 'fleet';
      const storeUrl = (application: string): string => pg.url({ schema, application_name: application });
      const busUrl = `${nats.url}?stream=CAPFLOW_FLEET&partitions=4`;
      const configFile = join(dir, 'capflow.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          credentials: CREDENTIALS.map((c) => ({
            appKey: c.appKey,
            appSecret: c.appSecret,
            accessToken: c.accessToken,
            markets: ['HK', 'US', 'CN', 'SG'],
            rateLimits: { '24': { limit: 100, burst: 100 } },
          })),
        }),
      );

      // ---- the fleet ----
      const gateways = await Promise.all(
        ['a', 'b'].map(async (name) => {
          const gateway = spawnCapflow(['serve', '--port', '0', '--store', storeUrl(`gw-${name}`), '--bus', busUrl, '--config', configFile, '--clock', '2024-06-14T23:00:00+08:00']);
          processes.push(gateway);
          await until(`gateway ${name} serves`, 30_000, () => /serving on http:\/\/127\.0\.0\.1:\d+/.test(gateway.output));
          const port = Number(/serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(gateway.output)![1]);
          return { name, gateway, url: `http://127.0.0.1:${port}`, readiness: [] as Readiness[] };
        }),
      );
      for (const id of [0, 1]) {
        const worker = spawnCapflow(['worker', '--store', storeUrl(`worker-${id}`), '--bus', busUrl, '--workers', '2', '--worker-id', String(id), '--batch', '100']);
        processes.push(worker);
        await until(`worker ${id} runs`, 30_000, () => worker.output.includes('capflow worker '));
      }
      monitor = await PostgresFlowStore.open(storeUrl('test-monitor'), { poolSize: 2 });
      const storedSamples: Array<{ at: number; n: number }> = [];
      const storedCount = async (): Promise<number> => {
        const { rows } = await monitor!.connectionPool.query<{ n: string }>('SELECT count(*) AS n FROM trades');
        const n = Number(rows[0]!.n);
        storedSamples.push({ at: Date.now(), n });
        return n;
      };
      /** The last count seen before `at`. */
      const storedCountAt = (at: number): number => storedSamples.filter((s) => s.at <= at).at(-1)?.n ?? 0;

      // ---- load: SDK clients (two per gateway) asking command 24 for the traded symbols ----
      const trades = generateTrades(TRADES);
      const symbols = SCALE_TEST_SYMBOLS.filter((symbol) => trades.some((t) => t.trade.symbol === symbol));
      const answers: Answer[] = [];
      const startLoad: Array<() => Promise<void>> = [];
      for (const [k, credential] of CREDENTIALS.entries()) {
        const gateway = gateways[k % 2]!;
        const context = await QuoteContext.new(
          new Config({ appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, httpUrl: gateway.url, requestTimeoutMs: 30_000 }),
        );
        contexts.push(context);
        startLoad.push(() =>
          (async () => {
            let n = k;
            while (!stopLoad.stopped) {
              const symbol = symbols[n++ % symbols.length]!;
              const at = Date.now();
              let code: number | string = 0;
              try {
                await context.capitalFlow(symbol);
              } catch (error) {
                const failure = error as { code?: number; kind?: string };
                code = failure.code ?? failure.kind ?? 'unknown';
              }
              answers.push({ at, ms: Date.now() - at, code });
              await sleep(50);
            }
          })(),
        );
      }
      for (const gateway of gateways) {
        loops.push(
          (async () => {
            while (!stopLoad.stopped) {
              try {
                const response = await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(5000) });
                const body = (await response.json()) as { checks: Record<string, boolean> };
                gateway.readiness.push({ at: Date.now(), status: response.status, checks: body.checks });
              } catch {
                gateway.readiness.push({ at: Date.now(), status: 0, checks: {} });
              }
              await sleep(100);
            }
          })(),
        );
      }

      // ---- the feed: chunks published in order, each retried until JetStream holds it ----
      publisher = await NatsTradeBus.connect(busUrl, { name: 'fleet-feed' });
      let published = 0;
      let publishRetries = 0;
      const chunkDone: number[] = [];
      const feed = (async () => {
        for (let chunk = 0; chunk * CHUNK < trades.length; chunk++) {
          const batch = trades.slice(chunk * CHUNK, (chunk + 1) * CHUNK);
          // Message ids make a retried chunk exactly-once in the stream (JetStream drops the copies).
          for (;;) {
            try {
              await publisher!.publishTrades(batch, { messageIdPrefix: `chunk-${chunk}` });
              break;
            } catch {
              publishRetries++;
              await sleep(200);
            }
          }
          published += batch.length;
          chunkDone.push(Date.now());
          await sleep(CHUNK_EVERY_MS);
        }
      })();

      // ---- faults ----
      const figures: Record<string, unknown> = {};
      await until('trades flow into the store', 30_000, async () => (await storedCount()) > 1000);
      // The load starts once both gateways know every symbol (before, "symbol not found" is right).
      await until('both gateways know every symbol', 30_000, async () => {
        for (const context of contexts) for (const symbol of symbols) await context.capitalFlow(symbol);
        return true;
      });
      for (const start of startLoad) loops.push(start());

      /** Per gateway: ms from `up` until /readyz first said `check: true` again. */
      const readyAgainAfter = (check: string, up: number): number[] =>
        gateways.map((g) => (g.readiness.find((r) => r.at >= up && r.checks[check] === true)?.at ?? Number.NaN) - up);

      // 1. PostgreSQL restart.
      const pgDown = Date.now();
      await pg.stop('fast');
      await sleep(OUTAGE_MS);
      await pg.start();
      const pgUp = Date.now();
      await until('both gateways are ready after the PostgreSQL restart', 30_000, () => gateways.every((g) => g.readiness.at(-1)?.status === 200 && g.readiness.at(-1)!.at > pgUp));
      // The feed went on during the outage: recovered once the backlog published until now is stored.
      const publishedAtPgUp = published;
      await until('the workers store again after the PostgreSQL restart', 30_000, async () => (await storedCount()) >= publishedAtPgUp);
      const pgStoring = Date.now() - pgUp;
      const pgReady = readyAgainAfter('store', pgUp);
      figures['postgres restart'] = { downMs: pgUp - pgDown, backlog: publishedAtPgUp - (await storedCountAt(pgDown)), backlogStoredMs: pgStoring, gatewaysReadyMs: pgReady };
      await sleep(1000);

      // 2. NATS restart (same store).
      const natsDown = Date.now();
      await nats.stop();
      await sleep(OUTAGE_MS);
      await nats.start();
      const natsUp = Date.now();
      const publishedAtNatsUp = published;
      // The feed was held up during the outage: recovered once a chunk published after it is stored.
      await until('the workers store again after the NATS restart', 30_000, async () => (await storedCount()) >= publishedAtNatsUp + CHUNK);
      const natsStoring = Date.now() - natsUp;
      await until('both gateways are ready after the NATS restart', 30_000, () => gateways.every((g) => g.readiness.at(-1)?.status === 200 && g.readiness.at(-1)!.at > natsUp));
      const natsReady = readyAgainAfter('bus', natsUp);
      const feedResumed = (chunkDone.find((at) => at > natsUp) ?? Date.now()) - natsUp;
      figures['nats restart'] = { downMs: natsUp - natsDown, feedResumedMs: feedResumed, chunkAfterRestartStoredMs: natsStoring, gatewaysReadyMs: natsReady };
      await sleep(1000);

      // 3. Gateway A's database connections killed, twice, under load.
      const killed = [await pg.terminateBackends('gw-a')];
      await sleep(1000);
      killed.push(await pg.terminateBackends('gw-a'));
      figures['gateway a connections killed'] = killed;

      // ---- the end: everything published, stored once, served by both gateways ----
      await feed;
      figures['feed'] = { trades: published, chunkRetries: publishRetries };
      const convergedIn = await until('every trade is stored', 60_000, async () => (await storedCount()) >= TRADES).catch(async (error: unknown) => {
        t.diagnostic(`stored ${await storedCount()} of ${TRADES} trades; worker output: ${processes.slice(2).map((w) => w.output.slice(-2000)).join('\n')}`);
        throw error;
      });
      await sleep(500); // anything stored twice would show by now
      assert.equal(await storedCount(), TRADES, 'every trade stored exactly once');
      const expected = expectedLines(trades);
      assert.deepEqual(await storedLines(monitor), expected);
      const served = async (gateway: (typeof gateways)[number], k: number): Promise<boolean> => {
        const context = contexts.find((_, index) => gateways[index % 2] === gateway)!;
        for (const symbol of symbols) {
          const lines = await context.capitalFlow(symbol);
          const want = expected.get(symbol)!.map((line) => line.inflow);
          if (JSON.stringify(lines.map((line) => line.inflow.toString())) !== JSON.stringify(want)) return false;
        }
        return k >= 0;
      };
      let servedIn: number;
      try {
        servedIn = await until('both gateways serve the lines of every trade', 30_000, async () => (await served(gateways[0]!, 0)) && (await served(gateways[1]!, 1)));
      } catch (error) {
        for (const [index, gateway] of gateways.entries()) {
          for (const symbol of symbols) {
            const lines = await contexts[index]!.capitalFlow(symbol).then(
              (got) => got.map((line) => line.inflow.toString()),
              (failure: Error) => [failure.message],
            );
            const want = expected.get(symbol)!.map((line) => line.inflow);
            const first = want.findIndex((line, k) => lines[k] !== line);
            t.diagnostic(`gateway ${gateway.name} ${symbol}: ${lines.length} lines, first difference at ${first}: ${lines[first]} instead of ${want[first]}; last ${lines.at(-1)} instead of ${want.at(-1)}`);
          }
          t.diagnostic(`gateway ${gateway.name} output: ${gateway.gateway.output.slice(-3000)}`);
        }
        throw error;
      }
      figures['after the last publish'] = { storedMs: convergedIn, servedMs: servedIn };

      // A session moved from gateway A to gateway B closes its old connection on A at once:
      // A's listening connection (killed above) came back.
      const credential = CREDENTIALS[0]!;
      const onA = await wsClient(`${gateways[0]!.url.replace('http', 'ws')}/v2?version=1&codec=1&platform=9`);
      onA.ws.send(encodePacket({ type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(gateways[0]!.url, credential) })), gzip: false }));
      const { sessionId } = fromBinary(AuthResponseSchema, (await onA.next(5000)).body);
      const onB = await wsClient(`${gateways[1]!.url.replace('http', 'ws')}/v2?version=1&codec=1&platform=9`);
      const moved = Date.now();
      onB.ws.send(encodePacket({ type: 1, cmd: 3, requestId: 1, timeoutMs: 5000, body: toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId })), gzip: false }));
      const resumed = await onB.next(5000);
      assert.ok(resumed.type === 2 && resumed.status === 0, 'gateway B resumed the session');
      assert.equal(closePushOf(await onA.next(15_000)).code, 6, 'ConnectDuplicate on the old connection');
      figures['session moved, old connection closed after ms'] = Date.now() - moved;
      onA.ws.close();
      onB.ws.close();

      stopLoad.stopped = true;
      await Promise.all(loops);

      // ---- what the clients and probes saw ----
      const byCode: Record<string, number> = {};
      for (const answer of answers) byCode[String(answer.code)] = (byCode[String(answer.code)] ?? 0) + 1;
      const slowest = Math.max(...answers.map((a) => a.ms));
      const during = (from: number, to: number): Record<string, number> => {
        const counts: Record<string, number> = {};
        for (const a of answers.filter((x) => x.at >= from && x.at <= to)) counts[String(a.code)] = (counts[String(a.code)] ?? 0) + 1;
        return counts;
      };
      figures['requests'] = {
        total: answers.length,
        byCode,
        slowestMs: slowest,
        duringPostgresOutage: during(pgDown, pgUp),
        duringNatsOutage: during(natsDown, natsUp),
      };
      const sawDown = (check: string, from: number, to: number): boolean[] =>
        gateways.map((g) => g.readiness.some((r) => r.at >= from && r.at <= to + 1000 && r.status === 503 && r.checks[check] === false));
      /** How long each gateway's /readyz said `check: false` around an outage (first to last such answer). */
      const notReadyMs = (check: string, from: number, to: number): number[] =>
        gateways.map((g) => {
          const down = g.readiness.filter((r) => r.at >= from && r.at <= to + 5000 && r.checks[check] === false);
          return down.length === 0 ? 0 : down.at(-1)!.at - down[0]!.at;
        });
      figures['readyz store false during the PostgreSQL outage, ms (a, b)'] = notReadyMs('store', pgDown, pgUp);
      figures['readyz bus false during the NATS outage, ms (a, b)'] = notReadyMs('bus', natsDown, natsUp);
      figures['readyz samples not answered'] = gateways.map((g) => g.readiness.filter((r) => r.status === 0).length);
      figures['worker log lines'] = processes.slice(2).map((w) => w.output.split('\n').filter((line) => /partition|stream/.test(line)).length);
      figures['runtime ms'] = Date.now() - started;
      t.diagnostic(`fleet faults: ${JSON.stringify(figures)}`);

      assert.ok(answers.length > 100, `the load ran (${answers.length} requests)`);
      assert.ok(slowest < REQUEST_BOUND_MS, `no request waited ${REQUEST_BOUND_MS} ms or more (slowest ${slowest} ms)`);
      for (const code of Object.keys(byCode)) assert.ok(code === '0' || code === '301602', `only lines or 7/301602, got ${code}: ${JSON.stringify(byCode)}`);
      assert.ok((byCode['0'] ?? 0) > answers.length * 0.9, `most requests answered with lines: ${JSON.stringify(byCode)}`);
      assert.ok(Object.keys(during(pgDown, pgUp)).includes('0'), 'gateways answered from memory while PostgreSQL was down');
      assert.deepEqual(sawDown('store', pgDown, pgUp), [true, true], '/readyz said store: false while PostgreSQL was down');
      assert.deepEqual(sawDown('bus', natsDown, natsUp), [true, true], '/readyz said bus: false while NATS was down');
      for (const gateway of gateways) assert.equal(gateway.readiness.at(-1)?.status, 200);
      for (const spawned of processes) assert.equal(spawned.child.exitCode, null, 'no process of the fleet died');
    } finally {
      stopLoad.stopped = true;
      await Promise.all(loops).catch(() => undefined);
      for (const context of contexts) await context.close();
      await publisher?.close().catch(() => undefined);
      await monitor?.close().catch(() => undefined);
      for (const spawned of processes) spawned.child.kill('SIGKILL');
      await nats.dispose();
      await pg.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
