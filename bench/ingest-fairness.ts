/**
 * Other clients' latency while a server ingests the largest allowed body (64 MiB by default):
 * a client in its own process (src/server/reliability/latency-prober.ts) asks `GET /healthz`
 * every 10 ms while another process posts the body; prints p50/p99/max of those answers, the
 * ingest's duration and the server's RSS, for each kind of body.
 *
 *   npm run bench:build && node dist-bench/bench/ingest-fairness.js [--mib 64] [--kinds commas,csv-commas,trades,csv-trades]
 */
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedHeaders, startTestServer, testCredential } from '../src/server/server-test-kit.js';
import { numberFlag, parseFlags, percentile } from './bench-kit.js';

const flags = parseFlags();
const mib = numberFlag(flags, 'mib', 64);
const kinds = (flags.kinds ?? 'commas,csv-commas,trades,csv-trades').split(',');
const limit = mib * 1024 * 1024 - 4096; // under the 64 MiB body limit with the header
const work = mkdtempSync(join(tmpdir(), 'capflow-fairness-'));
const credential = testCredential();

/** The body of a kind and its query: rejected rows (",,,") or valid trades, NDJSON or CSV. */
function body(kind: string): { bytes: Buffer; query: string } {
  if (kind === 'commas') return { bytes: Buffer.from(',,,\n'.repeat(Math.floor(limit / 4))), query: '' };
  if (kind === 'csv-commas') return { bytes: Buffer.from(`symbol,timestamp,price,volume\n${',,,\n'.repeat(Math.floor(limit / 4) - 8)}`), query: 'format=csv' };
  const csv = kind === 'csv-trades';
  const base = Date.parse('2024-06-14T09:30:00+08:00');
  const symbols = ['700.HK', '5.HK', '9988.HK', '2318.HK'];
  const lines: string[] = csv ? ['symbol,timestamp,price,volume,direction'] : [];
  let size = 0;
  for (let i = 0; size < limit - 200; i++) {
    const symbol = symbols[i % symbols.length] as string;
    const line = csv
      ? `${symbol},${base + i},320.2,100,up`
      : `{"symbol":"${symbol}","timestamp":${base + i},"price":"320.2","volume":100,"direction":"up"}`;
    lines.push(line);
    size += line.length + 1;
  }
  return { bytes: Buffer.from(`${lines.join('\n')}\n`), query: csv ? 'format=csv' : '' };
}

/** Posts a file's bytes from a child process (so the poster's own work is not this process's). */
function postFrom(file: string, url: string, query: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const headersOf = `const { readFileSync } = await import('node:fs');
const body = readFileSync(${JSON.stringify(file)});
const headers = JSON.parse(process.argv[1]);
const response = await fetch(${JSON.stringify(`${url}/v1/ingest${query === '' ? '' : `?${query}`}`)}, { method: 'POST', headers, body });
console.log(JSON.stringify({ status: response.status, text: (await response.text()).slice(0, 200) }));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', headersOf, JSON.stringify(headers)], { maxBuffer: 1 << 20 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout) as { status: number; text: string }),
    );
  });
}

for (const kind of kinds) {
  const t = await startTestServer({ credentials: [credential], clock: { kind: 'wall' } });
  const { bytes, query } = body(kind);
  const file = join(work, `${kind}.body`);
  writeFileSync(file, bytes);
  const headers = signedHeaders(credential, 'POST', '/v1/ingest', query, bytes);
  const size = bytes.length;
  const prober = fork(new URL('../src/server/reliability/latency-prober.js', import.meta.url), [`${t.httpUrl}/healthz`, '10']);
  await new Promise((resolve) => prober.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 300));
  let rss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const answer = await postFrom(file, t.httpUrl, query, headers);
  const ms = performance.now() - started;
  clearInterval(rssTimer);
  prober.send('stop');
  const { latencies, failures } = await new Promise<{ latencies: number[]; failures: number }>((resolve) =>
    prober.once('message', (message) => resolve(message as { latencies: number[]; failures: number })),
  );
  const data = /"accepted":(\d+).*"rejected":(\d+)/.exec(answer.text);
  console.log(
    `${kind.padEnd(10)} ${(size / 1048576).toFixed(1)} MiB → ${answer.status} accepted ${data?.[1] ?? '?'} rejected ${data?.[2] ?? '?'} in ${ms.toFixed(0)} ms; ` +
      `/healthz every 10 ms: ${latencies.length} answers, ${failures} failed, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; server RSS peak ${(rss / 1048576).toFixed(0)} MiB`,
  );
  await t.stop();
}
rmSync(work, { recursive: true, force: true });
