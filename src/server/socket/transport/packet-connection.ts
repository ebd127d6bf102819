import type { CloseCode } from '../../../model/errors.js';
import type { RequestPacket } from '../../../protocol/packet.js';
import type { ConnectionAdmission } from './connection-admission.js';

/** One client connection able to carry packets, whatever the transport. */
export interface PacketConnection {
  /** Unique within the process, across transports. */
  readonly id: number;
  readonly transport: 'ws' | 'tcp';
  /** Peer as `ip:port` (IPv6 in brackets), for logs. */
  readonly remoteAddress: string;
  /** False once close() was called or the peer went away; sends are then dropped silently. */
  readonly isOpen: boolean;
  sendResponse(cmd: number, requestId: number, status: number, body: Uint8Array): void;
  sendPush(cmd: number, body: Uint8Array): void;
  /** Sends the close push (cmd 0, control.v1.Close{code, reason}) then closes. Idempotent. */
  close(code: CloseCode, reason: string): void;
  /**
   * Told by the session layer once the peer has authenticated: the connection leaves the
   * unauthenticated count and gets the larger limits of an authenticated one. Idempotent.
   */
  authenticated(): void;
}

/** What a server plugs into a transport. Throwing (or rejecting) never harms the transport. */
export interface ConnectionHandler {
  onOpen(conn: PacketConnection): void;
  /** Decoded request packets only (body already inflated); responses and pushes are ignored. */
  onRequest(conn: PacketConnection, request: RequestPacket): void;
  /** Exactly once per opened connection, when its socket has closed. */
  onClose(conn: PacketConnection): void;
}

/** The part of a transport the server's lifecycle needs. */
export interface PacketTransport {
  /** Open connections (TCP: after the handshake). */
  readonly connectionCount: number;
  /** Sends every open connection the close push and closes it; resolves once all are closed. */
  closeAll(code: CloseCode, reason: string): Promise<void>;
  /** Stops accepting, drops remaining connections without a close push; resolves when done. */
  stop(): Promise<void>;
}

/** Limits and behaviour shared by both transports. Every limit is an option with a default. */
export interface PacketTransportOptions {
  /** Largest incoming packet (header + body + verify trailer) of an authenticated connection; a WebSocket message's bound. Default 64 KiB. */
  maxPacketBytes?: number;
  /** Largest incoming packet before the connection has authenticated. Default 16 KiB. */
  maxUnauthenticatedPacketBytes?: number;
  /** Largest body of an authenticated business request, as sent and once inflated. Default 64 KiB. */
  maxInflatedBytes?: number;
  /** Largest body of a heartbeat, auth or reconnect request, as sent and once inflated. Default 4 KiB. */
  maxControlBodyBytes?: number;
  /**
   * Shared count of connections that have not authenticated yet (give both transports the same
   * one); beyond its caps a new connection is refused at once. Default: one per transport with
   * the default caps.
   */
  admission?: ConnectionAdmission;
  /** Outgoing bodies longer than this are gzip-compressed. Default 8 KiB; Infinity disables. */
  gzipThresholdBytes?: number;
  /** A connection whose unsent data exceeds this is dropped as a slow consumer. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** After the close push, how long the peer has to close before the socket is destroyed. Default 5 s. */
  closeGraceMs?: number;
  /** Where handler failures and unexpected transport errors are reported. Default: console.error. */
  onError?: (error: unknown, conn: PacketConnection | undefined) => void;
}
