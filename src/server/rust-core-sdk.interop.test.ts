/**
 * Acceptance: the current official Rust-core Node SDKs — longport 4.x and longbridge 4.x/5.x, as
 * pinned in tools/sdk-chroot/package.json — against a real capflow server, pointed at it only
 * through their URL settings. Their native code needs glibc 2.39, newer than this host's, so each
 * SDK runs in a Debian 13 chroot (prepared by tools/sdk-chroot.sh; CAPFLOW_SDK_CHROOT, default
 * /var/cache/capflow-sdk/trixie) through rust-core-sdk-child.ts, while the server runs here and
 * is reached over loopback (the chroot shares the host's network).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { localDate } from '../calendar/time-zone.js';
import { SAMPLE_FILE } from '../cli/serve-command.js';
import { ingestFile } from '../ingest/index.js';
import type { Credential } from './auth/credential.js';
import { engineDistribution, engineLines, FLOW_CASES, HK_DAY, HK_TAPE, ingestInTurn, SAMPLE_TAIL, SG_DAY, sdkTrade, US_DAY, wireError, type SdkTrade } from './sdk-interop-test-kit.js';
import { startTestServer, testCredential, trade, type TestServer } from './server-test-kit.js';

const ROOT = process.env.CAPFLOW_SDK_CHROOT ?? '/var/cache/capflow-sdk/trixie';
const SDK_HOME = '/opt/capflow-sdk'; // inside the chroot
const PIN_FILES = ['package.json', 'package-lock.json'].map((name) => fileURLToPath(new URL(`../../tools/sdk-chroot/${name}`, import.meta.url)));
const SDKS = Object.keys((JSON.parse(readFileSync(PIN_FILES[0]!, 'utf8')) as { dependencies: Record<string, string> }).dependencies);
const CHILD = fileURLToPath(new URL('./rust-core-sdk-child.js', import.meta.url));
const CHILD_DIR = `/tmp/capflow-sdk-test-${process.pid}`; // inside the chroot
const PREPARE = '`sudo tools/sdk-chroot.sh` (or point CAPFLOW_SDK_CHROOT at a prepared one)';

/** Per SDK: a copy of HK_DAY (the busy symbol of its subscription test) and a symbol known but without trades. */
const tapeSymbol = (index: number) => `${1001 + index}.HK`;
const quietSymbol = (index: number) => `${2001 + index}.HK`;

/** Why this suite cannot run here, or false. */
function unavailable(): string | false {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the SDK chroot holds Linux x64 packages';
  if (process.getuid?.() !== 0) return 'running the SDKs in their chroot needs root';
  if (!existsSync(join(ROOT, '.capflow-base'))) return `no SDK chroot at ${ROOT}: prepare it with ${PREPARE}`;
  // tools/sdk-chroot.sh stamps the installed SDKs with a digest of the pin files.
  const stamp = createHash('sha256').update(Buffer.concat(PIN_FILES.map((file) => readFileSync(file)))).digest('hex').slice(0, 16);
  const installed = existsSync(join(ROOT, SDK_HOME, '.capflow-sdk')) ? readFileSync(join(ROOT, SDK_HOME, '.capflow-sdk'), 'utf8').trim() : '';
  if (installed !== stamp) return `the SDKs in ${ROOT} are missing or not the pinned versions: run ${PREPARE}`;
  return false;
}

type CallResult = { ok: true; value: unknown } | { ok: false; message: string };
type Line = { inflow: string; timestamp: number };
type Tiers = { large: string; medium: string; small: string };
type Distribution = { timestamp: number; capitalIn: Tiers; capitalOut: Tiers };
type Call =
  | { op: 'capitalFlow' | 'capitalDistribution'; symbol: string }
  | { op: 'trades'; symbol: string; count: number }
  | { op: 'subscribe'; symbols: string[]; subType?: 'Trade' | 'Quote' };

