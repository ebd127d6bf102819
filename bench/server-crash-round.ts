/**
 * One round of the server crash test: a real `capflow serve` process takes the day as signed
 * `POST /v1/ingest` NDJSON batches (each with its own Idempotency-Key, retried until answered)
 * while query clients ask command 24 over WebSocket and TCP; the server is killed with SIGKILL at
 * random moments and restarted on the same data directory and ports. Afterwards every symbol's
 * command-24 lines from a last, uninterrupted server must equal the lines of an uninterrupted
 * computation of the same trades (no trade lost, none counted twice), and every answer a query
 * client got during the round must have been a valid one (lines, or "no data yet").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import type { CapitalFlowLine } from '../src/engine/index.js';
import { CapitalFlowIntradayResponseSchema } from '../src/protocol/gen/quote_pb.js';
import { RawProtocolClient, capitalFlowRequest } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, signedHeaders, testCredential } from '../src/server/server-test-kit.js';

const cli = new URL('../../bin/capflow.js', import.meta.url).pathname;
const credential = testCredential({ appKey: 'crash-key', appSecret: 'crash-secret', accessToken: 'crash-token', connections: 1000 });

export interface ServerCrashOptions {
  /** NDJSON lines of the day in arrival order. */
  readonly records: readonly string[];
  /** Expected complete-day lines per symbol (from an uninterrupted computation). */
  readonly expected: ReadonlyMap<string, readonly CapitalFlowLine[]>;
  readonly batchSize: number;
  readonly kills: number;
  readonly random: () => number;
  readonly dir: string;
  /** Instant of the server's fixed clock (after the day's close in every market). */
  readonly clockAt: string;
  /** Send Idempotency-Keys (default true); false shows that the check catches double counting. */
  readonly idempotency?: boolean;
}

export interface ServerCrashResult {
  kills: number;
  batches: number;
  retries: number;
  queries: number;
  queryFailuresWhileUp: number;
  differing: string[];
  /** Served days with a snapshot in the store at the last restart (restored from it, not replayed). */
  snapshots: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function serverCrashRound(options: ServerCrashOptions): Promise<ServerCrashResult> {
  const dataDir = mkdtempSync(join(options.dir, 'server-crash-'));
  const config = join(dataDir, 'capflow.json');
  const unlimited = { limit: 1_000_000, burst: 1_000_000 };
  writeFileSync(
    config,
    JSON.stringify({
      credentials: [
        {
          appKey: credential.appKey,
          appSecret: credential.appSecret,
          accessToken: credential.accessToken,
          markets: ['HK', 'US', 'CN', 'SG'],
          connections: 1000,
          rateLimits: { 4: unlimited, 24: unlimited, 25: unlimited },
          ingest: true,
        },
      ],
    }),
  );
  const port = 20_000 + Math.floor(options.random() * 20_000);
  const http = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  let up = false;

  const start = async (): Promise<void> => {
    server = spawn(process.execPath, [cli, 'serve', '--data', join(dataDir, 'data'), '--config', config, '--host', '127.0.0.1', '--port', String(port), '--tcp-port', String(port + 1), '--clock', options.clockAt,
      // Snapshots every 100 ms: the kills then land between snapshot writes, and each restart loads
      // served days from a (stale) snapshot plus the trades after it.
      '--snapshot-ms', '100'], {
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 600; attempt++) {
      try {
        if ((await fetch(`${http}/healthz`)).ok) {
          up = true;
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(25);
    }
    throw new Error('capflow serve did not come up');
  };
  const kill = async (): Promise<void> => {
    up = false;
    const proc = server;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGKILL');
    await once(proc, 'exit');
  };

  const result: ServerCrashResult = { kills: 0, batches: 0, retries: 0, queries: 0, queryFailuresWhileUp: 0, differing: [], snapshots: 0 };
  const symbols = [...options.expected.keys()];
  await start();
  let ingesting = true;

  // Query clients: ask command 24 for random symbols; reconnect after every kill.
  const querier = async (kind: 'ws' | 'tcp'): Promise<void> => {
    while (ingesting) {
      let client: RawProtocolClient | undefined;
      try {
        client = kind === 'ws' ? await RawProtocolClient.ws(`ws://127.0.0.1:${port}/v2`) : await RawProtocolClient.tcp(port + 1);
        await client.auth(await fetchOtp(http, credential));
        while (ingesting) {
          const symbol = symbols[Math.floor(options.random() * symbols.length)] as string;
          const packet = await client.request(24, capitalFlowRequest(symbol), 10_000);
          if (!('status' in packet)) break; // a close push
          result.queries++;
          // 0 with lines, or 7/301600 (not ingested yet), or 7/301603 (no data yet): anything else is a failure.
          if (packet.status !== 0 && packet.status !== 7) result.queryFailuresWhileUp++;
          if (packet.status === 0) fromBinary(CapitalFlowIntradayResponseSchema, packet.body);
        }
      } catch {
        // the server was killed under us (or is restarting): try again
        await sleep(20);
      } finally {
        client?.close();
      }
    }
  };
  const queriers = [querier('ws'), querier('ws'), querier('tcp')];

  // The killer: SIGKILL at random moments, restart at once.
  const killer = (async (): Promise<void> => {
    while (result.kills < options.kills && ingesting) {
      await sleep(150 + Math.floor(options.random() * 900));
      if (!ingesting) break;
      await kill();
      result.kills++;
      await start();
    }
  })();

  // The ingester: batches in order, each retried with its key until the server answers it.
  for (let from = 0, batch = 0; from < options.records.length; from += options.batchSize, batch++) {
    const body = Buffer.from(options.records.slice(from, from + options.batchSize).join('\n') + '\n');
    for (;;) {
      try {
        if (!up) throw new Error('server down');
        const response = await fetch(`${http}/v1/ingest`, {
          method: 'POST',
          headers: {
            ...signedHeaders(credential, 'POST', '/v1/ingest', '', body),
            ...(options.idempotency === false ? {} : { 'Idempotency-Key': `batch-${batch}` }),
            'Content-Type': 'application/x-ndjson',
          },
          body,
        });
        const json = (await response.json()) as { code: number };
        if (json.code !== 0) throw new Error(`ingest answered ${JSON.stringify(json).slice(0, 200)}`);
        break;
      } catch (error) {
        if ((error as Error).message.startsWith('ingest answered')) throw error;
        result.retries++;
        await sleep(20);
      }
    }
    result.batches++;
  }
  ingesting = false;
  await killer;
  await Promise.all(queriers);

  // A last clean restart, then compare every symbol's lines.
  await kill();
  const db = new Database(join(dataDir, 'data', 'capflow.db'), { readonly: true });
  result.snapshots = db.prepare('SELECT count(*) FROM day_snapshots').pluck().get() as number;
  db.close();
  await start();
  const client = await RawProtocolClient.ws(`ws://127.0.0.1:${port}/v2`);
  await client.auth(await fetchOtp(http, credential));
  for (const [symbol, lines] of options.expected) {
    const packet = await client.request(24, capitalFlowRequest(symbol), 30_000);
    const got = 'status' in packet && packet.status === 0 ? fromBinary(CapitalFlowIntradayResponseSchema, packet.body).capitalFlowLines : [];
    const same = got.length === lines.length && got.every((line, i) => line.inflow === lines[i]?.inflow && Number(line.timestamp) === lines[i]?.timestamp);
    if (!same) result.differing.push(symbol);
  }
  client.close();
  await kill();
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}
