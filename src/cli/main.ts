import { readFileSync } from 'node:fs';
import { commandsOverview, type CommandSpec } from './command-spec.js';

type CommandRun = (argv: string[], io: CliIo) => Promise<number>;

/**
 * Every command, loaded only when it runs (or when help lists them), so that `capflow compute`
 * starts without the server, the stores and the bus clients. Each module holds the command's
 * option table (its spec) beside its code.
 */
const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<{ spec: CommandSpec; run: CommandRun }> }> = [
  { name: 'serve', load: async () => import('./serve-command.js').then((m) => ({ spec: m.SERVE_COMMAND, run: m.runServeCommand })) },
  { name: 'ingest', load: async () => import('./ingest-command.js').then((m) => ({ spec: m.INGEST_COMMAND, run: m.runIngestCommand })) },
  { name: 'compute', load: async () => import('./compute-command.js').then((m) => ({ spec: m.COMPUTE_COMMAND, run: m.runComputeCommand })) },
  { name: 'flow', load: async () => import('./flow-command.js').then((m) => ({ spec: m.FLOW_COMMAND, run: m.runFlowCommand })) },
  { name: 'watch', load: async () => import('./watch-command.js').then((m) => ({ spec: m.WATCH_COMMAND, run: m.runWatchCommand })) },
  { name: 'top', load: async () => import('./top-command.js').then((m) => ({ spec: m.TOP_COMMAND, run: m.runTopCommand })) },
  { name: 'mcp', load: async () => import('./mcp-command.js').then((m) => ({ spec: m.MCP_COMMAND, run: m.runMcpCommand })) },
  { name: 'connect', load: async () => import('./connect-command.js').then((m) => ({ spec: m.CONNECT_COMMAND, run: m.runConnectCommand })) },
  { name: 'credentials', load: async () => import('./credentials-command.js').then((m) => ({ spec: m.CREDENTIALS_COMMAND, run: m.runCredentialsCommand })) },
  { name: 'export', load: async () => import('./export-command.js').then((m) => ({ spec: m.EXPORT_COMMAND, run: m.runExportCommand })) },
  { name: 'backup', load: async () => import('./backup-command.js').then((m) => ({ spec: m.BACKUP_COMMAND, run: m.runBackupCommand })) },
  { name: 'restore', load: async () => import('./backup-command.js').then((m) => ({ spec: m.RESTORE_COMMAND, run: m.runRestoreCommand })) },
  { name: 'doctor', load: async () => import('./doctor-command.js').then((m) => ({ spec: m.DOCTOR_COMMAND, run: m.runDoctorCommand })) },
  { name: 'worker', load: async () => import('./worker-command.js').then((m) => ({ spec: m.WORKER_COMMAND, run: m.runWorkerCommand })) },
  { name: 'publish', load: async () => import('./worker-command.js').then((m) => ({ spec: m.PUBLISH_COMMAND, run: m.runPublishCommand })) },
];

/** The specs of every command, in the order `capflow --help` lists them. */
export async function commandSpecs(): Promise<CommandSpec[]> {
  return Promise.all(COMMANDS.map(async (command) => (await command.load()).spec));
}

/** The installed package's version (package.json two levels above dist/cli/). */
export function capflowVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const HEADER = 'capflow — a self-hostable, LongPort-compatible capital-flow service';

async function overview(): Promise<string> {
  return commandsOverview(await commandSpecs(), HEADER);
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
}

/**
 * Entry point of the `capflow` command; resolves to the process exit code. Each command's module
 * is loaded when it runs: a short command (`compute` on a small file, `help`) does not pay for
 * loading the server, the stores and the bus clients.
 */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(await overview());
    return command === undefined ? 1 : 0;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    io.stdout.write(`capflow ${capflowVersion()}\n`);
    return 0;
  }
  const found = COMMANDS.find((entry) => entry.name === command);
  if (!found) {
    io.stderr.write(`capflow: unknown command ${JSON.stringify(command)}\n\n${await overview()}`);
    return 2;
  }
  return (await found.load()).run(rest, io);
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: Boolean(process.stderr.isTTY) };
}
