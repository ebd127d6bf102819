import { decodeBody } from '../../../protocol/body-codec.js';
import { CapitalFlowIntradayRequestSchema, SecurityRequestSchema } from '../../../protocol/gen/quote_pb.js';

type SymbolRequestSchema = typeof CapitalFlowIntradayRequestSchema | typeof SecurityRequestSchema;

/** Tag of field 1, wire type 2 (length-delimited): `string symbol = 1`. */
const SYMBOL_FIELD_TAG = 0x0a;

/**
 * The `symbol` of a body whose message is `{ string symbol = 1; }` (CapitalFlowIntradayRequest,
 * SecurityRequest). What every client sends — field 1 alone, at most 127 ASCII bytes — is read
 * straight from the bytes; any other body goes through the protobuf decoder, so the answer and
 * the errors are the decoder's.
 */
export function requestSymbol(schema: SymbolRequestSchema, body: Uint8Array): string {
  const length = body.length - 2;
  if (length >= 0 && length < 0x80 && body[0] === SYMBOL_FIELD_TAG && body[1] === length) {
    let text = '';
    for (let i = 2; i < body.length; i++) {
      const byte = body[i]!;
      if (byte >= 0x80) return decodeSymbol(schema, body);
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decodeSymbol(schema, body);
}

function decodeSymbol(schema: SymbolRequestSchema, body: Uint8Array): string {
  return decodeBody(schema, body).symbol;
}