/** Runs rust-core-sdk-child.js in the chroot; resolves with its JSON output lines. */
function runChild(job: object, options: { env?: Record<string, string>; onLine?: (line: Record<string, unknown>) => void; timeoutMs?: number } = {}) {
  return new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const child = spawn('chroot', [ROOT, '/usr/bin/node', `${CHILD_DIR}/child.mjs`], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CAPFLOW_SDK_JOB: JSON.stringify(job), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (let end = stdout.indexOf('\n'); end >= 0; end = stdout.indexOf('\n')) {
        const text = stdout.slice(0, end);
        stdout = stdout.slice(end + 1);
        if (!text.startsWith('{')) continue; // the SDK's own prints
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        options.onLine?.(line);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(lines);
      else reject(new Error(`SDK child exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
  });
}

describe('official Rust-core SDKs (longport 4.x, longbridge 4.x/5.x) against capflow', { skip: unavailable() }, () => {
  let t: TestServer;
  before(async () => {
    // The credentials of every SDK, apart so that their connections and rate limits never meet.
    const credentials = SDKS.flatMap((sdk) => [
      testCredential({ appKey: `${sdk}-full`, appSecret: 'secret-full', accessToken: `${sdk}-token-full` }),
      testCredential({ appKey: `${sdk}-us`, appSecret: 'secret-us', accessToken: `${sdk}-token-us`, markets: ['US'] }),
      testCredential({ appKey: `${sdk}-paced`, appSecret: 'secret-paced', accessToken: `${sdk}-token-paced`, rateLimits: { 24: { limit: 1, burst: 1 } } }),
      testCredential({ appKey: `${sdk}-crowd`, appSecret: 'secret-crowd', accessToken: `${sdk}-token-crowd`, rateLimits: { 24: { limit: 1, burst: 1 } } }),
    ]);
    t = await startTestServer({
      credentials,
      // Per SDK, a copy of HK_DAY and a symbol without trades for its subscription test (so the SDKs never share a tape).
      securities: ['NODATA.HK', ...SDKS.map((_, index) => quietSymbol(index))],
      trades: [...HK_DAY, ...US_DAY, ...SG_DAY, ...SDKS.flatMap((_, index) => HK_DAY.map((one) => ({ ...one, symbol: tapeSymbol(index) })))],
      clock: { kind: 'feed' },
    });
    await ingestFile(t.store, SAMPLE_FILE);
    await t.flows.poll();
    mkdirSync(join(ROOT, CHILD_DIR), { recursive: true });
    copyFileSync(CHILD, join(ROOT, CHILD_DIR, 'child.mjs'));
  });
  after(async () => {
    rmSync(join(ROOT, CHILD_DIR), { recursive: true, force: true });
    await t?.stop();
  });

  const config = (credential: Pick<Credential, 'appKey' | 'appSecret' | 'accessToken'>) => ({
    appKey: credential.appKey,
    appSecret: credential.appSecret,
    accessToken: credential.accessToken,
    httpUrl: t.httpUrl,
    quoteWsUrl: t.wsUrl,
  });

  for (const [index, sdk] of SDKS.entries()) {
    describe(sdk, () => {
      const path = `${SDK_HOME}/node_modules/${sdk}`;
      const key = (kind: string) => ({ appKey: `${sdk}-${kind}`, appSecret: `secret-${kind}`, accessToken: `${sdk}-token-${kind}` });
      /** Runs calls on `contexts` contexts at once; the results of each. */
      const calls = async (credential: ReturnType<typeof key> | 'env', list: Call[], extra: { contexts?: number; env?: Record<string, string> } = {}) => {
        const job = { sdk: path, config: credential === 'env' ? 'env' : config(credential), calls: list, contexts: extra.contexts ?? 1 };
        const [output] = await runChild(job, extra.env ? { env: extra.env } : {});
        return (output as { results: CallResult[][] }).results;
      };
      const value = <T>(result: CallResult | undefined): T => {
        assert.ok(result?.ok, `the SDK answered an error: ${result && !result.ok ? result.message : 'nothing'}`);
        return result.value as T;
      };
      const failure = (result: CallResult | undefined) => {
        assert.ok(result && !result.ok, `expected an error, got ${JSON.stringify(result)?.slice(0, 200)}`);
        return result.message;
      };

      it("capitalFlow returns exactly the engine's lines in every market", async () => {
        const [results] = await calls(key('full'), FLOW_CASES.map((c) => ({ op: 'capitalFlow', symbol: c.symbol })));
        for (const [index, c] of FLOW_CASES.entries()) {
          const lines = value<Line[]>(results![index]);
          const expected = await engineLines(t, c.symbol, c.trades);
          assert.equal(expected.length, c.lines);
          assert.equal(lines.length, c.lines, c.symbol);
          assert.deepEqual(lines, expected, c.symbol);
          assert.equal(lines.at(-1)!.inflow, c.last, c.symbol);
        }
      });

      it('capitalDistribution matches the engine', async () => {
        const [results] = await calls(key('full'), [
          { op: 'capitalDistribution', symbol: '700.HK' },
          { op: 'capitalDistribution', symbol: '600000.SH' },
        ]);
        const tiers = (d: { capitalIn: Tiers; capitalOut: Tiers }) =>
          [d.capitalIn, d.capitalOut].map((side) => [side.large, side.medium, side.small]);
        const hk = value<Distribution>(results![0]);
        const hkExpected = await engineDistribution(t, '700.HK', HK_DAY);
        assert.equal(hk.timestamp, hkExpected.timestamp);
        assert.deepEqual(tiers(hk), tiers(hkExpected));
        // Hand-computed: HK large >= 220,000 HKD, medium >= 44,000; neutral trades count nowhere.
        assert.deepEqual(tiers(hk), [['0.000', '224120.000', '32020.000'], ['0.000', '95940.000', '32200.000']]);
        assert.equal(localDate('HK', hk.timestamp * 1000), '2024-06-14');
        const sh = value<Distribution>(results![1]);
        const shExpected = await engineDistribution(t, '600000.SH');
        assert.equal(sh.timestamp, shExpected.timestamp);
        assert.deepEqual(tiers(sh), tiers(shExpected));
        assert.equal(localDate('CN', sh.timestamp * 1000), '2023-02-01');
      });

      it('each error case reaches the SDK with the documented status and code', async () => {
        const [full] = await calls(key('full'), [
          { op: 'capitalFlow', symbol: 'ZZZZ.US' },
          { op: 'capitalFlow', symbol: 'NODATA.HK' },
          { op: 'capitalFlow', symbol: '700.XX' },
          { op: 'capitalFlow', symbol: '' },
          { op: 'capitalDistribution', symbol: 'ZZZZ.US' },
        ]);
        assert.deepEqual(
          full!.map((result) => wireError(failure(result))),
          [
            { status: 7, code: 301600 },
            { status: 7, code: 301603 },
            { status: 3, code: 301600 },
            { status: 3, code: 301600 },
            { status: 7, code: 301600 },
          ],
        );
        const [usOnly] = await calls(key('us'), [
          { op: 'capitalFlow', symbol: '700.HK' },
          { op: 'capitalFlow', symbol: 'AAPL.US' },
        ]);
        assert.deepEqual(wireError(failure(usOnly![0])), { status: 7, code: 301604 });
        assert.equal(value<Line[]>(usOnly![1]).length, 390);
      });

      it('a wrong secret or token is refused at the token endpoint, and the SDK says which', async () => {
        // The SDK connects on its first request, so that request carries the token endpoint's answer.
        const [badSecret] = await calls({ ...key('full'), appSecret: 'not-the-secret' }, [{ op: 'capitalFlow', symbol: '700.HK' }]);
        assert.match(failure(badSecret![0]), /code=401003/);
        const [badToken] = await calls({ ...key('full'), accessToken: 'not-the-token' }, [{ op: 'capitalFlow', symbol: '700.HK' }]);
        assert.match(failure(badToken![0]), /code=401002/);
      });

      const prefixes = sdk.startsWith('longbridge') ? ['LONGPORT', 'LONGBRIDGE'] : ['LONGPORT'];
      for (const prefix of prefixes) {
        it(`Config.fromApikeyEnv() reads ${prefix}_* variables`, async () => {
          const credential = key('full');
          const env = {
            [`${prefix}_APP_KEY`]: credential.appKey,
            [`${prefix}_APP_SECRET`]: credential.appSecret,
            [`${prefix}_ACCESS_TOKEN`]: credential.accessToken,
            [`${prefix}_HTTP_URL`]: t.httpUrl,
            [`${prefix}_QUOTE_WS_URL`]: t.wsUrl,
            [`${prefix}_PRINT_QUOTE_PACKAGES`]: 'false',
          };
          const [results] = await calls('env', [{ op: 'capitalFlow', symbol: '600000.SH' }], { env });
          const lines = value<Line[]>(results![0]);
          assert.deepEqual(lines, await engineLines(t, '600000.SH'));
        });
      }

      it('a context pacing itself by the advertised limits (1/s, burst 1) is never refused', async () => {
        // The SDK's bucket starts full and refills `limit` tokens at each whole second of its own.
        const [results] = await calls(key('paced'), [0, 1, 2].map(() => ({ op: 'capitalFlow', symbol: '700.HK' })));
        for (const result of results!) assert.equal(value<Line[]>(result).length, 331);
      });

      it('requests beyond a credential’s limit are refused with 3/301606', async () => {
        // Five contexts of one credential, each with a full bucket of its own, ask at once: the
        // server's one bucket for the credential (1/s) cannot cover them all within a second.
        const results = (await calls(key('crowd'), [{ op: 'capitalFlow', symbol: '700.HK' }], { contexts: 5 })).map((one) => one[0]!);
        const refused = results.filter((result) => !result.ok).map((result) => wireError(failure(result)));
        assert.ok(results.some((result) => result.ok), 'at least one request is served');
        assert.ok(refused.length >= 1, 'at least one request is refused');
        for (const one of refused) assert.deepEqual(one, { status: 3, code: 301606 });
      });

      it('trades(symbol, count) returns the latest trades of the served day, with their sides', async () => {
        const [results] = await calls(key('full'), [
          { op: 'trades', symbol: '600000.SH', count: 1000 },
          { op: 'trades', symbol: '700.HK', count: 20 },
          { op: 'trades', symbol: '700.HK', count: 3 },
        ]);
        // The sample file's last 1000 rows, read here from its text: exact prices, whole seconds, the feed's sides.
        assert.deepEqual(value<SdkTrade[]>(results![0]), SAMPLE_TAIL.slice(-1000));
        // HK_DAY's sides, hand-computed (sdk-interop-test-kit.ts): all 8 trades, oldest first.
        assert.deepEqual(value<SdkTrade[]>(results![1]), HK_TAPE);
        assert.deepEqual(value<SdkTrade[]>(results![2]), HK_TAPE.slice(-3));
      });

      it('trade queries and subscriptions refuse what capflow does not serve, with the documented codes', async () => {
        const [full] = await calls(key('full'), [
          { op: 'trades', symbol: '700.HK', count: 0 },
          { op: 'trades', symbol: '700.HK', count: 1001 },
          { op: 'trades', symbol: 'ZZZZ.US', count: 5 },
          { op: 'trades', symbol: '700.XX', count: 5 },
          { op: 'subscribe', symbols: ['ZZZZ.US'] },
          { op: 'subscribe', symbols: ['700.XX'] },
          { op: 'subscribe', symbols: ['700.HK'], subType: 'Quote' },
        ]);
        assert.deepEqual(
          full!.map((result) => wireError(failure(result))),
          [
            { status: 3, code: 301600 },
            { status: 3, code: 301600 },
            { status: 7, code: 301600 },
            { status: 3, code: 301600 },
            { status: 7, code: 301600 },
            { status: 3, code: 301600 },
            { status: 3, code: 301600 },
          ],
        );
        assert.match(failure(full![6]), /capflow serves trades only/);
        const [usOnly] = await calls(key('us'), [{ op: 'trades', symbol: '700.HK', count: 5 }]);
        assert.deepEqual(wireError(failure(usOnly![0])), { status: 7, code: 301604 });
      });

      it('a Trade subscription gets the first push, then every new trade exactly once and in order', async () => {
        const [busy, quiet] = [tapeSymbol(index), quietSymbol(index)];
        const fresh = [
          [trade(quiet, '2024-06-14T10:00:00+08:00', '80.15', 300, 'up')],
          [trade(busy, '2024-06-14T10:01:00.250+08:00', '320.2', 100), trade(quiet, '2024-06-14T10:01:00+08:00', '80.10', 200)],
          [trade(quiet, '2024-06-14T10:02:00+08:00', '80.10', 100), trade(busy, '2024-06-14T10:03:00+08:00', '320.0', 400, 'down')],
        ];
        const pushes: { symbol: string; trades: SdkTrade[] }[] = [];
        const lines = await runChild(
          { sdk: path, config: config(key('full')), subscribeTrades: { symbols: [busy, quiet], expectTrades: HK_TAPE.length + 5, timeoutMs: 20_000 } },
          {
            onLine: (line) => {
              if (line.event === 'subscribed') void ingestInTurn(t, fresh);
              if (line.event === 'push') pushes.push(line as unknown as { symbol: string; trades: SdkTrade[] });
            },
          },
        );
        assert.deepEqual(lines.filter((line) => line.event === 'error'), []);
        const of = (symbol: string) => pushes.filter((push) => push.symbol === symbol).flatMap((push) => push.trades);
        // 4.x always asks for the first push: the busy symbol's day so far, then the new trades. Sides follow
        // acceptance order: 320.2 after the day's last print (330.0) is a down-tick.
        assert.deepEqual(of(busy), [...HK_TAPE, sdkTrade('320.2', 100, '2024-06-14T10:01:00+08:00', 1), sdkTrade('320.0', 400, '2024-06-14T10:03:00+08:00', 1)]);
        assert.deepEqual(of(quiet), [
          sdkTrade('80.15', 300, '2024-06-14T10:00:00+08:00', 2),
          sdkTrade('80.10', 200, '2024-06-14T10:01:00+08:00', 1),
          sdkTrade('80.10', 100, '2024-06-14T10:02:00+08:00', 1),
        ]);
      });
    });
  }
});
