import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Field paths never written, wherever they turn up in a log object. */
const REDACTED = [
  'appSecret',
  'accessToken',
  'secret',
  'token',
  'otp',
  'authorization',
  '*.appSecret',
  '*.accessToken',
  '*.secret',
  '*.token',
  '*.otp',
  '*.authorization',
  'headers["x-api-signature"]',
  '*.headers.authorization',
  '*.headers["x-api-signature"]',
];

export interface LoggerOptions {
  /** pino level (default `info`, or CAPFLOW_LOG_LEVEL). */
  level?: string;
  /** Where JSON lines go (default stderr, so stdout stays for the command's own output). */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** Structured JSON logs: one object per line, `time` in epoch ms, secrets redacted by path. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.CAPFLOW_LOG_LEVEL ?? 'info',
      base: { service: 'capflow' },
      redact: { paths: REDACTED, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    (options.destination ?? process.stderr) as DestinationStream,
  );
}

/** A logger that drops everything (tests, library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
