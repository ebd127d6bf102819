import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePacket } from './packet-codec.js';
import { DecodeFailure } from './packet-decode-error.js';
import { StreamFramer } from './stream-framer.js';

const handshake = Uint8Array.of(0x11, 0x09);
const request = Uint8Array.of(0x01, 0x18, 0x00, 0x00, 0x00, 0x01, 0x13, 0x88, 0x00, 0x00, 0x02, 0x0a, 0x00);
const verifiedHeartbeat = Uint8Array.of(
  0x11, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x05,
  ...Array.from({ length: 24 }, (_, i) => i),
);
const emptyPush = Uint8Array.of(0x03, 0x07, 0x00, 0x00, 0x00);
const response = Uint8Array.of(0x02, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0xff);
const packets = [request, verifiedHeartbeat, emptyPush, response];
const stream = Uint8Array.from([...handshake, ...packets.flatMap((p) => [...p])]);

function feedAll(framer: StreamFramer, chunks: Uint8Array[]): { frames: number[][]; handshakes: number; error?: string } {
  const frames: number[][] = [];
  let handshakes = 0;
  let error: string | undefined;
  for (const chunk of chunks) {
    const out = framer.feed(chunk);
    if (out.handshake) handshakes += 1;
    frames.push(...out.frames.map((f) => [...f]));
    if (out.error) error = out.error.reason;
  }
  return error === undefined ? { frames, handshakes } : { frames, handshakes, error };
}

const expected = { frames: packets.map((p) => [...p]), handshakes: 1 };

describe('StreamFramer', () => {
  it('frames handshake and several packets delivered in one chunk', () => {
    assert.deepEqual(feedAll(new StreamFramer(), [stream]), expected);
  });
  it('frames the same stream split into two chunks at every offset', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const result = feedAll(new StreamFramer(), [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(result, expected, `cut at ${cut}`);
    }
  });
  it('frames the same stream fed one byte at a time', () => {
    const framer = new StreamFramer();
    assert.deepEqual(feedAll(framer, [...stream].map((b) => Uint8Array.of(b))), expected);
    assert.equal(framer.bufferedBytes, 0);
  });
  it('frames the stream split into three chunks at every pair of offsets', () => {
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) {
        const chunks = [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)];
        assert.deepEqual(feedAll(new StreamFramer(), chunks), expected, `cuts ${a},${b}`);
      }
    }
  });
  it('produces frames that decode as exactly one packet each', () => {
    const out = new StreamFramer().feed(stream);
    assert.deepEqual(out.frames.map((f) => decodePacket(f).cmd), [24, 1, 7, 4]);
  });
  it('holds an incomplete packet until the rest arrives', () => {
    const framer = new StreamFramer();
    assert.deepEqual(feedAll(framer, [handshake, request.subarray(0, 12)]), { frames: [], handshakes: 1 });
    assert.equal(framer.bufferedBytes, 12);
    assert.deepEqual(feedAll(framer, [request.subarray(12)]).frames, [[...request]]);
  });
  it('accepts 0x11 0x09 and ignores the reserved nibble of byte 1', () => {
    assert.equal(new StreamFramer().feed(Uint8Array.of(0x11, 0x09)).handshake?.platform, 9);
    assert.equal(new StreamFramer().feed(Uint8Array.of(0x11, 0xf9)).error, undefined);
  });
  it('rejects a handshake with an unknown version, codec or platform', () => {
    for (const bad of [[0x12, 0x09], [0x21, 0x09], [0x11, 0x08], [0x01, 0x09], [0x00, 0x00]]) {
      const out = new StreamFramer().feed(Uint8Array.from(bad));
      assert.equal(out.error?.reason, DecodeFailure.BadHandshake, `handshake ${bad.join(',')}`);
    }
  });
  it('skips the handshake when told the stream has none', () => {
    const out = new StreamFramer({ handshake: false }).feed(request);
    assert.equal(out.handshake, undefined);
    assert.deepEqual(out.frames.map((f) => [...f]), [[...request]]);
  });
  it('rejects an oversized announced length as soon as the header is complete, before the body', () => {
    const framer = new StreamFramer({ maxPacketBytes: 100 });
    // Request header announcing a 1,000-byte body: 11 + 1000 > 100.
    const header = Uint8Array.of(0x01, 0x18, 0, 0, 0, 1, 0, 0, 0x00, 0x03, 0xe8);
    assert.equal(framer.feed(handshake).error, undefined);
    assert.equal(framer.feed(header.subarray(0, 10)).error, undefined);
    const out = framer.feed(header.subarray(10));
    assert.equal(out.error?.reason, DecodeFailure.PacketTooLarge);
    assert.equal(framer.bufferedBytes, 0);
  });
  it('counts the verify trailer in the packet bound', () => {
    // Push with an 80-byte body: 5 + 80 = 85 fits 100, with the verify trailer 109 does not.
    assert.equal(new StreamFramer({ handshake: false, maxPacketBytes: 100 }).feed(Uint8Array.of(0x03, 1, 0, 0, 80)).error, undefined);
    assert.equal(
      new StreamFramer({ handshake: false, maxPacketBytes: 100 }).feed(Uint8Array.of(0x13, 1, 0, 0, 80)).error?.reason,
      DecodeFailure.PacketTooLarge,
    );
  });
  it('rejects a garbage header type after good packets, still delivering the good ones', () => {
    const out = new StreamFramer().feed(Uint8Array.from([...handshake, ...emptyPush, 0x05, 0, 0]));
    assert.deepEqual(out.frames.map((f) => [...f]), [[...emptyPush]]);
    assert.equal(out.error?.reason, DecodeFailure.UnknownType);
  });
  it('stays failed after a failure', () => {
    const framer = new StreamFramer();
    framer.feed(Uint8Array.of(0x11, 0x09, 0x0f));
    const out = framer.feed(request);
    assert.equal(out.error?.reason, DecodeFailure.UnknownType);
    assert.deepEqual(out.frames, []);
  });
});
