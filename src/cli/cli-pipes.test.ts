import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { ingestFile } from '../ingest/index.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { CAPFLOW_BIN, temporaryDirectories } from './cli-test-kit.js';
import { SAMPLE_FILE } from './serve-command.js';

const tempDir = temporaryDirectories('capflow-pipes-');

describe('capflow in a pipe whose reader stops early (`… | head -1`)', () => {
  it('ends quietly with exit code 0, without an EPIPE stack trace', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await ingestFile(store, SAMPLE_FILE);
    await store.close();
    // 14,872 trades, about a megabyte: far more than a pipe buffer, so writes fail once it closes.
    const child = spawn(
      process.execPath,
      [CAPFLOW_BIN, 'export', '--data', data, '--symbol', '600000.SH', '--from', '2023-02-01', '--to', '2023-02-01', '--trades'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const firstLine = await new Promise<string>((resolve) => {
      child.stdout.once('data', (chunk: Buffer) => {
        resolve(chunk.toString().split('\n')[0]!);
        child.stdout.destroy(); // what `head -1` does after its first line
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
    assert.equal(firstLine, 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type');
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});
