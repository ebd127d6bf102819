import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { computeSignature, parseSignatureHeader, sha1Hex, signatureHeader, signedHeaders, signingTimestamp } from './request-signing.js';

const encoder = new TextEncoder();

function bytes(length: number, salt: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + salt * 7) & 0xff);
}

/** The scheme written out with node:crypto (an implementation independent of @noble/hashes). */
function nodeSignature(method: string, path: string, query: string, key: string, token: string, timestamp: string, secret: string, body?: Uint8Array): string {
  let canonical = `${method}|${path}|${query}|authorization:${token}\nx-api-key:${key}\nx-timestamp:${timestamp}\n|authorization;x-api-key;x-timestamp|`;
  if (body && body.length > 0) canonical += createHash('sha1').update(body).digest('hex');
  return createHmac('sha256', secret).update(`HMAC-SHA256|${createHash('sha1').update(canonical).digest('hex')}`).digest('hex');
}

describe('request signing', () => {
  it('matches signatures computed independently with Python hmac/hashlib', () => {
    // python3: hmac.new(secret, b"HMAC-SHA256|" + sha1(canonical).hexdigest(), sha256).hexdigest()
    const vectors: [Parameters<typeof computeSignature>[0], string, string][] = [
      [{ method: 'GET', path: '/v1/socket/token', query: '', appKey: 'k1', accessToken: 't1', timestamp: '1700000000.123' }, 's1', '30591700d199e4ff3737c924648663ad8e61c8045b9c1708e88143dfd934f72b'],
      [
        { method: 'get', path: '/api/v1/capital-flow/intraday', query: 'symbol=700.HK&detail=1', appKey: 'k1', accessToken: 't1', timestamp: '1718000000.5' },
        's1',
        '423659ada915f1c66ffbd7b6b1f75fd742d9f587ec4a1ee0fd2f3ed51b290d94',
      ],
      [
        {
          method: 'POST',
          path: '/v1/ingest',
          query: 'format=csv&classify=lee-ready',
          appKey: 'app-κey',
          accessToken: 'tøken',
          timestamp: '1718000000123',
          body: encoder.encode('symbol,timestamp\n700.HK,1\n'),
        },
        'sëcret',
        '3d5bfd22288861d4f5debc91378ee4c0cd026e6fabc23869b1c80083248e1413',
      ],
    ];
    for (const [request, secret, expected] of vectors) assert.equal(computeSignature(request, secret), expected, `${request.method} ${request.path}`);
  });

  it('agrees with node:crypto across SHA-1 and SHA-256 block boundaries, keys longer than a block included', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300, 5000]) {
      const body = bytes(length, length);
      assert.equal(sha1Hex(body), createHash('sha1').update(body).digest('hex'), `sha1 of ${length} bytes`);
      for (const secret of ['', 's', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(200)]) {
        const path = `/p/${'a'.repeat(length % 97)}`;
        const request = { method: 'POST', path, query: `n=${length}`, appKey: 'k', accessToken: 't', timestamp: '1718000000.000', body };
        assert.equal(computeSignature(request, secret), nodeSignature('POST', path, `n=${length}`, 'k', 't', '1718000000.000', secret, body), `${length}/${secret.length}`);
      }
    }
  });

  it('takes a body digest computed while the body arrived instead of hashing the body again', () => {
    const body = encoder.encode('{"symbol":"700.HK"}\n');
    const base = { method: 'POST', path: '/v1/ingest', query: '', appKey: 'k', accessToken: 't', timestamp: '1' };
    const digest = createHash('sha1').update(body.subarray(0, 5)).update(body.subarray(5)).digest('hex');
    assert.equal(computeSignature({ ...base, body, bodySha1: digest }, 's'), computeSignature({ ...base, body }, 's'));
    // The digest is what is signed: a wrong one gives another signature.
    assert.notEqual(computeSignature({ ...base, body, bodySha1: '0'.repeat(40) }, 's'), computeSignature({ ...base, body }, 's'));
    // An empty body adds nothing, whatever its digest.
    assert.equal(computeSignature({ ...base, body: new Uint8Array(0), bodySha1: sha1Hex(new Uint8Array(0)) }, 's'), computeSignature(base, 's'));
  });

  it('builds the four headers, and parses the signature header back', () => {
    const headers = signedHeaders({ appKey: 'k1', appSecret: 's1', accessToken: 't1' }, { method: 'GET', path: '/v1/socket/token', query: '' }, '1700000000.123');
    assert.deepEqual(headers, {
      'X-Api-Key': 'k1',
      Authorization: 't1',
      'X-Timestamp': '1700000000.123',
      'X-Api-Signature': 'HMAC-SHA256 SignedHeaders=authorization;x-api-key;x-timestamp, Signature=30591700d199e4ff3737c924648663ad8e61c8045b9c1708e88143dfd934f72b',
    });
    assert.deepEqual(parseSignatureHeader(headers['X-Api-Signature']!.toUpperCase().replace('SIGNEDHEADERS=AUTHORIZATION;X-API-KEY;X-TIMESTAMP', 'SignedHeaders=authorization;x-api-key;x-timestamp').replace('SIGNATURE=', 'Signature=')), {
      signedHeaders: 'authorization;x-api-key;x-timestamp',
      signature: '30591700d199e4ff3737c924648663ad8e61c8045b9c1708e88143dfd934f72b',
    });
    assert.equal(parseSignatureHeader('HMAC-SHA256 Signature=abc'), undefined);
    assert.equal(
      signatureHeader({ method: 'GET', path: '/v1/socket/token', query: '', appKey: 'k1', accessToken: 't1', timestamp: '1700000000.123' }, 's1'),
      headers['X-Api-Signature'],
    );
    assert.equal(signingTimestamp(1_718_000_000_123), '1718000000.123');
  });
});
