import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfigFile } from '../server/config/config-file.js';
import { SecurityDirectory } from '../service/rankings/security-directory.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { startTestServer, storeTrades, testCredential, trade, type TestServer } from '../server/server-test-kit.js';
import { captureIo, serveCapflow, serverFlags, temporaryDirectories } from './cli-test-kit.js';
import { main } from './main.js';

const tempDir = temporaryDirectories('capflow-top-');
const user = testCredential();
const CN = '+08:00';
// 2024-06-14, CN: 600519.SH +1,700,000 (main force under longport: ≥ CNY 200,000), 000001.SZ −10,000, 600000.SH +700.
const TRADES = [
  trade('600519.SH', `2024-06-14T10:00:00${CN}`, '1700', 1000, 'up'),
  trade('000001.SZ', `2024-06-14T10:01:00${CN}`, '10', 1000, 'down'),
  trade('600000.SH', `2024-06-14T10:02:00${CN}`, '7', 100, 'up'),
];
const CLOCK = `2024-06-14T15:30:00${CN}`;

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = captureIo();
  const code = await main(argv, io);
  return { code, ...out };
}

describe('capflow top', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [user],
      trades: TRADES,
      clock: { kind: 'fixed', at: Date.parse(CLOCK) },
      server: { rest: { securities: new SecurityDirectory([{ symbol: '600519.SH', name: 'Kweichow Moutai', sector: 'Liquor, spirits' }]) } },
    });
  });
  after(() => t.stop());

  it('prints the ranking as a table, CSV and JSON', async () => {
    const table = await run('top', '--market', 'cn', ...serverFlags(t.httpUrl, user));
    assert.equal(table.stderr, '');
    assert.equal(table.code, 0);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'CN net inflow, 2024-06-14: 3 of 3 ranked');
    assert.match(lines[2]!, /^1 +600519\.SH +Kweichow Moutai +Liquor, spirits +1,700,000\.000 +1,700,000\.000 +0\.000$/);
    assert.match(lines[3]!, /^2 +600000\.SH +700\.000/);
    assert.match(lines[4]!, /^3 +000001\.SZ +-10,000\.000/);

    const csv = await run('top', '--market', 'CN', '--csv', '--limit', '2', ...serverFlags(t.httpUrl, user));
    assert.equal(csv.stdout, 'rank,symbol,name,sector,value,inflow,outflow\n1,600519.SH,Kweichow Moutai,"Liquor, spirits",1700000.000,1700000.000,0.000\n2,600000.SH,,,700.000,700.000,0.000\n');

    const json = await run('top', '--market', 'CN', '--by', 'main-force', '--days', '5', '--json', ...serverFlags(t.httpUrl, user));
    const data = JSON.parse(json.stdout);
    assert.deepEqual([data.by, data.convention, data.days, data.dates[4]], ['main_force', 'longport', 5, '2024-06-14']);
    assert.deepEqual(
      data.items.map((item: { symbol: string; value: string }) => [item.symbol, item.value]),
      [
        ['600519.SH', '1700000.000'],
        ['000001.SZ', '0.000'],
        ['600000.SH', '0.000'],
      ],
    );
  });

  it('names what is wrong: a bad value from the server, a missing market', async () => {
    const bad = await run('top', '--market', 'CN', '--days', '4', ...serverFlags(t.httpUrl, user));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /days must be 1, 3, 5 or 10/);
    const missing = await run('top', ...serverFlags(t.httpUrl, user));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--market is required/);
  });
});

describe('serve --securities and the config\'s securities as objects', () => {
  it('give names and sectors; the file wins over the config', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await storeTrades(store, TRADES);
    await store.close();
    const config = join(data, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        credentials: [{ appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, markets: ['CN'] }],
        securities: ['600000.SH', { symbol: '000001.sz', name: 'Ping An Bank', sector: 'Banks', currency: 'CNY', lot_size: 100 }, { symbol: '600519.SH', name: 'Old name' }],
      }),
    );
    assert.deepEqual(loadConfigFile(config).securityInfo.map((info) => info.symbol), ['000001.SZ', '600519.SH']);
    const file = join(data, 'securities.csv');
    writeFileSync(file, 'symbol,name,sector\n600519.SH,Kweichow Moutai,Liquor\n');
    const served = await serveCapflow(['--data', data, '--config', config, '--securities', file, '--clock', CLOCK]);
    try {
      const out = await run('top', '--market', 'CN', '--json', ...serverFlags(`http://127.0.0.1:${served.port}`, user));
      assert.equal(out.stderr, '');
      assert.deepEqual(
        JSON.parse(out.stdout).items.map((item: { symbol: string; name?: string; sector?: string }) => [item.symbol, item.name, item.sector]),
        [
          ['600519.SH', 'Kweichow Moutai', 'Liquor'],
          ['600000.SH', undefined, undefined],
          ['000001.SZ', 'Ping An Bank', 'Banks'],
        ],
      );
    } finally {
      served.child.kill('SIGTERM');
      await new Promise((done) => served.child.once('exit', done));
    }
    const badFile = join(data, 'bad.csv');
    writeFileSync(badFile, '600519.SH,a,b\nnope,c,d\n');
    const { io, out } = captureIo();
    assert.equal(await main(['serve', '--data', tempDir(), '--securities', badFile, '--port', '0'], io), 2);
    assert.match(out.stderr, /--securities: .*bad\.csv: line 2: not a TICKER\.REGION symbol/);
  });
});
