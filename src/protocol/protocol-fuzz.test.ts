import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CapflowError } from '../model/errors.js';
import { decodeBody } from './body-codec.js';
import { CapitalFlowIntradayRequestSchema } from './gen/quote_pb.js';
import { AuthRequestSchema } from './gen/control_pb.js';
import { nodeGzipCodec } from './node-gzip-codec.js';
import { decodePacket, encodePacket } from './packet-codec.js';
import { DecodeFailure, PacketDecodeError } from './packet-decode-error.js';
import type { Packet } from './packet.js';
import { StreamFramer } from './stream-framer.js';

/** `npm run fuzz` raises the runs (CAPFLOW_FUZZ_RUNS) and varies the seed (CAPFLOW_FUZZ_SEED). */
const RUNS = { seed: Number(process.env.CAPFLOW_FUZZ_SEED ?? 20240614), numRuns: Number(process.env.CAPFLOW_FUZZ_RUNS ?? 300) };

const requestPacket = fc.record({
  type: fc.constant(1 as const),
  cmd: fc.integer({ min: 0, max: 255 }),
  requestId: fc.integer({ min: 0, max: 0xffff_ffff }),
  timeoutMs: fc.integer({ min: 0, max: 0xffff }),
  body: fc.uint8Array({ maxLength: 300 }),
  gzip: fc.boolean(),
});

/** Decoding arbitrary bytes either gives a packet or the documented UnpackError failure; nothing else escapes. */
function decodeOrFailure(bytes: Uint8Array): Packet | PacketDecodeError {
  try {
    return decodePacket(bytes, { gunzip: nodeGzipCodec.gunzip, maxInflatedBytes: 64 * 1024 });
  } catch (error) {
    assert.ok(error instanceof PacketDecodeError, `unexpected ${String(error)}`);
    assert.equal(error.closeCode, 3, 'every decode failure closes with UnpackError');
    return error;
  }
}

describe('protocol decoders under fuzzing', () => {
  it('packet decoder: arbitrary bytes give a packet or an UnpackError, never a crash', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void decodeOrFailure(bytes)), RUNS);
  });

  it('packet decoder: every encodable request round-trips, and every mutation of it is decoded or refused cleanly', () => {
    fc.assert(
      fc.property(requestPacket, fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 255 }), (packet, at, value) => {
        const bytes = encodePacket(packet, { gzip: nodeGzipCodec.gzip });
        const decoded = decodePacket(bytes, { gunzip: nodeGzipCodec.gunzip });
        assert.deepEqual({ ...decoded, body: Buffer.from(decoded.body) }, { ...packet, body: Buffer.from(packet.body) });
        const mutated = Uint8Array.from(bytes);
        mutated[at % mutated.length] = value;
        void decodeOrFailure(mutated);
        void decodeOrFailure(mutated.subarray(0, at % mutated.length));
      }),
      RUNS,
    );
  });

  it('gzip path: a gzip-flagged body that is not gzip is BadGzip; a bomb beyond the bound is InflatedTooLarge', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (junk) => {
        const plain = encodePacket({ type: 1, cmd: 24, requestId: 1, timeoutMs: 0, body: junk, gzip: false });
        plain[0] = (plain[0] as number) | 0x20;
        const result = decodeOrFailure(plain);
        if (result instanceof PacketDecodeError) assert.ok(result.reason === DecodeFailure.BadGzip || result.reason === DecodeFailure.InflatedTooLarge, result.reason);
      }),
      RUNS,
    );
    const bomb = encodePacket({ type: 1, cmd: 24, requestId: 1, timeoutMs: 0, body: new Uint8Array(1 << 20), gzip: true }, { gzip: nodeGzipCodec.gzip });
    const failure = decodeOrFailure(bomb);
    assert.ok(failure instanceof PacketDecodeError && failure.reason === DecodeFailure.InflatedTooLarge);
  });

  it('TCP framer: any split of a valid stream gives the same frames; garbage never buffers past the bound', () => {
    fc.assert(
      fc.property(fc.array(requestPacket, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (packets, cuts) => {
        const frames = packets.map((p) => encodePacket({ ...p, gzip: false }));
        const stream = Buffer.concat([Uint8Array.of(0x11, 0x09), ...frames]);
        const framer = new StreamFramer();
        const out: Uint8Array[] = [];
        for (let offset = 0, k = 0; offset < stream.length; k++) {
          const size = cuts[k % cuts.length] as number;
          const result = framer.feed(stream.subarray(offset, offset + size));
          assert.equal(result.error, undefined);
          out.push(...result.frames);
          offset += size;
        }
        assert.deepEqual(out.map((f) => Buffer.from(f)), frames.map((f) => Buffer.from(f)));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 500 }), { maxLength: 20 }), (chunks) => {
        const framer = new StreamFramer({ maxPacketBytes: 4096 });
        for (const chunk of chunks) {
          const result = framer.feed(Buffer.concat([Uint8Array.of(0x11, 0x09), chunk]));
          if (result.error) {
            assert.ok(result.error instanceof PacketDecodeError);
            break;
          }
          for (const frame of result.frames) void decodeOrFailure(frame);
          assert.ok(framer.bufferedBytes <= 4096 + 600, `buffered ${framer.bufferedBytes}`);
        }
      }),
      RUNS,
    );
  });

  it('protobuf bodies: arbitrary bytes decode or fail as a CapflowError (status 3 / 301600)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const schema of [CapitalFlowIntradayRequestSchema, AuthRequestSchema]) {
          try {
            decodeBody(schema, bytes);
          } catch (error) {
            assert.ok(error instanceof CapflowError, String(error));
            assert.equal(error.status, 3);
            assert.equal(error.code, 301600);
          }
        }
      }),
      RUNS,
    );
  });
});
