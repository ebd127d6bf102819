/** The Node runtime of the client: `ws` and node:zlib. */
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
  fetch: (url, init) => globalThis.fetch(url, init),
};
