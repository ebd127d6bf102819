/**
 * A direct reader of command 24's answer (`CapitalFlowIntradayResponse{symbol = 1,
 * capital_flow_lines = 2 {inflow = 1, timestamp = 2}}`), the SDK's hottest decode: it walks the
 * protobuf bytes once and makes no message objects. Anything it does not expect (a wire type or
 * field it does not know, a truncated or over-long value) makes it give up with `undefined`, and
 * the caller decodes with the generated code instead, so its answers are never different.
 */
export interface WireCapitalFlowLine {
  readonly inflow: string;
  /** Unix seconds. */
  readonly timestamp: number;
}

let at = 0;
let failed = false;

function varint(bytes: Uint8Array, end: number): number {
  let value = 0;
  let factor = 1;
  for (let shift = 0; shift < 64; shift += 7) {
    if (at >= end) {
      failed = true;
      return 0;
    }
    const byte = bytes[at++] as number;
    value += (byte & 0x7f) * factor;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(value)) failed = true;
      return value;
    }
    factor *= 128;
  }
  failed = true;
  return 0;
}

/** Skips a field's value of `wireType`; false when it cannot. */
function skip(bytes: Uint8Array, end: number, wireType: number): boolean {
  if (wireType === 0) varint(bytes, end);
  else if (wireType === 1) at += 8;
  else if (wireType === 5) at += 4;
  else if (wireType === 2) {
    const length = varint(bytes, end); // read first: `at += varint()` would add to the old `at`
    at += length;
  }
  else return false;
  return !failed && at <= end;
}

function asciiText(bytes: Uint8Array, start: number, end: number): string | undefined {
  let text = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c > 127) return undefined;
    text += String.fromCharCode(c);
  }
  return text;
}

function readLine(bytes: Uint8Array, end: number): WireCapitalFlowLine | undefined {
  let inflow = '';
  let timestamp = 0;
  while (at < end) {
    const tag = varint(bytes, end);
    if (failed) return undefined;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 1 && wireType === 2) {
      const length = varint(bytes, end);
      if (failed || at + length > end) return undefined;
      const text = asciiText(bytes, at, at + length);
      if (text === undefined) return undefined;
      inflow = text;
      at += length;
    } else if (field === 2 && wireType === 0) {
      const value = varint(bytes, end);
      if (failed || value >= 2 ** 53) return undefined; // negative int64s are not timestamps of a day
      timestamp = value;
    } else if (field === 1 || field === 2 || !skip(bytes, end, wireType)) {
      return undefined;
    }
  }
  return at === end ? { inflow, timestamp } : undefined;
}

/** The lines of a command-24 answer body, or undefined when the fast reader is not sure. */
export function readCapitalFlowLines(bytes: Uint8Array): WireCapitalFlowLine[] | undefined {
  at = 0;
  failed = false;
  const end = bytes.length;
  const lines: WireCapitalFlowLine[] = [];
  while (at < end) {
    const tag = varint(bytes, end);
    if (failed) return undefined;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 2 && wireType === 2) {
      const length = varint(bytes, end);
      if (failed || at + length > end) return undefined;
      const line = readLine(bytes, at + length);
      if (line === undefined) return undefined;
      lines.push(line);
    } else if (field === 1 && wireType === 2) {
      // The symbol: not needed, but text that is not plain ASCII goes to the generated decoder (it checks UTF-8).
      const length = varint(bytes, end);
      if (failed || at + length > end || asciiText(bytes, at, at + length) === undefined) return undefined;
      at += length;
    } else if (field === 1 || field === 2 || !skip(bytes, end, wireType)) {
      return undefined; // a known field with an unexpected wire type, or a value it cannot skip
    }
  }
  return at === end ? lines : undefined;
}
