const USAGE = `capflow — LongPort-compatible capital-flow service

Usage:
  capflow ingest FILE... --data DIR      ingest CSV / NDJSON trades (.csv, .ndjson, .jsonl, optionally .gz)
                                         (--store postgres://… instead of --data: into a fleet's store)
  capflow compute FILE... [--out FILE.csv | --json] [--classify METHOD]
                                         every symbol-day's lines straight from files, no store
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

/**
 * Entry point of the `capflow` command; resolves to the process exit code. Each command's module
 * is loaded when it runs: a short command (`compute` on a small file, `help`) does not pay for
 * loading the server, the stores and the bus clients.
 */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'ingest':
      return (await import('./ingest-command.js')).runIngestCommand(rest, io);
    case 'serve':
      return (await import('./serve-command.js')).runServeCommand(rest, io);
    case 'flow':
      return (await import('./flow-command.js')).runFlowCommand(rest, io);
    case 'compute':
      return (await import('./compute-command.js')).runComputeCommand(rest, io);
    case 'watch':
      return (await import('./watch-command.js')).runWatchCommand(rest, io);
    case 'connect':
      return (await import('./connect-command.js')).runConnectCommand(rest, io);
    case 'worker':
      return (await import('./worker-command.js')).runWorkerCommand(rest, io);
    case 'publish':
      return (await import('./worker-command.js')).runPublishCommand(rest, io);
    case 'credentials':
      return (await import('./credentials-command.js')).runCredentialsCommand(rest, io);
    case 'backup':
      return (await import('./backup-command.js')).runBackupCommand(rest, io);
    case 'restore':
      return (await import('./backup-command.js')).runRestoreCommand(rest, io);
    case 'export':
      return (await import('./export-command.js')).runExportCommand(rest, io);
    case 'doctor':
      return (await import('./doctor-command.js')).runDoctorCommand(rest, io);
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
