import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { computeSignature } from '../../server/auth/request-signature.js';
import { groupDigits, signOf } from './amounts.js';
import { hmacSha256, sha1, sha256, toHex } from './pure-hash.js';
import { signRequest } from './request-signer.js';

const credential = { appKey: 'k1', appSecret: 's3cr3t', accessToken: 't1' };

function bytes(length: number, salt: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + salt * 7) & 0xff);
}

describe('browser request signing', () => {
  it('computes SHA-1, SHA-256 and HMAC-SHA256 exactly as node:crypto does, across block boundaries', () => {
    for (const length of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 128, 300]) {
      const data = bytes(length, length);
      assert.equal(toHex(sha1(data)), createHash('sha1').update(data).digest('hex'), `sha1 ${length}`);
      assert.equal(toHex(sha256(data)), createHash('sha256').update(data).digest('hex'), `sha256 ${length}`);
      for (const keyLength of [0, 6, 64, 65, 100]) {
        const key = bytes(keyLength, 3);
        assert.equal(toHex(hmacSha256(key, data)), createHmac('sha256', key).update(data).digest('hex'), `hmac ${keyLength}/${length}`);
      }
    }
  });

  it('signs like the server verifies, with WebCrypto and with the plain fallback', async () => {
    const request = { method: 'post', path: '/api/v1/stream-token', query: 'symbol=700.HK&detail=1', body: new TextEncoder().encode('{"a":1}') };
    const expected = computeSignature(
      { method: 'POST', path: request.path, query: request.query, appKey: 'k1', accessToken: 't1', timestamp: '1718000000.123', body: request.body },
      's3cr3t',
    );
    const withSubtle = await signRequest(credential, request, '1718000000.123');
    assert.equal(withSubtle['X-Api-Signature'], `HMAC-SHA256 SignedHeaders=authorization;x-api-key;x-timestamp, Signature=${expected}`);
    assert.deepEqual([withSubtle['X-Api-Key'], withSubtle['Authorization'], withSubtle['X-Timestamp']], ['k1', 't1', '1718000000.123']);

    // A page over plain HTTP from another host has no crypto.subtle.
    const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
    try {
      const withoutSubtle = await signRequest(credential, request, '1718000000.123');
      assert.equal(withoutSubtle['X-Api-Signature'], withSubtle['X-Api-Signature']);
    } finally {
      if (original) Object.defineProperty(globalThis, 'crypto', original);
    }
  });
});

describe('amount display', () => {
  it('groups the digits of exact amounts without rounding them', () => {
    assert.equal(groupDigits('-24384680.860'), '\u221224,384,680.860');
    assert.equal(groupDigits('802000.000'), '802,000.000');
    assert.equal(groupDigits('999.999'), '999.999');
    assert.equal(groupDigits('0.000'), '0.000');
    assert.equal(groupDigits('12345678901234567890.001'), '12,345,678,901,234,567,890.001');
  });

  it('tells inflow, outflow and flat apart from the text', () => {
    assert.equal(signOf('-0.001'), 'negative');
    assert.equal(signOf('0.000'), 'flat');
    assert.equal(signOf('15.500'), 'positive');
  });
});
