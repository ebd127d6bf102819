/**
 * Memory of a server sent large unsigned request bodies. Starts `capflow serve` (the demo
 * credential) as a child process, then opens `--clients` connections at once, each POSTing to
 * /v1/ingest without credentials a body declared as `--mib` MiB and written as fast as the socket
 * takes it (from one reused buffer, so the clients cost little). Samples the server's RSS
 * (/proc/PID/status) every 50 ms: before, peak, and `--hold` seconds later; counts answers and
 * the bytes the clients got to send. `--bin` runs another build of capflow (e.g. an older one).
 *
 *   npm run bench:bodies -- [--clients 16] [--mib 64] [--hold 10] [--bin path/to/bin/capflow.js]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, machine, numberFlag, parseFlags, printTable } from './bench-kit.js';

const flags = parseFlags();
const clients = numberFlag(flags, 'clients', 16);
const mib = numberFlag(flags, 'mib', 64);
const holdSeconds = numberFlag(flags, 'hold', 10);
const bin = flags.bin ?? resolve(fileURLToPath(import.meta.url), '../../../bin/capflow.js');
const MiB = 1024 * 1024;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const dataDir = mkdtempSync(join(tmpdir(), 'capflow-bodies-'));
const child = spawn(process.execPath, [bin, 'serve', '--data', dataDir, '--port', '0', '--tcp-port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
const port = await new Promise<number>((done, fail) => {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const match = /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    if (match) done(Number(match[1]));
  });
  child.once('exit', (code) => fail(new Error(`serve exited (${code})`)));
});
await new Promise((r) => setTimeout(r, 1000));
const before = rssMiB(child.pid!);
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(child.pid!))), 50);

const piece = Buffer.alloc(256 * 1024, 0x7b);
const bodyBytes = mib * MiB;
interface Outcome {
  status: number;
  sent: number;
  answeredMs: number;
}
const started = Date.now();
const outcomes = await Promise.all(
  Array.from(
    { length: clients },
    () =>
      new Promise<Outcome>((done) => {
        const socket = connect(port, '127.0.0.1');
        let sent = 0;
        let answer = '';
        let answeredMs = -1;
        let closed = false;
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          if (answeredMs < 0) answeredMs = Date.now() - started;
          answer += chunk.toString('latin1');
        });
        socket.on('close', () => {
          closed = true;
          done({ status: Number(answer.split(' ')[1] ?? 0), sent, answeredMs });
        });
        socket.write(`POST /v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
        const pump = (): void => {
          while (!closed && sent < bodyBytes) {
            const size = Math.min(piece.length, bodyBytes - sent);
            sent += size;
            if (!socket.write(size === piece.length ? piece : piece.subarray(0, size))) return void socket.once('drain', pump);
          }
        };
        pump();
        // A client that never gets an answer gives up after the hold.
        setTimeout(() => socket.destroy(), holdSeconds * 1000).unref();
      }),
  ),
);
await new Promise((r) => setTimeout(r, Math.max(0, holdSeconds * 1000 - (Date.now() - started))));
clearInterval(sampler);
const after = rssMiB(child.pid!);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });

const statuses = new Map<number, number>();
for (const outcome of outcomes) statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
const answered = outcomes.filter((o) => o.answeredMs >= 0).map((o) => o.answeredMs).sort((a, b) => a - b);
console.log(machine(), bin);
printTable(`${clients} unsigned POSTs of ${mib} MiB`, [
  {
    'RSS before MiB': fmt(before),
    'RSS peak MiB': fmt(peak),
    [`RSS after ${holdSeconds} s MiB`]: fmt(after),
    answers: [...statuses].map(([status, count]) => `${count}× ${status || 'none'}`).join(', '),
    'answered within ms (max)': answered.length ? fmt(answered.at(-1)!) : '-',
    'body MiB the clients sent (total)': fmt(outcomes.reduce((sum, o) => sum + o.sent, 0) / MiB),
  },
]);
