/**
 * Needs PostgreSQL (127.0.0.1:5432). `capflow export`, `capflow doctor` and `capflow credentials`
 * with `--store postgres://…`, run as a user would (in-process), each on its own schema.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { storeTrades, trade } from '../server/server-test-kit.js';
import { runRetention } from '../service/retention-job.js';
import { PostgresDayArchive } from '../store/postgres-day-archive.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { POSTGRES_SCHEMA_VERSION } from '../store/postgres-schema.js';
import { dropSchemas, postgresUrlWithSchema, POSTGRES_TEST_URL, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { callCommand } from './cli-test-kit.js';
import { runCredentialsCommand } from './credentials-command.js';
import { runDoctorCommand } from './doctor-command.js';
import { runExportCommand } from './export-command.js';

const TRADES = [
  trade('700.HK', '2024-06-12T09:30:00+08:00', '320.0', 1000, '', { tradeId: 'T1' }),
  trade('700.HK', '2024-06-12T09:31:10+08:00', '320.2', 500, 'up'), // +160,100
  trade('700.HK', '2024-06-12T09:45:00+08:00', '320.0', 100, 'down', { bid: '319.8', ask: '320.0' }), // −32,000
  trade('5.HK', '2024-06-12T10:00:00+08:00', '60.0', 400, 'up'),
  trade('700.HK', '2024-06-14T09:30:30+08:00', '321.0', 100, 'up'),
];
const NOW = Date.parse('2024-06-14T12:00:00+08:00');

describe('export, doctor and credentials with --store postgres:// (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_care');
  const url = postgresUrlWithSchema(schema);
  after(() => dropSchemas([schema, `${schema}_none`]));

  it('exports the same lines before and after retention trimmed a day, and trades in the ingest format', async () => {
    const store = await PostgresFlowStore.open(url);
    const archive = await PostgresDayArchive.open(url);
    try {
      await storeTrades(store, TRADES);
      const args = ['--store', url, '--symbol', '700.HK', '--from', '2024-06-01', '--to', '2024-06-30', '--lines'];
      const before = await callCommand(runExportCommand, args);
      assert.equal(before.code, 0, before.stderr);
      const lines = before.stdout.trim().split('\n');
      assert.equal(lines.length, 1 + 331 + 331); // header, two HK days of 331 lines
      assert.equal(lines[2], `700.HK,2024-06-12,${Date.parse('2024-06-12T09:31:00+08:00') / 1000},2024-06-12T09:31:00+08:00,160100.000`);
      assert.deepEqual(await runRetention({ store, archive, retainTradesDays: 1, now: () => NOW }), { daysArchived: 2, tradesDeleted: 4 });
      const after = await callCommand(runExportCommand, args);
      assert.equal(after.stdout, before.stdout);

      const trades = await callCommand(runExportCommand, ['--store', url, '--symbol', '700.HK', '--from', '2024-06-12', '--to', '2024-06-14', '--trades', '--format', 'ndjson']);
      assert.equal(trades.code, 0, trades.stderr);
      assert.deepEqual(
        trades.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown),
        [{ symbol: '700.HK', timestamp: '2024-06-14T09:30:30.000+08:00', price: '321.0', volume: 100, direction: 'up', trade_id: '', bid: '', ask: '', trade_type: '' }],
      );
      assert.match(trades.stderr, /1 day\(s\) in the range keep only lines/);
    } finally {
      await archive.close();
      await store.close();
    }
  });

  it('doctor: reports schema, counts (with the archive) and plain secrets, and fails on a count that disagrees', async () => {
    const added = await callCommand(runCredentialsCommand, ['add', '--store', url, '--markets', 'HK', '--app-key', 'plain-one']);
    assert.equal(added.code, 0, added.stderr);
    const healthy = await callCommand(runDoctorCommand, ['--store', url, '--json']);
    assert.equal(healthy.code, 0, healthy.stdout);
    const findings = JSON.parse(healthy.stdout) as Array<{ level: string; check: string; message: string }>;
    const byCheck = (check: string) => findings.filter((finding) => finding.check === check);
    assert.deepEqual(byCheck('schema'), [{ level: 'ok', check: 'schema', message: `schema ${schema}, version ${POSTGRES_SCHEMA_VERSION}` }]);
    assert.deepEqual(byCheck('counts'), [
      { level: 'ok', check: 'counts', message: '3 symbol-days, 5 trades, consistent with the summary table (2 archived by retention)' },
    ]);
    assert.equal(byCheck('secrets')[0]!.level, 'warning');
    assert.match(byCheck('secrets')[0]!.message, /plain-one/);
    assert.ok(byCheck('calendar').length >= 4);

    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    await client.query(`UPDATE ${schema}.symbol_days SET trades = 7 WHERE symbol = '700.HK' AND date = '2024-06-14'`);
    await client.end();
    const broken = await callCommand(runDoctorCommand, ['--store', url]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /ERROR +counts +1 day\(s\) disagree with the summary table: 700\.HK 2024-06-14: summary says 7, found 1/);

    const missing = await callCommand(runDoctorCommand, ['--store', postgresUrlWithSchema(`${schema}_none`)]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /ERROR +schema +schema \S+_none has no capflow tables/);
  });

  it('credentials: add, list and revoke against the PostgreSQL store; the token is kept only as a hash', async () => {
    const added = await callCommand(runCredentialsCommand, ['add', '--store', url, '--markets', 'HK,US', '--connections', '2', '--app-key', 'fleet-key']);
    assert.equal(added.code, 0, added.stderr);
    const token = /^access token:\s+(\S+)$/m.exec(added.stdout)![1]!;
    const listed = await callCommand(runCredentialsCommand, ['list', '--store', url, '--json']);
    const rows = JSON.parse(listed.stdout) as Array<{ appKey: string; status: string; markets: string[]; connections: number }>;
    assert.deepEqual(rows.find((row) => row.appKey === 'fleet-key'), {
      ...rows.find((row) => row.appKey === 'fleet-key'),
      status: 'active',
      markets: ['HK', 'US'],
      connections: 2,
    });
    assert.ok(!listed.stdout.includes(token));
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    const stored = (await client.query(`SELECT * FROM ${schema}.credentials WHERE app_key = 'fleet-key'`)).rows[0] as Record<string, unknown>;
    await client.end();
    assert.ok(!JSON.stringify(stored).includes(token));
    assert.equal((await callCommand(runCredentialsCommand, ['revoke', 'fleet-key', '--store', url])).code, 0);
    const after = JSON.parse((await callCommand(runCredentialsCommand, ['list', '--store', url, '--json'])).stdout) as Array<{ appKey: string; status: string }>;
    assert.equal(after.find((row) => row.appKey === 'fleet-key')!.status, 'revoked');
    const both = await callCommand(runCredentialsCommand, ['list', '--store', url, '--data', '/tmp/x']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--data or --store, not both/);
  });
});
