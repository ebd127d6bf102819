import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CloseCode } from '../../../model/errors.js';
import { nodeGzipCodec } from '../../../protocol/node-gzip-codec.js';
import { PacketType } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import { WebSocketTransport } from './ws-transport.js';
import { TestCmd, closePushOf, echoHandler, sleep, waitFor, wsClient } from './transport-test-kit.js';

const request = Uint8Array.of(0x01, 0x18, 0, 0, 0, 5, 0x03, 0xe8, 0, 0, 3, 1, 2, 3);
const echoed = Uint8Array.of(0x02, 0x18, 0, 0, 0, 5, 0x00, 0, 0, 3, 1, 2, 3);
const QUERY = '?version=1&codec=1&platform=9';

async function startHttp(): Promise<{ server: ReturnType<typeof createServer>; base: string }> {
  const server = createServer((_req, res) => res.end('plain http'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('WebSocketTransport', () => {
  const handler = echoHandler();
  let transport: WebSocketTransport;
  let http: Awaited<ReturnType<typeof startHttp>>;
  before(async () => {
    http = await startHttp();
    transport = new WebSocketTransport(handler, {
      server: http.server,
      maxPacketBytes: 4096,
      onError: (error) => handler.errors.push(error),
    });
  });
  after(async () => {
    await transport.stop();
    await new Promise((resolve) => http.server.close(resolve));
  });

  it('answers a request on /v2 with the SDK query, byte for byte', async () => {
    const client = await wsClient(`${http.base}/v2${QUERY}`);
    const received = new Promise<Buffer>((resolve) => client.ws.once('message', resolve));
    client.ws.send(request);
    assert.deepEqual(await received, Buffer.from(echoed));
    client.ws.close();
  });

  it('accepts a connection without the query', async () => {
    const client = await wsClient(`${http.base}/v2`);
    client.ws.send(request);
    assert.equal((await client.next()).cmd, 24);
    client.ws.close();
  });

  it('refuses other query values with HTTP 400 and unknown paths with 404', async () => {
    await assert.rejects(wsClient(`${http.base}/v2?version=2&codec=1&platform=9`), /HTTP 400/);
    await assert.rejects(wsClient(`${http.base}/v2?version=1&codec=1&platform=1`), /HTTP 400/);
    await assert.rejects(wsClient(`${http.base}/v1${QUERY}`), /HTTP 404/);
  });

  it('inflates a gzip request body and gzips a response above 8 KiB', async () => {
    const client = await wsClient(`${http.base}/v2${QUERY}`);
    client.ws.send(encodePacket(
      { type: PacketType.Request, cmd: TestCmd.BigBody, requestId: 3, timeoutMs: 0, body: Uint8Array.of(0, 0, 0x27, 0x10), gzip: true },
      nodeGzipCodec,
    ));
    const raw = new Promise<Buffer>((resolve) => client.ws.once('message', resolve));
    const packet = await client.next();
    assert.equal((await raw)[0], 0x22);
    assert.equal(packet.gzip, true);
    assert.equal(packet.body.length, 10_000);
    client.ws.close();
  });

  for (const [name, send] of [
    ['a text message', (ws: import('ws').WebSocket) => ws.send('hello')],
    ['a length field disagreeing with the message', (ws: import('ws').WebSocket) => ws.send(request.subarray(0, 13))],
    ['two packets in one message', (ws: import('ws').WebSocket) => ws.send(Buffer.concat([request, request]))],
    ['an unknown packet type', (ws: import('ws').WebSocket) => ws.send(Uint8Array.of(0x09, 0, 0, 0, 0))],
    ['a bad gzip body', (ws: import('ws').WebSocket) => ws.send(Uint8Array.of(0x21, 0x18, 0, 0, 0, 1, 0, 0, 0, 0, 2, 8, 1))],
  ] as const) {
    it(`answers ${name} with the UnpackError close push, then closes; others keep working`, async () => {
      const bystander = await wsClient(`${http.base}/v2${QUERY}`);
      const client = await wsClient(`${http.base}/v2${QUERY}`);
      send(client.ws);
      assert.equal(closePushOf(await client.next()).code, CloseCode.UnpackError);
      assert.equal((await client.closed).code, 1000);
      bystander.ws.send(request);
      assert.equal((await bystander.next()).cmd, 24);
      bystander.ws.close();
    });
  }

  it('refuses a frame over maxPacketBytes before buffering it (close 1009)', async () => {
    const client = await wsClient(`${http.base}/v2${QUERY}`);
    client.ws.send(new Uint8Array(8192));
    assert.equal((await client.closed).code, 1009);
  });

  it('keeps serving after the handler throws or rejects, reporting the error', async () => {
    const client = await wsClient(`${http.base}/v2${QUERY}`);
    const errors = handler.errors.length;
    client.ws.send(Uint8Array.of(0x01, TestCmd.Throw, 0, 0, 0, 1, 0, 0, 0, 0, 0));
    client.ws.send(Uint8Array.of(0x01, TestCmd.Reject, 0, 0, 0, 2, 0, 0, 0, 0, 0));
    client.ws.send(request);
    assert.equal((await client.next()).cmd, 24);
    await waitFor(() => handler.errors.length === errors + 2);
    client.ws.close();
  });

  it('reports the connection as ws with its remote address and calls onClose once', async () => {
    const opened = handler.opened.length;
    const client = await wsClient(`${http.base}/v2${QUERY}`);
    await waitFor(() => handler.opened.length > opened);
    const conn = handler.opened[opened]!;
    assert.equal(conn.transport, 'ws');
    assert.match(conn.remoteAddress, /^127\.0\.0\.1:\d+$/);
    client.ws.close();
    await waitFor(() => handler.closed.includes(conn));
    assert.equal(conn.isOpen, false);
  });
});

describe('WebSocketTransport pings and lifecycle', () => {
  it('terminates a client that does not answer pings and keeps one that does', async () => {
    const http = await startHttp();
    const transport = new WebSocketTransport(echoHandler(), { server: http.server, pingIntervalMs: 50 });
    const mute = await wsClient(`${http.base}/v2${QUERY}`, { autoPong: false });
    const polite = await wsClient(`${http.base}/v2${QUERY}`);
    let pings = 0;
    polite.ws.on('ping', () => (pings += 1));
    const { code } = await mute.closed;
    assert.equal(code, 1006); // terminated: no close frame
    // Pings every 50 ms: three arrive however slow the machine's timers run.
    await waitFor(() => pings >= 3, 5000);
    polite.ws.send(request);
    assert.equal((await polite.next()).cmd, 24);
    polite.ws.close();
    await transport.stop();
    await new Promise((resolve) => http.server.close(resolve));
  });

  it('closeAll sends ServerShutdown to every connection; stop() resolves', async () => {
    const http = await startHttp();
    const transport = new WebSocketTransport(echoHandler(), { server: http.server });
    const clients = [await wsClient(`${http.base}/v2`), await wsClient(`${http.base}/v2`)];
    await waitFor(() => transport.connectionCount === 2);
    const done = transport.closeAll(CloseCode.ServerShutdown, 'server shutting down');
    for (const client of clients) {
      const close = closePushOf(await client.next());
      assert.equal(close.code, CloseCode.ServerShutdown);
      assert.equal(close.reason, 'server shutting down');
      assert.equal((await client.closed).code, 1001);
    }
    await done;
    assert.equal(transport.connectionCount, 0);
    await transport.stop();
    await new Promise((resolve) => http.server.close(resolve));
  });

  it('drops a slow consumer once its unsent data passes maxBufferedBytes', async () => {
    const http = await startHttp();
    const handler = echoHandler();
    const transport = new WebSocketTransport(handler, {
      server: http.server, maxBufferedBytes: 256 * 1024, gzipThresholdBytes: Infinity,
    });
    const client = await wsClient(`${http.base}/v2`);
    (client.ws as unknown as { _socket: import('node:net').Socket })._socket.pause(); // never reads
    await waitFor(() => handler.opened.length === 1);
    const conn = handler.opened[0]!;
    let pushes = 0;
    while (conn.isOpen && pushes < 256) {
      conn.sendPush(42, new Uint8Array(1024 * 1024));
      pushes += 1;
    }
    assert.equal(conn.isOpen, false, 'still open after 256 MiB');
    await waitFor(() => handler.closed.includes(conn));
    client.ws.terminate();
    await transport.stop();
    await new Promise((resolve) => http.server.close(resolve));
  });
});
