/**
 * The `capflow` command as a user runs it: real processes, a shared data directory, signals.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSymbol } from '../model/symbol.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock } from '../service/market-clock.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { fromBinary } from '@bufbuild/protobuf';
import type { ResponsePacket } from '../protocol/packet.js';
import { CapitalFlowIntradayResponseSchema } from '../protocol/gen/quote_pb.js';
import { capitalFlowRequest, RawProtocolClient } from '../server/reliability/raw-protocol-client.js';
import { goSdkHeaders } from '../server/server-test-kit.js';
import { tcpClient } from '../server/socket/transport/transport-test-kit.js';
import { CAPFLOW_BIN, runCapflow, serveCapflow, temporaryDirectories } from './cli-test-kit.js';

const require = createRequire(import.meta.url);
const longport = require('longport') as typeof import('longport');
const tempDir = temporaryDirectories('capflow-cli-');

/** Writes a deterministic day of 700.HK / 5.HK / 388.HK trades, ~40% without a side. */
function writeTradeFile(path: string, rows: number): void {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const open = Date.parse('2024-06-14T01:30:00Z');
  const lines = ['symbol,timestamp,price,volume,direction'];
  for (let i = 0; i < rows; i++) {
    const symbol = ['700.HK', '5.HK', '388.HK'][i % 3];
    const timestamp = open + Math.floor((i * 6.75 * 3_600_000) / rows);
    const price = (300 + Math.floor(random() * 2000) / 100).toFixed(2);
    const side = random() < 0.4 ? '' : random() < 0.5 ? 'up' : 'down';
    lines.push(`${symbol},${timestamp},${price},${100 * (1 + Math.floor(random() * 10))},${side}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Every line of the three symbols as a fixed clock after the close sees them. */
async function linesIn(dataDir: string): Promise<Record<string, string[]>> {
  const store = await SqliteFlowStore.open(dataDir);
  try {
    const flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'fixed', at: Date.parse('2024-06-14T12:00:00Z') }) });
    const result: Record<string, string[]> = {};
    for (const symbol of ['700.HK', '5.HK', '388.HK']) {
      result[symbol] = (await flows.capitalFlow(parseSymbol(symbol)!)).lines.map((line) => `${line.timestamp} ${line.inflow}`);
    }
    return result;
  } finally {
    await store.close();
  }
}

describe('capflow command', () => {
  it('stops serve on a bad configuration with the file, the field and the reason', async () => {
    const dir = tempDir();
    const config = join(dir, 'capflow.json');
    writeFileSync(config, JSON.stringify({ credentials: [{ appKey: 'k', appSecret: 's', accessToken: 't', markets: ['HK', 'XX'] }] }));
    const result = await runCapflow(['serve', '--data', join(dir, 'data'), '--config', config, '--port', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: credentials\\[0\\]\\.markets\\[1\\]: unknown market "XX"`));
  });

  it('serves trades that `capflow ingest` adds to the same data directory while it runs, then stops on SIGTERM', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const server = await serveCapflow(['--data', data, '--clock', 'feed']);
    try {
      const credential = JSON.parse(readFileSync(join(data, 'demo-credential.json'), 'utf8')) as Record<string, string>;
      const ctx = await longport.QuoteContext.new(
        new longport.Config({
          appKey: credential.appKey!,
          appSecret: credential.appSecret!,
          accessToken: credential.accessToken!,
          httpUrl: `http://127.0.0.1:${server.port}`,
          quoteWsUrl: `ws://127.0.0.1:${server.port}/v2`,
          enablePrintQuotePackages: false,
        }),
      );
      await assert.rejects(ctx.capitalFlow('600000.SH'), /response error: 7: .*code: 301600/);
      const sample = resolve(fileURLToPath(import.meta.url), '../../../samples/sse-600000-2023-02-01.csv.gz');
      const ingest = await runCapflow(['ingest', sample, '--data', data]);
      assert.equal(ingest.code, 0, ingest.stderr);
      assert.match(ingest.stdout, /14872 accepted, 0 duplicates, 0 rejected/);
      let lines: Awaited<ReturnType<typeof ctx.capitalFlow>> = [];
      // The server follows committed batches, so the day fills up as the ingest commits.
      for (let attempt = 0; attempt < 50 && lines.length < 241; attempt++) {
        await new Promise((r) => setTimeout(r, 100));
        lines = await ctx.capitalFlow('600000.SH').catch(() => []);
      }
      assert.equal(lines.length, 241);
      assert.equal(lines.at(-1)?.inflow.toString(), '-24384680.860');
    } finally {
      const exited = new Promise<number | null>((done) => server.child.once('exit', (code) => done(code)));
      server.child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('after kill -9 in the middle of an ingest, running it again gives exactly the lines of an uninterrupted run', async () => {
    const dir = tempDir();
    const file = join(dir, 'day.csv');
    writeTradeFile(file, 120_000);
    const reference = join(dir, 'reference');
    assert.equal((await runCapflow(['ingest', file, '--data', reference])).code, 0);

    const crashed = join(dir, 'crashed');
    for (const delayMs of [300, 700]) {
      const child = spawn(process.execPath, [CAPFLOW_BIN, 'ingest', file, '--data', crashed], { stdio: 'ignore' });
      // Listen at once: a fast ingest may finish before the kill.
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      await exited;
    }
    const resumed = await runCapflow(['ingest', file, '--data', crashed]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const expected = await linesIn(reference);
    assert.equal(expected['700.HK']!.length, 331);
    assert.deepEqual(await linesIn(crashed), expected);
  });

  it('prints the variables of every SDK family, and they work: Rust-core (LONGPORT_*), Go over WebSocket and TCP (LONGBRIDGE_*, QUOTE_URL)', async () => {
    const data = join(tempDir(), 'data');
    const server = await serveCapflow(['--data', data, '--clock', 'feed', '--sample'], (output) => output.includes('QUOTE_URL'));
    try {
      const printed = server.output();
      const env: Record<string, string> = {};
      for (const match of printed.matchAll(/^ {2}export (.+?)(?:\s+#.*)?$/gm)) {
        for (const pair of match[1]!.trim().split(/\s+/)) env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
      }
      for (const prefix of ['LONGPORT', 'LONGBRIDGE']) {
        for (const name of ['APP_KEY', 'APP_SECRET', 'ACCESS_TOKEN', 'HTTP_URL', 'QUOTE_WS_URL', 'QUOTE_URL']) assert.ok(env[`${prefix}_${name}`], `${prefix}_${name} printed`);
      }
      const tcpUrl = /# Go over TCP instead: export LONGPORT_QUOTE_URL=(tcp:\/\/\S+) LONGBRIDGE_QUOTE_URL=\1/.exec(printed)?.[1];
      assert.ok(tcpUrl, 'the TCP URL is printed');

      // Rust core (longport 3.x): Config.fromEnv() reads LONGPORT_*.
      const saved = { ...process.env };
      Object.assign(process.env, Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('LONGPORT_'))));
      try {
        const ctx = await longport.QuoteContext.new(longport.Config.fromEnv());
        assert.equal((await ctx.capitalFlow('600000.SH')).at(-1)?.inflow.toString(), '-24384680.860');
      } finally {
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      }

      // Go (longbridge/openapi-go): LONGBRIDGE_* first; the OTP from /v2 with a millisecond timestamp, then QUOTE_URL.
      const credential = { appKey: env.LONGBRIDGE_APP_KEY!, appSecret: env.LONGBRIDGE_APP_SECRET!, accessToken: env.LONGBRIDGE_ACCESS_TOKEN! };
      const otp = async (): Promise<string> => {
        const response = await fetch(`${env.LONGBRIDGE_HTTP_URL}/v2/socket/token`, { headers: goSdkHeaders(credential, 'GET', '/v2/socket/token') });
        return ((await response.json()) as { data: { otp: string } }).data.otp;
      };
      const tcp = new URL(tcpUrl);
      const clients = [await RawProtocolClient.ws(env.LONGBRIDGE_QUOTE_URL!), new RawProtocolClient(await tcpClient(Number(tcp.port)))];
      for (const client of clients) {
        await client.auth(await otp());
        const answer = (await client.request(24, capitalFlowRequest('600000.SH'))) as ResponsePacket;
        assert.equal(answer.status, 0);
        assert.equal(fromBinary(CapitalFlowIntradayResponseSchema, answer.body).capitalFlowLines.length, 241);
        client.close();
      }
    } finally {
      const exited = new Promise<number | null>((done) => server.child.once('exit', (code) => done(code)));
      server.child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});
