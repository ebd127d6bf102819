import { create, toBinary } from '@bufbuild/protobuf';
import { AuthRequestSchema, ReconnectRequestSchema } from '../../../protocol/gen/control_pb.js';
import type { RequestPacket } from '../../../protocol/packet.js';
import type { PacketConnection } from '../transport/packet-connection.js';

/** What a fake connection was sent. */
export interface Recorded {
  responses: Array<{ cmd: number; requestId: number; status: number; body: Uint8Array; at: number }>;
  closes: Array<{ code: number; reason: string }>;
  /** How often the session layer vouched for the connection (told its transport it authenticated). */
  vouched: number;
}

let nextId = 1;

/** A connection that records what the gateway sends it (tests of the session layer without sockets). */
export function fakeConnection(): PacketConnection & Recorded {
  const conn = {
    id: nextId++,
    transport: 'ws' as const,
    remoteAddress: '127.0.0.1:1',
    isOpen: true,
    responses: [] as Recorded['responses'],
    closes: [] as Recorded['closes'],
    vouched: 0,
    sendResponse(cmd: number, requestId: number, status: number, body: Uint8Array) {
      conn.responses.push({ cmd, requestId, status, body, at: Date.now() });
    },
    sendPush() {},
    authenticated() {
      conn.vouched += 1;
    },
    close(code: number, reason: string) {
      conn.isOpen = false;
      conn.closes.push({ code, reason });
    },
  };
  return conn;
}

/** A request packet as the transports hand it to the gateway. */
export function requestPacket(cmd: number, requestId: number, body: Uint8Array): RequestPacket {
  return { type: 1, cmd, requestId, timeoutMs: 5000, body, gzip: false } as RequestPacket;
}

export const authPacket = (otp: string, requestId = 1): RequestPacket =>
  requestPacket(2, requestId, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })));

export const reconnectPacket = (sessionId: string, requestId = 1): RequestPacket =>
  requestPacket(3, requestId, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId })));
