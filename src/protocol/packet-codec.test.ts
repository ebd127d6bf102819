import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode } from '../model/errors.js';
import { nodeGzipCodec } from './node-gzip-codec.js';
import { PacketType } from './packet.js';
import type { Packet, PushPacket, RequestPacket, ResponsePacket } from './packet.js';
import { decodePacket, encodePacket } from './packet-codec.js';
import { DecodeFailure, PacketDecodeError } from './packet-decode-error.js';

const gunzip = nodeGzipCodec.gunzip;

// Request cmd 24, request_id 0x01020304, timeout 5000 ms, body 0a 02 41 42.
const requestBytes = Uint8Array.of(0x01, 0x18, 0x01, 0x02, 0x03, 0x04, 0x13, 0x88, 0x00, 0x00, 0x04, 0x0a, 0x02, 0x41, 0x42);
const request: RequestPacket = {
  type: PacketType.Request, cmd: 24, requestId: 0x01020304, timeoutMs: 5000, body: Uint8Array.of(0x0a, 0x02, 0x41, 0x42), gzip: false,
};
// Response cmd 2, request_id 7, status 3, body 08 01.
const responseBytes = Uint8Array.of(0x02, 0x02, 0x00, 0x00, 0x00, 0x07, 0x03, 0x00, 0x00, 0x02, 0x08, 0x01);
const response: ResponsePacket = {
  type: PacketType.Response, cmd: 2, requestId: 7, status: 3, body: Uint8Array.of(0x08, 0x01), gzip: false,
};
// Push cmd 0 (close), body Close{code 3, reason "x"} = 08 03 12 01 78.
const pushBytes = Uint8Array.of(0x03, 0x00, 0x00, 0x00, 0x05, 0x08, 0x03, 0x12, 0x01, 0x78);
const push: PushPacket = { type: PacketType.Push, cmd: 0, body: Uint8Array.of(0x08, 0x03, 0x12, 0x01, 0x78), gzip: false };

const nonce = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const signature = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
// gzip of 08 01 (Python gzip.compress(mtime=0)), 22 bytes.
const gzipOf0801 = Uint8Array.of(
  0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xe3, 0x60, 0x04, 0x00, 0x61, 0xa8, 0x07, 0xfe, 0x02, 0x00, 0x00, 0x00,
);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

function plain(packet: Packet): unknown {
  // Compare as plain values (bodies may be Buffer or Uint8Array views).
  const bytes = (value: Uint8Array): number[] => [...value];
  const { body, signature, ...rest } = packet;
  return { ...rest, body: bytes(body), ...(signature ? { nonce: bytes(signature.nonce), signature: bytes(signature.signature) } : {}) };
}

function decodeFailure(bytes: Uint8Array, reason: DecodeFailure, options = {}): void {
  assert.throws(() => decodePacket(bytes, options), (error: unknown) => {
    assert.ok(error instanceof PacketDecodeError);
    assert.equal(error.reason, reason);
    assert.equal(error.closeCode, CloseCode.UnpackError);
    return true;
  });
}

describe('encodePacket', () => {
  it('lays out a request as header, cmd, request_id u32, timeout u16, body_len u24, body', () => {
    assert.deepEqual(encodePacket(request), requestBytes);
  });
  it('lays out a response as header, cmd, request_id u32, status u8, body_len u24, body', () => {
    assert.deepEqual(encodePacket(response), responseBytes);
  });
  it('lays out a push as header, cmd, body_len u24, body', () => {
    assert.deepEqual(encodePacket(push), pushBytes);
  });
  it('sets the verify bit and appends nonce then signature', () => {
    const bytes = encodePacket({ ...push, signature: { nonce, signature } });
    assert.deepEqual(bytes, concat(Uint8Array.of(0x13), pushBytes.subarray(1), nonce, signature));
  });
  it('sets the gzip bit and writes the compressed body length', () => {
    const bytes = encodePacket({ ...response, gzip: true }, { gzip: nodeGzipCodec.gzip });
    assert.equal(bytes[0], 0x22);
    const bodyLength = (bytes[7]! << 16) | (bytes[8]! << 8) | bytes[9]!;
    assert.equal(bodyLength, bytes.length - 10);
    assert.deepEqual([...gunzip(bytes.subarray(10), 100)], [0x08, 0x01]);
  });
  it('encodes a body of exactly 16,777,215 bytes and refuses one byte more', () => {
    const max = encodePacket({ ...push, body: new Uint8Array(0xffffff) });
    assert.deepEqual([...max.subarray(0, 5)], [0x03, 0x00, 0xff, 0xff, 0xff]);
    assert.throws(() => encodePacket({ ...push, body: new Uint8Array(0x1000000) }), RangeError);
  });
  it('refuses field values the wire cannot carry', () => {
    assert.throws(() => encodePacket({ ...request, cmd: 256 }), RangeError);
    assert.throws(() => encodePacket({ ...request, requestId: 2 ** 32 }), RangeError);
    assert.throws(() => encodePacket({ ...request, timeoutMs: 65536 }), RangeError);
    assert.throws(() => encodePacket({ ...response, status: -1 }), RangeError);
    assert.throws(() => encodePacket({ ...push, signature: { nonce: new Uint8Array(7), signature } }), RangeError);
  });
  it('writes u32 request ids above 2^31 unsigned', () => {
    const bytes = encodePacket({ ...response, requestId: 0xfffffffe });
    assert.deepEqual([...bytes.subarray(2, 6)], [0xff, 0xff, 0xff, 0xfe]);
  });
});

