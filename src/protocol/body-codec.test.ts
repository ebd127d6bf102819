import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapflowError } from '../model/errors.js';
import { decodeBody, encodeBody } from './body-codec.js';
import { CloseSchema, Close_Code, HeartbeatSchema } from './gen/control_pb.js';

describe('body codec', () => {
  it('encodes Close{UnpackError, "x"} as 08 03 12 01 78', () => {
    assert.deepEqual([...encodeBody(CloseSchema, { code: Close_Code.UnpackError, reason: 'x' })], [0x08, 0x03, 0x12, 0x01, 0x78]);
  });
  it('decodes a hand-written Heartbeat{timestamp 300, heartbeat_id 7}', () => {
    const message = decodeBody(HeartbeatSchema, Uint8Array.of(0x08, 0xac, 0x02, 0x10, 0x07));
    assert.equal(message.timestamp, 300n);
    assert.equal(message.heartbeatId, 7);
  });
  it('turns malformed protobuf into invalidRequest (status 3, code 301600)', () => {
    // Field 2 (string) announcing 5 bytes with only 1 present.
    assert.throws(() => decodeBody(CloseSchema, Uint8Array.of(0x12, 0x05, 0x41)), (error: unknown) => {
      assert.ok(error instanceof CapflowError);
      assert.equal(error.status, 3);
      assert.equal(error.code, 301600);
      assert.equal(error.closeCode, undefined);
      return true;
    });
  });
});
