import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InMemoryCredentialRegistry } from '../auth/credential.js';
import { HttpAuthenticator } from '../auth/http-authenticator.js';
import { signedHeaders, testCredential } from '../server-test-kit.js';
import { HttpApi } from './http-api.js';

const MiB = 1024 * 1024;

/** What a raw HTTP client saw: the answer's status line and body, bytes it managed to send, how long until the close. */
interface RawExchange {
  status: number;
  body: string;
  sent: number;
  closedAfterMs: number;
}

/**
 * Sends a request head, then `bodyBytes` of body in 64 KiB writes (or `trickle`: one byte every
 * `trickleMs`), as fast as the socket takes them, and records the answer and the close.
 */
function rawRequest(port: number, head: string, bodyBytes: number, options: { trickleMs?: number; chunked?: boolean; readAfterMs?: number } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let stopped = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    if (options.readAfterMs !== undefined) {
      socket.pause();
      setTimeout(() => socket.resume(), options.readAfterMs);
    }
    socket.on('close', () => {
      stopped = true;
      const [statusLine = '', ...rest] = received.split('\r\n');
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), body: rest.join('\r\n').split('\r\n\r\n')[1] ?? '', sent, closedAfterMs: Date.now() - started });
    });
    socket.write(head);
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const pump = (): void => {
      while (!stopped && sent < bodyBytes) {
        const size = Math.min(piece.length, bodyBytes - sent);
        const bytes = options.chunked ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), piece.subarray(0, size), Buffer.from('\r\n')]) : piece.subarray(0, size);
        sent += size;
        if (!socket.write(bytes)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!stopped && options.chunked) socket.write('0\r\n\r\n');
    };
    if (options.trickleMs !== undefined) {
      const timer = setInterval(() => {
        if (stopped || sent >= bodyBytes) return clearInterval(timer);
        sent++;
        socket.write('a');
      }, options.trickleMs);
    } else pump();
  });
}

