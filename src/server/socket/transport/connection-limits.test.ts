/**
 * The limits both transports apply at the socket boundary: what an unauthenticated connection
 * and a control packet may send and inflate, packets a server ignores, caps on unauthenticated
 * connections, the TCP handshake timeout, and one client's flood not holding the event loop.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CloseCode } from '../../../model/errors.js';
import { PacketType } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import { ConnectionAdmission } from './connection-admission.js';
import type { PacketTransportOptions } from './packet-connection.js';
import { TcpTransport } from './tcp-transport.js';
import { WebSocketTransport } from './ws-transport.js';
import { ManualClock, TestCmd, closePushOf, echoHandler, sleep, tcpClient, waitFor, wsClient, type RecordingHandler } from './transport-test-kit.js';
import type { Packet } from '../../../protocol/packet.js';

type Kind = 'ws' | 'tcp';

interface Client {
  send(bytes: Uint8Array): void;
  next(timeoutMs?: number): Promise<Packet>;
  ended: Promise<unknown>;
  destroy(): void;
}

interface Running {
  handler: RecordingHandler;
  /** The WebSocket transport's HTTP port (ws only). */
  port?: number;
  connect(localAddress?: string): Promise<Client>;
  stop(): Promise<void>;
}

const stops: Array<() => Promise<void>> = [];
after(async () => {
  for (const stop of stops) await stop();
});

async function start(kind: Kind, options: PacketTransportOptions & { handshakeTimeoutMs?: number } = {}): Promise<Running> {
  const handler = echoHandler();
  let running: Running;
  if (kind === 'tcp') {
    const transport = new TcpTransport(handler, { ...options, onError: (error) => handler.errors.push(error) });
    const { port } = await transport.listen();
    running = {
      handler,
      connect: async (localAddress) => {
        const client = await tcpClient(port, Uint8Array.of(0x11, 0x09), localAddress === undefined ? {} : { localAddress });
        return { send: (b) => void client.socket.write(b), next: client.next, ended: client.ended, destroy: () => client.socket.destroy() };
      },
      stop: () => transport.stop(),
    };
  } else {
    const http: Server = createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const transport = new WebSocketTransport(handler, { server: http, ...options, onError: (error) => handler.errors.push(error) });
    const port = (http.address() as AddressInfo).port;
    const url = `ws://127.0.0.1:${port}/v2?version=1&codec=1&platform=9`;
    running = {
      handler,
      port,
      connect: async (localAddress) => {
        const client = await wsClient(url, localAddress === undefined ? {} : { localAddress });
        return { send: (b) => client.ws.send(b), next: client.next, ended: client.closed, destroy: () => client.ws.terminate() };
      },
      stop: async () => {
        await transport.stop();
        await new Promise((resolve) => http.close(resolve));
      },
    };
  }
  stops.push(running.stop);
  return running;
}

const packet = (cmd: number, body: Uint8Array, requestId = 1, type: 1 | 2 | 3 = PacketType.Request): Uint8Array =>
  type === PacketType.Request
    ? encodePacket({ type, cmd, requestId, timeoutMs: 1000, body, gzip: false })
    : type === PacketType.Response
      ? encodePacket({ type, cmd, requestId, status: 0, body, gzip: false })
      : encodePacket({ type, cmd, body, gzip: false });

/** A request whose body is already gzip data (sent as is, gzip bit set). */
function gzipRequest(cmd: number, gzipped: Uint8Array, type: 1 | 2 | 3 = PacketType.Request): Uint8Array {
  const bytes = packet(cmd, gzipped, 1, type);
  bytes[0]! |= 0x20;
  return bytes;
}

async function authenticatedClient(running: Running): Promise<Client> {
  const client = await running.connect();
  client.send(packet(TestCmd.Authenticate, new Uint8Array(0)));
  assert.equal((await client.next()).cmd, TestCmd.Authenticate);
  return client;
}

async function closedWith(client: Client, code: CloseCode): Promise<string> {
  const close = closePushOf(await client.next());
  assert.equal(close.code, code, close.reason);
  await client.ended;
  return close.reason;
}

