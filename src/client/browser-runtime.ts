/** The browser runtime of the client: global WebSocket, DecompressionStream and WebCrypto. */
import type { ClientRuntime, WebSocketLike } from './client-runtime.js';

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Copies into a fresh ArrayBuffer-backed array (what WebCrypto and streams accept everywhere). */
function ownBytes(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return copy;
}

export const browserRuntime: ClientRuntime = {
  openWebSocket(url) {
    return new WebSocket(url) as unknown as WebSocketLike;
  },
  async gunzip(data, maxBytes) {
    const stream = new Blob([ownBytes(data)]).stream().pipeThrough(new DecompressionStream('gzip'));
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new RangeError(`inflated body exceeds ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  },
  async sha1Hex(data) {
    return hex(await crypto.subtle.digest('SHA-1', ownBytes(data)));
  },
  async hmacSha256Hex(key, message) {
    const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return hex(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(message)));
  },
  fetch: (url, init) => globalThis.fetch(url, init),
};