function head(path: string, headers: Record<string, string>, length: number | 'chunked'): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  lines.push(length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

describe('HttpApi: request bodies are read only for authenticated headers, and bounded', () => {
  const writer = testCredential({ appKey: 'writer', appSecret: 'w-secret', accessToken: 'w-token' });
  let server: Server;
  let api: HttpApi;
  let port = 0;
  /** Bytes the server read from each connection, by arrival order. */
  const bytesRead: Array<() => number> = [];
  let holdRelease: () => void = () => undefined;
  let hold: Promise<void> = Promise.resolve();

  before(async () => {
    const authenticator = new HttpAuthenticator({ credentials: new InMemoryCredentialRegistry([writer]), timestampWindowMs: 300_000 });
    api = new HttpApi({ authenticator, maxBodyBytes: 8 * MiB, maxBodyBytesInFlight: 12 * MiB, bodyTimeoutMs: 1_000, refusedCloseMs: 1_000 });
    api.json('POST', '/echo', async (context) => {
      context.authenticate();
      await hold;
      return { bytes: context.body.length };
    });
    server = createServer(api.listener);
    server.on('checkContinue', api.continueListener);
    server.on('connection', (socket) => bytesRead.push(() => socket.bytesRead));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const body = (size: number): Uint8Array<ArrayBuffer> => new Uint8Array(size).fill(0x61);

  it('refuses a body whose headers do not authenticate at once, reading none of it, and closes the connection', async () => {
    const unsigned = { 'X-Api-Key': 'writer', Authorization: 'w-token' }; // no timestamp, no signature
    const refusals: Array<[string, Record<string, string>, number]> = [
      ['no credentials', {}, 401001],
      ['unknown token', { ...signedHeaders(writer, 'POST', '/echo', '', body(6 * MiB)), Authorization: 'guess' }, 401002],
      ['no timestamp', unsigned, 401004],
      ['bearer without the bearer option', { 'X-Api-Key': 'writer', Authorization: 'Bearer w-token' }, 401005],
    ];
    for (const [name, headers, code] of refusals) {
      const before = bytesRead.length;
      const exchange = await rawRequest(port, head('/echo', headers, 6 * MiB), 6 * MiB);
      assert.equal(exchange.status, 401, name);
      assert.equal((JSON.parse(exchange.body) as { code: number }).code, code, name);
      assert.ok(exchange.closedAfterMs < 3_000, `${name}: closed after ${exchange.closedAfterMs} ms`);
      const read = bytesRead[before]!();
      assert.ok(read < 1 * MiB, `${name}: the server read ${read} bytes of a 6 MiB body`);
    }
    assert.equal(api.bodyBytesInFlight, 0);
  });

  it('lets a refused client that is busy sending read its answer later (no connection reset while it has not)', async () => {
    // The client reads nothing for 300 ms, as one still busy writing its body would not.
    const exchange = await rawRequest(port, head('/echo', {}, 6 * MiB), 6 * MiB, { readAfterMs: 300 });
    assert.equal(exchange.status, 401);
  });

  it('answers Expect: 100-continue with the refusal, or with 100 Continue once the headers authenticate', async () => {
    const exchange = (headers: Record<string, string>, bytes: Uint8Array): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        let sent = false;
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (!sent && received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
            sent = true;
            socket.write(bytes);
          }
        });
        socket.on('close', () => resolve(received));
        socket.write(head('/echo', { ...headers, Expect: '100-continue', Connection: 'close' }, bytes.length));
      });
    const refused = await exchange({}, body(1000));
    assert.match(refused, /^HTTP\/1\.1 401 /, 'refused without a 100 Continue');
    const bytes = body(1000);
    const accepted = await exchange(signedHeaders(writer, 'POST', '/echo', '', bytes), bytes);
    assert.match(accepted, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });

  it('refuses an unauthenticated chunked body and a body to an unknown path the same way', async () => {
    const before = bytesRead.length;
    const chunked = await rawRequest(port, head('/echo', {}, 'chunked'), 6 * MiB, { chunked: true });
    assert.equal(chunked.status, 401);
    const unknown = await rawRequest(port, head('/nowhere', {}, 6 * MiB), 6 * MiB);
    assert.equal(unknown.status, 404);
    for (const read of bytesRead.slice(before)) assert.ok(read() < 1 * MiB, `read ${read()} bytes`);
  });

  it('reads an authenticated body, then checks its signature (which covers the body)', async () => {
    const bytes = body(3 * MiB);
    const ok = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: signedHeaders(writer, 'POST', '/echo', '', bytes), body: bytes });
    assert.deepEqual([ok.status, ((await ok.json()) as { data: { bytes: number } }).data.bytes], [200, 3 * MiB]);
    const tampered = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: signedHeaders(writer, 'POST', '/echo', '', bytes), body: body(3 * MiB - 1) });
    assert.deepEqual([tampered.status, ((await tampered.json()) as { code: number }).code], [401, 401003]);
    assert.equal(api.bodyBytesInFlight, 0);
  });

  it('refuses a body over the per-request cap (413) and over the shared cap of bodies in flight (503) without reading it', async () => {
    const big = body(9 * MiB);
    const before = bytesRead.length;
    const tooLarge = await rawRequest(port, head('/echo', signedHeaders(writer, 'POST', '/echo', '', big), big.length), big.length);
    assert.deepEqual([tooLarge.status, (JSON.parse(tooLarge.body) as { code: number }).code], [413, 413001]);
    assert.ok(bytesRead[before]!() < 1 * MiB);

    // A first 7 MiB body is held by its (slow) handler; a second would pass 12 MiB in flight.
    hold = new Promise((resolve) => (holdRelease = resolve));
    const seven = body(7 * MiB);
    const first = fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: signedHeaders(writer, 'POST', '/echo', '', seven), body: seven });
    const deadline = Date.now() + 5_000;
    while (api.bodyBytesInFlight < 7 * MiB && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(api.bodyBytesInFlight, 7 * MiB);
    const second = await rawRequest(port, head('/echo', signedHeaders(writer, 'POST', '/echo', '', seven), seven.length), seven.length);
    assert.equal(second.status, 503);
    assert.equal((JSON.parse(second.body) as { code: number; message: string }).code, 503001);
    // Chunked bodies are counted as they arrive.
    const chunked = await rawRequest(port, head('/echo', signedHeaders(writer, 'POST', '/echo', '', seven), 'chunked'), seven.length, { chunked: true });
    assert.equal(chunked.status, 503);
    holdRelease();
    assert.equal((await first).status, 200);
    assert.equal(api.bodyBytesInFlight, 0);
  });

  it('cuts off an authenticated body trickled slower than the time limit with 408 / 408001', async () => {
    const bytes = body(1000);
    const slow = await rawRequest(port, head('/echo', signedHeaders(writer, 'POST', '/echo', '', bytes), bytes.length), bytes.length, { trickleMs: 50 });
    assert.deepEqual([slow.status, (JSON.parse(slow.body) as { code: number }).code], [408, 408001]);
    assert.ok(slow.closedAfterMs >= 900 && slow.closedAfterMs < 5_000, `closed after ${slow.closedAfterMs} ms`);
    assert.ok(slow.sent < 100, `${slow.sent} bytes trickled`);
    assert.equal(api.bodyBytesInFlight, 0);
  });
});
