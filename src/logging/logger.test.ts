import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { encodePacket } from '../protocol/packet-codec.js';
import { AuthRequestSchema } from '../protocol/gen/control_pb.js';
import { fetchOtp, signedHeaders, startTestServer, testCredential, trade } from '../server/server-test-kit.js';
import { wsClient } from '../server/socket/transport/transport-test-kit.js';
import { createLogger } from './logger.js';

type LongportModule = typeof import('longport');
const require = createRequire(import.meta.url);
const longport = require('longport') as LongportModule;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('structured logs', () => {
  it('redact secret-bearing fields wherever they appear', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: 'info' });
    logger.info({ appSecret: 's3cr3t', credential: { accessToken: 't0k3n', appKey: 'k' }, headers: { authorization: 'a-token' } }, 'hello');
    logger.flush();
    const entry = JSON.parse(out.text().trim()) as Record<string, unknown>;
    assert.equal(entry.msg, 'hello');
    assert.equal(entry.appSecret, '[redacted]');
    assert.deepEqual(entry.credential, { accessToken: '[redacted]', appKey: 'k' });
    assert.deepEqual(entry.headers, { authorization: '[redacted]' });
  });

  it('carry connection and request ids through a full SDK auth sequence and never contain the secret, token or one-time password', async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: 'debug' });
    const credential = testCredential({ appKey: 'log-key', appSecret: 'log-secret-9f1c2e', accessToken: 'log-token-77ab3d' });
    const t = await startTestServer({
      credentials: [credential],
      trades: [trade('700.HK', '2024-06-14T09:30:00+08:00', '320.0', 1000)],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T10:00:00+08:00') },
      server: { logger },
    });
    let otp = '';
    try {
      const ctx = await longport.QuoteContext.new(
        new longport.Config({ ...credential, httpUrl: t.httpUrl, quoteWsUrl: t.wsUrl, enablePrintQuotePackages: false }),
      );
      assert.equal((await ctx.capitalFlow('700.HK')).length, 31);
      // A raw auth whose one-time password we know, then refused attempts.
      otp = await fetchOtp(t.httpUrl, credential);
      const raw = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
      raw.ws.send(encodePacket({ type: 1, cmd: 2, requestId: 7, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })), gzip: false }));
      await raw.next();
      raw.ws.close();
      await fetch(`${t.httpUrl}/v1/socket/token?x=1`, { headers: signedHeaders({ ...credential, appSecret: 'wrong' }, 'GET', '/v1/socket/token') });
    } finally {
      await t.stop();
    }
    logger.flush();
    const text = out.text();
    for (const secret of [credential.appSecret, credential.accessToken, otp]) assert.ok(!text.includes(secret), `log output contains ${secret}`);
    const entries = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = entries.filter((entry) => entry.msg === 'request');
    assert.ok(requests.some((entry) => entry.cmd === 2 && typeof entry.conn === 'number' && entry.req === 7));
    assert.ok(entries.some((entry) => entry.msg === 'connection opened' && entry.transport === 'ws' && typeof entry.conn === 'number'));
    const refused = entries.find((entry) => entry.msg === 'http request refused');
    assert.equal(refused?.status, 401);
    assert.equal(refused?.path, '/v1/socket/token');
    assert.match(String(refused?.reqId), /^h\d+$/);
  });
});
