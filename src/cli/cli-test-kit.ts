/**
 * Shared setup of the CLI tests: running sub-commands in this process with captured output, and
 * running the real `capflow` command (bin/capflow.js) as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './main.js';

/** The `capflow` executable, run with this Node. */
export const CAPFLOW_BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/capflow.js');

/** What a command printed and its exit code. */
export interface CommandResult<Code = number> {
  code: Code;
  stdout: string;
  stderr: string;
}

/** A CliIo whose writes are collected as strings (not a terminal). */
export function captureIo(): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (text: string) => ((out.stdout += text), true) },
    stderr: { write: (text: string) => ((out.stderr += text), true) },
    isTTY: false,
  } as unknown as CliIo;
  return { io, out };
}

/** Runs a sub-command in this process with real streams and returns what it printed. */
export async function callCommand(command: (argv: string[], io: CliIo) => Promise<number>, argv: string[]): Promise<CommandResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await command(argv, { stdout, stderr, isTTY: false });
  return { code, stdout: out, stderr: err };
}

/** Runs `capflow …args` as a child process (with `env` added to this process's) until it exits. */
export function runCapflow(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult<number | null>> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CAPFLOW_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * Starts `capflow serve --port 0 …args` and resolves with the HTTP port of its banner once
 * `ready` accepts the output so far (by default, as soon as the banner is printed). Rejects when
 * the server exits first.
 */
export function serveCapflow(
  args: string[],
  ready: (output: string) => boolean = () => true,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CAPFLOW_BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && ready(output)) done({ child, port: Number(match[1]), output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`serve exited early (${code}): ${output}`)));
  });
}

/**
 * A maker of fresh temporary directories named `prefix…`, all removed after the tests of the
 * calling file. Call it at the top level of a test file.
 */
export function temporaryDirectories(prefix: string): () => string {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** The flags that point `capflow flow` / `watch` at a server with a credential. */
export function serverFlags(url: string, credential: { appKey: string; appSecret: string; accessToken: string }): string[] {
  return ['--url', url, '--app-key', credential.appKey, '--app-secret', credential.appSecret, '--access-token', credential.accessToken];
}
