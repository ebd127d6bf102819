import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { CapflowError } from '../../../model/errors.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import { CapitalFlowIntradayRequestSchema, SecurityRequestSchema } from '../../../protocol/gen/quote_pb.js';
import { requestSymbol } from './request-symbol.js';

const RUNS = { seed: 20240614, numRuns: 2000 };

/** The decoder's answer or its error (status, code, message). */
function decoded(body: Uint8Array): string | { code: number; message: string } {
  try {
    return decodeBody(CapitalFlowIntradayRequestSchema, body).symbol;
  } catch (error) {
    assert.ok(error instanceof CapflowError);
    return { code: error.code, message: error.message };
  }
}

function read(body: Uint8Array): string | { code: number; message: string } {
  try {
    return requestSymbol(CapitalFlowIntradayRequestSchema, body);
  } catch (error) {
    assert.ok(error instanceof CapflowError);
    return { code: error.code, message: error.message };
  }
}

describe('requestSymbol', () => {
  it('reads what the protobuf decoder reads from any symbol text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (symbol) => {
        const body = toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol }));
        assert.deepEqual(read(body), decoded(body));
      }),
      RUNS,
    );
  });

  it('answers or fails as the decoder for arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (body) => assert.deepEqual(read(body), decoded(body))), RUNS);
    const looksShort = fc.uint8Array({ maxLength: 12 }).map((rest) => Uint8Array.from([0x0a, rest.length, ...rest]));
    fc.assert(fc.property(looksShort, (body) => assert.deepEqual(read(body), decoded(body))), RUNS);
  });

  it('reads a SecurityRequest (command 25) the same way', () => {
    const body = toBinary(SecurityRequestSchema, create(SecurityRequestSchema, { symbol: 'aapl.us' }));
    assert.equal(requestSymbol(SecurityRequestSchema, body), 'aapl.us');
  });
});
