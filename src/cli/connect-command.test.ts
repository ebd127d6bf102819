import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { callCommand, runCapflow } from './cli-test-kit.js';
import { runConnectCommand, symbolsOf } from './connect-command.js';

describe('capflow connect: arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-connect-args-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { LONGPORT_APP_KEY: 'k', LONGPORT_APP_SECRET: 's', LONGPORT_ACCESS_TOKEN: 't' };
  const withEnv = async <T>(values: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> => {
    const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    try {
      return await run();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };

  it('reads symbols from the flag or a file (commas, spaces, lines, # comments)', () => {
    assert.deepEqual(symbolsOf('700.HK,AAPL.US', undefined), ['700.HK', 'AAPL.US']);
    const file = join(dir, 'symbols.txt');
    writeFileSync(file, '# watch list\n700.HK, 9988.HK\nAAPL.US  # the big one\n\n600000.SH\n');
    assert.deepEqual(symbolsOf(undefined, file), ['700.HK', '9988.HK', 'AAPL.US', '600000.SH']);
    assert.throws(() => symbolsOf('700.HK', file), /exactly one of --symbols and --symbols-file/);
    assert.throws(() => symbolsOf(' , ', undefined), /no symbols/);
  });

  it('refuses bad usage with exit code 2 and says why', async () => {
    const cases: [string[], RegExp][] = [
      [['--data', dir], /exactly one of --symbols and --symbols-file/],
      [['--symbols', '700.HK'], /exactly one of --data DIR, --store postgres:\/\/… and --bus nats:\/\/…/],
      [['--symbols', '700.HK', '--data', dir, '--bus', 'nats://127.0.0.1:1'], /exactly one of --data/],
      [['--symbols', '700.HK', '--data', dir, '--backfill', 'sometimes'], /--backfill must be auto, sequence or query-trade/],
      [['--symbols', '700.HK', '--data', dir, '--metrics-port', 'x'], /--metrics-port must be a port number/],
      [['--symbols', '7OO.XX', '--data', dir], /not a symbol: "7OO.XX"/],
      [['--symbols', '700.HK', '--data', dir, '--nope'], /Unknown option '--nope'/],
    ];
    for (const [args, message] of cases) {
      const result = await withEnv(env, () => callCommand(runConnectCommand, args));
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message);
    }
    const missing = await withEnv({ LONGPORT_APP_KEY: undefined, LONGPORT_APP_SECRET: undefined, LONGPORT_ACCESS_TOKEN: undefined }, () =>
      callCommand(runConnectCommand, ['--symbols', '700.HK', '--data', dir]),
    );
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /LONGPORT_APP_KEY/);
  });

  it('the server it feeds takes --poll-ms, and names a bad one', async () => {
    const result = await runCapflow(['serve', '--data', join(dir, 'served'), '--port', '0', '--poll-ms', '2']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--poll-ms must be a whole number of milliseconds \(at least 5\), got "2"/);
  });

  it('prints its usage with --help', async () => {
    const result = await callCommand(runConnectCommand, ['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /capflow connect \(--symbols/);
  });
});
