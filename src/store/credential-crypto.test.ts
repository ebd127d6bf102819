import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSealedPlain, openSecret, parseSecretKey, sealSecret, sha256Hex, tokenMatchesHash } from './credential-crypto.js';

const KEY_HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

describe('credential crypto', () => {
  it('hashes tokens with SHA-256 (known vector) and matches only the same token', () => {
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(tokenMatchesHash('abc', sha256Hex('abc')), true);
    assert.equal(tokenMatchesHash('abd', sha256Hex('abc')), false);
    assert.equal(tokenMatchesHash('abc', 'not-hex'), false);
  });

  it('reads the key as 64 hex digits or base64 of 32 bytes, and names the format otherwise', () => {
    const fromHex = parseSecretKey(KEY_HEX)!;
    assert.equal(fromHex.length, 32);
    assert.deepEqual(parseSecretKey(fromHex.toString('base64')), fromHex);
    assert.deepEqual(parseSecretKey(fromHex.toString('base64url')), fromHex);
    assert.equal(parseSecretKey(undefined), undefined);
    assert.equal(parseSecretKey(''), undefined);
    assert.throws(() => parseSecretKey('abc'), /CAPFLOW_SECRET_KEY must be 32 bytes as 64 hex digits or base64/);
    assert.throws(() => parseSecretKey(KEY_HEX.slice(2)), /64 hex digits/);
  });

  it('encrypts with a key (no plaintext in the sealed form, fresh IV each time) and opens it again', () => {
    const key = parseSecretKey(KEY_HEX)!;
    const a = sealSecret('my-app-secret', key);
    const b = sealSecret('my-app-secret', key);
    assert.match(a, /^aes256gcm:v1:/);
    assert.ok(!a.includes('my-app-secret'));
    assert.notEqual(a, b);
    assert.equal(isSealedPlain(a), false);
    assert.equal(openSecret(a, key), 'my-app-secret');
  });

  it('refuses to open with a missing or wrong key, or a tampered ciphertext, without revealing the secret', () => {
    const key = parseSecretKey(KEY_HEX)!;
    const sealed = sealSecret('my-app-secret', key);
    assert.throws(() => openSecret(sealed, undefined), /set CAPFLOW_SECRET_KEY/);
    const wrong = Buffer.alloc(32, 7);
    assert.throws(() => openSecret(sealed, wrong), (error: Error) => /not the key/.test(error.message) && !error.message.includes('my-app'));
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    assert.throws(() => openSecret(tampered, key), /cannot decrypt/);
  });

  it('keeps a secret marked plain without a key', () => {
    const sealed = sealSecret('s3', undefined);
    assert.equal(sealed, 'plain:s3');
    assert.equal(isSealedPlain(sealed), true);
    assert.equal(openSecret(sealed, undefined), 's3');
  });
});
