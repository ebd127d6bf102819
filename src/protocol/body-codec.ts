import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { invalidRequest } from '../model/errors.js';

/**
 * Decodes a protobuf packet body. Malformed bytes become CapflowError invalidRequest
 * (status 3, code 301600), so a bad body is answered instead of thrown out of the server.
 */
export function decodeBody<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw invalidRequest(`invalid ${schema.typeName} body: ${detail}`);
  }
}

/** Encodes a message (or the init shape of one) as a packet body. */
export function encodeBody<Desc extends DescMessage>(schema: Desc, message: MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, message));
}
