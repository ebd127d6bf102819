import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloseCode } from '../../../model/errors.js';
import { nodeGzipCodec } from '../../../protocol/node-gzip-codec.js';
import { PacketType } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import { TcpTransport } from './tcp-transport.js';
import type { PacketConnection } from './packet-connection.js';
import { ManualClock, TestCmd, closePushOf, echoHandler, sleep, tcpClient, waitFor } from './transport-test-kit.js';

// Request cmd 24, request_id 5, timeout 1000 ms, body 01 02 03.
const request = Uint8Array.of(0x01, 0x18, 0, 0, 0, 5, 0x03, 0xe8, 0, 0, 3, 1, 2, 3);
// Its echo: response cmd 24, request_id 5, status 0, body 01 02 03.
const echoed = Uint8Array.of(0x02, 0x18, 0, 0, 0, 5, 0x00, 0, 0, 3, 1, 2, 3);

describe('TcpTransport', () => {
  const handler = echoHandler();
  const transport = new TcpTransport(handler, {
    maxPacketBytes: 1024,
    onError: (error) => handler.errors.push(error),
  });
  let port = 0;
  before(async () => {
    port = (await transport.listen()).port;
  });
  after(() => transport.stop());

  it('binds port 0 to a real port and answers a request byte for byte', async () => {
    assert.ok(port > 0);
    const client = await tcpClient(port);
    client.socket.write(request);
    await client.next();
    assert.deepEqual(Buffer.concat(client.received), Buffer.from(echoed));
    client.socket.destroy();
  });

  it('reassembles handshake and request sent one byte at a time', async () => {
    const client = await tcpClient(port, null);
    for (const byte of [0x11, 0x09, ...request]) {
      client.socket.write(Uint8Array.of(byte));
      await sleep(1);
    }
    const packet = await client.next();
    assert.equal(packet.type === PacketType.Response && packet.requestId, 5);
    client.socket.destroy();
  });

  it('answers several requests sent in one write, in order', async () => {
    const client = await tcpClient(port);
    const second = Uint8Array.from(request);
    second[5] = 6;
    client.socket.write(Buffer.concat([request, second]));
    const ids = [await client.next(), await client.next()].map((p) => (p.type === PacketType.Response ? p.requestId : -1));
    assert.deepEqual(ids, [5, 6]);
    client.socket.destroy();
  });

  it('inflates a gzip request body before the handler sees it', async () => {
    const client = await tcpClient(port);
    const gz = encodePacket(
      { type: PacketType.Request, cmd: 24, requestId: 9, timeoutMs: 0, body: Uint8Array.of(7, 7), gzip: true },
      nodeGzipCodec,
    );
    assert.equal(gz[0], 0x21);
    client.socket.write(gz);
    const packet = await client.next();
    assert.deepEqual([...packet.body], [7, 7]);
    assert.equal(packet.gzip, false); // 2 bytes are below the compression threshold
    client.socket.destroy();
  });

  it('gzips a response body above the 8 KiB threshold', async () => {
    const client = await tcpClient(port);
    client.socket.write(Uint8Array.of(0x01, TestCmd.BigBody, 0, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 0x27, 0x10)); // 10,000 bytes
    const packet = await client.next();
    assert.equal(client.received[0]![0], 0x22); // response | gzip
    assert.equal(packet.gzip, true);
    assert.equal(packet.body.length, 10_000);
    assert.ok(packet.body.every((b) => b === 0x61));
    client.socket.destroy();
  });

  it('ignores response and push packets from a client', async () => {
    const client = await tcpClient(port);
    client.socket.write(Buffer.concat([echoed, Uint8Array.of(0x03, 0x01, 0, 0, 0), request]));
    const packet = await client.next();
    assert.equal(packet.type === PacketType.Response && packet.requestId, 5);
    client.socket.destroy();
  });

  it('closes a garbage stream with the UnpackError close push while other connections keep working', async () => {
    const bystander = await tcpClient(port);
    const client = await tcpClient(port);
    client.socket.write(Uint8Array.of(0x07, 0, 0, 0, 0, 0));
    const close = closePushOf(await client.next());
    assert.equal(close.code, CloseCode.UnpackError);
    await client.ended;
    bystander.socket.write(request);
    assert.equal((await bystander.next()).cmd, 24);
    bystander.socket.destroy();
  });

  it('closes a bad gzip body with UnpackError', async () => {
    const client = await tcpClient(port);
    client.socket.write(Uint8Array.of(0x21, 0x18, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0x08, 0x01));
    assert.equal(closePushOf(await client.next()).code, CloseCode.UnpackError);
    await client.ended;
  });

  it('rejects an oversized announced length without waiting for the body', async () => {
    const client = await tcpClient(port);
    // Announces a 1,000,000-byte body; the limit is 1024. No body byte is ever sent.
    client.socket.write(Uint8Array.of(0x01, 0x18, 0, 0, 0, 1, 0, 0, 0x0f, 0x42, 0x40));
    const close = closePushOf(await client.next());
    assert.equal(close.code, CloseCode.UnpackError);
    assert.match(close.reason, /exceeds/);
    await client.ended;
  });

  it('destroys a connection with an unknown handshake without sending anything', async () => {
    const opened = handler.opened.length;
    const client = await tcpClient(port, Uint8Array.of(0x12, 0x09));
    await client.ended;
    assert.equal(Buffer.concat(client.received).length, 0);
    assert.equal(handler.opened.length, opened);
  });

  it('sends HeartbeatTimeout to a connection silent for idleTimeoutMs, but not to one that talks', async () => {
    // The deadlines run on a manual clock: the test, not the machine's speed, decides when time passes.
    const clock = new ManualClock();
    const idleHandler = echoHandler();
    const idleTransport = new TcpTransport(idleHandler, { idleTimeoutMs: 300, clock });
    const { port: idlePort } = await idleTransport.listen();
    try {
      const silent = await tcpClient(idlePort);
      await waitFor(() => idleHandler.opened.length === 1);
      const talker = await tcpClient(idlePort);
      await waitFor(() => idleHandler.opened.length === 2);
      const [silentConn, talkerConn] = idleHandler.opened as [PacketConnection, PacketConnection];
      clock.advance(250);
      // Answered, so the server has read it: the talker's deadline is now 550.
      talker.socket.write(request);
      await talker.next();
      clock.advance(49);
      assert.equal(silentConn.isOpen, true, 'closed before the idle timeout');
      clock.advance(1);
      assert.equal(silentConn.isOpen, false);
      const close = closePushOf(await silent.next());
      assert.equal(close.code, CloseCode.HeartbeatTimeout);
      assert.equal(close.reason, 'nothing received for 300 ms');
      await silent.ended;
      clock.advance(249);
      assert.equal(talkerConn.isOpen, true, 'a connection that talked was closed');
      // Silent since 250: its turn at 550.
      clock.advance(1);
      assert.equal(closePushOf(await talker.next()).code, CloseCode.HeartbeatTimeout);
      await talker.ended;
    } finally {
      await idleTransport.stop();
    }
  });

  it('keeps serving after the handler throws or rejects, reporting the error', async () => {
    const client = await tcpClient(port);
    const errors = handler.errors.length;
    client.socket.write(Uint8Array.of(0x01, TestCmd.Throw, 0, 0, 0, 1, 0, 0, 0, 0, 0));
    client.socket.write(Uint8Array.of(0x01, TestCmd.Reject, 0, 0, 0, 2, 0, 0, 0, 0, 0));
    client.socket.write(request);
    assert.equal((await client.next()).cmd, 24);
    await waitFor(() => handler.errors.length === errors + 2);
    client.socket.destroy();
  });

  it('calls onOpen after the handshake and onClose exactly once', async () => {
    const opened = handler.opened.length;
    const client = await tcpClient(port, null);
    await sleep(20);
    assert.equal(handler.opened.length, opened);
    client.socket.write(Uint8Array.of(0x11, 0x09));
    await waitFor(() => handler.opened.length === opened + 1);
    const conn = handler.opened[opened]!;
    assert.equal(conn.transport, 'tcp');
    assert.match(conn.remoteAddress, /^127\.0\.0\.1:\d+$/);
    client.socket.destroy();
    await waitFor(() => handler.closed.includes(conn));
    conn.close(CloseCode.ServerError, 'after the fact'); // idempotent, no throw
    assert.equal(handler.closed.filter((c) => c === conn).length, 1);
  });
});

