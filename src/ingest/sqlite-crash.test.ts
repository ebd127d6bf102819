import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ingestFile } from './ingest-file.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';

const CHILD = fileURLToPath(new URL('./sqlite-crash-child.js', import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-crash-'));
  dirs.push(dir);
  return dir;
}

/** Runs the child until it has printed `commits` commit lines, then SIGKILLs it. */
function runAndKill(args: string[], commits: number): Promise<{ finished: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let finished = false;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      seen += text.split('\n').filter((line) => line.startsWith('committed')).length;
      if (text.includes('done')) finished = true;
      if (seen >= commits) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ finished });
    });
  });
}

describe('SqliteFlowStore after SIGKILL', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('reopens to a consistent prefix: the checkpoint matches exactly the trades committed with it', async () => {
    const dir = tempDir();
    await runAndKill(['append', dir], 20);
    const store = await SqliteFlowStore.open(dir);
    try {
      const position = await store.sourcePosition('loop');
      assert.ok(position >= 20 * 50, `at least the 20 acknowledged batches survive (position ${position})`);
      assert.equal(position % 50, 0, 'whole batches only');
      const trades = await store.tradesAfter(0, position + 1000);
      assert.equal(trades.length, position);
      trades.forEach((trade, k) => {
        assert.equal(trade.seq, k + 1);
        assert.equal(trade.tradeId, `t${k}`);
      });
      assert.deepEqual(await store.daysOf('700.HK'), [{ symbol: '700.HK', date: '2024-03-01', trades: position }]);
    } finally {
      await store.close();
    }
  });

  it('an ingest killed mid-file and run again stores exactly the trades of an uninterrupted run', async () => {
    const work = tempDir();
    // Trades without ids: only the checkpoint prevents double counting.
    const rows = ['symbol,timestamp,price,volume,direction'];
    for (let k = 0; k < 6000; k++) {
      rows.push(`600000.SH,${Date.UTC(2023, 1, 1, 1, 30) + k * 100},${7 + (k % 7) / 100},${100 + k},${k % 3 === 0 ? 'up' : ''}`);
    }
    rows.push('600000.SH,bad,1,1,');
    const file = join(work, 'day.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);

    const killedDir = join(work, 'killed');
    const { finished } = await runAndKill(['ingest', killedDir, file, '200'], 5);
    assert.equal(finished, false, 'the child was killed before the end of the file');
    const resumed = await SqliteFlowStore.open(killedDir);
    let rerun;
    let killedPosition;
    try {
      killedPosition = await resumed.sourcePosition(await sourceIdOf(file));
      assert.ok(killedPosition >= 5 * 200 && killedPosition < 6001, `partial position ${killedPosition}`);
      rerun = await ingestFile(resumed, file, { batchSize: 200 });
    } finally {
      await resumed.close();
    }
    assert.equal(rerun.skipped, killedPosition);
    assert.equal(rerun.skipped + rerun.records, 6001);
    assert.equal(rerun.rejected, 1);

    const cleanDir = join(work, 'clean');
    const clean = await SqliteFlowStore.open(cleanDir);
    const once = await ingestFile(clean, file, { batchSize: 200 });
    const expected = await clean.tradesAfter(0, 10_000);
    await clean.close();
    assert.equal(once.accepted, 6000);

    const check = await SqliteFlowStore.open(killedDir);
    try {
      assert.deepEqual(await check.tradesAfter(0, 10_000), expected);
    } finally {
      await check.close();
    }
  });
});

async function sourceIdOf(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}
