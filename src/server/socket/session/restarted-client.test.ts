/**
 * The server's rate limit and a client paced like the current official SDKs (limiter full at
 * start, refilled with `limit` tokens per whole second from its own start, `burst` at most, with
 * the numbers command 4 advertises): one instance drains what it may, a new process takes over
 * and spends its full bucket at once — nothing is refused. A client that does not pace itself is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import type { ResponsePacket } from '../../../protocol/packet.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import { UserQuoteProfileResponseSchema } from '../../../protocol/gen/quote_pb.js';
import { bucketCapacity } from '../../rate-limit/token-bucket.js';
import { capitalFlowRequest, RawProtocolClient } from '../../reliability/raw-protocol-client.js';
import { fetchOtp, startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { sleep } from '../transport/transport-test-kit.js';

/** limit < burst: the case where a restart's second burst matters. */
const RULE = { limit: 2, burst: 6 };

/** A new client process: its own session, and a limiter built from command 4, full at start. */
class SdkLikeClient {
  private level = 0;
  private step = 0;
  private startedAt = 0;
  private limit = 0;
  private burst = 0;
  refused = 0;
  sent = 0;

  private constructor(private readonly client: RawProtocolClient) {}

  static async start(t: TestServer, credential: ReturnType<typeof testCredential>): Promise<SdkLikeClient> {
    const client = await RawProtocolClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, credential));
    const profile = fromBinary(UserQuoteProfileResponseSchema, ((await client.request(4, new Uint8Array())) as ResponsePacket).body);
    const rule = profile.rateLimit.find((r) => r.command === 24)!;
    const sdk = new SdkLikeClient(client);
    sdk.limit = rule.limit;
    sdk.burst = rule.burst;
    sdk.level = rule.burst; // full at start
    sdk.startedAt = Date.now();
    return sdk;
  }

  get advertised(): { limit: number; burst: number } {
    return { limit: this.limit, burst: this.burst };
  }

  /** Sends everything its limiter allows, whenever it allows it, for `ms`. */
  async runFor(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const steps = Math.floor((Date.now() - this.startedAt) / 1000);
      for (; this.step < steps; this.step++) this.level = Math.min(this.burst, this.level + this.limit);
      const ready = this.level;
      this.level = 0;
      for (let i = 0; i < ready; i++) this.client.send(24, capitalFlowRequest('700.HK'));
      for (let i = 0; i < ready; i++) {
        const packet = (await this.client.next()) as ResponsePacket;
        this.sent++;
        if (packet.status !== 0) {
          assert.equal(Number(fromBinary(ErrorSchema, packet.body).code), 301606);
          this.refused++;
        }
      }
      const nextStep = this.startedAt + (this.step + 1) * 1000;
      await sleep(Math.max(1, Math.min(nextStep, until) - Date.now()));
    }
  }

  close(): void {
    this.client.close();
  }
}

describe('rate limits across a client restart', () => {
  const paced = testCredential({ appKey: 'paced', accessToken: 'paced-token', rateLimits: { 24: RULE } });
  const abusive = testCredential({ appKey: 'abusive', accessToken: 'abusive-token', rateLimits: { 24: RULE } });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [paced, abusive],
      trades: [trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up')],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:31:00+08:00') },
    });
  });
  after(() => t.stop());

  it('a client restarted right after its previous instance drained the bucket sends its burst at once and is never refused', async () => {
    const first = await SdkLikeClient.start(t, paced);
    assert.deepEqual(first.advertised, RULE);
    await first.runFor(2_100); // its burst, then a step's worth at 1 s and 2 s
    first.close();
    const restarted = await SdkLikeClient.start(t, paced);
    await restarted.runFor(1_100); // its whole burst at once, then a step
    restarted.close();
    assert.equal(first.sent + restarted.sent, 6 + 2 + 2 + 6 + 2);
    assert.deepEqual([first.refused, restarted.refused], [0, 0]);
  });

  it('a client that does not pace itself is refused with 3/301606 past 2 × burst + limit', async () => {
    const client = await RawProtocolClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, abusive));
    const count = bucketCapacity(RULE.limit, RULE.burst) + 3;
    for (let i = 0; i < count; i++) client.send(24, capitalFlowRequest('700.HK'));
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push(((await client.next()) as ResponsePacket).status);
    client.close();
    assert.ok(statuses.filter((status) => status === 0).length < count, 'some requests refused');
    assert.deepEqual(statuses.slice(-2), [3, 3]);
  });
});
