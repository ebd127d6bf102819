import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureIo, serverFlags } from './cli-test-kit.js';
import { main } from './main.js';
import { startTestServer, testCredential, trade, type TestServer } from '../server/server-test-kit.js';


// 700.HK: 2024-06-13 (Thu) +300,000 large; 2024-06-14 (Fri, served) +320,200 large, −160,000 medium.
const TRADES = [
  trade('700.HK', '2024-06-13T10:00:00+08:00', '300', 1000, 'up'),
  trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'),
  trade('700.HK', '2024-06-14T09:31:10+08:00', '320', 500, 'down'),
];
const user = testCredential();

describe('capflow flow --period / --convention', () => {
  let t: TestServer;
  const run = async (...argv: string[]) => {
    const { io, out } = captureIo();
    const code = await main(['flow', ...argv, ...serverFlags(t.httpUrl, user)], io);
    return { code, ...out };
  };
  before(async () => {
    t = await startTestServer({ credentials: [user], trades: TRADES, clock: { kind: 'fixed', at: Date.parse('2024-06-14T17:00:00+08:00') } });
  });
  after(() => t.stop());

  it('prints weekly history with each period start as local ISO time and Unix seconds', async () => {
    const { code, stdout } = await run('700.HK', '--period', 'week', '--from', '2024-06-10', '--to', '2024-06-14');
    assert.equal(code, 0);
    // Week of Monday 2024-06-10 (a HK holiday): 4 trading days, 300,000 + 160,200.
    const start = Date.parse('2024-06-10T00:00:00+08:00') / 1000;
    assert.match(stdout, new RegExp(`2024-06-10  2024-06-10T00:00:00\\+08:00  ${start}     4\\s+460,200\\.000\\s+620,200\\.000\\s+79\\.49`));
    assert.match(stdout, /700\.HK 2024-06-10 … 2024-06-14 by week, convention longport \(main force = large\)/);
    const csv = await run('700.HK', '--period', 'day', '--from', '2024-06-13', '--to', '2024-06-14', '--csv');
    assert.deepEqual(csv.stdout.trim().split('\n'), [
      'period,timestamp,time,trading_days,complete,inflow,net_large,net_medium,net_small,main_force_net,main_force_share',
      `2024-06-13,${Date.parse('2024-06-13T00:00:00+08:00') / 1000},2024-06-13T00:00:00+08:00,1,true,300000.000,300000.000,0.000,0.000,300000.000,100.00`,
      `2024-06-14,${Date.parse('2024-06-14T00:00:00+08:00') / 1000},2024-06-14T00:00:00+08:00,1,true,160200.000,320200.000,-160000.000,0.000,320200.000,66.68`,
    ]);
  });

  it('prints a day under a convention: tiers, main force and its share', async () => {
    const { code, stdout } = await run('700.HK', '--convention', 'eastmoney');
    assert.equal(code, 0);
    // HK eastmoney money cut-offs: super-large >= 1,100,000, large >= 220,000, medium >= 44,000 HKD.
    assert.match(stdout, /large\s+320,200\.000\s+0\.000\s+320,200\.000/);
    assert.match(stdout, /medium\s+0\.000\s+160,000\.000\s+-160,000\.000/);
    assert.match(stdout, /main force 320,200\.000 HKD, 66\.68 % of turnover; convention eastmoney \(main force = super-large \+ large\)/);
  });

  it('explains a refused period', async () => {
    const { code, stderr } = await run('700.HK', '--period', 'fortnight');
    assert.equal(code, 1);
    assert.match(stderr, /period must be day, week, month, quarter or year/);
  });
});
