/** The browser runtime of the client: the global WebSocket and DecompressionStream. */
import type { ClientRuntime, WebSocketLike } from './client-runtime.js';

/** Copies into a fresh ArrayBuffer-backed array (what Blob and streams accept everywhere). */
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
  fetch: (url, init) => globalThis.fetch(url, init),
};
