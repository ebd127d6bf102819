import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { encodePacket } from '../../protocol/packet-codec.js';
import type { Packet, ResponsePacket } from '../../protocol/packet.js';
import { AuthRequestSchema, AuthResponseSchema } from '../../protocol/gen/control_pb.js';
import { CapitalFlowIntradayRequestSchema } from '../../protocol/gen/quote_pb.js';
import { tcpClient, wsClient, type TcpTestClient, type WsTestClient } from '../socket/transport/transport-test-kit.js';

/** A bare protocol client over WebSocket or TCP for reliability tests and load scripts. */
export class RawProtocolClient {
  private nextId = 1;
  constructor(readonly inner: WsTestClient | TcpTestClient) {}

  /** `localAddress`: the loopback address to connect from (another peer, e.g. 127.0.0.2). */
  static async ws(url: string, localAddress?: string): Promise<RawProtocolClient> {
    return new RawProtocolClient(await wsClient(`${url}?version=1&codec=1&platform=9`, localAddress === undefined ? {} : { localAddress }));
  }

  static async tcp(port: number, localAddress?: string): Promise<RawProtocolClient> {
    return new RawProtocolClient(await tcpClient(port, undefined, localAddress === undefined ? {} : { localAddress }));
  }

  sendBytes(bytes: Uint8Array): void {
    if ('ws' in this.inner) this.inner.ws.send(bytes);
    else this.inner.socket.write(bytes);
  }

  send(cmd: number, body: Uint8Array): number {
    const requestId = this.nextId++;
    this.sendBytes(encodePacket({ type: 1, cmd, requestId, timeoutMs: 30_000, body, gzip: false }));
    return requestId;
  }

  next(timeoutMs = 5000): Promise<Packet> {
    return this.inner.next(timeoutMs);
  }

  /** Sends a request and waits for the packet that follows (a response, or a close push). */
  async request(cmd: number, body: Uint8Array, timeoutMs = 5000): Promise<Packet> {
    const requestId = this.send(cmd, body);
    const packet = await this.next(timeoutMs);
    if (packet.type === 2 && (packet as ResponsePacket).requestId !== requestId) throw new Error('response out of order');
    return packet;
  }

  async auth(otp: string): Promise<{ sessionId: string }> {
    const packet = await this.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })));
    if (packet.type !== 2 || (packet as ResponsePacket).status !== 0) throw new Error(`auth refused (type ${packet.type} cmd ${packet.cmd})`);
    return fromBinary(AuthResponseSchema, packet.body);
  }

  /** Resolves when the server has closed the connection. */
  get closed(): Promise<unknown> {
    return 'ws' in this.inner ? this.inner.closed : this.inner.ended;
  }

  close(): void {
    if ('ws' in this.inner) this.inner.ws.terminate();
    else this.inner.socket.destroy();
  }
}

export const capitalFlowRequest = (symbol: string): Uint8Array =>
  toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol }));
