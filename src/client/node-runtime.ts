/** The Node runtime of the client: `ws`, node:zlib and node:crypto. */
import { createHash, createHmac } from 'node:crypto';
import { gunzip } from 'node:zlib';
import { WebSocket } from 'ws';
import type { ClientRuntime, WebSocketLike } from './client-runtime.js';

export const nodeRuntime: ClientRuntime = {
  openWebSocket(url) {
    return new WebSocket(url) as unknown as WebSocketLike;
  },
  gunzip(data, maxBytes) {
    return new Promise((resolve, reject) => {
      // maxOutputLength stops inflating past the bound: a gzip bomb costs at most maxBytes.
      gunzip(data, { maxOutputLength: maxBytes }, (error, result) => (error ? reject(error) : resolve(new Uint8Array(result))));
    });
  },
  sha1Hex: (data) => Promise.resolve(createHash('sha1').update(data).digest('hex')),
  hmacSha256Hex: (key, message) => Promise.resolve(createHmac('sha256', key).update(message).digest('hex')),
  fetch: (url, init) => globalThis.fetch(url, init),
};
