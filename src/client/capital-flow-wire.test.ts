import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { CapitalFlowIntradayResponseSchema } from '../protocol/gen/quote_pb.js';
import { readCapitalFlowLines } from './capital-flow-wire.js';

const encode = (symbol: string, lines: Array<{ inflow: string; timestamp: bigint }>): Uint8Array =>
  toBinary(CapitalFlowIntradayResponseSchema, create(CapitalFlowIntradayResponseSchema, { symbol, capitalFlowLines: lines }));

describe('readCapitalFlowLines (the SDK fast reader of command 24)', () => {
  it('reads a hand-built answer: two lines, symbol skipped', () => {
    const body = encode('700.HK', [
      { inflow: '-310255860.000', timestamp: 1718328600n },
      { inflow: '0.000', timestamp: 1718328660n },
    ]);
    assert.deepEqual(readCapitalFlowLines(body), [
      { inflow: '-310255860.000', timestamp: 1718328600 },
      { inflow: '0.000', timestamp: 1718328660 },
    ]);
    assert.deepEqual(readCapitalFlowLines(new Uint8Array()), []);
  });

  it('never answers differently from the generated decoder, for valid and damaged bodies', () => {
    const line = fc.record({ inflow: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('12.500', '-0.001', 'é')), timestamp: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) });
    const body = fc.tuple(fc.string({ maxLength: 8 }), fc.array(line, { maxLength: 6 })).map(([symbol, lines]) => encode(symbol, lines));
    const damaged = fc.tuple(body, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([bytes, index, value, truncate]) => {
      if (bytes.length === 0) return bytes;
      const copy = bytes.slice();
      if (truncate) return copy.subarray(0, index % copy.length);
      copy[index % copy.length] = value;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(body, damaged), (bytes) => {
        const fast = readCapitalFlowLines(bytes);
        if (fast === undefined) return; // the caller falls back to the generated decoder
        const slow = fromBinary(CapitalFlowIntradayResponseSchema, bytes).capitalFlowLines.map((l) => ({ inflow: l.inflow, timestamp: Number(l.timestamp) }));
        assert.deepEqual(fast, slow);
      }),
      { seed: 20240614, numRuns: 3000 },
    );
  });
});
