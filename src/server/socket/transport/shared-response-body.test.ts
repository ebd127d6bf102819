import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeGzipCodec } from '../../../protocol/node-gzip-codec.js';
import type { ResponsePacket } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import type { ConnectionHandler } from './packet-connection.js';
import { ResponseTemplate, responseTemplate, shareResponseBody } from './shared-response-body.js';
import { TcpTransport } from './tcp-transport.js';
import { tcpClient, waitFor } from './transport-test-kit.js';

const patterned = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff);

describe('ResponseTemplate', () => {
  it('gives encodePacket’s bytes for each request id, reusing its buffer only once a write has let go of it', () => {
    const body = patterned(300);
    const template = new ResponseTemplate(24, 0, false, body);
    const first = template.take(7);
    assert.deepEqual(new Uint8Array(first), encodePacket({ type: 2, cmd: 24, requestId: 7, status: 0, body, gzip: false }));
    template.written(first, true); // still queued in the socket
    const second = template.take(0xfffffffe);
    assert.notEqual(second, first, 'a lent buffer is never written again');
    assert.deepEqual(new Uint8Array(first), encodePacket({ type: 2, cmd: 24, requestId: 7, status: 0, body, gzip: false }));
    assert.deepEqual(new Uint8Array(second), encodePacket({ type: 2, cmd: 24, requestId: 0xfffffffe, status: 0, body, gzip: false }));
    template.written(second, false);
    assert.equal(template.take(9), second, 'a buffer the socket let go of is used again');
  });

  it('is kept only for shared bodies, per command, status and gzip choice', () => {
    const body = patterned(100);
    assert.equal(responseTemplate(body, 24, 0, false), undefined);
    shareResponseBody(body);
    const template = responseTemplate(body, 24, 0, false);
    assert.ok(template);
    assert.equal(responseTemplate(body, 24, 0, false), template);
    const gzipped = responseTemplate(body, 24, 0, true)!;
    assert.notEqual(gzipped, template);
    const bytes = gzipped.take(3);
    assert.deepEqual(new Uint8Array(bytes), encodePacket({ type: 2, cmd: 24, requestId: 3, status: 0, body, gzip: true }, nodeGzipCodec));
    assert.equal(responseTemplate(body, 300, 0, false), undefined, 'a command the wire cannot carry takes the plain path');
  });
});

describe('shared response bodies over a socket', () => {
  it('answer every request with its own id and the same bytes, also while the peer does not read', async () => {
    const body = patterned(64 * 1024);
    shareResponseBody(body);
    const handler: ConnectionHandler = {
      onOpen: () => undefined,
      onClose: () => undefined,
      onRequest: (conn, request) => conn.sendResponse(request.cmd, request.requestId, 0, body),
    };
    const transport = new TcpTransport(handler, { gzipThresholdBytes: Infinity, maxBufferedBytes: 256 * 1024 * 1024 });
    const { port } = await transport.listen();
    try {
      const client = await tcpClient(port, undefined, { keepReceived: false });
      client.socket.pause(); // the server's writes queue up: its buffers are lent to the socket
      const requests = 400; // 26 MB of answers, far more than the kernel buffers hold
      for (let id = 1; id <= requests; id++) client.socket.write(encodePacket({ type: 1, cmd: 24, requestId: id, timeoutMs: 0, body: new Uint8Array(), gzip: false }));
      await waitFor(() => transport.connectionCount === 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      client.socket.resume();
      for (let id = 1; id <= requests; id++) {
        const packet = (await client.next(5000)) as ResponsePacket;
        assert.equal(packet.requestId, id);
        assert.equal(packet.status, 0);
        assert.deepEqual(packet.body, body, `body of answer ${id}`);
      }
      client.socket.destroy();
    } finally {
      await transport.stop();
    }
  });
});
