/**
 * `capflow serve` start-up failures, run as operators meet them: whatever fails, the process exits
 * non-zero at once with the reason, having closed what it had opened. Real child processes; the
 * PostgreSQL cases need the machine's PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { takeDataDirExclusively } from '../store/data-dir-lock.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { callCommand, runCapflow, temporaryDirectories } from './cli-test-kit.js';
import { runServeCommand } from './serve-command.js';

const tempDir = temporaryDirectories('capflow-startup-');
const blockers: Server[] = [];
after(() => {
  for (const server of blockers) server.close();
});

/** A port some other program listens on. */
async function takenPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  blockers.push(server);
  return (server.address() as { port: number }).port;
}

/** Runs `capflow serve …args`; it must exit with 2 within `withinMs`, printing `reason` on stderr. */
async function failsAtStart(args: string[], reason: RegExp, withinMs = 15_000): Promise<void> {
  const started = Date.now();
  const result = await runCapflow(['serve', ...args]);
  const took = Date.now() - started;
  assert.equal(result.code, 2, `exit ${result.code}: ${result.stderr}`);
  assert.match(result.stderr, reason);
  assert.doesNotMatch(result.stdout, /serving on/);
  assert.ok(took < withinMs, `took ${took} ms`);
}

describe('capflow serve start-up failures (embedded store)', () => {
  it('the HTTP port taken: exit 2 naming the address', async () => {
    const port = await takenPort();
    await failsAtStart(['--data', join(tempDir(), 'd'), '--port', String(port), '--tcp-port', '0'], new RegExp(`capflow serve: cannot listen on 127\\.0\\.0\\.1:${port} for HTTP and WebSocket: the address is already in use`));
  });

  it('the TCP port taken: exit 2 naming the address', async () => {
    const port = await takenPort();
    await failsAtStart(['--data', join(tempDir(), 'd'), '--port', '0', '--tcp-port', String(port)], new RegExp(`capflow serve: cannot listen on 127\\.0\\.0\\.1:${port} for TCP: the address is already in use`));
  });

  it('a store or bus URL that is wrong or unreachable: exit 2 with the reason', async () => {
    const data = join(tempDir(), 'd');
    await failsAtStart(['--data', data, '--port', '0', '--store', 'mysql://x'], /capflow serve: --store must be postgres:\/\/… \(or omitted for the embedded SQLite store\)/);
    await failsAtStart(['--port', '0', '--store', 'postgres://127.0.0.1:1/test'], /capflow serve: .*ECONNREFUSED|capflow serve: connect/);
    await failsAtStart(['--data', data, '--port', '0', '--bus', 'nats://127.0.0.1:1'], /capflow serve: .*(CONNECTION_REFUSED|ECONNREFUSED)/);
    await failsAtStart(['--data', data, '--port', '0', '--bus', 'kafka://x'], /capflow serve: --bus must be nats:\/\/…/);
  });

  it('a data directory being restored: exit 2 after a short wait, naming the restore', async () => {
    const data = join(tempDir(), 'd');
    const restore = takeDataDirExclusively(data);
    try {
      await failsAtStart(['--data', data, '--port', '0'], /capflow serve: .* is being restored by `capflow restore`; try again once it has finished/);
    } finally {
      restore.release();
    }
  });
});

describe('capflow serve start-up failures with --store postgres:// (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_startup');
  const storeUrl = postgresUrlWithSchema(schema);
  after(() => dropSchemas([schema]));

  it('the port taken: exit 2 at once, the open pools do not keep the process alive', async () => {
    const port = await takenPort();
    await failsAtStart(['--store', storeUrl, '--port', String(port)], /cannot listen on 127\.0\.0\.1:\d+ for HTTP and WebSocket: the address is already in use/);
    const tcp = await takenPort();
    await failsAtStart(['--store', storeUrl, '--port', '0', '--tcp-port', String(tcp)], /cannot listen on 127\.0\.0\.1:\d+ for TCP: the address is already in use/);
  });

  it('in this process: every connection it opened (store, credentials, archive, gateway state) is closed again', async () => {
    const sockets = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
    const port = await takenPort();
    const before = sockets();
    const result = await callCommand(runServeCommand, ['--store', storeUrl, '--port', String(port), '--log-level', 'error']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /cannot listen on/);
    const deadline = Date.now() + 5_000;
    while (sockets() > before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sockets(), before, `sockets left open: ${process.getActiveResourcesInfo().join(', ')}`);
  });
});
