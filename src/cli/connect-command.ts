import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { busIngestTarget } from '../bus/bus-ingest-target.js';
import { Config, paramsFromEnv, type ConfigParams } from '../client/index.js';
import { ConnectMetrics } from '../connect/connect-metrics.js';
import { Connector, type BackfillMode } from '../connect/connector.js';
import { storeReader, unreadableTarget, type RelayTargetReader } from '../connect/relay-target.js';
import type { RecorderTarget } from '../connect/trade-recorder.js';
import { createLogger } from '../logging/logger.js';
import type { FlowStore } from '../store/flow-store.js';
import { commandHelp, HELP_OPTION, type CommandSpec } from './command-spec.js';
import type { CliIo } from './main.js';
import { openFlowStore, openTradeBus } from './scale-out-adapters.js';

const OPTIONS = {
  symbols: { type: 'string', value: 'A,B,…', description: 'the symbols to record, e.g. 700.HK,AAPL.US' },
  'symbols-file': { type: 'string', value: 'FILE', description: 'the symbols to record, one per line' },
  data: { type: 'string', value: 'DIR', description: 'record into the embedded store of this data directory' },
  store: { type: 'string', value: 'postgres://…', description: "record into a fleet's PostgreSQL store" },
  bus: { type: 'string', value: 'nats://…', description: "publish to a fleet's NATS JetStream bus for its workers" },
  backfill: { type: 'string', default: 'auto', value: 'auto|sequence|query-trade', description: "how gaps after a reconnect are filled: capflow's trade sequences (command 220), the upstream's recent trades (QueryTrade), or whichever the upstream offers" },
  'metrics-port': { type: 'string', value: 'PORT', description: 'serve Prometheus metrics on this port' },
  'metrics-host': { type: 'string', default: '127.0.0.1', value: 'HOST', description: 'address of the metrics port' },
  'log-level': { type: 'string', value: 'LEVEL', description: 'trace, debug, info, warn, error or silent (default info)' },
  'app-key': { type: 'string', value: 'KEY', description: "the upstream credential's app key (or LONGPORT_APP_KEY)" },
  'app-secret': { type: 'string', value: 'SECRET', description: 'its app secret (or LONGPORT_APP_SECRET)' },
  'access-token': { type: 'string', value: 'TOKEN', description: 'its access token (or LONGPORT_ACCESS_TOKEN)' },
  'http-url': { type: 'string', value: 'URL', description: "the upstream's HTTP address (or LONGPORT_HTTP_URL)" },
  'quote-ws-url': { type: 'string', value: 'URL', description: "the upstream's quote socket (or LONGPORT_QUOTE_WS_URL)" },
  help: HELP_OPTION,
} as const;

export const CONNECT_COMMAND: CommandSpec = {
  name: 'connect',
  summary: "record a LongPort-compatible upstream's live trades into capflow's store",
  usage: ['(--symbols A,B,… | --symbols-file FILE) (--data DIR | --store postgres://… | --bus nats://…) [options]'],
  description:
    "Subscribes to the trades of the symbols at the upstream (the LongPort service with your own credentials, or another capflow) and records every trade it pushes, with the upstream's side. It reconnects by itself and fills gaps; Ctrl-C (SIGINT) or SIGTERM ends it after committing what it received.",
  options: OPTIONS,
};
export const CONNECT_USAGE = commandHelp(CONNECT_COMMAND);

