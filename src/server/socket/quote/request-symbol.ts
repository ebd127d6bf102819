import { parseSymbol, type ParsedSymbol } from '../../../model/symbol.js';
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

/** Longest request text worth remembering (parseSymbol refuses more than 64 characters anyway). */
const MAX_REMEMBERED_TEXT = 80;
/** Distinct texts remembered before starting afresh (a client sending junk cannot grow it). */
const MAX_REMEMBERED = 4096;
const parsed = new Map<string, ParsedSymbol | null>();

/** `parseSymbol(text.trim())`, remembered: a hot symbol is parsed once. */
export function parseRequestSymbol(text: string): ParsedSymbol | undefined {
  const known = parsed.get(text);
  if (known !== undefined) return known ?? undefined;
  const symbol = parseSymbol(text.trim());
  if (text.length <= MAX_REMEMBERED_TEXT) {
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    parsed.set(text, symbol ?? null);
  }
  return symbol;
}
