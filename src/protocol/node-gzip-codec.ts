/** Node-only gzip for the packet codec (kept apart so the codec stays browser-safe). */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { GzipCodec } from './gzip-codec.js';
import { DecodeFailure, PacketDecodeError } from './packet-decode-error.js';

export const nodeGzipCodec: GzipCodec = {
  gzip(data) {
    return gzipSync(data);
  },
  gunzip(data, maxOutputBytes) {
    try {
      // maxOutputLength makes zlib stop inflating once the bound is passed (it checks after each
      // 16 KiB of output): a gzip bomb costs at most that much memory and time, never its full size.
      const inflated = gunzipSync(data, { maxOutputLength: Math.max(1, maxOutputBytes) });
      if (inflated.length > maxOutputBytes) throw Object.assign(new Error('too large'), { code: 'ERR_BUFFER_TOO_LARGE' });
      return inflated;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new PacketDecodeError(DecodeFailure.InflatedTooLarge, `inflated body exceeds ${maxOutputBytes} bytes`);
      }
      throw error;
    }
  },
};