for (const kind of ['ws', 'tcp'] as const) {
  describe(`${kind}: what a connection may send`, () => {
    it('a 16 KiB gzip heartbeat inflating to 16 MiB is closed with UnpackError at the default limits, never echoed', async () => {
      const running = await start(kind);
      const bomb = gzipSync(new Uint8Array(16 * 1024 * 1024), { level: 9 });
      assert.ok(bomb.length < 20 * 1024);
      for (const authenticated of [false, true]) {
        const client = authenticated ? await authenticatedClient(running) : await running.connect();
        const handled = running.handler.handled.length;
        client.send(gzipRequest(1, bomb));
        // Refused from its length on the wire, before anything is inflated.
        assert.match(await closedWith(client, CloseCode.UnpackError), /body of \d+ bytes exceeds the limit of 4096 for command 1/);
        assert.equal(running.handler.handled.length, handled, 'the handler never saw it');
      }
    });

    it('control bodies (heartbeat, auth, reconnect) are bounded by maxControlBodyBytes, sent plain or gzip', async () => {
      const running = await start(kind, { maxControlBodyBytes: 512 });
      const client = await authenticatedClient(running);
      client.send(packet(1, new Uint8Array(512).fill(1), 7));
      const echo = await client.next();
      assert.deepEqual([echo.type, echo.cmd, echo.body.length, echo.gzip], [PacketType.Response, 1, 512, false]);
      for (const cmd of [1, 2, 3]) {
        const plain = await authenticatedClient(running);
        plain.send(packet(cmd, new Uint8Array(513)));
        assert.match(await closedWith(plain, CloseCode.UnpackError), /exceeds the limit of 512 for command/);
        const zipped = await running.connect();
        zipped.send(gzipRequest(cmd, gzipSync(new Uint8Array(513))));
        assert.match(await closedWith(zipped, CloseCode.UnpackError), /inflated body exceeds 512 bytes/);
      }
    });

    it('before auth a packet over maxUnauthenticatedPacketBytes is refused; once authenticated the larger bounds apply', async () => {
      const running = await start(kind, { maxPacketBytes: 8192, maxUnauthenticatedPacketBytes: 1024, maxInflatedBytes: 4096 });
      const early = await running.connect();
      early.send(packet(24, new Uint8Array(2000)));
      assert.match(await closedWith(early, CloseCode.UnpackError), /exceeds the limit of 1024/);
      const client = await authenticatedClient(running);
      client.send(packet(24, new Uint8Array(2000).fill(3)));
      assert.equal((await client.next()).body.length, 2000);
      client.send(gzipRequest(24, gzipSync(new Uint8Array(4096))));
      assert.equal((await client.next()).body.length, 4096);
      client.send(gzipRequest(24, gzipSync(new Uint8Array(4097))));
      assert.match(await closedWith(client, CloseCode.UnpackError), /inflated body exceeds 4096 bytes/);
    });

    it('response and push packets from a client are ignored without their body being inflated', async () => {
      const running = await start(kind);
      const client = await running.connect();
      const notGzip = new Uint8Array(200).fill(0x55);
      client.send(gzipRequest(1, notGzip, PacketType.Response));
      client.send(gzipRequest(1, notGzip, PacketType.Push));
      client.send(gzipRequest(1, gzipSync(new Uint8Array(8 * 1024 * 1024)), PacketType.Push));
      client.send(packet(24, Uint8Array.of(9), 5));
      const answer = await client.next();
      assert.deepEqual([answer.type, answer.cmd, [...answer.body]], [PacketType.Response, 24, [9]]);
      client.destroy();
    });

    it('a client sending thousands of packets at once gets turns: another connection is answered long before it is done', async () => {
      const running = await start(kind);
      const flooder = await running.connect();
      const bystander = await running.connect();
      await waitFor(() => running.handler.opened.length === 2);
      const [flooderId, bystanderId] = running.handler.opened.map((conn) => conn.id) as [number, number];
      const one = packet(24, new Uint8Array(0));
      if (kind === 'tcp') flooder.send(Buffer.concat(Array.from({ length: 20_000 }, () => one)));
      else for (let i = 0; i < 20_000; i++) flooder.send(one);
      bystander.send(packet(24, Uint8Array.of(1), 9));
      assert.equal((await bystander.next(10_000)).cmd, 24);
      const at = running.handler.handled.findIndex((entry) => entry.conn === bystanderId);
      const flooded = running.handler.handled.slice(0, at).filter((entry) => entry.conn === flooderId).length;
      assert.ok(flooded < 1000, `the bystander waited for ${flooded} of the flooder's packets`);
      await waitFor(() => running.handler.handled.filter((entry) => entry.conn === flooderId).length === 20_000, 20_000);
      flooder.destroy();
      bystander.destroy();
    });

    it('unauthenticated connections past the per-address cap are refused, past the total cap the oldest is dropped; auth or close frees a place', async () => {
      const admission = new ConnectionAdmission({ maxUnauthenticatedPerAddress: 2, maxUnauthenticated: 3 });
      const running = await start(kind, { admission });
      const a = await running.connect('127.0.0.1');
      const b = await running.connect('127.0.0.1');
      await waitFor(() => admission.unauthenticated === 2);
      if (kind === 'ws') {
        await assert.rejects(running.connect('127.0.0.1'), /HTTP 429/);
      } else {
        const refused = await running.connect('127.0.0.1');
        await refused.ended; // hung up on at once, nothing sent
      }
      // Authenticating frees the place: the same address may open another.
      a.send(packet(TestCmd.Authenticate, new Uint8Array(0)));
      await a.next();
      assert.equal(admission.unauthenticated, 1);
      const c = await running.connect('127.0.0.1');
      const d = await running.connect('127.0.0.2');
      await waitFor(() => admission.unauthenticated === 3);
      // The total is reached: a newcomer from another address gets in, the oldest waiting one (b) is dropped.
      const e = await running.connect('127.0.0.3');
      await b.ended;
      assert.equal(admission.evicted, 1);
      for (const client of [c, d, e]) {
        client.send(packet(24, Uint8Array.of(4)));
        assert.equal((await client.next()).cmd, 24);
      }
      a.send(packet(24, Uint8Array.of(5)));
      assert.deepEqual([...(await a.next()).body], [5], 'the authenticated connection was never counted');
      for (const client of [a, c, d, e]) client.destroy();
      await waitFor(() => admission.unauthenticated === 0);
    });
  });
}