describe('decodePacket', () => {
  it('decodes the hand-written request, response and push', () => {
    assert.deepEqual(plain(decodePacket(requestBytes)), plain(request));
    assert.deepEqual(plain(decodePacket(responseBytes)), plain(response));
    assert.deepEqual(plain(decodePacket(pushBytes)), plain(push));
  });
  it('reads request id 0xfffffffe as an unsigned number', () => {
    const bytes = Uint8Array.of(0x01, 0x01, 0xff, 0xff, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00);
    const packet = decodePacket(bytes);
    assert.equal(packet.type, PacketType.Request);
    assert.equal(packet.type === PacketType.Request && packet.requestId, 0xfffffffe);
  });
  it('accepts the verify flag and exposes (but never checks) nonce and signature', () => {
    const bytes = concat(Uint8Array.of(0x11), requestBytes.subarray(1), nonce, signature);
    const packet = decodePacket(bytes);
    assert.deepEqual([...packet.body], [0x0a, 0x02, 0x41, 0x42]);
    assert.deepEqual([...packet.signature!.nonce], [...nonce]);
    assert.deepEqual([...packet.signature!.signature], [...signature]);
  });
  it('inflates a gzip body (hand-made gzip stream)', () => {
    const bytes = concat(Uint8Array.of(0x21, 0x09, 0, 0, 0, 1, 0x13, 0x88, 0x00, 0x00, 22), gzipOf0801);
    const packet = decodePacket(bytes, { gunzip });
    assert.equal(packet.gzip, true);
    assert.deepEqual([...packet.body], [0x08, 0x01]);
  });
  it('inflates a gzip body with the verify trailer after the compressed body', () => {
    const bytes = concat(Uint8Array.of(0x33, 0x05, 0x00, 0x00, 22), gzipOf0801, nonce, signature);
    const packet = decodePacket(bytes, { gunzip });
    assert.deepEqual([...packet.body], [0x08, 0x01]);
    assert.equal(packet.signature!.signature.length, 16);
  });
  it('ignores the reserved bits 6-7 of the header byte', () => {
    const bytes = Uint8Array.of(0xc3, ...pushBytes.subarray(1));
    assert.deepEqual(plain(decodePacket(bytes)), plain(push));
  });
  it('rejects unknown packet types', () => {
    for (const header of [0x00, 0x04, 0x0f, 0x10, 0x27]) {
      decodeFailure(Uint8Array.of(header, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), DecodeFailure.UnknownType);
    }
  });
  it('rejects an empty message and every truncation of a request', () => {
    decodeFailure(new Uint8Array(0), DecodeFailure.Truncated);
    for (let length = 1; length < requestBytes.length; length++) {
      decodeFailure(requestBytes.subarray(0, length), DecodeFailure.Truncated);
    }
  });
  it('rejects a verify packet missing part of its trailer', () => {
    const bytes = concat(Uint8Array.of(0x13), pushBytes.subarray(1), nonce, signature.subarray(0, 15));
    decodeFailure(bytes, DecodeFailure.Truncated);
  });
  it('rejects bytes beyond the announced length (one packet per message)', () => {
    decodeFailure(concat(pushBytes, Uint8Array.of(0)), DecodeFailure.TrailingBytes);
    decodeFailure(concat(pushBytes, pushBytes), DecodeFailure.TrailingBytes);
  });
  it('rejects a gzip body that is not gzip', () => {
    decodeFailure(Uint8Array.of(0x23, 0x05, 0x00, 0x00, 0x02, 0x08, 0x01), DecodeFailure.BadGzip, { gunzip });
  });
  it('rejects a gzip body when no gunzip is available', () => {
    decodeFailure(concat(Uint8Array.of(0x23, 0x05, 0x00, 0x00, 22), gzipOf0801), DecodeFailure.BadGzip);
  });
  it('stops inflating at the bound (gzip bomb)', () => {
    const bomb = nodeGzipCodec.gzip(new Uint8Array(1024 * 1024));
    const bytes = encodePacket({ ...push, body: bomb });
    bytes[0] = 0x23;
    decodeFailure(bytes, DecodeFailure.InflatedTooLarge, { gunzip, maxInflatedBytes: 4096 });
    assert.equal(decodePacket(bytes, { gunzip, maxInflatedBytes: 1024 * 1024 }).body.length, 1024 * 1024);
  });
  it('stops inflating at the bound without reading the rest of the stream', () => {
    // 1 MiB of zeros whose gzip trailer (CRC, size) is damaged: only a decoder that inflates the
    // whole stream reaches the trailer and sees the damage.
    const bomb = nodeGzipCodec.gzip(new Uint8Array(1024 * 1024));
    bomb.fill(0xff, bomb.length - 8);
    const bytes = encodePacket({ ...push, body: bomb });
    bytes[0] = 0x23;
    decodeFailure(bytes, DecodeFailure.InflatedTooLarge, { gunzip, maxInflatedBytes: 4096 });
    decodeFailure(bytes, DecodeFailure.BadGzip, { gunzip, maxInflatedBytes: 2 * 1024 * 1024 });
  });
  it('bodyLimit: refuses a longer body before inflating it, and bounds what it inflates to', () => {
    const calls: number[] = [];
    const spy = (data: Uint8Array, max: number): Uint8Array => (calls.push(max), gunzip(data, max));
    const limits = { gunzip: spy, bodyLimit: (type: number, cmd: number) => (type === PacketType.Request && cmd === 1 ? 100 : 1000) };
    const heartbeat = (body: Uint8Array, gzip: boolean): Uint8Array =>
      encodePacket({ ...request, cmd: 1, body, gzip }, nodeGzipCodec);
    assert.equal(decodePacket(heartbeat(new Uint8Array(100), false), limits).body.length, 100);
    decodeFailure(heartbeat(new Uint8Array(101), false), DecodeFailure.BodyTooLarge, limits);
    assert.equal(decodePacket(encodePacket({ ...request, body: new Uint8Array(101) }), limits).body.length, 101); // cmd 24: 1000
    // gzip: the bound holds for what it inflates to, and a gzip body may exceed it by its framing.
    decodeFailure(heartbeat(new Uint8Array(101), true), DecodeFailure.InflatedTooLarge, limits);
    assert.deepEqual(calls, [100]);
    const random = Uint8Array.from({ length: 100 }, (_, i) => (i * 7919 + 13) % 251);
    const incompressible = heartbeat(random, true);
    assert.ok(incompressible.length - 11 > 100, 'gzip of these bytes is longer than they are');
    assert.deepEqual([...decodePacket(incompressible, limits).body], [...random]);
    // A body past bound + framing is refused before any inflating.
    calls.length = 0;
    const long = concat(Uint8Array.of(0x21, 1, 0, 0, 0, 1, 0, 0, 0, 0x01, 0x00), new Uint8Array(256));
    decodeFailure(long, DecodeFailure.BodyTooLarge, limits);
    assert.deepEqual(calls, []);
  });
  it('round-trips every packet type through encode and decode', () => {
    for (const packet of [request, response, push, { ...push, signature: { nonce, signature } }]) {
      assert.deepEqual(plain(decodePacket(encodePacket(packet))), plain(packet));
    }
    const gz = { ...request, gzip: true };
    assert.deepEqual(plain(decodePacket(encodePacket(gz, nodeGzipCodec), { gunzip })), plain(gz));
  });
});
