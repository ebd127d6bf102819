import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureIo, serverFlags } from './cli-test-kit.js';
import { runWatchCommand } from './watch-command.js';
import { startTestServer, storeTrades, testCredential, trade, type TestServer } from '../server/server-test-kit.js';

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('capflow watch', () => {
  const user = testCredential();
  const hkOnly = testCredential({ appKey: 'hk-only', accessToken: 'hk-token', markets: ['HK'] });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [user, hkOnly],
      clock: { kind: 'feed' },
      trades: [
        trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'), // +320,200
        trade('700.HK', '2024-06-14T09:31:10+08:00', '320', 500, 'down'), // -160,000
      ],
      server: { rest: { coalesceMs: 10 } },
    });
  });
  after(() => t.stop());
  const flags = (credential = user): string[] => serverFlags(t.httpUrl, credential);

  it('prints the day so far, then each new or changed minute, and exits 0 when interrupted', async () => {
    const { io, out } = captureIo();
    const stop = new AbortController();
    const running = runWatchCommand(['700.HK', ...flags()], io, {}, { signal: stop.signal });
    await until(() => out.stdout.includes('\n█▁\n'), 'the snapshot');
    assert.equal(
      out.stdout,
      '700.HK 2024-06-14: 2/331 lines, net inflow 160,200.000 HKD at 09:31, high 320,200.000 at 09:30, low 160,200.000 at 09:31\n█▁\n',
    );
    await storeTrades(t.store, [trade('700.HK', '2024-06-14T09:33:00+08:00', '10', 100, 'up')]); // +1,000 at 09:33
    await until(() => out.stdout.includes('09:33'), 'the new minutes');
    await storeTrades(t.store, [trade('700.HK', '2024-06-14T09:30:30+08:00', '1', 100, 'down')]); // -100, late, at 09:30
    await until(() => out.stdout.includes('(revised)'), 'the revision');
    await until(() => out.stdout.split('\n').length >= 9, 'every revised minute');
    stop.abort();
    assert.equal(await running, 0);
    assert.deepEqual(out.stdout.split('\n').slice(2), [
      '09:32           160,200.000               0.000',
      '09:33           161,200.000          +1,000.000',
      '09:30           320,100.000        +320,100.000  (revised)',
      '09:31           160,100.000        -160,000.000  (revised)',
      '09:32           160,100.000               0.000  (revised)',
      '09:33           161,100.000          +1,000.000  (revised)',
      '',
    ]);
    assert.equal(out.stderr, '');
  });

  it('exits 1 with the explanation when the server refuses the stream', async () => {
    const { io, out } = captureIo();
    const code = await runWatchCommand(['600000.SH', ...flags(hkOnly)], io, {}, { signal: new AbortController().signal });
    assert.equal(code, 1);
    assert.match(out.stderr, /your credential has no CN market permission \(needed for 600000\.SH\)/);
  });

  it('says when a closed market opens next', async () => {
    const own = await startTestServer({
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T18:00:00+08:00') },
      trades: [trade('700.HK', '2024-06-14T09:30:05+08:00', '1', 1000, 'up')],
    });
    const { io, out } = captureIo();
    const stop = new AbortController();
    const running = runWatchCommand(['700.HK', '--url', own.httpUrl, ...flags().slice(2)], io, {}, { signal: stop.signal });
    await until(() => out.stdout.includes('next session'), 'the notice');
    stop.abort();
    assert.equal(await running, 0);
    assert.equal(out.stdout.split('\n')[2], 'HK market closed; the next session opens 2024-06-17 09:30 (+08:00)');
    await own.stop();
  });

  it('reconnects after the server ends the stream', async () => {
    const own = await startTestServer({ clock: { kind: 'feed' }, trades: [trade('700.HK', '2024-06-14T09:30:05+08:00', '1', 1000, 'up')] });
    const { io, out } = captureIo();
    const stop = new AbortController();
    const running = runWatchCommand(['700.HK', '--url', own.httpUrl, ...flags().slice(2)], io, {}, { signal: stop.signal, reconnectMs: 20 });
    await until(() => out.stdout.includes('1/331 lines'), 'the first snapshot');
    await own.server.stop();
    await until(() => /reconnecting/.test(out.stderr), 'the reconnect notice');
    stop.abort();
    assert.equal(await running, 0);
    await own.stop();
  });
});
