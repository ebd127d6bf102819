import { CapflowClientError } from '../client/client-error.js';
import type { StreamEvent } from '../client/rest-client.js';
import type { Intraday, Line } from '../contract/schemas.js';
import { explainApiError } from './api-error-messages.js';
import { flowSummary } from './flow-command.js';
import { commandHelp, HELP_OPTION, readCommandLine, type CommandSpec } from './command-spec.js';
import { formatThousandths, groupAmount, localMinute, sparkline, toThousandths } from './flow-format.js';
import { marketPauseNotice } from './market-pause.js';
import type { CliIo } from './main.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, resolveConnection, restClientOf } from './server-connection.js';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  help: HELP_OPTION,
} as const;

export const WATCH_COMMAND = {
  name: 'watch',
  summary: "follow a symbol's capital flow live from a running server (Ctrl-C ends)",
  usage: ['SYMBOL'],
  description:
    'A summary and sparkline of the day so far, then every new or changed minute as it arrives, reconnecting by itself when the connection drops. While the market is closed it says when it next opens.',
  options: OPTIONS,
  notes: CONNECTION_USAGE,
} satisfies CommandSpec;
const USAGE = commandHelp(WATCH_COMMAND);

export interface WatchOptions {
  /** Ends the watch (exit 0); by default Ctrl-C (SIGINT). */
  signal?: AbortSignal;
  /** Wait before reconnecting after the stream dropped (default 3 s). */
  reconnectMs?: number;
}

export async function runWatchCommand(
  argv: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
  options: WatchOptions = {},
): Promise<number> {
  const parsed = readCommandLine(WATCH_COMMAND, argv, io, true);
  if (typeof parsed === 'number') return parsed;
  const [symbol, ...extra] = parsed.positionals;
  if (symbol === undefined || extra.length > 0) {
    io.stderr.write(`capflow watch: ${symbol === undefined ? 'a SYMBOL is required, e.g. capflow watch 700.HK' : 'one symbol at a time'}\n\n${USAGE}`);
    return 2;
  }
  const connection = resolveConnection(parsed.values, env);
  if ('missing' in connection) {
    io.stderr.write(`capflow watch: no credential: set ${connection.missing.join(', ')}\n`);
    return 2;
  }
  const { signal, release } = options.signal ? { signal: options.signal, release: () => {} } : interruptSignal();
  const view = new WatchView(io);
  const rest = restClientOf(connection);
  let connected = false;
  try {
    while (!signal.aborted) {
      try {
        for await (const event of rest.stream({ symbol }, { signal })) {
          connected = true;
          view.show(event);
        }
        if (signal.aborted) break;
        io.stderr.write('the server ended the stream; reconnecting…\n');
      } catch (error) {
        if (signal.aborted) break;
        const explained = explainApiError(error, { url: connection.url, symbol, appKey: connection.appKey });
        // Refusals (credential, permission, symbol) will not heal by retrying; a lost connection may.
        if ((error instanceof CapflowClientError && error.kind === 'http') || !connected) {
          io.stderr.write(`capflow watch: ${explained}\n`);
          return 1;
        }
        io.stderr.write(`connection lost (${(error as Error).message}); reconnecting…\n`);
      }
      await sleep(options.reconnectMs ?? 3000, signal);
    }
    return 0;
  } finally {
    release();
  }
}

/** What the terminal shows: a summary per snapshot, one row per new or changed minute. */
class WatchView {
  private lines: Line[] = [];
  private snapshot: Intraday | undefined;

  constructor(private readonly io: CliIo) {}

  show(event: StreamEvent): void {
    if (event.event === 'snapshot') {
      const data = event.data;
      this.snapshot = data;
      this.lines = data.lines;
      const values = data.lines.map((line) => toThousandths(line.inflow) ?? 0n);
      this.io.stdout.write(`${flowSummary(data)}\n${values.length > 0 ? `${sparkline(values)}\n` : ''}`);
      // A closed market sends nothing more for a while: say when it trades again.
      const pause = marketPauseNotice(data.market, data.date, data.lines.length);
      if (pause) this.io.stdout.write(`${pause}\n`);
    } else if (event.event === 'lines' && this.snapshot) {
      const update = event.data;
      if (update.date !== this.snapshot.date) return;
      const known = this.lines.length;
      this.lines = [...this.lines.slice(0, update.from), ...update.lines];
      update.lines.forEach((line, offset) => {
        const index = update.from + offset;
        const value = toThousandths(line.inflow) ?? 0n;
        const previous = index === 0 ? 0n : (toThousandths(this.lines[index - 1]!.inflow) ?? 0n);
        const revised = index < known ? '  (revised)' : '';
        this.io.stdout.write(
          `${localMinute(line.time)}  ${groupAmount(line.inflow).padStart(20)}  ${formatThousandths(value - previous, true).padStart(18)}${revised}\n`,
        );
      });
    }
  }
}

/** An AbortSignal fired by Ctrl-C (SIGINT) while the watch runs. */
function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, release: () => process.off('SIGINT', onInterrupt) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
