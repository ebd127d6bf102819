/**
 * Attacks on the socket boundary of a real `capflow serve` (a child process on loopback), one
 * class at a time, while a well-behaved client (another child process) asks command 24 every
 * 20 ms. For each attack: the server's CPU time (utime + stime from /proc, 10 ms ticks), its peak
 * resident memory, the attacker's bytes, what happened to the attacking connections, and the
 * good client's latency meanwhile. Linux only (reads /proc).
 *
 *   npm run bench:build && node dist-bench/bench/wire-attack-bench.js [--only name,name] [--bin path/to/capflow.js]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { create, toBinary } from '@bufbuild/protobuf';
import { WebSocket } from 'ws';
import { AuthRequestSchema } from '../src/protocol/gen/control_pb.js';
import { decodePacket, encodePacket } from '../src/protocol/packet-codec.js';
import { nodeGzipCodec } from '../src/protocol/node-gzip-codec.js';
import type { Packet } from '../src/protocol/packet.js';
import { StreamFramer } from '../src/protocol/stream-framer.js';
import { capitalFlowRequest } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, testCredential } from '../src/server/server-test-kit.js';
import { fmt, machine, parseFlags, printTable } from './bench-kit.js';

const flags = parseFlags();
const only = flags.only?.split(',');
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
/** --bin: the `capflow` to attack (e.g. an older build, for before/after figures). */
const BIN = flags.bin ? resolve(flags.bin) : join(ROOT, 'bin/capflow.js');
const SAMPLE = join(ROOT, 'samples/sse-600000-2023-02-01.csv.gz');
const SYMBOL = '600000.SH';
const credential = testCredential({ appKey: 'bench', appSecret: 'bench-secret', accessToken: 'bench-token' });
/** The authenticated attacker has a credential of its own (rate limits are per credential). */
const attackerCredential = testCredential({ appKey: 'attacker', appSecret: 'attacker-secret', accessToken: 'attacker-token' });

// ---------------------------------------------------------------- server and good client

interface Server {
  child: ChildProcess;
  httpPort: number;
  tcpPort: number;
}

async function startServer(dir: string): Promise<Server> {
  const data = join(dir, 'data');
  const config = join(dir, 'capflow.json');
  writeFileSync(
    config,
    JSON.stringify({
      credentials: [credential, attackerCredential].map((c) => ({
        appKey: c.appKey,
        appSecret: c.appSecret,
        accessToken: c.accessToken,
        markets: ['HK', 'US', 'CN', 'SG'],
        connections: 1000,
        rateLimits: { 24: { limit: 1000, burst: 1000 } },
      })),
    }),
  );
  const ingest = spawn(process.execPath, [BIN, 'ingest', SAMPLE, '--data', data], { stdio: 'ignore' });
  const [code] = (await once(ingest, 'exit')) as [number];
  if (code !== 0) throw new Error(`ingest exited ${code}`);
  const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--config', config, '--port', '0', '--clock', 'feed', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (signal !== 'SIGKILL') console.error(`the server exited: code ${code}, signal ${signal}`);
  });
  // Read with a listener, never closing the pipe: a server writing to a closed stdout would end.
  let output = '';
  return new Promise<Server>((resolveServer, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const match = /serving on http:\/\/127\.0\.0\.1:(\d+) .*TCP 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolveServer({ child, httpPort: Number(match[1]), tcpPort: Number(match[2]) });
    });
    child.once('exit', () => reject(new Error(`serve ended: ${output}`)));
  });
}

interface GoodReport {
  count: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

async function startGoodClient(httpPort: number): Promise<{ mark: () => Promise<GoodReport>; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist-bench/bench/wire-attack-client.js'), `http://127.0.0.1:${httpPort}`, credential.appKey, credential.appSecret, credential.accessToken, SYMBOL, '20'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  const nextLine = (): Promise<string> => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r)));
  if ((await nextLine()) !== 'ready') throw new Error('good client did not start');
  return {
    mark: async () => {
      child.stdin!.write('mark\n');
      return JSON.parse(await nextLine()) as GoodReport;
    },
    stop: () => child.kill('SIGKILL'),
  };
}

/** utime + stime of a process in ms (10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory in MB (NaN once the process is gone). */
function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0) / 1024;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------- attacking clients

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the server did to a connection. */
interface Fate {
  packets: Packet[];
  closed: boolean;
  /** When it closed (ms since the epoch). */
  closedAt?: number;
  /** HTTP status of a refused WebSocket upgrade. */
  refused?: number;
}

