import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from './logger.js';

/** A logger whose JSON lines are kept, parsed, for a test to read (pino writes to it synchronously). */
export function capturingLogger(level = 'debug'): { logger: Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void entries.push(JSON.parse(line) as Record<string, unknown>) } satisfies DestinationStream });
  return { logger, entries };
}
