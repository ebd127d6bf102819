import { runIngestCommand } from './ingest-command.js';
import { runServeCommand } from './serve-command.js';

const USAGE = `capflow — LongPort-compatible capital-flow service

Usage:
  capflow ingest FILE... --data DIR      ingest CSV / NDJSON trades (.csv, .ndjson, .jsonl, optionally .gz)
  capflow serve --data DIR [--config FILE] [--host H] [--port P] [--tcp-port P2]
                [--clock wall|feed|ISO-INSTANT] [--sample]
  capflow help
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
