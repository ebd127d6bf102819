import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ingestFile } from '../ingest/index.js';
import { MARKETS } from '../model/market.js';
import { DEFAULT_CONNECTIONS, type Credential } from '../server/auth/credential.js';
import { startCapflowServer, type CapflowServerOptions, type RunningServer } from '../server/capflow-server.js';
import { defined } from '../server/config/defined.js';
import type { FlowStore } from '../store/flow-store.js';
import type { TradeBus } from '../bus/trade-bus.js';
import type { DayArchive } from '../store/day-archive.js';
import { ConfigError, loadConfigFile, type CapflowConfig } from '../server/config/config-file.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock, parseClockMode } from '../service/market-clock.js';
import { followLineNotices } from '../service/line-notice-follower.js';
import { isSharedStoreUrl, openFlowStore, openTradeBus, sharedDemoSecrets, sharedGatewayState } from './scale-out-adapters.js';
import { announceStoredTrades } from '../worker/stored-trade-notices.js';
import { parseDemoSeed, startDemoMarket } from '../demo/demo-serve.js';
import type { CliIo } from './main.js';
import { commandHelp, HELP_OPTION, type CommandSpec } from './command-spec.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { OpenedResources, openServeCredentials, openServeCredentialStore, reloadCredentials, waitForStopSignal } from './serve-runtime.js';
import { holdDataDir } from '../store/data-dir-lock.js';
import { openDayArchive, startRetention } from './retention-runtime.js';
import { sdkEnvironmentLines } from './serve-sdk-env.js';
import { watchStoreWrites } from '../store/sqlite-write-watch.js';
import { loadSecuritiesFile, type SecurityInfo } from '../service/rankings/securities-file.js';
import { demoSecurityInfo } from '../demo/demo-securities.js';
import { SecurityDirectory } from '../service/rankings/security-directory.js';

/** The bundled sample day (SSE Level-2 trades of 600000.SH, 2023-02-01; see samples/README.md). */
export const SAMPLE_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../samples/sse-600000-2023-02-01.csv.gz');

const OPTIONS = {
  data: { type: 'string', value: 'DIR', description: 'data directory of the embedded store (created when missing); optional with --store postgres://…' },
  config: { type: 'string', value: 'FILE', description: 'configuration file (JSON): credentials, permissions, rate limits, securities; without it a demo credential with every market is created in --data' },
  host: { type: 'string', default: '127.0.0.1', value: 'HOST', description: 'address to listen on; 0.0.0.0 for every interface' },
  port: { type: 'string', default: '8080', value: 'PORT', description: 'HTTP port: REST API, web page, token endpoints and the WebSocket quote socket at /v2; 0 picks a free port' },
  'tcp-port': { type: 'string', value: 'PORT', description: 'also serve the socket protocol over plain TCP on this port (tcp:// quote URLs)' },
  clock: { type: 'string', default: 'wall', value: 'wall|feed|INSTANT', description: 'what "now" is: the wall clock, the newest trade received (feed), or a fixed ISO 8601 instant' },
  sample: { type: 'boolean', default: false, description: 'ingest the bundled sample day (600000.SH, 2023-02-01) before serving' },
  store: { type: 'string', value: 'postgres://…', description: 'serve from a fleet\'s PostgreSQL store instead of the embedded one' },
  bus: { type: 'string', value: 'nats://…', description: 'take line notices from NATS JetStream (a fleet with workers)' },
  demo: { type: 'boolean', default: false, description: 'run a simulated market that trades live in every market\'s sessions' },
  seed: { type: 'string', value: 'N', description: 'seed of the --demo market (the same seed gives the same trades)' },
  'web-credential': { type: 'string', value: 'APPKEY', description: 'the credential whose data the web page shows to anyone who opens it (a public dashboard; with --demo, the demo credential)' },
  'retain-trades-days': { type: 'string', value: 'N', description: 'keep trades of the last N days in the store; older days keep their minute lines in an archive' },
  'log-level': { type: 'string', value: 'LEVEL', description: 'trace, debug, info, warn, error or silent (default info; or CAPFLOW_LOG_LEVEL)' },
  'poll-ms': { type: 'string', value: 'MS', description: 'how often to look for trades other processes wrote into the store (ingest, connect)' },
  'snapshot-ms': { type: 'string', value: 'MS', description: 'how often served days\' states are saved in the store, so a restart replays only later trades (default 30000; 0: never)' },
  securities: { type: 'string', value: 'FILE', description: 'names and sectors of securities: CSV symbol,name,sector[,currency,lot_size] (a symbol also in the config: the file wins)' },
  help: HELP_OPTION,
} as const;

