import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodePacket } from '../../../protocol/packet-codec.js';
import { encodePlainResponse } from './response-encoding.js';

describe('encodePlainResponse', () => {
  it('gives the bytes of encodePacket for any response', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 255 }),
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 4000, max: 70_000 }).map((n) => new Uint8Array(n).fill(n & 0xff))),
        (cmd, requestId, status, body) => {
          const expected = encodePacket({ type: 2, cmd, requestId, status, body, gzip: false });
          assert.deepEqual(new Uint8Array(encodePlainResponse(cmd, requestId, status, body)), expected);
        },
      ),
      { seed: 20240614, numRuns: 500 },
    );
  });

  it('refuses what the wire cannot carry with encodePacket’s RangeError', () => {
    assert.throws(() => encodePlainResponse(256, 1, 0, new Uint8Array()), RangeError);
    assert.throws(() => encodePlainResponse(24, 2 ** 32, 0, new Uint8Array()), RangeError);
    assert.throws(() => encodePlainResponse(24, 1, -1, new Uint8Array()), RangeError);
  });
});
