/**
 * Commands 5, 6, 7, 17 and push 104 on the wire (raw packets, both transports' framing as the
 * gateway sees it): what an SDK other than the ones tested elsewhere would meet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Packet, ResponsePacket } from '../../../protocol/packet.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import {
  Command,
  PushTradeSchema,
  SecurityTradeRequestSchema,
  SecurityTradeResponseSchema,
  SubscribeRequestSchema,
  SubscriptionRequestSchema,
  SubscriptionResponseSchema,
  SubType,
  UnsubscribeRequestSchema,
} from '../../../protocol/gen/quote_pb.js';
import { RawProtocolClient } from '../../reliability/raw-protocol-client.js';
import { fetchOtp, startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';

const credential = testCredential({ appKey: 'wire-key', appSecret: 'wire-secret', accessToken: 'wire-token', subscribeLimit: 3 });
const DAY = [
  trade('700.HK', '2024-06-14T09:30:00+08:00', '320.0', 100, 'up'),
  trade('700.HK', '2024-06-14T09:31:00+08:00', '320.2', 200),
  trade('700.HK', '2024-06-14T09:32:00+08:00', '320.2', 300, 'down'),
];

const subscribe = (symbol: string[], subType: SubType[] = [SubType.TRADE], isFirstPush = false) =>
  toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { symbol, subType, isFirstPush }));
const unsubscribe = (fields: { symbol?: string[]; subType?: SubType[]; unsubAll?: boolean }) => toBinary(UnsubscribeRequestSchema, create(UnsubscribeRequestSchema, fields));
const subscription = () => toBinary(SubscriptionRequestSchema, create(SubscriptionRequestSchema, {}));

function ok(packet: Packet): Uint8Array {
  assert.equal(packet.type, 2, `expected a response, got type ${packet.type} cmd ${packet.cmd}`);
  const response = packet as ResponsePacket;
  if (response.status !== 0) assert.fail(`refused: ${response.status} ${JSON.stringify(fromBinary(ErrorSchema, response.body))}`);
  return response.body;
}

function refusal(packet: Packet): { status: number; code: number; msg: string } {
  const response = packet as ResponsePacket;
  assert.equal(packet.type, 2);
  const error = fromBinary(ErrorSchema, response.body);
  return { status: response.status, code: Number(error.code), msg: error.msg };
}

describe('trade commands on the wire', () => {
  let t: TestServer;
  let client: RawProtocolClient;
  before(async () => {
    t = await startTestServer({ credentials: [credential], trades: DAY, securities: ['5.HK', '9988.HK', '1.HK'] });
    client = await RawProtocolClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, credential));
  });
  after(async () => {
    client.close();
    await t.stop();
  });

  it('answers the subscribe first, then the first push, with the symbol as the client wrote it', async () => {
    const requestId = client.send(Command.Subscribe, subscribe(['00700.hk'], [SubType.TRADE], true));
    const answer = await client.next();
    assert.equal((answer as ResponsePacket).requestId, requestId);
    assert.equal(ok(answer).length, 0);
    const push = await client.next();
    assert.equal(push.type, 3);
    assert.equal(push.cmd, Command.PushTradeData);
    const body = fromBinary(PushTradeSchema, push.body);
    assert.equal(body.symbol, '00700.hk');
    assert.equal(body.sequence, 3n);
    assert.deepEqual(
      body.trade.map((one) => [one.price, Number(one.volume), Number(one.timestamp), one.direction]),
      [
        ['320.0', 100, Date.parse('2024-06-14T09:30:00+08:00') / 1000, 2],
        ['320.2', 200, Date.parse('2024-06-14T09:31:00+08:00') / 1000, 2], // up-tick
        ['320.2', 300, Date.parse('2024-06-14T09:32:00+08:00') / 1000, 1],
      ],
    );
    const listed = fromBinary(SubscriptionResponseSchema, ok(await client.request(Command.Subscription, subscription())));
    assert.deepEqual(
      listed.subList.map((one) => [one.symbol, one.subType]),
      [['00700.hk', [SubType.TRADE]]],
    );
  });

  it('refuses other sub types, an empty list, malformed and unknown symbols, all or nothing', async () => {
    const quote = refusal(await client.request(Command.Subscribe, subscribe(['5.HK'], [SubType.TRADE, SubType.QUOTE])));
    assert.deepEqual([quote.status, quote.code], [3, 301600]);
    assert.match(quote.msg, /capflow serves trades only.*QUOTE/);
    assert.deepEqual(Object.values(refusal(await client.request(Command.Subscribe, subscribe(['5.HK'], [])))).slice(0, 2), [3, 301600]);
    assert.deepEqual(Object.values(refusal(await client.request(Command.Subscribe, subscribe(['5.HK', '5.XX'])))).slice(0, 2), [3, 301600]);
    assert.deepEqual(Object.values(refusal(await client.request(Command.Subscribe, subscribe(['5.HK', 'NOPE.HK'])))).slice(0, 2), [7, 301600]);
    assert.deepEqual(Object.values(refusal(await client.request(Command.Subscribe, subscribe([])))).slice(0, 2), [3, 301600]);
    // None of those took effect.
    const listed = fromBinary(SubscriptionResponseSchema, ok(await client.request(Command.Subscription, subscription())));
    assert.deepEqual(listed.subList.map((one) => one.symbol), ['00700.hk']);
  });

  it('holds at most subscribe_limit symbols; unsub_all ends every subscription of the connection', async () => {
    // A list longer than the limit is refused before any symbol is looked at.
    const tooMany = refusal(await client.request(Command.Subscribe, subscribe(['5.HK', '9988.HK', '1.HK', 'X.XX'])));
    assert.deepEqual([tooMany.status, tooMany.code], [3, 301607]);
    ok(await client.request(Command.Subscribe, subscribe(['5.HK', '9988.HK'])));
    const over = refusal(await client.request(Command.Subscribe, subscribe(['1.HK'])));
    assert.deepEqual([over.status, over.code], [3, 301607]);
    ok(await client.request(Command.Unsubscribe, unsubscribe({ symbol: ['9988.HK'], subType: [SubType.TRADE] })));
    ok(await client.request(Command.Subscribe, subscribe(['1.HK'])));
    ok(await client.request(Command.Unsubscribe, unsubscribe({ unsubAll: true })));
    const listed = fromBinary(SubscriptionResponseSchema, ok(await client.request(Command.Subscription, subscription())));
    assert.deepEqual(listed.subList, []);
    assert.equal(t.server.trades.subscriptions.subscriptionCount(credential.appKey), 0);
    // Unsubscribing what is not subscribed is not an error; a malformed symbol is.
    ok(await client.request(Command.Unsubscribe, unsubscribe({ symbol: ['5.HK'], subType: [SubType.TRADE] })));
    assert.deepEqual(Object.values(refusal(await client.request(Command.Unsubscribe, unsubscribe({ symbol: ['5.XX'], subType: [SubType.TRADE] })))).slice(0, 2), [3, 301600]);
  });

  it('command 17 answers the latest count trades, oldest first, and checks count', async () => {
    const answer = (count: number) => client.request(Command.QueryTrade, toBinary(SecurityTradeRequestSchema, create(SecurityTradeRequestSchema, { symbol: '700.HK', count })));
    const two = fromBinary(SecurityTradeResponseSchema, ok(await answer(2)));
    assert.equal(two.symbol, '700.HK');
    assert.deepEqual(two.trades.map((one) => Number(one.volume)), [200, 300]);
    for (const count of [0, -1, 1001]) assert.deepEqual(Object.values(refusal(await answer(count))).slice(0, 2), [3, 301600]);
  });
});