function closeCodeOf(packet: Packet): number | undefined {
  if (packet.type !== 3 || packet.cmd !== 0) return undefined;
  return packet.body.length >= 2 && packet.body[0] === 0x08 ? packet.body[1]! : 0;
}

interface RawConn {
  fate: Fate;
  write(bytes: Uint8Array): boolean;
  drained(): Promise<void>;
  destroy(): void;
  /** Resolves with the next packet, or undefined on close / timeout. */
  next(timeoutMs: number): Promise<Packet | undefined>;
}

function watch(fate: Fate): { put: (p: Packet) => void; ended: () => void; next: (ms: number) => Promise<Packet | undefined> } {
  let waiter: ((p: Packet | undefined) => void) | undefined;
  let read = 0;
  return {
    put: (p) => {
      fate.packets.push(p);
      const w = waiter;
      waiter = undefined;
      if (w) {
        read++;
        w(p);
      }
    },
    ended: () => {
      fate.closed = true;
      fate.closedAt = Date.now();
      const w = waiter;
      waiter = undefined;
      w?.(undefined);
    },
    next: (ms) => {
      if (read < fate.packets.length) return Promise.resolve(fate.packets[read++]);
      if (fate.closed) return Promise.resolve(undefined);
      return new Promise((resolveNext) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          resolveNext(undefined);
        }, ms);
        waiter = (p) => {
          clearTimeout(timer);
          resolveNext(p);
        };
      });
    },
  };
}

