import { readFileSync } from 'node:fs';
import { FLOW_COMMAND, runFlowCommand } from './flow-command.js';
import { BACKUP_COMMAND, RESTORE_COMMAND, runBackupCommand, runRestoreCommand } from './backup-command.js';
import { commandsOverview, type CommandSpec } from './command-spec.js';
import { CONNECT_COMMAND, runConnectCommand } from './connect-command.js';
import { CREDENTIALS_COMMAND, runCredentialsCommand } from './credentials-command.js';
import { DOCTOR_COMMAND, runDoctorCommand } from './doctor-command.js';
import { EXPORT_COMMAND, runExportCommand } from './export-command.js';
import { INGEST_COMMAND, runIngestCommand } from './ingest-command.js';
import { runServeCommand, SERVE_COMMAND } from './serve-command.js';
import { runWatchCommand, WATCH_COMMAND } from './watch-command.js';
import { runTopCommand, TOP_COMMAND } from './top-command.js';
import { PUBLISH_COMMAND, runPublishCommand, runWorkerCommand, WORKER_COMMAND } from './worker-command.js';

/** Every command: its option table (for help) and how it runs. */
const COMMANDS: ReadonlyArray<{ spec: CommandSpec; run: (argv: string[], io: CliIo) => Promise<number> }> = [
  { spec: SERVE_COMMAND, run: runServeCommand },
  { spec: INGEST_COMMAND, run: runIngestCommand },
  { spec: FLOW_COMMAND, run: runFlowCommand },
  { spec: WATCH_COMMAND, run: runWatchCommand },
  { spec: TOP_COMMAND, run: runTopCommand },
  { spec: CONNECT_COMMAND, run: runConnectCommand },
  { spec: CREDENTIALS_COMMAND, run: runCredentialsCommand },
  { spec: EXPORT_COMMAND, run: runExportCommand },
  { spec: BACKUP_COMMAND, run: runBackupCommand },
  { spec: RESTORE_COMMAND, run: runRestoreCommand },
  { spec: DOCTOR_COMMAND, run: runDoctorCommand },
  { spec: WORKER_COMMAND, run: runWorkerCommand },
  { spec: PUBLISH_COMMAND, run: runPublishCommand },
];

/** The specs of every command, in the order `capflow --help` lists them. */
export const COMMAND_SPECS: readonly CommandSpec[] = COMMANDS.map((command) => command.spec);

/** The installed package's version (package.json two levels above dist/cli/). */
export function capflowVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const USAGE = commandsOverview(COMMAND_SPECS, 'capflow — a self-hostable, LongPort-compatible capital-flow service');

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
}

/** Entry point of the `capflow` command; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    io.stdout.write(`capflow ${capflowVersion()}\n`);
    return 0;
  }
  const found = COMMANDS.find((entry) => entry.spec.name === command);
  if (!found) {
    io.stderr.write(`capflow: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  return found.run(rest, io);
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: Boolean(process.stderr.isTTY) };
}
