import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { runIngestCommand } from './ingest-command.js';

const work = mkdtempSync(join(tmpdir(), 'capflow-cli-ingest-'));
after(() => rmSync(work, { recursive: true, force: true }));

function capture(isTTY = false) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    isTTY,
  };
  return { io, out };
}

function file(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const GOOD = file(
  'good.csv',
  'symbol,timestamp,price,volume,direction\n700.HK,1709256600000,35.07,100,up\n700.HK,1709256600001,0,100,\n700.HK,1709256600002,35.08,1,buy\n',
);
const MORE = file('more.ndjson', '{"symbol":"AAPL.US","timestamp":1709303400000,"price":"180.5","volume":3}\n');

describe('capflow ingest', () => {
  it('ingests files in order and prints counts with rejection reasons, and totals', async () => {
    const data = join(work, 'data-1');
    const { io, out } = capture();
    assert.equal(await runIngestCommand([GOOD, MORE, '--data', data], io), 0);
    assert.equal(
      out.stdout,
      `${GOOD}: 2 accepted, 0 duplicates, 1 rejected\n` +
        `  rejected line 3: price: must be positive, got "0"\n` +
        `${MORE}: 1 accepted, 0 duplicates, 0 rejected\n` +
        'total: 3 accepted, 0 duplicates, 1 rejected\n',
    );
    assert.equal(out.stderr, '', 'no progress bar when stderr is not a terminal');
    const store = await SqliteFlowStore.open(data);
    try {
      assert.deepEqual(await store.symbols(), ['700.HK', 'AAPL.US']);
      assert.deepEqual((await store.tradesAfter(0, 10)).map((t) => t.symbol), ['700.HK', '700.HK', 'AAPL.US']);
    } finally {
      await store.close();
    }
  });

  it('reports a second run of the same file as already ingested', async () => {
    const data = join(work, 'data-2');
    assert.equal(await runIngestCommand([GOOD, '--data', data], capture().io), 0);
    const { io, out } = capture();
    assert.equal(await runIngestCommand(['--data', data, GOOD], io), 0);
    assert.equal(out.stdout, `${GOOD}: 0 accepted, 0 duplicates, 0 rejected, 3 skipped (already ingested)\n`);
  });

  it('draws a progress bar on a terminal and clears it before the summary', async () => {
    const { io, out } = capture(true);
    assert.equal(await runIngestCommand([GOOD, '--data', join(work, 'data-3')], io), 0);
    assert.match(out.stderr, /\r(checking |ingesting) \[#+\] 100% 0\.0 MB\/0\.0 MB good\.csv/);
    assert.ok(out.stderr.endsWith('\r\u001b[K'));
  });

  it('checks every file before ingesting any', async () => {
    const data = join(work, 'data-4');
    const { io, out } = capture();
    assert.equal(await runIngestCommand([GOOD, join(work, 'trades.txt'), '--data', data], io), 1);
    assert.match(out.stderr, /trades\.txt: unknown file type/);
    assert.equal(out.stdout, '');
  });

  it('stops at a file that fails, keeping what was ingested before it', async () => {
    const data = join(work, 'data-5');
    const bad = file('bad-header.csv', 'sym,ts\nx,y\n');
    const { io, out } = capture();
    assert.equal(await runIngestCommand([GOOD, bad, MORE, '--data', data], io), 1);
    assert.match(out.stdout, /good\.csv: 2 accepted/);
    assert.match(out.stderr, /bad-header\.csv: header: missing required columns symbol, timestamp, price, volume/);
    assert.match(out.stderr, /files after this one were not ingested/);
    const store = await SqliteFlowStore.open(data);
    try {
      assert.deepEqual(await store.symbols(), ['700.HK']);
    } finally {
      await store.close();
    }
  });

  it('answers usage errors with exit code 2', async () => {
    for (const argv of [[GOOD], ['--data', join(work, 'x')], [GOOD, '--data', 'd', '--batch-size', '0'], [GOOD, '--bogus']]) {
      const { io, out } = capture();
      assert.equal(await runIngestCommand(argv, io), 2, argv.join(' '));
      assert.match(out.stderr, /Usage: capflow ingest FILE\.\.\. \(--data DIR/);
    }
    const { io, out } = capture();
    assert.equal(await runIngestCommand(['--help'], io), 0);
    assert.match(out.stdout, /Usage:/);
  });
});