export const SERVE_COMMAND: CommandSpec = {
  name: 'serve',
  summary: 'serve the LongPort-compatible quote socket (command 24 and friends), the REST API, the live stream and the web page',
  usage: ['[--data DIR] [--config FILE] [--host HOST] [--port PORT] [--tcp-port PORT] [--demo] [--sample] …', '--store postgres://… [--bus nats://…] …'],
  description:
    'Prints, once it listens, the LONGPORT_* and LONGBRIDGE_* settings an official SDK needs to connect. With no --config, a demo credential with every market is created once in the data directory and kept across restarts.',
  options: OPTIONS,
};

function parsePort(text: string, flag: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new Error(`${flag} must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * With no configuration file, serve a local demo credential with every market, created once
 * in the data directory so SDK settings stay valid across restarts.
 */
function demoCredential(dataDir: string, shared?: { appKey: string; appSecret: string; accessToken: string }): Credential {
  const file = join(dataDir, 'demo-credential.json');
  let saved: { appKey: string; appSecret: string; accessToken: string };
  if (shared) {
    // A fleet (shared store): every gateway serves the one demo credential kept in the store.
    saved = shared;
  } else if (existsSync(file)) {
    saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
  } else {
    saved = {
      appKey: `demo-${randomBytes(6).toString('hex')}`,
      appSecret: randomBytes(24).toString('hex'),
      accessToken: `demo-token-${randomBytes(18).toString('hex')}`,
    };
    writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    ...saved,
    markets: new Set(MARKETS),
    connections: DEFAULT_CONNECTIONS,
    rateLimits: new Map(),
    expiresAt: undefined,
    ingest: true,
  };
}

/** What `serve` was asked to do, checked. */
interface ServeArguments {
  values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];
  /** Optional with a shared store (nothing of a gateway's state lives there). */
  dataDir: string | undefined;
  config: CapflowConfig | undefined;
  /** Names and sectors: the demo's (with --demo), the config's objects, then the `--securities` file's (a symbol in several: the last wins). */
  securities: readonly SecurityInfo[];
  port: number;
  tcpPort: number;
  demoSeed: number;
  clockMode: NonNullable<ReturnType<typeof parseClockMode>>;
  retainTradesDays: number | undefined;
  pollMs: number | undefined;
  snapshotMs: number | undefined;
}

export async function runServeCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseServeArguments(argv, io);
  if (typeof args === 'number') return args;
  if (args.dataDir !== undefined) mkdirSync(args.dataDir, { recursive: true });
  // Structured JSON logs on stderr (stdout keeps the banner); never a secret (see logging/logger.ts).
  const logger = createLogger({ destination: io.stderr, ...(args.values['log-level'] === undefined ? {} : { level: args.values['log-level'] }) });
  const shutdownLog = logger.child({ module: 'shutdown' });
  const opened = new OpenedResources();
  let started: Started;
  try {
    started = await startServing(args, logger, opened);
  } catch (error) {
    // Whatever failed (a port taken, the store or bus unreachable, credentials refused), everything
    // opened so far is closed again so that the process ends now, with the reason.
    await opened.closeAll(5_000, shutdownLog);
    io.stderr.write(`capflow serve: ${(error as Error).message}\n`);
    logger.flush();
    return 2;
  }
  writeBanner(io, args, started);
  await waitForStopSignal(started.reload, logger);
  // Bounded: a stuck client or request never keeps the process from exiting.
  const stopped = await opened.closeAll(10_000, shutdownLog);
  if (!stopped) logger.warn('shutdown did not finish within 10 s; exiting anyway');
  logger.flush();
  // Handles left by a client that never went away must not keep the process alive.
  setTimeout(() => process.exit(0), 1_000).unref();
  return 0;
}

/** The arguments checked, or the exit code (0 after `--help`, 2 with the reason on stderr). */
function parseServeArguments(argv: string[], io: CliIo): ServeArguments | number {
  let values: ServeArguments['values'];
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    io.stderr.write(`capflow serve: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(commandHelp(SERVE_COMMAND));
    return 0;
  }
  const clockMode = parseClockMode(values.clock);
  let checked: Omit<ServeArguments, 'values' | 'dataDir' | 'config' | 'securities' | 'clockMode'>;
  try {
    if (!values.data && !isSharedStoreUrl(values.store)) throw new Error('--data DIR is required (unless --store postgres://…)');
    const port = parsePort(values.port, '--port');
    if (!clockMode) throw new Error(`--clock must be wall, feed or an ISO 8601 instant with offset, got ${JSON.stringify(values.clock)}`);
    if (values.demo && clockMode.kind !== 'wall') throw new Error('--demo follows the real clock: it cannot be combined with --clock feed or a fixed instant');
    checked = {
      port,
      tcpPort: values['tcp-port'] === undefined ? (port === 0 ? 0 : port + 1) : parsePort(values['tcp-port'], '--tcp-port'),
      demoSeed: parseDemoSeed(values.seed),
      retainTradesDays: wholeNumber(values['retain-trades-days'], 1, '--retain-trades-days must be a whole number of days (at least 1)'),
      pollMs: wholeNumber(values['poll-ms'], 5, '--poll-ms must be a whole number of milliseconds (at least 5)'),
      snapshotMs: wholeNumber(values['snapshot-ms'], 0, '--snapshot-ms must be a whole number of milliseconds (0: never)'),
    };
  } catch (error) {
    io.stderr.write(`capflow serve: ${(error as Error).message}\n`);
    return 2;
  }
  let config: CapflowConfig | undefined;
  if (values.config) {
    try {
      config = loadConfigFile(values.config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(`capflow serve: invalid configuration: ${error.message}\n`);
      return 2;
    }
  }
  let fileSecurities: SecurityInfo[] = [];
  if (values.securities !== undefined) {
    try {
      fileSecurities = loadSecuritiesFile(values.securities);
    } catch (error) {
      io.stderr.write(`capflow serve: --securities: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return {
    values,
    dataDir: values.data === undefined ? undefined : resolve(values.data),
    config,
    // Later entries win: the demo's own names, then the config's, then the file's.
    securities: [...(values.demo ? demoSecurityInfo() : []), ...(config?.securityInfo ?? []), ...fileSecurities],
    clockMode,
    ...checked,
    retainTradesDays: checked.retainTradesDays ?? config?.retainTradesDays,
  };
}

/** An optional decimal flag value of at most 5 digits and at least `minimum`; `message` names the flag. */
function wholeNumber(text: string | undefined, minimum: number, message: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) < minimum) throw new Error(`${message}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Where the server listens, the web page, and the SDK settings that reach it. */
function writeBanner(io: CliIo, args: ServeArguments, started: Started): void {
  const { server, credentials, publicCredential } = started;
  const base = `${server.host}:${server.httpPort}`;
  io.stdout.write(
    `capflow serving on http://${base} (WebSocket ws://${base}/v2, TCP ${server.host}:${server.tcpPort}), data in ${args.dataDir ?? 'the shared store'}, clock ${args.values.clock}\n`,
  );
  io.stdout.write(
    publicCredential === undefined
      ? `Web page: http://${base}/ (sign in with a credential)\n`
      : `Web page: http://${base}/ (public dashboard of credential ${publicCredential}: anyone who reaches this port can see its markets)\n`,
  );
  const urls = {
    httpUrl: `http://${base}`,
    wsUrl: `ws://${base}/v2`,
    tcpUrl: server.tcpPort === undefined ? undefined : `tcp://${server.host}:${server.tcpPort}`,
  };
  if (!args.config || args.config.credentials.length === 0) {
    const demo = credentials[0]!;
    io.stdout.write(['No --config given: serving a local demo credential with every market. Point the official SDKs at it:', ...sdkEnvironmentLines(urls, demo), ''].join('\n'));
  } else {
    io.stdout.write(['Point the official SDKs at it (with your credential in *_APP_KEY, *_APP_SECRET, *_ACCESS_TOKEN):', ...sdkEnvironmentLines(urls), ''].join('\n'));
  }
}

interface Started {
  server: RunningServer;
  credentials: Credential[];
  publicCredential: string | undefined;
  reload: () => Promise<void>;
}

/**
 * Opens and starts everything `serve` runs, in order, registering each part with `opened` as soon
 * as it exists (closed newest first at shutdown, or at once when a later step throws).
 */
async function startServing(args: ServeArguments, logger: Logger, opened: OpenedResources): Promise<Started> {
  const { values, dataDir, config } = args;
  const { store, bus, archive } = await openStorage(args, logger, opened);
  const credentials = config && config.credentials.length > 0 ? config.credentials : [demoCredential(dataDir ?? '', await sharedDemoSecrets(store))];
  const credentialStore = await openServeCredentialStore(values.store, dataDir ?? '');
  if (credentialStore) opened.add('the credential store', () => credentialStore.close());
  const managed = await openServeCredentials({ store: credentialStore, config: () => credentials, logger });
  managed.registry.start();
  opened.add('the credential registry', () => managed.registry.stop());
  const clock = new MarketClock(args.clockMode);
  const flows = await FlowService.open({
    store,
    clock,
    securities: [...(config?.securities ?? []), ...args.securities.map((security) => security.symbol)],
    logger: logger.child({ module: 'flows' }),
    ...(archive === undefined ? {} : { archive }),
    // How soon trades written by other processes (`capflow ingest`, `capflow connect`) are read.
    ...(args.pollMs === undefined ? {} : { pollIntervalMs: args.pollMs }),
    ...(args.snapshotMs === undefined ? {} : { snapshotIntervalMs: args.snapshotMs }),
  });
  const demoMarket = values.demo ? await startDemoMarket({ store, flows, seed: args.demoSeed, logger: logger.child({ module: 'demo-market' }) }) : undefined;
  if (demoMarket) opened.add('the demo market', () => demoMarket.stop());
  // The demo is a public dashboard of its credential unless another one is named.
  const publicCredential = values['web-credential'] ?? (values.demo ? credentials[0]!.appKey : undefined);
  const server = await startCapflowServer({
    store,
    flows,
    clock,
    credentials: managed.registry,
    logger,
    ...busReadiness(bus),
    host: values.host,
    port: args.port,
    tcpPort: args.tcpPort,
    ...sharedGatewayState(store, logger),
    // Trades posted to /v1/ingest are stored by this gateway (acknowledged once committed) and announced.
    ...(bus === undefined ? {} : { onIngestStored: announceStoredTrades(bus) }),
    ...(publicCredential === undefined ? {} : { publicCredential }),
    ...serverSettings(config, args.securities),
  });
  // Closed after the server (newest first): the served days' last states, so a clean restart replays nothing.
  opened.add('the final day snapshots', () => flows.writeSnapshots());
  opened.add('the server', () => server.stop());
  startFollowers(args, { store, bus, archive, flows, clock }, logger, opened);
  const reload = (): Promise<void> => reloadCredentials(managed.registry, values.config, () => credentials, logger);
  return { server, credentials, publicCredential, reload };
}

/** The store (with its data-directory lock), the bus, the sample day and the day archive. */
async function openStorage(args: ServeArguments, logger: Logger, opened: OpenedResources) {
  const { values, dataDir } = args;
  if (!isSharedStoreUrl(values.store) && dataDir !== undefined) {
    // The embedded store's directory is in use while this process lives (`capflow restore` refuses it).
    const lock = holdDataDir(dataDir);
    opened.add('the data directory lock', () => lock.release());
  }
  const store = await openFlowStore(values.store, dataDir);
  opened.add('the store', () => store.close());
  const bus = await openTradeBus(values.bus, 'capflow-gateway');
  if (bus) opened.add('the bus', () => bus.close());
  if (values.sample) {
    const summary = await ingestFile(store, SAMPLE_FILE);
    logger.info({ accepted: summary.accepted, alreadyPresent: summary.skipped ?? 0 }, 'sample day ingested');
  }
  // Days trimmed by retention stay answerable from the archive (history, export).
  const archive = await openDayArchive(values.store, dataDir);
  if (archive) opened.add('the day archive', () => archive.close());
  return { store, bus, archive };
}

/** The server settings of the configuration file, as `startCapflowServer` takes them. */
function serverSettings(config: CapflowConfig | undefined, securities: readonly SecurityInfo[]): Partial<CapflowServerOptions> {
  return defined({
    tiers: config?.tiers,
    maxHttpBodyBytes: config?.maxRequestBodyBytes,
    maxHttpBodyBytesInFlight: config?.maxRequestBodyBytesInFlight,
    httpBodyTimeoutMs: config?.requestBodyTimeoutSeconds === undefined ? undefined : config.requestBodyTimeoutSeconds * 1000,
    rest: { securities: new SecurityDirectory(securities), ...defined({ maxStreamsPerCredential: config?.streamsPerCredential }) },
    unauthenticatedConnections: config?.unauthenticatedConnections,
  });
}

/** What keeps the served days current besides the server: line notices, the store's write watch, retention. */
function startFollowers(
  args: ServeArguments,
  parts: { store: FlowStore; bus: TradeBus | undefined; archive: DayArchive | undefined; flows: FlowService; clock: MarketClock },
  logger: Logger,
  opened: OpenedResources,
): void {
  const { store, bus, archive, flows, clock } = parts;
  // With a bus, workers' line notices make this gateway read new trades at once.
  if (bus) opened.add('the line-notice follower', followLineNotices(bus, flows, logger.child({ module: 'line-notices' })));
  // Another process's commits to the embedded store (`capflow ingest`, `capflow connect`) are read at once.
  if (args.dataDir !== undefined && !isSharedStoreUrl(args.values.store)) {
    const pollLog = logger.child({ module: 'store-watch' });
    opened.add('the store write watch', watchStoreWrites(args.dataDir, () => void flows.poll().catch((error: unknown) => pollLog.error({ err: error }, 'poll failed'))));
  }
  if (args.retainTradesDays !== undefined) {
    opened.add('the retention job', startRetention({ archive, store, clock, retainTradesDays: args.retainTradesDays, logger: logger.child({ module: 'retention' }) }));
  }
}

/** `/readyz` reports the bus when its adapter can tell whether it is connected. */
function busReadiness(bus: unknown): { readiness?: Record<string, () => boolean> } {
  const probe = (bus as { isConnected?: () => boolean } | undefined)?.isConnected;
  return typeof probe === 'function' ? { readiness: { bus: () => probe.call(bus) } } : {};
}
