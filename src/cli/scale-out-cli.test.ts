/**
 * Needs PostgreSQL (127.0.0.1:5432). The `capflow` command with `--store postgres://…` as a user
 * runs it: ingest straight into PostgreSQL, and gateways without a data directory that serve
 * one demo credential kept in the store.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signedHeaders } from '../server/server-test-kit.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { runCapflow, serveCapflow } from './cli-test-kit.js';

/** `serve` prints the demo credential's settings after its banner: wait for them too. */
const demoPrinted = (output: string): boolean => /LONGPORT_QUOTE_WS_URL/.test(output);

function demoSettings(output: string): { appKey: string; appSecret: string; accessToken: string } {
  const value = (name: string): string => new RegExp(`export ${name}=(\\S+)`).exec(output)?.[1] ?? assert.fail(`no ${name} in ${output}`);
  return { appKey: value('LONGPORT_APP_KEY'), appSecret: value('LONGPORT_APP_SECRET'), accessToken: value('LONGPORT_ACCESS_TOKEN') };
}

describe('capflow ingest and serve with --store postgres:// (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_cli');
  const storeUrl = postgresUrlWithSchema(schema);
  const dir = mkdtempSync(join(tmpdir(), 'capflow-scale-cli-'));
  const file = join(dir, 'day.ndjson');
  const children: ChildProcess[] = [];

  before(() => {
    writeFileSync(
      file,
      [
        '{"symbol":"700.HK","timestamp":"2024-06-14T09:30:05+08:00","price":"320.0","volume":100,"direction":"up","trade_id":"t1"}',
        '{"symbol":"700.HK","timestamp":"2024-06-14T10:00:00+08:00","price":"321.0","volume":50,"direction":"down","trade_id":"t2"}',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await dropSchemas([schema]);
  });

  it('ingest writes a file into PostgreSQL once, however often it is run', async () => {
    const first = await runCapflow(['ingest', file, '--store', storeUrl]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /2 accepted, 0 duplicates, 0 rejected/);
    const again = await runCapflow(['ingest', file, '--store', storeUrl]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 accepted/);
    const store = await PostgresFlowStore.open(storeUrl);
    try {
      assert.equal((await store.tradesOfDay('700.HK', '2024-06-14')).length, 2);
    } finally {
      await store.close();
    }
    const wrong = await runCapflow(['ingest', file, '--store', 'mysql://x']);
    assert.equal(wrong.code, 2);
  });

  it('serve needs no data directory with a shared store, and every gateway serves the one demo credential', async () => {
    const clock = ['--clock', '2024-06-14T23:00:00+08:00', '--store', storeUrl];
    const one = await serveCapflow(clock, demoPrinted);
    children.push(one.child);
    const two = await serveCapflow(clock, demoPrinted);
    children.push(two.child);
    const demo = demoSettings(one.output());
    assert.deepEqual(demoSettings(two.output()), demo);
    const path = '/api/v1/capital-flow/intraday';
    const query = 'symbol=700.HK';
    const answers = await Promise.all(
      [one.port, two.port].map(async (port) => {
        const response = await fetch(`http://127.0.0.1:${port}${path}?${query}`, { headers: signedHeaders(demo, 'GET', path, query) });
        assert.equal(response.status, 200);
        return (await response.json()) as { data: { lines: { inflow: string }[] } };
      }),
    );
    assert.deepEqual(answers[0], answers[1]);
    // 100 × 320.0 bought − 50 × 321.0 sold.
    assert.equal(answers[0]!.data.lines.at(-1)?.inflow, '15950.000');
    for (const child of [one.child, two.child]) {
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});