/** Symbols from `--symbols` (comma-separated) or a file (commas, spaces or lines; `#` starts a comment). */
export function symbolsOf(list: string | undefined, file: string | undefined): string[] {
  if ((list === undefined) === (file === undefined)) throw new Error('give exactly one of --symbols and --symbols-file');
  const text = list ?? readFileSync(file!, 'utf8').replace(/#.*$/gm, '');
  const symbols = text.split(/[\s,]+/).filter((one) => one !== '');
  if (symbols.length === 0) throw new Error('no symbols given');
  return symbols;
}

/** Where the trades go, and how the relay reads back what is held there. */
async function openTarget(values: { data?: string; store?: string; bus?: string }): Promise<{ target: RecorderTarget; reader: RelayTargetReader; close: () => Promise<void>; where: string }> {
  const chosen = [values.data, values.store, values.bus].filter((one) => one !== undefined).length;
  if (chosen !== 1) throw new Error('give exactly one of --data DIR, --store postgres://… and --bus nats://…');
  if (values.bus !== undefined) {
    const bus = await openTradeBus(values.bus, 'capflow-connect');
    if (!bus) throw new Error('--bus nats://… is required');
    return { target: busIngestTarget(bus), reader: unreadableTarget, close: () => bus.close(), where: values.bus };
  }
  let store: FlowStore;
  if (values.data !== undefined) {
    const dir = resolve(values.data);
    mkdirSync(dir, { recursive: true });
    store = await openFlowStore(undefined, dir);
  } else {
    store = await openFlowStore(values.store, undefined);
  }
  return { target: store, reader: storeReader(store), close: () => store.close(), where: values.data ?? values.store! };
}

export async function runConnectCommand(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    io.stderr.write(`capflow connect: ${(error as Error).message}\n\n${CONNECT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(CONNECT_USAGE);
    return 0;
  }
  let symbols: string[];
  let config: Config;
  let metricsPort: number | undefined;
  const backfill = values.backfill as BackfillMode;
  try {
    symbols = symbolsOf(values.symbols, values['symbols-file']);
    if (!['auto', 'sequence', 'query-trade'].includes(backfill)) throw new Error(`--backfill must be auto, sequence or query-trade, got ${JSON.stringify(values.backfill)}`);
    if (values['metrics-port'] !== undefined) {
      if (!/^\d{1,5}$/.test(values['metrics-port']) || Number(values['metrics-port']) > 65535) throw new Error(`--metrics-port must be a port number, got ${JSON.stringify(values['metrics-port'])}`);
      metricsPort = Number(values['metrics-port']);
    }
    config = upstreamConfig(values);
  } catch (error) {
    io.stderr.write(`capflow connect: ${(error as Error).message}\n`);
    return 2;
  }
  let target;
  try {
    target = await openTarget(values);
  } catch (error) {
    io.stderr.write(`capflow connect: ${(error as Error).message}\n`);
    return 2;
  }
  const progress = io.isTTY ? new ProgressLine(io.stderr) : undefined;
  const logger = createLogger({
    destination: progress ? progress.logStream() : io.stderr,
    ...(values['log-level'] === undefined ? {} : { level: values['log-level'] }),
  });
  const metrics = new ConnectMetrics({ processMetrics: true });
  let connector: Connector;
  try {
    connector = new Connector({ config, symbols, target: target.target, reader: target.reader, backfill, metrics, logger });
  } catch (error) {
    await target.close();
    io.stderr.write(`capflow connect: ${(error as Error).message}\n`);
    return 2;
  }
  let metricsServer: Server | undefined;
  if (metricsPort !== undefined) {
    try {
      metricsServer = await serveMetrics(metrics, values['metrics-host'], metricsPort);
      const address = metricsServer.address();
      logger.info({ metrics: `http://${values['metrics-host']}:${typeof address === 'object' && address ? address.port : metricsPort}/metrics` }, 'metrics served');
    } catch (error) {
      await target.close();
      io.stderr.write(`capflow connect: metrics port: ${(error as Error).message}\n`);
      return 2;
    }
  }
  logger.info({ upstream: config.httpUrl, quoteWsUrl: config.quoteWsUrl, symbols: connector.relayedSymbols.length, target: target.where }, 'capflow connect starting');
  connector.start();
  const ticker = progress ? setInterval(() => void progress.draw(metrics, connector.relayedSymbols.length), 1000) : undefined;
  const signal = await new Promise<string>((done) => {
    const stop = (name: string) => () => done(name);
    process.once('SIGINT', stop('SIGINT'));
    process.once('SIGTERM', stop('SIGTERM'));
  });
  if (ticker) clearInterval(ticker);
  logger.info({ signal }, 'stopping: committing what was received');
  await connector.stop();
  await new Promise((done) => (metricsServer ? metricsServer.close(done) : done(undefined)));
  await target.close();
  if (progress) await progress.draw(metrics, connector.relayedSymbols.length, true);
  logger.flush();
  return 0;
}

/** The upstream's Config: flags first, then the LONGPORT_* variables. */
function upstreamConfig(values: Record<string, unknown>): Config {
  const flag = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const env = process.env;
  const fromFlags: Record<string, string | undefined> = {
    LONGPORT_APP_KEY: flag('app-key') ?? env.LONGPORT_APP_KEY,
    LONGPORT_APP_SECRET: flag('app-secret') ?? env.LONGPORT_APP_SECRET,
    LONGPORT_ACCESS_TOKEN: flag('access-token') ?? env.LONGPORT_ACCESS_TOKEN,
    LONGPORT_HTTP_URL: flag('http-url') ?? env.LONGPORT_HTTP_URL,
    LONGPORT_QUOTE_WS_URL: flag('quote-ws-url') ?? env.LONGPORT_QUOTE_WS_URL,
    LONGPORT_LANGUAGE: env.LONGPORT_LANGUAGE,
  };
  const params: ConfigParams = paramsFromEnv(fromFlags);
  // Reconnect promptly but without hammering a restarting upstream.
  return new Config({ ...params, maxReconnectDelayMs: 5_000 });
}

function serveMetrics(metrics: ConnectMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        response.writeHead(200, { 'content-type': metrics.registry.contentType });
        response.end(text);
      });
      return;
    }
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"ok"}');
      return;
    }
    response.writeHead(404).end();
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done(server);
    });
  });
}

/** A status line redrawn on the terminal, with log messages printed above it as plain lines. */
class ProgressLine {
  private line = '';

  constructor(private readonly out: NodeJS.WritableStream) {}

  logStream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const text of chunk.toString('utf8').split('\n')) {
          if (text.trim() === '') continue;
          this.print(readable(text));
        }
        done();
      },
    });
  }

  async draw(metrics: ConnectMetrics, symbols: number, final = false): Promise<void> {
    const [recorded, gaps, lag, connected, pending] = await Promise.all([
      metrics.value('capflow_connect_trades_recorded_total'),
      metrics.value('capflow_connect_gaps_total'),
      metrics.value('capflow_connect_lag_seconds'),
      metrics.value('capflow_connect_connected'),
      metrics.value('capflow_connect_pending_trades'),
    ]);
    this.line = `${symbols} symbols · ${recorded.toLocaleString('en-US')} trades recorded · ${pending} pending · lag ${Math.round(lag * 1000)} ms · ${gaps} gaps · ${connected ? 'connected' : 'connecting…'}`;
    this.out.write(`\r\x1b[2K${this.line}${final ? '\n' : ''}`);
  }

  private print(text: string): void {
    this.out.write(`\r\x1b[2K${text}\n${this.line}`);
  }
}

/** A pino JSON line as `LEVEL message key=value …`. */
function readable(json: string): string {
  try {
    const { level, msg, time: _time, service: _service, pid: _pid, hostname: _hostname, ...rest } = JSON.parse(json) as Record<string, unknown>;
    const name = ({ 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>)[level as number] ?? String(level);
    const extras = Object.entries(rest)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(key === 'err' ? (value as { message?: string }).message : value)}`)
      .join(' ');
    return `${name} ${String(msg)}${extras ? ` ${extras}` : ''}`;
  } catch {
    return json;
  }
}

