import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureIo, serverFlags } from './cli-test-kit.js';
import { main } from './main.js';
import { startTestServer, testCredential, trade, type TestServer } from '../server/server-test-kit.js';
import { explainApiError } from './api-error-messages.js';
import { CapflowClientError } from '../client/client-error.js';
import { sparkline } from './flow-format.js';


// Served day 2024-06-14 with the clock fixed at 09:33:20 HKT: lines 09:30–09:33.
const TRADES = [
  trade('700.HK', '2024-06-13T10:00:00+08:00', '300', 1000, 'up'),
  trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'), // +320,200 (in large)
  trade('700.HK', '2024-06-14T09:31:10+08:00', '320', 500, 'down'), // -160,000 (out medium)
  trade('700.HK', '2024-06-14T09:32:30+08:00', '10.5', 100, 'up'), // +1,050 (in small)
  trade('600000.SH', '2024-06-14T10:00:00+08:00', '7', 100, 'up'),
];
const user = testCredential();
const hkOnly = testCredential({ appKey: 'hk-only', appSecret: 'hk-secret', accessToken: 'hk-token', markets: ['HK'] });
const limited = testCredential({ appKey: 'limited', appSecret: 'l-secret', accessToken: 'l-token', rateLimits: { 24: { limit: 1, burst: 0 } } });
const expired = testCredential({ appKey: 'expired', appSecret: 'e-secret', accessToken: 'e-token', expiresAt: Date.parse('2020-01-01T00:00:00Z') });

