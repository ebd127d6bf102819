import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from './logger.js';

/**
 * A logger whose JSON lines are kept, parsed, for a test to read (pino writes to it synchronously).
 * With CAPFLOW_TEST_DEBUG set, the lines are also copied to stderr.
 */
export function capturingLogger(level = 'debug'): { logger: Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const echo = Boolean(process.env['CAPFLOW_TEST_DEBUG']);
  const destination: DestinationStream = {
    write: (line: string) => {
      entries.push(JSON.parse(line) as Record<string, unknown>);
      if (echo) process.stderr.write(line);
    },
  };
  return { logger: createLogger({ level, destination }), entries };
}

/** The `err.message` of a captured entry ('' when it has none). */
export function errorMessageOf(entry: Record<string, unknown>): string {
  const message = (entry.err as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : '';
}
