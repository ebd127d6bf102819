/** Test helpers for the transports: a recording echo handler and minimal raw clients. */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { decodeBody } from '../../../protocol/body-codec.js';
import { CloseSchema } from '../../../protocol/gen/control_pb.js';
import type { Close } from '../../../protocol/gen/control_pb.js';
import { nodeGzipCodec } from '../../../protocol/node-gzip-codec.js';
import type { Packet } from '../../../protocol/packet.js';
import { decodePacket } from '../../../protocol/packet-codec.js';
import { StreamFramer } from '../../../protocol/stream-framer.js';
import type { ConnectionHandler, PacketConnection } from './packet-connection.js';
import type { TransportClock } from './transport-clock.js';

/** Commands the echo handler treats specially. */
export const TestCmd = { Throw: 99, Reject: 98, BigBody: 97, Authenticate: 96 } as const;

export interface RecordingHandler extends ConnectionHandler {
  opened: PacketConnection[];
  closed: PacketConnection[];
  errors: unknown[];
  /** Every request handled, in order: connection id, cmd and body length. */
  handled: Array<{ conn: number; cmd: number; bodyLength: number }>;
}

/**
 * Echoes each request body back (status 0); 99 throws, 98 rejects, 97 answers `size` bytes, 96
 * marks the connection authenticated (as the session layer does after auth) and echoes.
 */
export function echoHandler(): RecordingHandler {
  const handler: RecordingHandler = {
    opened: [],
    closed: [],
    errors: [],
    handled: [],
    onOpen: (conn) => void handler.opened.push(conn),
    onClose: (conn) => void handler.closed.push(conn),
    onRequest: (conn, request) => {
      handler.handled.push({ conn: conn.id, cmd: request.cmd, bodyLength: request.body.length });
      if (request.cmd === TestCmd.Authenticate) conn.authenticated();
      if (request.cmd === TestCmd.Throw) throw new Error('handler bug');
      if (request.cmd === TestCmd.Reject) return Promise.reject(new Error('async handler bug')) as unknown as void;
      if (request.cmd === TestCmd.BigBody) {
        const size = new DataView(request.body.buffer, request.body.byteOffset).getUint32(0);
        conn.sendResponse(request.cmd, request.requestId, 0, new Uint8Array(size).fill(0x61));
        return;
      }
      conn.sendResponse(request.cmd, request.requestId, 0, request.body);
    },
  };
  return handler;
}

/** Queue of decoded packets received by a test client. */
class PacketInbox {
  private readonly packets: Packet[] = [];
  private readonly waiters: Array<(packet: Packet) => void> = [];

  put(bytes: Uint8Array): void {
    const packet = decodePacket(bytes, { gunzip: nodeGzipCodec.gunzip });
    const waiter = this.waiters.shift();
    if (waiter) waiter(packet);
    else this.packets.push(packet);
  }

  next(timeoutMs = 2000): Promise<Packet> {
    const ready = this.packets.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no packet received in time')), timeoutMs);
      this.waiters.push((packet) => {
        clearTimeout(timer);
        resolve(packet);
      });
    });
  }
}

export function closePushOf(packet: Packet): Close {
  if (packet.type !== 3 || packet.cmd !== 0) throw new Error(`not a close push: type ${packet.type} cmd ${packet.cmd}`);
  return decodeBody(CloseSchema, packet.body);
}

export interface TcpTestClient {
  socket: Socket;
  /** Every byte the server sent, kept for byte-exact assertions (unless keepReceived is false). */
  received: Buffer[];
  next(timeoutMs?: number): Promise<Packet>;
  /** Resolves when the server ended or destroyed the connection. */
  ended: Promise<void>;
}

export async function tcpClient(
  port: number,
  handshake: Uint8Array | null = Uint8Array.of(0x11, 0x09),
  /**
   * keepReceived false: `received` stays empty (load generators, which would otherwise hold every
   * byte). localAddress: the loopback address to connect from (e.g. 127.0.0.2, another peer).
   */
  options: { keepReceived?: boolean; localAddress?: string } = {},
): Promise<TcpTestClient> {
  const socket = connect({ port, host: '127.0.0.1', ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const inbox = new PacketInbox();
  const framer = new StreamFramer({ handshake: false, maxPacketBytes: 64 * 1024 * 1024 });
  const received: Buffer[] = [];
  const keepReceived = options.keepReceived ?? true;
  socket.on('data', (chunk: Buffer) => {
    if (keepReceived) received.push(chunk);
    for (const frame of framer.feed(chunk).frames) inbox.put(frame);
  });
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (handshake) socket.write(handshake);
  return { socket, received, next: (t) => inbox.next(t), ended };
}

export interface WsTestClient {
  ws: WebSocket;
  next(timeoutMs?: number): Promise<Packet>;
  closed: Promise<{ code: number; reason: string }>;
}

export async function wsClient(url: string, options: ClientOptions = {}): Promise<WsTestClient> {
  const ws = new WebSocket(url, options);
  const inbox = new PacketInbox();
  ws.on('message', (data: Buffer) => inbox.put(data));
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, next: (t) => inbox.next(t), closed };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A clock that moves only when told: deadlines fire in time order as `advance` passes them. */
export class ManualClock implements TransportClock {
  private time = 0;
  private nextId = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), callback });
    return () => void this.pending.delete(id);
  }

  /** Moves the time forward by `ms`, running every callback due on the way (those it schedules too). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = target;
  }

  /** Deadlines not yet fired or cancelled. */
  get scheduled(): number {
    return this.pending.size;
  }
}
