/**
 * The packages as an outsider gets them: `@capflow/client` and `@capflow/protocol` packed with
 * `npm pack`, installed from their tarballs into a clean folder (no native build, no server
 * dependencies) and used there against a real server; `capflow` itself ships no tests and every
 * one of its exports loads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestServer, testCredential, trade, type TestServer } from './server/server-test-kit.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const SERVER_ONLY = ['better-sqlite3', 'pg', 'nats', 'pino', 'prom-client', '@duckdb/node-api'];

interface Manifest {
  dependencies?: Record<string, string>;
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** The dependencies `@capflow/client` and `@capflow/protocol` declare. */
function declaredDependencies(): string[] {
  const names = ['client', 'protocol'].flatMap((workspace) => Object.keys(manifestOf(join(ROOT, 'packages', workspace)).dependencies ?? {}));
  return [...new Set(names)];
}

/** Every bare (package) specifier the JavaScript under `dir` imports. */
function bareImports(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const specifier = match[1]!;
      if (!specifier.startsWith('.') && !specifier.startsWith('node:')) found.add(specifier);
    }
  }
  return found;
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(NPM, [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Packs a workspace package (its prepack builds it) into `dir`; the tarball's path. */
async function pack(workspace: string, dir: string): Promise<string> {
  const out = await npm(['pack', '--json', '--pack-destination', dir], join(ROOT, 'packages', workspace));
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return join(dir, info!.filename);
}

describe('published packages', () => {
  const credential = testCredential();
  let server: TestServer;
  let work: string;
  let app: string;

  before(async () => {
    server = await startTestServer({
      credentials: [credential],
      trades: [
        trade('700.HK', '2024-06-14T09:30:00.000+08:00', '320.0', 1000), // first trade: neutral
        trade('700.HK', '2024-06-14T09:30:30+08:00', '320.2', 500), // up-tick: +160,100
        trade('700.HK', '2024-06-14T09:45:00+08:00', '319.8', 300, 'down'), // -95,940
      ],
    });
    work = mkdtempSync(join(tmpdir(), 'capflow-pack-'));
    app = join(work, 'app');
    const tarballs = [await pack('protocol', work), await pack('client', work)];
    // The tests run offline: the packages' declared dependencies come packed from this checkout's
    // node_modules (the versions the lockfile pins), not from the registry. A dependency missing
    // from a package's manifest is therefore missing in the clean folder too.
    for (const name of declaredDependencies()) {
      if (name.startsWith('@capflow/')) continue;
      await npm(['pack', '--pack-destination', work, '--ignore-scripts'], join(ROOT, 'node_modules', name)).then(() => undefined);
    }
    const dependencyTarballs = readdirSync(work).filter((file) => file.endsWith('.tgz') && !file.startsWith('capflow-'));
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'outsider', private: true, type: 'module' }));
    await npm(['install', '--offline', ...dependencyTarballs.map((file) => join(work, file)), ...tarballs], app);
  });

  after(async () => {
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('declares no native or server dependency, and every package its code imports', () => {
    for (const name of declaredDependencies()) assert.ok(!SERVER_ONLY.includes(name), `${name} is not a client dependency`);
    for (const workspace of ['client', 'protocol']) {
      const manifest = manifestOf(join(app, 'node_modules/@capflow', workspace));
      const declared = Object.keys(manifest.dependencies ?? {});
      for (const specifier of bareImports(join(app, 'node_modules/@capflow', workspace, 'dist'))) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        assert.ok(declared.includes(name), `@capflow/${workspace} imports ${specifier} and declares ${name}`);
      }
    }
  });

  it('installs the client without native builds or server dependencies', () => {
    for (const name of ['@capflow/client', '@capflow/protocol', 'ws', '@bufbuild/protobuf']) {
      assert.ok(existsSync(join(app, 'node_modules', name, 'package.json')), `${name} is installed`);
    }
    for (const name of [...SERVER_ONLY, 'capflow']) assert.ok(!existsSync(join(app, 'node_modules', name)), `${name} is not installed with the client`);
    const installed = readdirSync(join(app, 'node_modules/@capflow/client/dist/client'));
    assert.ok(installed.includes('index.js') && installed.includes('browser.js'));
    assert.deepEqual(installed.filter((file) => /\.test\.|-test-kit\./.test(file)), []);
  });

  it('the packed client reads exact lines from a real server, and the protocol package signs and describes the API', async () => {
    const script = `
      import { Config, QuoteContext } from '@capflow/client';
      import { openApiDocument, Endpoint } from '@capflow/protocol/contract';
      import { BusinessCode } from '@capflow/protocol/codes';
      import { signatureHeader } from '@capflow/protocol/signing';
      import { existsSync } from 'node:fs';
      import { createRequire } from 'node:module';
      const config = new Config(${JSON.stringify({
        appKey: credential.appKey,
        appSecret: credential.appSecret,
        accessToken: credential.accessToken,
        httpUrl: server.httpUrl,
        quoteWsUrl: server.wsUrl,
      })});
      const ctx = await QuoteContext.new(config);
      const lines = await ctx.capitalFlow('700.HK');
      let unknown;
      try { await ctx.capitalFlow('ZZZZ.HK'); } catch (error) { unknown = error.code; }
      await ctx.close();
      const doc = openApiDocument('test');
      const protoDir = createRequire(import.meta.url).resolve('@capflow/protocol/package.json').replace(/package\\.json$/, 'proto/');
      console.log(JSON.stringify({
        count: lines.length,
        first: [lines[0].timestamp.getTime() / 1000, lines[0].inflow.toString()],
        at0945: lines.map((l) => [l.timestamp.getTime() / 1000, l.inflow.toString()]).find(([t]) => t === ${Date.parse('2024-06-14T09:45:00+08:00') / 1000}),
        unknown,
        invalidRequest: BusinessCode.InvalidRequest,
        intradayInDoc: Boolean(doc.paths[Endpoint.intraday.path]),
        signature: signatureHeader({ method: 'GET', path: '/v1/socket/token', query: '', appKey: 'k', accessToken: 't', timestamp: '1700000000' }, 's'),
        quoteProto: existsSync(protoDir + 'quote.proto'),
      }));
      process.exit(0);
    `;
    writeFileSync(join(app, 'use.mjs'), script);
    const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: app, timeout: 60_000 });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    const nineThirty = Date.parse('2024-06-14T09:30:00+08:00') / 1000;
    assert.equal(seen.count, 16); // the feed clock stands at the last trade: 09:30 to 09:45
    assert.deepEqual(seen.first, [nineThirty, '160100.000']);
    assert.deepEqual(seen.at0945, [nineThirty + 15 * 60, '64160.000']); // 160,100 - 95,940
    assert.equal(seen.unknown, 301600);
    assert.equal(seen.invalidRequest, 301600);
    assert.equal(seen.intradayInDoc, true);
    assert.equal(seen.quoteProto, true);
    assert.match(String(seen.signature), /^HMAC-SHA256 SignedHeaders=authorization;x-api-key;x-timestamp, Signature=[0-9a-f]{64}$/);
  });

  it('capflow itself ships no tests, test kits or source maps, and each export loads', async () => {
    const [info] = JSON.parse(await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT)) as Array<{ files: Array<{ path: string }> }>;
    const paths = info!.files.map((file) => file.path);
    assert.ok(paths.includes('bin/capflow.js') && paths.includes('dist/cli/main.js') && paths.includes('dist/index.js'));
    assert.deepEqual(paths.filter((path) => /\.test\.|-test-kit\.|-suite\.|-child\.|\.map$/.test(path)), []);
    assert.deepEqual(paths.filter((path) => path.startsWith('src/') || path.startsWith('packages/')), []);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === './package.json') continue;
      const file = typeof target === 'string' ? target : target.default;
      assert.ok(paths.includes(file.replace(/^\.\//, '')), `${subpath} → ${file} is packed`);
      const loaded = (await import(join('capflow', subpath).replace(/\/\.$/, ''))) as Record<string, unknown>;
      assert.ok(Object.keys(loaded).length > 0, `capflow${subpath.slice(1)} exports something`);
    }
    const library = (await import('capflow')) as Record<string, unknown>;
    assert.equal(typeof library.startCapflowServer, 'function');
    assert.equal(typeof library.runCapflowCli, 'function');
  });
});
