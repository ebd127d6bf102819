import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataDirBusyError, holdDataDir, takeDataDirExclusively } from './data-dir-lock.js';

const LOCK_MODULE = fileURLToPath(new URL('./data-dir-lock.js', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-lock-'));
  dirs.push(dir);
  return dir;
}

/** Another process holding the directory (as `serve` or `ingest` does) until it is killed. */
async function holderProcess(dir: string): Promise<ChildProcess> {
  const script = `import { holdDataDir } from ${JSON.stringify(LOCK_MODULE)}; holdDataDir(process.argv[1]); console.log('held'); setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('data directory lock', () => {
  it('any number of processes hold a directory together; an exclusive take is refused while one does, and a kill -9 frees it', async () => {
    const dir = freshDir();
    const first = await holderProcess(dir);
    const second = await holderProcess(dir);
    const mine = holdDataDir(dir);
    mine.release();
    assert.throws(() => takeDataDirExclusively(dir), (error: unknown) => error instanceof DataDirBusyError && /in use by a running capflow \(serve, ingest or credentials\)/.test(error.message));
    await killHard(first);
    assert.throws(() => takeDataDirExclusively(dir), DataDirBusyError);
    await killHard(second);
    const exclusive = takeDataDirExclusively(dir);
    exclusive.release();
  });

  it('while a directory is taken exclusively (a restore), holding it waits, then fails naming the restore; afterwards it succeeds', () => {
    const dir = freshDir();
    const exclusive = takeDataDirExclusively(dir);
    const started = Date.now();
    assert.throws(() => holdDataDir(dir, 200), (error: unknown) => error instanceof DataDirBusyError && /being restored/.test(error.message));
    assert.ok(Date.now() - started >= 150, 'it waited for the restore');
    assert.throws(() => takeDataDirExclusively(dir), DataDirBusyError);
    exclusive.release();
    const held = holdDataDir(dir, 0);
    held.release();
  });
});
