import { runFlowCommand } from './flow-command.js';
import { runBackupCommand, runRestoreCommand } from './backup-command.js';
import { runConnectCommand } from './connect-command.js';
import { runCredentialsCommand } from './credentials-command.js';
import { runDoctorCommand } from './doctor-command.js';
import { runExportCommand } from './export-command.js';
import { runIngestCommand } from './ingest-command.js';
import { runMcpCommand } from './mcp-command.js';
import { runServeCommand } from './serve-command.js';
import { runWatchCommand } from './watch-command.js';
import { runPublishCommand, runWorkerCommand } from './worker-command.js';

const USAGE = `capflow — LongPort-compatible capital-flow service

Usage:
  capflow ingest FILE... --data DIR      ingest CSV / NDJSON trades (.csv, .ndjson, .jsonl, optionally .gz)
                                         (--store postgres://… instead of --data: into a fleet's store)
  capflow serve --data DIR [--config FILE] [--host H] [--port P] [--tcp-port P2]
                [--clock wall|feed|ISO-INSTANT] [--sample] [--store postgres://…] [--bus nats://…]
                [--demo [--seed N]] [--web-credential APPKEY] [--poll-ms MS]
                                         (with --store postgres://… the --data DIR is optional)
  capflow worker --store postgres://… --bus nats://… [--partitions N] [--workers W] [--worker-id I]
                                         store trades from the bus, exactly once (scaling out)
  capflow publish FILE... --bus nats://…  publish trades of CSV / NDJSON files to the bus
  capflow flow SYMBOL [--date YYYY-MM-DD] [--json | --csv] [--detail]
                                         print a day's capital-flow lines from a running server
  capflow watch SYMBOL                   follow a symbol's lines live (Ctrl-C ends)
  capflow mcp                            an MCP server over stdio for AI assistants (LONGPORT_* variables)
  capflow connect --symbols A,B,… | --symbols-file FILE  (--data DIR | --store postgres://… | --bus nats://…)
                                         record a LongPort-compatible upstream's trades (LONGPORT_* variables)
  capflow credentials add --data DIR --markets HK,US [--connections N] [--expires 90d] [--ingest]
  capflow credentials list|rotate APP_KEY|revoke APP_KEY --data DIR
                                         manage stored credentials (secret and token printed once)
  capflow backup DIR --data DATA_DIR      consistent online backup of the embedded store
  capflow restore FROM --data DATA_DIR [--force]
  capflow export --data DIR --symbol S --from D --to D [--trades|--lines] [--format csv|ndjson]
  capflow doctor --data DIR              integrity, counts, calendar coverage, plain-text secrets
                                         (credentials, export, doctor: --store postgres://…
                                         instead of --data for a fleet's PostgreSQL store)
  capflow help

flow and watch call a running server over its REST API: --url URL (or LONGPORT_HTTP_URL,
default http://127.0.0.1:8080) with --app-key/--app-secret/--access-token (or LONGPORT_APP_KEY,
LONGPORT_APP_SECRET, LONGPORT_ACCESS_TOKEN).
`;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
}

/** Entry point of the `capflow` command; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'ingest':
      return runIngestCommand(rest, io);
    case 'serve':
      return runServeCommand(rest, io);
    case 'flow':
      return runFlowCommand(rest, io);
    case 'watch':
      return runWatchCommand(rest, io);
    case 'connect':
      return runConnectCommand(rest, io);
    case 'worker':
      return runWorkerCommand(rest, io);
    case 'publish':
      return runPublishCommand(rest, io);
    case 'mcp':
      return runMcpCommand(rest, io);
    case 'credentials':
      return runCredentialsCommand(rest, io);
    case 'backup':
      return runBackupCommand(rest, io);
    case 'restore':
      return runRestoreCommand(rest, io);
    case 'export':
      return runExportCommand(rest, io);
    case 'doctor':
      return runDoctorCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      io.stderr.write(`capflow: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: Boolean(process.stderr.isTTY) };
}
