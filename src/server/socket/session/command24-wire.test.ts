import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CapflowError, rateLimited } from '../../../model/errors.js';
import { encodeBody } from '../../../protocol/body-codec.js';
import { AuthRequestSchema, CloseSchema } from '../../../protocol/gen/control_pb.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import { CapitalFlowIntradayRequestSchema, CapitalFlowIntradayResponseSchema } from '../../../protocol/gen/quote_pb.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import { StreamFramer } from '../../../protocol/stream-framer.js';
import type { Credential } from '../../auth/credential.js';
import { referenceCapitalFlowAnswer } from '../quote/command24-reference-test-kit.js';
import { fetchOtp, startTestServer, storeTrades, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { tcpClient, wsClient } from '../transport/transport-test-kit.js';

const flowRequest = (symbol: string): Uint8Array => toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol }));

/** A client that keeps every packet the server sends as raw bytes, for byte-exact comparisons. */
class WireClient {
  private nextId = 1;
  private readonly packets: Uint8Array[] = [];
  private readonly waiters: Array<(bytes: Uint8Array) => void> = [];

  private constructor(private readonly sendBytes: (bytes: Uint8Array) => void) {}

  static async ws(url: string): Promise<WireClient> {
    const { ws } = await wsClient(`${url}?version=1&codec=1&platform=9`);
    const client = new WireClient((bytes) => ws.send(bytes));
    ws.on('message', (data: Buffer) => client.put(new Uint8Array(data)));
    return client;
  }

  static async tcp(port: number): Promise<WireClient> {
    const { socket } = await tcpClient(port);
    const client = new WireClient((bytes) => socket.write(bytes));
    const framer = new StreamFramer({ handshake: false });
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.feed(chunk).frames) client.put(Uint8Array.from(frame));
    });
    return client;
  }

  /** Sends a request; returns its request id and the next packet the server sends. */
  async request(cmd: number, body: Uint8Array): Promise<{ requestId: number; bytes: Uint8Array }> {
    const requestId = this.nextId++;
    this.sendBytes(encodePacket({ type: 1, cmd, requestId, timeoutMs: 10_000, body, gzip: false }));
    return { requestId, bytes: await this.next() };
  }

  private next(): Promise<Uint8Array> {
    const ready = this.packets.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no packet in time')), 3000);
      this.waiters.push((bytes) => {
        clearTimeout(timer);
        resolve(bytes);
      });
    });
  }

  private put(bytes: Uint8Array): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(bytes);
    else this.packets.push(bytes);
  }
}

/** The response packet the reference answer makes: its body, or its error as qop.error.Error. */
function responsePacket(requestId: number, answer: Uint8Array | CapflowError): Uint8Array {
  if (answer instanceof CapflowError) {
    const body = toBinary(ErrorSchema, create(ErrorSchema, { code: BigInt(answer.code), msg: answer.message }));
    return encodePacket({ type: 2, cmd: 24, requestId, status: answer.status, body, gzip: false });
  }
  return encodePacket({ type: 2, cmd: 24, requestId, status: 0, body: answer, gzip: false });
}

async function reference(body: Uint8Array, credential: Credential, t: TestServer): Promise<Uint8Array | CapflowError> {
  try {
    return await referenceCapitalFlowAnswer(body, credential, t.flows);
  } catch (error) {
    if (error instanceof CapflowError) return error;
    throw error;
  }
}