function decodeLoose(bytes: Uint8Array): Packet | undefined {
  try {
    return decodePacket(bytes, { gunzip: nodeGzipCodec.gunzip, maxInflatedBytes: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

async function tcpConn(port: number, localAddress: string, handshake: Uint8Array | null = Uint8Array.of(0x11, 0x09)): Promise<RawConn> {
  const socket: Socket = connect({ port, host: '127.0.0.1', localAddress });
  const fate: Fate = { packets: [], closed: false };
  const w = watch(fate);
  const framer = new StreamFramer({ handshake: false, maxPacketBytes: 64 * 1024 * 1024 });
  socket.on('data', (chunk: Buffer) => {
    for (const frame of framer.feed(chunk).frames) {
      const p = decodeLoose(frame);
      if (p) w.put(p);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => w.ended());
  await new Promise<void>((ok) => {
    socket.once('connect', ok);
    socket.once('close', () => ok());
  });
  if (handshake && !fate.closed) socket.write(handshake);
  return {
    fate,
    write: (bytes) => !fate.closed && socket.write(bytes),
    drained: () =>
      socket.writableNeedDrain && !fate.closed
        ? new Promise<void>((ok) => {
            socket.once('drain', ok);
            socket.once('close', ok);
          })
        : Promise.resolve(),
    destroy: () => socket.destroy(),
    next: w.next,
  };
}

async function wsConn(httpPort: number, localAddress: string): Promise<RawConn> {
  const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/v2?version=1&codec=1&platform=9`, { localAddress });
  const fate: Fate = { packets: [], closed: false };
  const w = watch(fate);
  ws.on('message', (data: Buffer) => {
    const p = decodeLoose(data);
    if (p) w.put(p);
  });
  ws.on('error', () => undefined);
  ws.on('unexpected-response', (_req, res) => {
    fate.refused = res.statusCode ?? 0;
    res.resume();
    ws.terminate();
  });
  ws.on('close', () => w.ended());
  await new Promise<void>((ok) => {
    ws.once('open', ok);
    ws.once('close', () => ok());
  });
  return {
    fate,
    write: (bytes) => {
      if (fate.closed || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(bytes);
      return true;
    },
    drained: async () => {
      while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > 1 << 20) await sleep(5);
    },
    destroy: () => ws.terminate(),
    next: w.next,
  };
}

const request = (cmd: number, body: Uint8Array, requestId = 1, gzip = false): Uint8Array =>
  encodePacket({ type: 1, cmd, requestId, timeoutMs: 5000, body, gzip }, nodeGzipCodec);

/** A pre-compressed body: encodePacket would compress again, so the packet is built by hand. */
function rawGzipRequest(cmd: number, gzipped: Uint8Array, type: 1 | 2 | 3 = 1): Uint8Array {
  const header = type === 3 ? 5 : type === 2 ? 10 : 11;
  const bytes = new Uint8Array(header + gzipped.length);
  bytes[0] = type | 0x20;
  bytes[1] = cmd;
  if (type === 1) bytes[7] = 0x13; // timeout, any
  bytes[header - 3] = gzipped.length >>> 16;
  bytes[header - 2] = (gzipped.length >>> 8) & 0xff;
  bytes[header - 1] = gzipped.length & 0xff;
  bytes.set(gzipped, header);
  return bytes;
}

function tally(conns: RawConn[]): string {
  const counts = new Map<string, number>();
  for (const c of conns) {
    const codes = c.fate.packets.map(closeCodeOf).filter((code) => code !== undefined);
    const answered = c.fate.packets.some((p) => p.type === 2);
    const key =
      c.fate.refused !== undefined
        ? `refused ${c.fate.refused}`
        : codes.length > 0
          ? `close push ${codes[0]}`
          : c.fate.closed
            ? 'closed without a packet'
            : answered
              ? 'answered, open'
              : 'still open';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

// ---------------------------------------------------------------- attacks

/** Waits until every connection is closed or `maxMs` passed; the seconds from `since` to the last close, or undefined. */
async function allClosed(closedAt: () => Array<number | undefined>, since: number, maxMs: number): Promise<number | undefined> {
  const deadline = since + maxMs;
  while (Date.now() < deadline) {
    const times = closedAt();
    if (times.every((t) => t !== undefined)) return (Math.max(...(times as number[])) - since) / 1000;
    await sleep(100);
  }
  return undefined;
}

/** "N connected, the last one closed by the server X s after the attack began" or how many remain. */
function closing(count: number, seconds: number | undefined, open: number, maxMs: number): string {
  return seconds === undefined ? `${open} of ${count} still open after ${maxMs / 1000} s` : `all ${count} closed by the server, the last ${fmt(seconds, 1)} s after the attack began`;
}

interface AttackResult {
  bytes: number;
  outcome: string;
}

type Attack = (server: Server) => Promise<AttackResult>;

/** A gzip body of `inflated` zero bytes (≈ 1,000 : 1). */
const bomb = (inflated: number): Uint8Array => gzipSync(new Uint8Array(inflated), { level: 9 });

const ATTACKS: Record<string, Attack> = {
  /** Defect 4: 16 KB heartbeats inflating to 16 MiB, before auth, WS and TCP alternately. */
  'gzip-heartbeat-bomb': async (server) => {
    const body = bomb(16 * 1024 * 1024 - 64);
    const packet = rawGzipRequest(1, body);
    let bytes = 0;
    let echoed = 0;
    let closes = 0;
    let conn: RawConn | undefined;
    const seen: RawConn[] = [];
    for (let i = 0; i < 80; i++) {
      if (!conn || conn.fate.closed) {
        conn = i % 2 === 0 ? await wsConn(server.httpPort, '127.0.0.2') : await tcpConn(server.tcpPort, '127.0.0.2');
        seen.push(conn);
      }
      conn.write(packet);
      bytes += packet.length;
      const answer = await conn.next(15_000);
      if (answer?.type === 2) echoed++;
      else {
        closes++;
        conn.destroy();
        conn = undefined;
      }
    }
    for (const c of seen) c.destroy();
    return { bytes, outcome: `${echoed} echoed, ${closes} ended (${tally(seen)}); ${seen.length} connections` };
  },

  /** A gzip bomb in packets the server ignores (client responses and pushes). */
  'gzip-bomb-in-responses': async (server) => {
    const body = bomb(16 * 1024 * 1024 - 64);
    const conns = await Promise.all(Array.from({ length: 4 }, () => tcpConn(server.tcpPort, '127.0.0.2')));
    let bytes = 0;
    for (let i = 0; i < 80; i++) {
      const packet = rawGzipRequest(1, body, i % 2 === 0 ? 2 : 3);
      const conn = conns[i % conns.length]!;
      conn.write(packet);
      bytes += packet.length;
      await conn.drained();
    }
    await sleep(2000);
    for (const c of conns) c.destroy();
    return { bytes, outcome: tally(conns) };
  },

  /** A heartbeat flood before auth: 4 connections, small bodies, as fast as the socket takes them, 5 s. */
  'heartbeat-flood': async (server) => {
    const conns = await Promise.all(Array.from({ length: 4 }, () => tcpConn(server.tcpPort, '127.0.0.2')));
    const heartbeat = request(1, new Uint8Array(16).fill(7));
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => heartbeat));
    let bytes = 0;
    const until = Date.now() + 5000;
    await Promise.all(
      conns.map(async (conn) => {
        while (Date.now() < until && !conn.fate.closed) {
          conn.write(batch);
          bytes += batch.length;
          await conn.drained();
          await sleep(0);
        }
      }),
    );
    await sleep(500);
    const answers = conns.reduce((sum, c) => sum + c.fate.packets.filter((p) => p.type === 2).length, 0);
    for (const c of conns) c.destroy();
    return { bytes, outcome: `${fmt(bytes / heartbeat.length)} heartbeats sent, ${fmt(answers)} answered; ${tally(conns)}` };
  },

  /** Business requests before auth: 500 WebSocket connections, one command 24 each. */
  'business-before-auth': async (server) => {
    let bytes = 0;
    const conns: RawConn[] = [];
    for (let i = 0; i < 500; i += 50) {
      const group = await Promise.all(Array.from({ length: 50 }, () => wsConn(server.httpPort, '127.0.0.2')));
      for (const c of group) {
        const packet = request(24, capitalFlowRequest(SYMBOL));
        c.write(packet);
        bytes += packet.length;
      }
      await Promise.all(group.map((c) => c.next(5000)));
      conns.push(...group);
    }
    const data = conns.filter((c) => c.fate.packets.some((p) => p.type === 2)).length;
    for (const c of conns) c.destroy();
    return { bytes, outcome: `${data} got an answer; ${tally(conns)}` };
  },

  /** Slowloris on the TCP handshake: 2,000 connections from 40 addresses send 1 byte and hold (up to 25 s). */
  'slowloris-tcp-handshake': async (server) => {
    const started = Date.now();
    const conns: RawConn[] = [];
    for (let i = 0; i < 2000; i++) conns.push(await tcpConn(server.tcpPort, `127.0.0.${2 + (i % 40)}`, Uint8Array.of(0x11)));
    const seconds = await allClosed(() => conns.map((c) => c.fate.closedAt), started, 25_000);
    const open = conns.filter((c) => !c.fate.closed).length;
    for (const c of conns) c.destroy();
    return { bytes: 2000, outcome: closing(conns.length, seconds, open, 25_000) };
  },

  /** Slowloris on the WebSocket upgrade: 1,000 connections from 40 addresses trickle one header line every 2 s (up to 25 s). */
  'slowloris-ws-upgrade': async (server) => {
    const started = Date.now();
    const sockets: Array<{ socket: Socket; closedAt?: number }> = [];
    let bytes = 0;
    for (let i = 0; i < 1000; i++) {
      const entry: { socket: Socket; closedAt?: number } = { socket: connect({ port: server.httpPort, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 40)}` }) };
      entry.socket.on('error', () => undefined);
      entry.socket.on('close', () => (entry.closedAt = Date.now()));
      const first = 'GET /v2?version=1&codec=1&platform=9 HTTP/1.1\r\nHost: 127.0.0.1\r\n';
      entry.socket.write(first);
      bytes += first.length;
      sockets.push(entry);
    }
    let n = 0;
    const trickle = setInterval(() => {
      for (const { socket } of sockets) if (!socket.destroyed) {
        const line = `X-Slow-${n}: 1\r\n`;
        socket.write(line);
        bytes += line.length;
      }
      n++;
    }, 2000);
    const seconds = await allClosed(() => sockets.map((e) => e.closedAt), started, 25_000);
    clearInterval(trickle);
    const open = sockets.filter((e) => e.closedAt === undefined).length;
    for (const { socket } of sockets) socket.destroy();
    return { bytes, outcome: closing(sockets.length, seconds, open, 25_000) };
  },

  /**
   * Unauthenticated connections held open: 2,000 (half WebSocket, half TCP with its handshake)
   * from 40 addresses, silent; meanwhile a new client from another address connects and authenticates.
   */
  'unauthenticated-held': async (server) => {
    const started = Date.now();
    const conns: RawConn[] = [];
    for (let i = 0; i < 2000; i++) {
      const address = `127.0.0.${2 + (i % 40)}`;
      conns.push(i % 2 === 0 ? await wsConn(server.httpPort, address) : await tcpConn(server.tcpPort, address));
    }
    const atPeak = tally(conns);
    const newcomerStarted = performance.now();
    const newcomer = await wsConn(server.httpPort, '127.0.0.250');
    newcomer.write(request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(`http://127.0.0.1:${server.httpPort}`, attackerCredential) }))));
    const authed = await newcomer.next(5000);
    const newcomerMs = performance.now() - newcomerStarted;
    newcomer.destroy();
    const seconds = await allClosed(() => conns.map((c) => c.fate.closedAt ?? (c.fate.refused === undefined ? undefined : started)), started, 40_000);
    const open = conns.filter((c) => !c.fate.closed && c.fate.refused === undefined).length;
    for (const c of conns) c.destroy();
    return {
      bytes: 0,
      outcome: `right after opening: ${atPeak}; a new client from another address ${authed?.type === 2 ? 'authenticated' : 'was NOT answered'} in ${fmt(newcomerMs, 1)} ms; ${closing(conns.length, seconds, open, 40_000)}`,
    };
  },

  /** From one address: 3,000 connections (half WS, half TCP) opened as fast as possible and held. */
  'per-ip-connection-flood': async (server) => {
    const conns = await Promise.all(
      Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? wsConn(server.httpPort, '127.0.0.2') : tcpConn(server.tcpPort, '127.0.0.2'))),
    );
    await sleep(1000);
    const outcome = tally(conns);
    for (const c of conns) c.destroy();
    return { bytes: 0, outcome };
  },

  /** Connection churn: 8 loops (4 TCP, 4 WebSocket) from one address connect, send a heartbeat and hang up, as fast as they can, 5 s. */
  'connection-churn': async (server) => {
    let connections = 0;
    let answered = 0;
    let bytes = 0;
    const heartbeat = request(1, new Uint8Array(8));
    const until = Date.now() + 5000;
    await Promise.all(
      Array.from({ length: 8 }, async (_, loop) => {
        while (Date.now() < until) {
          const c = loop % 2 === 0 ? await tcpConn(server.tcpPort, '127.0.0.2') : await wsConn(server.httpPort, '127.0.0.2');
          connections++;
          c.write(heartbeat);
          bytes += heartbeat.length + 2;
          if ((await c.next(2000))?.type === 2) answered++;
          c.destroy();
        }
      }),
    );
    return { bytes, outcome: `${fmt(connections)} connections (${fmt(connections / 5)}/s), ${fmt(answered)} heartbeats answered` };
  },

  /** Declared body_len of 1 MiB before auth: 200 TCP connections send the header and 1,000,000 body bytes, then hold. */
  'oversized-body-len': async (server) => {
    const header = new Uint8Array(11);
    header[0] = 1;
    header[1] = 1;
    const length = 1024 * 1024 - 11 - 1;
    header[8] = length >>> 16;
    header[9] = (length >>> 8) & 0xff;
    header[10] = length & 0xff;
    const part = new Uint8Array(1_000_000).fill(1);
    let bytes = 0;
    const conns: RawConn[] = [];
    for (let i = 0; i < 200; i++) {
      const c = await tcpConn(server.tcpPort, `127.0.0.${2 + (i % 8)}`);
      c.write(header);
      c.write(part);
      bytes += header.length + part.length;
      conns.push(c);
    }
    await sleep(2000);
    const outcome = tally(conns);
    for (const c of conns) c.destroy();
    return { bytes, outcome };
  },

  /** Huge WebSocket messages before auth: 200 connections send a 1 MiB − 1 fragment of an unfinished message and hold. */
  'ws-big-frames': async (server) => {
    let bytes = 0;
    const conns: Array<{ ws: WebSocket; closed: boolean; code?: number }> = [];
    const payload = new Uint8Array(1024 * 1024 - 1).fill(1);
    for (let i = 0; i < 200; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/v2?version=1&codec=1&platform=9`, { localAddress: `127.0.0.${2 + (i % 8)}` });
      const entry: { ws: WebSocket; closed: boolean; code?: number } = { ws, closed: false };
      ws.on('error', () => undefined);
      ws.on('close', (code) => {
        entry.closed = true;
        entry.code = code;
      });
      await new Promise<void>((ok) => {
        ws.once('open', ok);
        ws.once('close', () => ok());
      });
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(payload, { binary: true, fin: false });
        bytes += payload.length;
      }
      conns.push(entry);
    }
    await sleep(2000);
    const codes = new Map<string, number>();
    for (const c of conns) {
      const key = c.closed ? `closed ${c.code}` : 'still open';
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
    for (const c of conns) c.ws.terminate();
    return { bytes, outcome: [...codes].map(([k, n]) => `${n} ${k}`).join(', ') };
  },

  /** Garbage of every kind: bad handshakes, text frames, unknown types, verify-flag packets with garbage trailers. */
  garbage: async (server) => {
    let bytes = 0;
    const conns: RawConn[] = [];
    for (let i = 0; i < 1000; i++) {
      const address = `127.0.0.${2 + (i % 40)}`;
      const kind = i % 4;
      if (kind === 0) {
        const c = await tcpConn(server.tcpPort, address, Uint8Array.of(i & 0xff, 0x77));
        bytes += 2;
        conns.push(c);
      } else if (kind === 1) {
        const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/v2?version=1&codec=1&platform=9`, { localAddress: address });
        ws.on('error', () => undefined);
        await new Promise<void>((ok) => {
          ws.once('open', ok);
          ws.once('close', () => ok());
        });
        if (ws.readyState === WebSocket.OPEN) ws.send('hello, capflow');
        bytes += 14;
        await new Promise<void>((ok) => {
          ws.once('close', () => ok());
          setTimeout(ok, 2000);
        });
        ws.terminate();
      } else {
        const c = await tcpConn(server.tcpPort, address);
        const packet =
          kind === 2
            ? Uint8Array.of(0x0f, 1, 2, 3, 4, 5, 6, 7)
            : (() => {
                const good = request(1, new Uint8Array(8).fill(i & 0xff));
                const withTrailer = new Uint8Array(good.length + 24).fill(0xee);
                withTrailer.set(good);
                withTrailer[0] = 0x11; // request | verify
                return withTrailer;
              })();
        c.write(packet);
        bytes += packet.length;
        conns.push(c);
      }
    }
    await sleep(500);
    const outcome = tally(conns);
    for (const c of conns) c.destroy();
    return { bytes, outcome: `TCP: ${outcome}` };
  },

  /** WebSocket pings (125-byte payloads) as fast as 4 connections can send them, before auth, 5 s. */
  'ws-ping-flood': async (server) => {
    const sockets = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/v2?version=1&codec=1&platform=9`, { localAddress: '127.0.0.2' });
        ws.on('error', () => undefined);
        let pongs = 0;
        ws.on('pong', () => pongs++);
        await new Promise<void>((ok) => {
          ws.once('open', ok);
          ws.once('close', () => ok());
        });
        return { ws, pongs: () => pongs };
      }),
    );
    const payload = new Uint8Array(125).fill(7);
    let pings = 0;
    const until = Date.now() + 5000;
    await Promise.all(
      sockets.map(async ({ ws }) => {
        while (Date.now() < until && ws.readyState === WebSocket.OPEN) {
          for (let i = 0; i < 500; i++) ws.ping(payload);
          pings += 500;
          while (ws.bufferedAmount > 1 << 20 && ws.readyState === WebSocket.OPEN) await sleep(2);
          await sleep(0);
        }
      }),
    );
    await sleep(500);
    const pongs = sockets.reduce((sum, s) => sum + s.pongs(), 0);
    for (const { ws } of sockets) ws.terminate();
    return { bytes: pings * 131, outcome: `${fmt(pings)} pings sent, ${fmt(pongs)} pongs received` };
  },

  /** An authenticated connection flooding command 24 past its rate limit, 5 s. */
  'request-flood-authenticated': async (server) => {
    const c = await wsConn(server.httpPort, '127.0.0.2');
    c.write(request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(`http://127.0.0.1:${server.httpPort}`, attackerCredential) }))));
    await c.next(5000);
    const packet = request(24, capitalFlowRequest(SYMBOL), 7);
    let bytes = 0;
    const until = Date.now() + 5000;
    while (Date.now() < until && !c.fate.closed) {
      for (let i = 0; i < 200; i++) c.write(packet);
      bytes += packet.length * 200;
      await c.drained();
      await sleep(0);
    }
    await sleep(500);
    const ok = c.fate.packets.filter((p) => p.type === 2 && (p as { status: number }).status === 0).length;
    const refused = c.fate.packets.filter((p) => p.type === 2 && (p as { status: number }).status !== 0).length;
    c.destroy();
    return { bytes, outcome: `${fmt(bytes / packet.length)} requests (one request id), ${fmt(ok)} answered with lines, ${fmt(refused)} refused` };
  },
};