describe('TcpTransport lifecycle', () => {
  it('closeAll sends ServerShutdown to every connection and stop() resolves', async () => {
    const transport = new TcpTransport(echoHandler());
    const { port } = await transport.listen();
    const clients = [await tcpClient(port), await tcpClient(port)];
    await waitFor(() => transport.connectionCount === 2);
    const done = transport.closeAll(CloseCode.ServerShutdown, 'bye');
    for (const client of clients) assert.equal(closePushOf(await client.next()).code, CloseCode.ServerShutdown);
    await done;
    assert.equal(transport.connectionCount, 0);
    await transport.stop();
  });

  it('drops a slow consumer once its unsent data passes maxBufferedBytes', async () => {
    const handler = echoHandler();
    const transport = new TcpTransport(handler, { maxBufferedBytes: 256 * 1024, gzipThresholdBytes: Infinity });
    const { port } = await transport.listen();
    const client = await tcpClient(port);
    client.socket.pause(); // never reads
    await waitFor(() => handler.opened.length === 1);
    const conn = handler.opened[0]!;
    const chunk = new Uint8Array(1024 * 1024);
    let pushes = 0;
    while (conn.isOpen && pushes < 256) {
      conn.sendPush(42, chunk);
      pushes += 1;
    }
    assert.equal(conn.isOpen, false, 'still open after 256 MiB');
    await waitFor(() => handler.closed.includes(conn));
    client.socket.destroy();
    await transport.stop();
  });
});