describe('command 24 on the wire: byte for byte the reference answer', () => {
  const full = testCredential();
  const usOnly = testCredential({ appKey: 'us-only', accessToken: 'us-token', markets: ['US'] });
  // One per transport: each test empties its own bucket.
  const tight = ['ws', 'tcp'].map((name) => testCredential({ appKey: `tight-${name}`, accessToken: `tight-${name}`, rateLimits: { 24: { limit: 1, burst: 1 } } }));
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      credentials: [full, usOnly, ...tight],
      securities: ['NODATA.HK'],
      trades: [
        trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'),
        trade('700.HK', '2024-06-14T09:31:10+08:00', '320.0', 500, 'down'),
      ],
      clock: { kind: 'feed' },
    });
  });
  after(() => t.stop());

  const transports = [
    ['ws', (): Promise<WireClient> => WireClient.ws(t.wsUrl)],
    ['tcp', (): Promise<WireClient> => WireClient.tcp(t.server.tcpPort!)],
  ] as const;

  for (const [index, [transport, connect]] of transports.entries()) {
    it(`${transport}: answers, failures, new trades and a new served day`, async () => {
      const stranger = await connect();
      const early = await stranger.request(24, flowRequest('700.HK'));
      const authClose = encodeBody(CloseSchema, { code: 4, reason: 'authenticate before sending requests' });
      assert.deepEqual(early.bytes, encodePacket({ type: 3, cmd: 0, body: authClose, gzip: false }), 'unauthenticated: the AuthError close push');

      const client = await connect();
      const auth = await client.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, full) })));
      assert.equal(auth.bytes[6], 0);
      const ask = async (symbol: string | Uint8Array, credential = full, on = client): Promise<Uint8Array> => {
        const body = typeof symbol === 'string' ? flowRequest(symbol) : symbol;
        const { requestId, bytes } = await on.request(24, body);
        assert.deepEqual(bytes, responsePacket(requestId, await reference(body, credential, t)), `${transport} ${String(symbol)}`);
        return bytes;
      };

      const before = await ask('700.HK');
      assert.equal(before[6], 0);
      assert.deepEqual(await ask('00700.hk'), Uint8Array.from([...before.subarray(0, 2), 0, 0, 0, 3, ...before.subarray(6)]));
      for (const failing of ['NOPE.HK', 'NODATA.HK', '700', '', 'ZZZZ.US']) assert.notEqual((await ask(failing))[6], 0, failing);
      await ask(Uint8Array.of(0x0a, 0x05, 0x41)); // a truncated body

      // New trades are in the next answer (the served day is Friday 14 June, then Monday 17 June
      // once the first transport's test has moved the feed clock there).
      const minute = 32 + index;
      const served = index === 0 ? '2024-06-14' : '2024-06-17';
      await storeTrades(t.store, [trade('700.HK', `${served}T09:${minute}:20+08:00`, '321', 300, 'up')]);
      await t.flows.poll();
      const withTrade = await ask('700.HK');
      assert.notDeepEqual(withTrade.subarray(10), before.subarray(10));
      const lines = fromBinary(CapitalFlowIntradayResponseSchema, withTrade.subarray(10)).capitalFlowLines;
      assert.equal(lines.length, minute - 29);

      // The feed clock moves to the next trading day: the served day changes.
      await storeTrades(t.store, [trade('700.HK', `2024-06-${17 + index}T09:31:05+08:00`, '322', 100, 'down')]);
      await t.flows.poll();
      const nextDay = await ask('700.HK');
      assert.equal(fromBinary(CapitalFlowIntradayResponseSchema, nextDay.subarray(10)).capitalFlowLines.length, 2);

      // Without the market's permission: 7/301604 whether or not the symbol exists.
      const us = await connect();
      await us.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, usOnly) })));
      assert.deepEqual([(await ask('700.HK', usOnly, us))[6], (await ask('12345.HK', usOnly, us))[6]], [7, 7]);

      // Over the rate limit (2 × 1 + 1 = 3 tokens): the fourth answer is 3/301606, byte for byte.
      const limited = await connect();
      await limited.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, tight[index]!) })));
      const bodies: Uint8Array[] = [];
      for (let i = 0; i < 3; i++) bodies.push((await limited.request(24, flowRequest('700.HK'))).bytes);
      assert.deepEqual(bodies.map((bytes) => bytes[6]), [0, 0, 0]);
      const refused = await limited.request(24, flowRequest('700.HK'));
      assert.deepEqual(refused.bytes, responsePacket(refused.requestId, rateLimited('rate limit of 1/s (burst 1) exceeded for command 24')));
    });
  }
});