describe('capflow flow', () => {
  let t: TestServer;
  const as = (credential = user): string[] => serverFlags(t.httpUrl, credential);
  const run = async (...argv: string[]) => {
    const { io, out } = captureIo();
    const code = await main(argv, io);
    return { code, ...out };
  };

  before(async () => {
    t = await startTestServer({
      credentials: [user, hkOnly, limited, expired],
      trades: TRADES,
      securities: ['9988.HK'],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:33:20+08:00') },
    });
  });
  after(() => t.stop());

  it('prints a table of exchange-local minutes, net inflow and change, a summary and a sparkline', async () => {
    const { code, stdout, stderr } = await run('flow', '700.hk', ...as());
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        'time   net inflow (HKD)        change',
        '09:30       320,200.000  +320,200.000',
        '09:31       160,200.000  -160,000.000',
        '09:32       161,250.000    +1,050.000',
        '09:33       161,250.000         0.000',
        '700.HK 2024-06-14: 4/331 lines, net inflow 161,250.000 HKD at 09:33, high 320,200.000 at 09:30, low 160,200.000 at 09:31',
        '█▁▁▁',
        '',
      ].join('\n'),
    );
  });

  it('prints CSV with a header row, and tier columns with --detail', async () => {
    const plain = await run('flow', '700.HK', '--csv', ...as());
    assert.equal(
      plain.stdout,
      [
        'timestamp,time,inflow',
        '1718328600,2024-06-14T09:30:00+08:00,320200.000',
        '1718328660,2024-06-14T09:31:00+08:00,160200.000',
        '1718328720,2024-06-14T09:32:00+08:00,161250.000',
        '1718328780,2024-06-14T09:33:00+08:00,161250.000',
        '',
      ].join('\n'),
    );
    const detail = await run('flow', '700.HK', '--csv', '--detail', ...as());
    const rows = detail.stdout.trimEnd().split('\n');
    assert.equal(rows[0], 'timestamp,time,inflow,in_large,in_medium,in_small,in_total,out_large,out_medium,out_small,out_total');
    assert.equal(rows[3], '1718328720,2024-06-14T09:32:00+08:00,161250.000,320200.000,0.000,1050.000,321250.000,0.000,160000.000,0.000,160000.000');
  });

  it('prints the API data with --json, and a past day with --date', async () => {
    const { stdout } = await run('flow', '700.HK', '--json', '--date', '2024-06-13', ...as());
    const data = JSON.parse(stdout);
    assert.equal(data.date, '2024-06-13');
    assert.equal(data.lines.length, 331);
    assert.deepEqual(data.lines[30], { timestamp: 1718244000, time: '2024-06-13T10:00:00+08:00', inflow: '300000.000' });
  });

  it('says what each error code means and what to do, exiting 1', async () => {
    const cases: [string[], RegExp][] = [
      [['flow', '600000.SH', ...as(hkOnly)], /^capflow flow: your credential has no CN market permission \(needed for 600000\.SH\)/],
      [['flow', 'NOPE.US', ...as()], /NOPE\.US is not known to the server: ingest its trades/],
      [['flow', '9988.HK', ...as()], /9988\.HK is known but has no trade data yet/],
      [['flow', '700', ...as()], /invalid request: invalid symbol "700".*\nSymbols are TICKER\.REGION/],
      [['flow', '700.HK', '--date', '2024-06-10', ...as()], /invalid request: 2024-06-10 is not a HK trading day/],
      [['flow', '700.HK', ...as({ ...user, appKey: 'who' })], /does not know the app key who: check --app-key \/ LONGPORT_APP_KEY/],
      [['flow', '700.HK', ...as({ ...user, accessToken: 'nope' })], /access token was refused: check --access-token/],
      [['flow', '700.HK', ...as({ ...user, appSecret: 'nope' })], /signature mismatch: the app secret does not belong to this app key/],
      [['flow', '700.HK', ...as(expired)], /credential has expired or was revoked/],
    ];
    for (const [argv, pattern] of cases) {
      const { code, stdout, stderr } = await run(...argv);
      assert.equal(code, 1, argv.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, pattern);
    }
    // limit 1, burst 0: the bucket holds one token.
    assert.equal((await run('flow', '700.HK', ...as(limited))).code, 0);
    const limitedRun = await run('flow', '700.HK', ...as(limited));
    assert.match(limitedRun.stderr, /rate limit reached .*: wait a moment and try again/);
  });

  it('explains an unreachable server and missing credentials', async () => {
    const unreachable = await run('flow', '700.HK', ...as(), '--url', 'http://127.0.0.1:1');
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:1.*\nIs `capflow serve` running there\? .*--url or LONGPORT_HTTP_URL/);
    const { io, out } = captureIo();
    const { runFlowCommand } = await import('./flow-command.js');
    assert.equal(await runFlowCommand(['700.HK', '--url', t.httpUrl], io, {}), 2);
    assert.match(out.stderr, /no credential: set --app-key \/ LONGPORT_APP_KEY, --app-secret \/ LONGPORT_APP_SECRET, --access-token \/ LONGPORT_ACCESS_TOKEN/);
    const fromEnv = captureIo();
    const env = { LONGPORT_APP_KEY: user.appKey, LONGPORT_APP_SECRET: user.appSecret, LONGPORT_ACCESS_TOKEN: user.accessToken, LONGPORT_HTTP_URL: t.httpUrl };
    assert.equal(await runFlowCommand(['700.HK', '--json'], fromEnv.io, env), 0);
    assert.equal(JSON.parse(fromEnv.out.stdout).lines.length, 4);
  });

  it('refuses bad usage with exit code 2', async () => {
    assert.equal((await run('flow', ...as())).code, 2);
    assert.equal((await run('flow', '700.HK', '--json', '--csv', ...as())).code, 2);
    assert.equal((await run('flow', '700.HK', '--bogus', ...as())).code, 2);
  });
});

describe('error explanations without a server', () => {
  it('cover the remaining codes', () => {
    const context = { url: 'http://x', symbol: '700.HK' };
    assert.match(explainApiError(new CapflowClientError('stale', { kind: 'http', httpStatus: 401, code: 401004 }), context), /clock is more than 5 minutes away/);
    assert.match(explainApiError(new CapflowClientError('boom', { kind: 'http', httpStatus: 500, code: 301602 }), context), /failed unexpectedly \(boom\)/);
    assert.match(explainApiError(new CapflowClientError('no such endpoint', { kind: 'http', httpStatus: 404, code: 404001 }), context), /http:\/\/x has no such endpoint/);
    assert.match(explainApiError(new CapflowClientError('too many', { kind: 'http', httpStatus: 429, code: 429001 }), context), /too many live streams/);
  });
});

describe('sparkline', () => {
  it('maps the lowest value to ▁, the highest to █ and keeps the last value of each slice', () => {
    assert.equal(sparkline([0n, 7n, 14n, 21n, 28n, 35n, 42n, 49n]), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([5n, 1n, 9n, 9n], 2), '▁█'); // slices [5,1] → 1 and [9,9] → 9
    assert.equal(sparkline([3n, 3n]), '▄▄');
    assert.equal(sparkline([]), '');
  });
});
