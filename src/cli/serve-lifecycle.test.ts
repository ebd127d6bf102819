/**
 * `capflow serve` as operators run it: SIGTERM with clients connected, SIGHUP reloads, and the
 * data surviving a restart. Real child processes, real sockets.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { CloseCode } from '../model/errors.js';
import { encodePacket } from '../protocol/packet-codec.js';
import { AuthRequestSchema } from '../protocol/gen/control_pb.js';
import { fetchOtp, signedHeaders, testCredential } from '../server/server-test-kit.js';
import { closePushOf, tcpClient, wsClient, type TcpTestClient, type WsTestClient } from '../server/socket/transport/transport-test-kit.js';
import { CAPFLOW_BIN, runCapflow, temporaryDirectories } from './cli-test-kit.js';
import { SAMPLE_FILE } from './serve-command.js';

const require = createRequire(import.meta.url);
const longport = require('longport') as typeof import('longport');
const tempDir = temporaryDirectories('capflow-life-');

interface Served {
  child: ChildProcess;
  port: number;
  tcpPort: number;
  output: () => string;
  exited: Promise<number | null>;
}

function serve(args: string[]): Promise<Served> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CAPFLOW_BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /serving on http:\/\/127\.0\.0\.1:(\d+) .*TCP 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) done({ child, port: Number(match[1]), tcpPort: Number(match[2]), output: () => output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => fail(new Error(`serve exited early (${code}): ${output}`)));
  });
}

const alice = testCredential({ appKey: 'alice', appSecret: 'alice-secret', accessToken: 'alice-token' });
const bob = testCredential({ appKey: 'bob', appSecret: 'bob-secret', accessToken: 'bob-token' });
function configJson(credentials: Array<{ appKey: string; appSecret: string; accessToken: string }>, extra: object = {}): string {
  return JSON.stringify({ credentials: credentials.map((c) => ({ appKey: c.appKey, appSecret: c.appSecret, accessToken: c.accessToken, markets: ['HK', 'US', 'CN', 'SG'] })), ...extra });
}

function authPacket(otp: string): Uint8Array {
  return encodePacket({ type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })), gzip: false });
}

async function wsSession(port: number, credential = alice): Promise<WsTestClient> {
  const client = await wsClient(`ws://127.0.0.1:${port}/v2?version=1&codec=1&platform=9`);
  client.ws.send(authPacket(await fetchOtp(`http://127.0.0.1:${port}`, credential)));
  assert.equal((await client.next()).type, 2);
  return client;
}

async function tcpSession(port: number, httpPort: number, credential = alice): Promise<TcpTestClient> {
  const client = await tcpClient(port);
  client.socket.write(authPacket(await fetchOtp(`http://127.0.0.1:${httpPort}`, credential)));
  assert.equal((await client.next()).type, 2);
  return client;
}

async function sdkLines(port: number): Promise<string[]> {
  const ctx = await longport.QuoteContext.new(
    new longport.Config({ ...alice, httpUrl: `http://127.0.0.1:${port}`, quoteWsUrl: `ws://127.0.0.1:${port}/v2`, enablePrintQuotePackages: false }),
  );
  return (await ctx.capitalFlow('600000.SH')).map((line) => `${line.timestamp.toISOString()} ${line.inflow.toString()}`);
}

describe('capflow serve lifecycle', () => {
  it('SIGTERM: every client gets ServerShutdown, the process exits 0 promptly, and after a restart the lines are the same', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const config = join(dir, 'capflow.json');
    writeFileSync(config, configJson([alice]));
    assert.equal((await runCapflow(['ingest', SAMPLE_FILE, '--data', data])).code, 0);
    const first = await serve(['--data', data, '--config', config, '--clock', 'feed']);
    const before = await sdkLines(first.port);
    assert.equal(before.length, 241);
    assert.match(before.at(-1)!, / -24384680\.860$/);
    const ws = await wsSession(first.port);
    const tcp = await tcpSession(first.tcpPort, first.port);
    const started = Date.now();
    first.child.kill('SIGTERM');
    assert.equal(closePushOf(await ws.next(5000)).code, CloseCode.ServerShutdown);
    assert.equal(closePushOf(await tcp.next(5000)).code, CloseCode.ServerShutdown);
    assert.equal(await first.exited, 0);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    const log = first.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string });
    assert.ok(log.some((entry) => entry.msg === 'SIGTERM: shutting down'));
    // The served day's state was saved on the way out (the 30 s timer had not come round): the
    // restart below answers from it plus no trade at all.
    const db = new Database(join(data, 'capflow.db'), { readonly: true });
    try {
      const snapshot = db.prepare("SELECT seq FROM day_snapshots WHERE symbol = '600000.SH'").get() as { seq: number } | undefined;
      assert.equal(snapshot?.seq, db.prepare('SELECT last_seq FROM store_meta').pluck().get());
    } finally {
      db.close();
    }

    const second = await serve(['--data', data, '--config', config, '--clock', 'feed']);
    try {
      assert.deepEqual(await sdkLines(second.port), before);
    } finally {
      second.child.kill('SIGINT');
      assert.equal(await second.exited, 0);
    }
  });

  it('SIGHUP: reloads credentials without dropping others’ connections; a broken file is refused with file, field and reason and changes nothing', async () => {
    const dir = tempDir();
    const config = join(dir, 'capflow.json');
    writeFileSync(config, configJson([alice, bob]));
    const served = await serve(['--data', join(dir, 'data'), '--config', config]);
    try {
      const aliceWs = await wsSession(served.port, alice);
      const bobWs = await wsSession(served.port, bob);
      writeFileSync(config, configJson([alice], { securities: ['NOPE'] }));
      served.child.kill('SIGHUP');
      await waitForOutput(served, /reload refused/);
      assert.match(served.output(), /capflow\.json: securities\[0\]: not a TICKER\.REGION symbol/);
      // Bob is still there after the refused reload.
      const stillBob = await fetch(`http://127.0.0.1:${served.port}/v1/socket/token`, { headers: signedHeaders(bob, 'GET', '/v1/socket/token') });
      assert.equal(stillBob.status, 200);

      writeFileSync(config, configJson([alice]));
      served.child.kill('SIGHUP');
      assert.equal(closePushOf(await bobWs.next(5000)).code, CloseCode.AuthError);
      const gone = await fetch(`http://127.0.0.1:${served.port}/v1/socket/token`, { headers: signedHeaders(bob, 'GET', '/v1/socket/token') });
      assert.equal(gone.status, 401);
      // Alice's connection was never dropped: it still answers a heartbeat.
      aliceWs.ws.send(encodePacket({ type: 1, cmd: 1, requestId: 9, timeoutMs: 5000, body: new Uint8Array([1, 2]), gzip: false }));
      const pong = await aliceWs.next(3000);
      assert.deepEqual([pong.type, pong.cmd], [2, 1]);
    } finally {
      served.child.kill('SIGTERM');
      assert.equal(await served.exited, 0);
    }
  });

  it('--retain-trades-days: the running server archives old days, whose lines stay exportable unchanged', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    assert.equal((await runCapflow(['ingest', SAMPLE_FILE, '--data', data])).code, 0);
    const exportArgs = ['export', '--data', data, '--symbol', '600000.SH', '--from', '2023-02-01', '--to', '2023-02-01', '--lines'];
    const before = await runCapflow(exportArgs);
    assert.equal(before.stdout.trim().split('\n').length, 1 + 241);
    const served = await serve(['--data', data, '--retain-trades-days', '30']);
    try {
      await waitForOutput(served, (output) =>
        logEntries(output).some((entry) => entry.module === 'retention' && entry.msg === 'retention pass archived days' && entry.daysArchived === 1 && entry.tradesDeleted === 14872),
      );
    } finally {
      served.child.kill('SIGTERM');
      assert.equal(await served.exited, 0);
    }
    const after = await runCapflow(exportArgs);
    assert.equal(after.stdout, before.stdout);
    const doctor = await runCapflow(['doctor', '--data', data]);
    assert.match(doctor.stdout, /OK {6}counts {4}1 symbol-days, 14872 trades, consistent with the summary table \(1 archived by retention\)/);
  });

  it('stops at start-up on an app key both in the config and in the store, naming it', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const config = join(dir, 'capflow.json');
    const added = await runCapflow(['credentials', 'add', '--data', data, '--markets', 'HK', '--app-key', 'alice']);
    assert.equal(added.code, 0, added.stderr);
    writeFileSync(config, configJson([alice]));
    const result = await runCapflow(['serve', '--data', data, '--config', config, '--port', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /capflow serve: app key "alice" present both in the configuration file and in the store/);
  });
});

describe('capflow serve start-up checks', () => {
  const KEY = 'a1'.repeat(32);

  it('encrypts stored secrets with CAPFLOW_SECRET_KEY, and refuses to serve them without the key', async () => {
    const data = join(tempDir(), 'data');
    const added = await runCapflow(['credentials', 'add', '--data', data, '--markets', 'HK'], { CAPFLOW_SECRET_KEY: KEY });
    assert.equal(added.code, 0, added.stderr);
    assert.doesNotMatch(added.stderr, /not set/);
    const secret = /^app secret:\s+(\S+)$/m.exec(added.stdout)![1]!;
    const listed = await runCapflow(['credentials', 'list', '--data', data]);
    assert.match(listed.stdout, /active .* encrypted\n/);
    const doctor = await runCapflow(['doctor', '--data', data]);
    assert.match(doctor.stdout, /OK {6}secrets {3}stored app secrets are encrypted/);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(data, 'capflow.db'), { readonly: true });
    const sealed = db.prepare('SELECT sealed_secret FROM credentials').pluck().get() as string;
    db.close();
    assert.match(sealed, /^aes256gcm:v1:/);
    assert.ok(!sealed.includes(secret));
    const refused = await runCapflow(['serve', '--data', data, '--port', '0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /the app secret is encrypted: set CAPFLOW_SECRET_KEY/);
    const badKey = await runCapflow(['serve', '--data', data, '--port', '0'], { CAPFLOW_SECRET_KEY: 'short' });
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /CAPFLOW_SECRET_KEY must be 32 bytes as 64 hex digits or base64/);
  });

  it('names a bad --retain-trades-days', async () => {
    const result = await runCapflow(['serve', '--data', join(tempDir(), 'd'), '--port', '0', '--retain-trades-days', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--retain-trades-days must be a whole number of days \(at least 1\), got "0"/);
  });
});

async function waitForOutput(served: Served, expected: RegExp | ((output: string) => boolean), timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const found = typeof expected === 'function' ? expected : (output: string) => expected.test(output);
  while (!found(served.output())) {
    if (Date.now() > deadline) throw new Error(`no ${String(expected)} in output: ${served.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The JSON log lines of a process's output, parsed (other lines are skipped). */
function logEntries(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return []; // a line still being written
    }
  });
}
