/**
 * Gzip is injected into the codec so that the codec itself stays runtime-agnostic:
 * Node uses `nodeGzipCodec` (node-gzip-codec.ts); a browser build supplies its own.
 */
export interface GzipCodec {
  /** Gzip-compresses `data`. */
  gzip(data: Uint8Array): Uint8Array;
  /**
   * Inflates a gzip stream. Must stop (throwing `PacketDecodeError` InflatedTooLarge) as soon as
   * the output would exceed `maxOutputBytes`, without buffering more; any other failure throws.
   */
  gunzip(data: Uint8Array, maxOutputBytes: number): Uint8Array;
}

/** Default bound of an inflated body: 16 MiB. */
export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/**
 * How much longer than its content a gzip body may be on the wire (header, trailer and the block
 * overhead of incompressible data): a body limit allows this much more for a gzip-flagged body.
 */
export function gzipFramingAllowance(limit: number): number {
  return 64 + Math.ceil(limit / 1024);
}
