import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSymbol } from '../../model/symbol.js';
import { signedHeaders, startTestServer, testCredential, type TestServer } from '../server-test-kit.js';

const BODY = [
  '{"symbol":"700.HK","timestamp":"2024-06-14T09:30:05+08:00","price":320.2,"volume":1000,"direction":"up","trade_id":"a1"}',
  '{"symbol":"700.HK","timestamp":"2024-06-14T09:31:10+08:00","price":"320.0","volume":"500","direction":"down","trade_id":"a2"}',
  '{"symbol":"700.HK","timestamp":"2024-06-14T09:32:00","price":"320.0","volume":1}',
  '{"symbol":"700.HK","timestamp":"2024-06-14T16:05:00+08:00","price":322,"volume":100,"direction":"up","trade_id":"a3"}',
  '',
].join('\n');

describe('HTTP ingest endpoint', () => {
  const writer = testCredential();
  const reader = testCredential({ appKey: 'reader', accessToken: 'reader-token', ingest: false });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [writer, reader], clock: { kind: 'feed' } });
  });
  after(() => t.stop());

  const post = async (body: string, credential = writer, extra: Record<string, string> = {}) => {
    const bytes = new TextEncoder().encode(body);
    const response = await fetch(`${t.httpUrl}/v1/ingest`, {
      method: 'POST',
      headers: { ...signedHeaders(credential, 'POST', '/v1/ingest', '', bytes), 'content-type': 'application/x-ndjson', ...extra },
      body: bytes,
    });
    return { status: response.status, json: (await response.json()) as { code: number; data: Record<string, unknown> } };
  };

  it('stores a signed NDJSON body durably before answering, and the lines follow', async () => {
    const { status, json } = await post(BODY, writer, { 'Idempotency-Key': 'batch-1' });
    assert.equal(status, 200);
    assert.equal(json.code, 0);
    assert.deepEqual([json.data.accepted, json.data.duplicates, json.data.rejected], [3, 0, 1]);
    const rejections = json.data.rejections as { line: number; reason: string }[];
    assert.equal(rejections[0]?.line, 3);
    // Acknowledged means stored: the store has them now, and the served lines include them.
    assert.equal((await t.store.tradesOfDay('700.HK', '2024-06-14')).length, 3);
    const flow = await t.flows.capitalFlow(parseSymbol('700.HK')!);
    assert.equal(flow.lines.at(-1)?.inflow, '192400.000');
  });

  it('a retried body with the same Idempotency-Key counts nothing twice', async () => {
    const { json } = await post(BODY, writer, { 'Idempotency-Key': 'batch-1' });
    assert.equal(json.data.accepted, 0);
    assert.equal((await t.store.tradesOfDay('700.HK', '2024-06-14')).length, 3);
  });

  it('trade ids already stored are duplicates even without an idempotency key', async () => {
    const { json } = await post(BODY.split('\n')[0]!);
    assert.deepEqual([json.data.accepted, json.data.duplicates], [0, 1]);
  });

  it('refuses unsigned requests and credentials without the ingest right', async () => {
    const unsigned = await fetch(`${t.httpUrl}/v1/ingest`, { method: 'POST', body: BODY });
    assert.equal(unsigned.status, 401);
    const tampered = await fetch(`${t.httpUrl}/v1/ingest`, {
      method: 'POST',
      headers: signedHeaders(writer, 'POST', '/v1/ingest', '', new TextEncoder().encode('{}')),
      body: BODY,
    });
    assert.deepEqual([tampered.status, ((await tampered.json()) as { code: number }).code], [401, 401003]);
    const { status } = await post(BODY, reader);
    assert.equal(status, 403);
  });
});