describe('ws: pings from a client', () => {
  it('a ping gets its pong; a flood of pings gets pongs for the latest only, and another connection keeps being answered', async () => {
    const running = await start('ws');
    const flooder = await wsClient(`ws://127.0.0.1:${running.port!}/v2`);
    const pongs: Buffer[] = [];
    flooder.ws.on('pong', (data: Buffer) => pongs.push(data));
    flooder.ws.ping(Buffer.from('abc'));
    await waitFor(() => pongs.length === 1);
    assert.equal(pongs[0]!.toString(), 'abc');
    const bystander = await running.connect();
    const payload = (i: number): Buffer => Buffer.from(String(i).padStart(125, '0'));
    for (let i = 1; i <= 5000; i++) flooder.ws.ping(payload(i));
    bystander.send(packet(24, Uint8Array.of(1), 3));
    assert.equal((await bystander.next(10_000)).cmd, 24);
    await waitFor(() => pongs.at(-1)!.equals(payload(5000)), 10_000);
    assert.ok(pongs.length < 1000, `${pongs.length} pongs for 5,000 pings`);
    flooder.ws.terminate();
    bystander.destroy();
  });
});

describe('tcp: the handshake', () => {
  it('a connection whose handshake does not arrive within handshakeTimeoutMs is dropped, and its place freed', async () => {
    const admission = new ConnectionAdmission();
    const handler = echoHandler();
    // The deadlines run on a manual clock: the test, not the machine's speed, decides when time passes.
    const clock = new ManualClock();
    const transport = new TcpTransport(handler, { admission, handshakeTimeoutMs: 200, idleTimeoutMs: 60_000, clock });
    stops.push(() => transport.stop());
    const { port } = await transport.listen();
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(Uint8Array.of(0x11)); // half a handshake
    await waitFor(() => admission.unauthenticated === 1);
    // A prompt handshake, made just before the slow one's deadline, is not affected by it.
    const client = await tcpClient(port);
    await waitFor(() => handler.opened.length === 1 && admission.unauthenticated === 2);
    clock.advance(199);
    // A round trip on the prompt connection: time for a hang-up, had there been one, to show.
    client.socket.write(packet(24, Uint8Array.of(1)));
    assert.equal((await client.next()).cmd, 24);
    assert.equal(socket.destroyed, false);
    assert.equal(admission.unauthenticated, 2);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    clock.advance(1);
    await closed;
    assert.equal(received, 0);
    assert.equal(handler.opened.length, 1);
    await waitFor(() => admission.unauthenticated === 1);
    client.socket.write(packet(24, Uint8Array.of(2)));
    assert.equal((await client.next()).cmd, 24);
    client.socket.destroy();
  });

});
