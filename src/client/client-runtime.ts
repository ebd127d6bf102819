/**
 * What the client needs from its runtime, injected so that one core runs in Node (`ws`,
 * node:zlib) and in browsers (WebSocket, DecompressionStream). Requests are signed by the shared
 * signer of the protocol layer, the same everywhere.
 */

/** The subset of the WHATWG WebSocket API the client uses (the `ws` package offers it too). */
export interface WebSocketLike {
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface ClientRuntime {
  openWebSocket(url: string): WebSocketLike;
  /** Inflates a gzip body; rejects once the output would exceed `maxBytes`. */
  gunzip(data: Uint8Array, maxBytes: number): Promise<Uint8Array>;
  /** The HTTP requests (token, REST): the platform's fetch. */
  fetch(url: string, init: RequestInit): Promise<Response>;
}

/** Bytes of a WebSocket message event (ArrayBuffer with binaryType 'arraybuffer', or a view). */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