// ---------------------------------------------------------------- run

const rows: Array<Record<string, string | number>> = [];

/** One attack (or none) against a fresh server, with the good client asking meanwhile. */
async function measure(name: string, attack: Attack | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-wire-attack-'));
  const server = await startServer(dir);
  const good = await startGoodClient(server.httpPort);
  const pid = server.child.pid!;
  try {
    await sleep(1500);
    await good.mark();
    const rssBefore = rssMb(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => {
      const now = rssMb(pid);
      if (now > peak) peak = now;
    }, 50);
    const cpuBefore = cpuMs(pid);
    const started = Date.now();
    let result: AttackResult;
    try {
      result = attack ? await attack(server) : (await sleep(3000), { bytes: 0, outcome: '' });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu = cpuMs(pid) - cpuBefore;
    const report = await good.mark();
    rows.push({
      attack: `${name} (${fmt(seconds, 1)} s)`,
      'server CPU ms': cpu,
      'RSS MB before → peak': `${fmt(rssBefore)} → ${fmt(peak)}`,
      'attacker bytes': fmt(result.bytes),
      'good client p50 / p99 / max ms': `${fmt(report.p50, 1)} / ${fmt(report.p99, 1)} / ${fmt(report.max, 1)}`,
      'good answers (errors)': `${report.count} (${report.errors})`,
      outcome: result.outcome,
    });
    console.error(`${name}: ${JSON.stringify(rows.at(-1))}`);
  } finally {
    good.stop();
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!only) await measure('none (3 s baseline)', undefined);
for (const [name, attack] of Object.entries(ATTACKS)) {
  if (only && !only.includes(name)) continue;
  await measure(name, attack);
}
printTable(`wire attacks against capflow serve, a fresh server each (${machine()})`, rows);
process.exit(0);
