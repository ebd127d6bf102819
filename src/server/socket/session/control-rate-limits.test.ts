/**
 * Every command an authenticated client can send has a per-credential bound: auth (2),
 * reconnect (3), live subscribe (200) and unsubscribe (201) take tokens like the queries (default
 * 10/s, burst 20, a bucket of 2 × 20 + 10 = 50), as do the socket-token endpoints over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Packet, ResponsePacket } from '../../../protocol/packet.js';
import { AuthRequestSchema, ReconnectRequestSchema } from '../../../protocol/gen/control_pb.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import { SubscribeCapitalFlowRequestSchema, UnsubscribeCapitalFlowRequestSchema } from '../../../protocol/gen/capflow_pb.js';
import { UserQuoteProfileResponseSchema } from '../../../protocol/gen/quote_pb.js';
import { SOCKET_TOKEN_RATE_KEY } from '../../auth/credential.js';
import { bucketCapacity, RateLimiter } from '../../rate-limit/token-bucket.js';
import { RawProtocolClient } from '../../reliability/raw-protocol-client.js';
import { fetchOtp, signedHeaders, startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';

const OPEN = { limit: 1_000_000, burst: 1_000_000 };
const DEFAULT_BUCKET = bucketCapacity(10, 20);

/** The status and business code of a response (0, 0 on success). */
function outcome(packet: Packet): [number, number] {
  assert.equal(packet.type, 2, `expected a response, got type ${packet.type} cmd ${packet.cmd}`);
  const response = packet as ResponsePacket;
  return response.status === 0 ? [0, 0] : [response.status, Number(fromBinary(ErrorSchema, response.body).code)];
}

describe('rate limits of auth, reconnect, live subscriptions and the token endpoints', () => {
  // Each test drains its own credential's bucket; the token endpoint is opened up where OTPs are needed.
  const authing = testCredential({ appKey: 'authing', accessToken: 'authing-token', connections: 1000, rateLimits: { [SOCKET_TOKEN_RATE_KEY]: OPEN } });
  const resuming = testCredential({ appKey: 'resuming', accessToken: 'resuming-token', connections: 1000 });
  const watching = testCredential({ appKey: 'watching', accessToken: 'watching-token' });
  const fetching = testCredential({ appKey: 'fetching', accessToken: 'fetching-token' });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [authing, resuming, watching, fetching],
      trades: [trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up')],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:31:00+08:00') },
      // A frozen limiter clock: nothing refills during the test, however slow the machine.
      server: { rateLimiter: new RateLimiter(() => 0) },
    });
  });
  after(() => t.stop());

  it('advertises 2, 3, 200 and 201 in command 4 with the defaults', async () => {
    const client = await RawProtocolClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, watching));
    const profile = fromBinary(UserQuoteProfileResponseSchema, ((await client.request(4, new Uint8Array())) as ResponsePacket).body);
    const advertised = new Map(profile.rateLimit.map((rule) => [rule.command as number, [rule.limit, rule.burst]]));
    for (const command of [2, 3, 200, 201]) assert.deepEqual(advertised.get(command), [10, 20], `command ${command}`);
    assert.ok(![...advertised.keys()].some((command) => command > 255), 'the token endpoints are not a socket command');
    client.close();
  });

  it('auth: the bucket’s worth of auths pass, the next is answered 3/301606 (a response, not a close push)', async () => {
    const otps = await Promise.all(Array.from({ length: DEFAULT_BUCKET + 1 }, () => fetchOtp(t.httpUrl, authing)));
    const outcomes: Array<[number, number]> = [];
    for (const otp of otps) {
      const client = await RawProtocolClient.ws(t.wsUrl);
      outcomes.push(outcome(await client.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })))));
      client.close();
    }
    assert.deepEqual(outcomes.slice(0, DEFAULT_BUCKET), Array.from({ length: DEFAULT_BUCKET }, () => [0, 0]));
    assert.deepEqual(outcomes.at(-1), [3, 301606]);
  });

  it('reconnect: the bucket’s worth of resumes pass, the next is answered 3/301606', async () => {
    const first = await RawProtocolClient.ws(t.wsUrl);
    const { sessionId } = await first.auth(await fetchOtp(t.httpUrl, resuming));
    first.close();
    const outcomes: Array<[number, number]> = [];
    const body = toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId }));
    for (let i = 0; i <= DEFAULT_BUCKET; i++) {
      const client = await RawProtocolClient.ws(t.wsUrl);
      outcomes.push(outcome(await client.request(3, body)));
      client.close();
    }
    assert.equal(outcomes.filter(([status]) => status === 0).length, DEFAULT_BUCKET);
    assert.deepEqual(outcomes.at(-1), [3, 301606]);
  });

  it('subscribe (200) and unsubscribe (201) each have their own bucket', async () => {
    const client = await RawProtocolClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, watching));
    for (const [command, body] of [
      [200, toBinary(SubscribeCapitalFlowRequestSchema, create(SubscribeCapitalFlowRequestSchema, { symbol: '700.HK' }))],
      [201, toBinary(UnsubscribeCapitalFlowRequestSchema, create(UnsubscribeCapitalFlowRequestSchema, { symbol: '700.HK' }))],
    ] as const) {
      const outcomes: Array<[number, number]> = [];
      for (let i = 0; i <= DEFAULT_BUCKET; i++) outcomes.push(outcome(await client.request(command, body)));
      assert.equal(outcomes.filter(([status]) => status === 0).length, DEFAULT_BUCKET, `command ${command}`);
      assert.deepEqual(outcomes.at(-1), [3, 301606], `command ${command}`);
    }
    client.close();
  });

  it('the socket-token endpoints: HTTP 429 with 301606 once the credential’s bucket is empty', async () => {
    const statuses: number[] = [];
    let refusal: { code: number; message: string } | undefined;
    for (let i = 0; i <= DEFAULT_BUCKET; i++) {
      const path = i % 2 === 0 ? '/v1/socket/token' : '/v2/socket/token';
      const response = await fetch(`${t.httpUrl}${path}`, { headers: signedHeaders(fetching, 'GET', path) });
      statuses.push(response.status);
      if (response.status !== 200) refusal = (await response.json()) as { code: number; message: string };
      else await response.arrayBuffer();
    }
    assert.equal(statuses.filter((status) => status === 200).length, DEFAULT_BUCKET);
    assert.equal(statuses.at(-1), 429);
    assert.equal(refusal?.code, 301606);
    assert.match(refusal?.message ?? '', /socket-token endpoint/);
  });
});
