/**
 * Needs PostgreSQL (127.0.0.1:5432) and NATS (127.0.0.1:4222). `/readyz` of a gateway reports
 * its bus: NATS is reached through a TCP relay the test can cut, so losing the connection makes
 * the gateway unready (503, `bus: false`) and the reconnect makes it ready again.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { dropSchemas, NATS_TEST_URL, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { InProcessTradeBus } from './in-process-trade-bus.js';
import { NatsTradeBus } from './nats-trade-bus.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/capflow.js');

/** A TCP relay to NATS that can be cut (every connection dropped, port closed) and restored on the same port. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    const closed = new Promise((done) => this.server?.close(done));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

async function readyz(port: number): Promise<{ status: number; checks: Record<string, boolean> }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, boolean> }).checks };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('the bus in readiness', () => {
  it('the in-process bus is connected until closed', async () => {
    const bus = new InProcessTradeBus(2);
    assert.equal(bus.isConnected(), true);
    await bus.close();
    assert.equal(bus.isConnected(), false);
  });

  describe('a gateway on NATS (needs PostgreSQL and NATS)', { skip: SERVICES_SKIPPED }, () => {
    const schema = uniqueName('capflow_test_readyz');
    const stream = uniqueName('CAPFLOW_TEST_READY');
    const nats = new URL(NATS_TEST_URL);
    const relay = new Relay({ host: nats.hostname, port: Number(nats.port || 4222) });
    let child: ChildProcess | undefined;
    let direct: NatsTradeBus | undefined;

    after(async () => {
      // Closed here too, so a failed assertion cannot leave a NATS connection keeping the file alive.
      await direct?.close().catch(() => undefined);
      child?.kill('SIGKILL');
      await relay.cut().catch(() => undefined);
      const bus = await NatsTradeBus.connect(`${NATS_TEST_URL}?stream=${stream}&partitions=2`);
      await bus.deleteStream();
      await bus.close();
      await dropSchemas([schema]);
    });

    it('reports bus false while NATS is unreachable and true again once it reconnects', async () => {
      await relay.start();
      const busUrl = `nats://127.0.0.1:${relay.port}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=2`;
      direct = await NatsTradeBus.connect(busUrl);
      assert.equal(direct.isConnected(), true);
      child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--store', postgresUrlWithSchema(schema), '--bus', busUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
      const port = await new Promise<number>((done, fail) => {
        let output = '';
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          const match = /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
          if (match) done(Number(match[1]));
        };
        child!.stdout!.on('data', onData);
        child!.stderr!.on('data', onData);
        child!.on('exit', (code) => fail(new Error(`serve exited (${code}): ${output}`)));
      });
      assert.deepEqual(await readyz(port), { status: 200, checks: { accepting: true, store: true, calendars: true, bus: true } });

      await relay.cut();
      const down = await eventually(() => readyz(port), (r) => r.status === 503, 5000);
      assert.equal(down.status, 503);
      assert.equal(down.checks['bus'], false);
      assert.equal(down.checks['store'], true);
      assert.equal(direct.isConnected(), false);

      await relay.start(); // same port: the clients reconnect by themselves
      const up = await eventually(() => readyz(port), (r) => r.status === 200, 8000);
      assert.equal(up.status, 200);
      assert.equal(up.checks['bus'], true);
      // This process's own connection reconnects on its own schedule, independent of the gateway's.
      const connected = await eventually(async () => direct!.isConnected(), (value) => value, 8000);
      assert.equal(connected, true);
      await direct.close();
      assert.equal(direct.isConnected(), false);
    });
  });
});
