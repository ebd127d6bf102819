/**
 * Keeps the layering of architecture.md true: dependencies point inward (wire codes ← model ←
 * calendar ← engine ← store/ingest/bus ← service ← server ← cli; model ← protocol ← contract ←
 * client ← web page, client ← mcp ← server/http), the engine knows nothing of sockets, and transports know nothing of SQL. Test files
 * and test-support modules are exempt; the package entry (src/index.ts) is the outermost layer.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Wire codes, protocol and contract: what every server part may speak. */
const WIRE = ['protocol', 'protocol/codes', 'protocol/gen', 'contract'] as const;
/** Beneath the server: the domain, its stores and services, and structured logs. */
const BENEATH_SERVER = ['model', 'calendar', 'engine', 'store', 'service', 'logging', ...WIRE] as const;
/** The server's shared parts: credentials, metrics, rate limits, configuration and the transport-free queries. */
const SERVER_SHARED = ['server/auth', 'server/metrics', 'server/rate-limit', 'server/config', 'server/queries'] as const;

/** What each folder may import from other folders of src/ (its own folder is always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  // The wire's numbers (error, close and command codes) sit beneath everything, the model included.
  'protocol/gen': [],
  'protocol/codes': ['protocol/gen'],
  model: ['protocol/codes'],
  calendar: ['model'],
  engine: ['model', 'calendar'],
  protocol: ['model', 'protocol/codes', 'protocol/gen'],
  // The REST API's routes and payload schemas: one source for the server, the clients and the API description.
  contract: ['model', 'protocol', 'protocol/codes'],
  // Structured logs (pino) for every process; it knows nothing of what is logged.
  logging: [],
  // Stores, the fleet's shared gateway state (store/gateway-state) included: never the server.
  store: ['model', 'calendar', 'engine', 'logging'],
  ingest: ['model', 'calendar', 'engine', 'store'],
  bus: ['model', 'calendar', 'engine', 'store', 'ingest', 'logging'],
  service: ['model', 'calendar', 'engine', 'store', 'bus', 'logging'],
  // The server's shared parts: beneath both gateways, never either of them.
  'server/auth': [...BENEATH_SERVER, ...SERVER_SHARED],
  'server/metrics': [...BENEATH_SERVER, ...SERVER_SHARED],
  'server/rate-limit': [...BENEATH_SERVER, ...SERVER_SHARED],
  'server/queries': [...BENEATH_SERVER, ...SERVER_SHARED],
  // Configuration names the limits of the transports it configures.
  'server/config': [...BENEATH_SERVER, ...SERVER_SHARED, 'server/socket/transport'],
  // The socket gateway (transports, sessions, quote, live and trade commands) and the HTTP API
  // (REST, the page, operations, ingest) know nothing of each other.
  'server/socket': [...BENEATH_SERVER, ...SERVER_SHARED, 'server/socket/transport'],
  'server/socket/transport': ['model', 'protocol', 'protocol/codes', 'protocol/gen'],
  // /mcp hosts the MCP tools (mcp), whose REST client (client) is answered in process.
  'server/http': [...BENEATH_SERVER, ...SERVER_SHARED, 'ingest', 'mcp', 'client'],
  // The composition (capflow-server.ts) and the server-wide tests' support.
  server: [...BENEATH_SERVER, 'ingest', 'bus', ...SERVER_SHARED, 'server/socket', 'server/socket/transport', 'server/http', 'mcp', 'client'],
  client: ['model', 'protocol', 'protocol/codes', 'protocol/gen', 'contract'],
  // The MCP tools are built on the client package and the contract, never on the server: every
  // call goes through the REST API (its permissions and rate limits), whichever the transport.
  mcp: ['client', 'contract', 'protocol', 'protocol/codes'],
  // The page is built on the client package (its REST client and the shared signer).
  'web/browser': ['client', 'contract', 'protocol', 'protocol/codes'],
  demo: ['model', 'calendar', 'engine', 'store', 'service', 'logging'],
  worker: ['model', 'calendar', 'engine', 'store', 'ingest', 'bus', 'service', 'logging'],
};

/** Test files are exempt; test support (kits, suites, child processes) obeys the layers like any module. */
const TEST_FILE = /\.test$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'gen' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !TEST_FILE.test(entry.name.replace(/\.ts$/, '')) ? [path] : [];
  });
}

/** The most specific rule folder a file belongs to (`server/socket/transport` before `server/socket` before `server`). */
function layerOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  for (let depth = Math.min(3, parts.length - 1); depth >= 2; depth--) {
    const folder = parts.slice(0, depth).join('/');
    if (ALLOWED[folder]) return folder;
  }
  return parts.length > 1 ? parts[0]! : '(root)';
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]!);
}

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('finds the source tree', () => {
    assert.ok(files.length > 100, `only ${files.length} source files found under ${SRC}`);
  });

  it('dependencies point inward, layer by layer', () => {
    const violations: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(resolve(dirname(file), spec));
        if (target === layer) continue;
        if (allowed && !allowed.includes(target)) violations.push(`${relative(SRC, file)} (${layer}) imports ${spec} (${target})`);
        if (!allowed && target === 'cli' && layer !== 'cli' && layer !== '(root)') violations.push(`${relative(SRC, file)} imports the CLI: ${spec}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('the engine, calendar and model stay pure: no I/O modules', () => {
    const io = /^(node:)?(fs|net|http|https|dgram|child_process|worker_threads)$|^(ws|pg|nats|better-sqlite3)$/;
    const offenders = files
      .filter((file) => ['engine', 'calendar', 'model'].includes(layerOf(file)))
      .flatMap((file) => importsOf(file).filter((spec) => io.test(spec)).map((spec) => `${relative(SRC, file)}: ${spec}`));
    assert.deepEqual(offenders, []);
  });

  it('transports know nothing of SQL, stores or ingestion', () => {
    const offenders = files
      .filter((file) => layerOf(file) === 'server/socket/transport')
      .flatMap((file) => importsOf(file).filter((spec) => /better-sqlite3|^pg$|store|ingest/.test(spec)).map((spec) => `${relative(SRC, file)}: ${spec}`));
    assert.deepEqual(offenders, []);
  });

  it('browser code imports nothing from Node', () => {
    const offenders = files
      .filter((file) => layerOf(file) === 'web/browser' || relative(SRC, file) === 'client/browser.ts')
      .flatMap((file) => importsOf(file).filter((spec) => spec.startsWith('node:') || spec === 'ws').map((spec) => `${relative(SRC, file)}: ${spec}`));
    assert.deepEqual(offenders, []);
  });
});
