import type { ConventionName, HistoryPeriodName, Intraday, Line } from '../contract/schemas.js';
import { explainApiError } from './api-error-messages.js';
import { formatThousandths, groupAmount, localMinute, sparkline, table, toThousandths } from './flow-format.js';
import type { CliIo } from './main.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, resolveConnection, restClientOf } from './server-connection.js';
import { commandHelp, HELP_OPTION, readCommandLine, type CommandSpec } from './command-spec.js';
import { historyCsv, historyTable, tiersCsv, tiersTable } from './flow-tiers-output.js';

export { CONNECTION_OPTIONS, CONNECTION_USAGE } from './server-connection.js';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  date: { type: 'string', value: 'YYYY-MM-DD', description: 'the trading day (default: the market\'s current or last day)' },
  json: { type: 'boolean', default: false, description: 'print the API\'s data as JSON' },
  csv: { type: 'boolean', default: false, description: 'print one CSV row per minute line' },
  detail: { type: 'boolean', default: false, description: 'add the cumulative inflow and outflow by size tier (JSON and CSV)' },
  convention: { type: 'string', value: 'longport|eastmoney|futu', description: "show the day's size tiers and main force under this convention" },
  days: { type: 'string', value: 'N', description: 'with --convention futu: the trailing days of its percentiles' },
  period: { type: 'string', value: 'day|week|month|quarter|year', description: 'the net inflow, by tier and main force, per period from the store' },
  from: { type: 'string', value: 'YYYY-MM-DD', description: 'with --period: the first day' },
  to: { type: 'string', value: 'YYYY-MM-DD', description: 'with --period: the last day' },
  help: HELP_OPTION,
} as const;

export const FLOW_COMMAND = {
  name: 'flow',
  summary: "print a symbol's capital-flow lines for a day from a running server",
  usage: ['SYMBOL [--date YYYY-MM-DD] [--json | --csv] [--detail]', 'SYMBOL --convention longport|eastmoney|futu [--days N]', 'SYMBOL --period day|week|month|quarter|year [--from YYYY-MM-DD] [--to YYYY-MM-DD]'],
  description:
    'By default a table (exchange-local minute, cumulative net inflow, change) with a one-line summary and a sparkline. Period starts are printed as exchange-local time and Unix seconds.',
  options: OPTIONS,
  notes: CONNECTION_USAGE,
} satisfies CommandSpec;
const USAGE = commandHelp(FLOW_COMMAND);

export async function runFlowCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = readCommandLine(FLOW_COMMAND, argv, io, true);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [symbol, ...extra] = positionals;
  const problem =
    symbol === undefined
      ? 'a SYMBOL is required, e.g. capflow flow 700.HK'
      : extra.length > 0
        ? `one symbol at a time (got ${positionals.join(' ')})`
        : values.json && values.csv
          ? '--json and --csv exclude each other'
          : undefined;
  if (problem || symbol === undefined) {
    io.stderr.write(`capflow flow: ${problem}\n\n${USAGE}`);
    return 2;
  }
  const connection = resolveConnection(values, env);
  if ('missing' in connection) {
    io.stderr.write(`capflow flow: no credential: set ${connection.missing.join(', ')}\n`);
    return 2;
  }
  const rest = restClientOf(connection);
  if (values.period !== undefined || values.convention !== undefined) {
    const tierQuery = { symbol, convention: asSent<ConventionName>(values.convention), days: asSent<number>(values.days) };
    try {
      if (values.period !== undefined) {
        const history = await rest.history({ ...tierQuery, period: asSent<HistoryPeriodName>(values.period), from: values.from, to: values.to });
        io.stdout.write(values.json ? `${JSON.stringify(history, null, 2)}\n` : values.csv ? historyCsv(history) : historyTable(history));
      } else {
        const tiers = await rest.tiers({ ...tierQuery, date: values.date });
        io.stdout.write(values.json ? `${JSON.stringify(tiers, null, 2)}\n` : values.csv ? tiersCsv(tiers) : tiersTable(tiers));
      }
    } catch (error) {
      io.stderr.write(`capflow flow: ${explainApiError(error, { url: connection.url, symbol, appKey: connection.appKey })}\n`);
      return 1;
    }
    return 0;
  }
  let data: Intraday;
  try {
    data = await rest.intraday({ symbol, date: values.date, detail: values.detail ? '1' : undefined });
  } catch (error) {
    io.stderr.write(`capflow flow: ${explainApiError(error, { url: connection.url, symbol, appKey: connection.appKey })}\n`);
    return 1;
  }
  if (values.json) io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (values.csv) io.stdout.write(flowCsv(data, values.detail));
  else io.stdout.write(flowTable(data));
  return 0;
}

/** A flag's text as the server receives it: the server checks it and names a bad value, so the CLI does not. */
function asSent<T>(value: string | undefined): T | undefined {
  return value as T | undefined;
}

/** Header and one row per line; detail columns when the lines carry them. */
export function flowCsv(data: Intraday, detail: boolean): string {
  const tiers = ['large', 'medium', 'small', 'total'] as const;
  const header = ['timestamp', 'time', 'inflow'];
  if (detail) header.push(...tiers.map((tier) => `in_${tier}`), ...tiers.map((tier) => `out_${tier}`));
  const rows = data.lines.map((line) => {
    const row = [String(line.timestamp), line.time, line.inflow];
    if (detail && line.in && line.out) row.push(...tiers.map((tier) => line.in![tier]), ...tiers.map((tier) => line.out![tier]));
    return row.join(',');
  });
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** The table, then the summary and the sparkline (they stay in view after a long table). */
export function flowTable(data: Intraday): string {
  const values = data.lines.map((line) => toThousandths(line.inflow) ?? 0n);
  const rows: string[][] = [['time', `net inflow (${data.currency})`, 'change']];
  data.lines.forEach((line, index) => {
    const change = values[index]! - (index === 0 ? 0n : values[index - 1]!);
    rows.push([localMinute(line.time), groupAmount(line.inflow), formatThousandths(change, true)]);
  });
  const body = data.lines.length === 0 ? '(no lines yet: the first session of the day has not started)' : table(rows);
  return `${body}\n${flowSummary(data)}\n${data.lines.length > 0 ? `${sparkline(values)}\n` : ''}`;
}

/** One line: symbol, day, lines so far, last net inflow, high and low with their minutes. */
export function flowSummary(data: Intraday): string {
  const head = `${data.symbol} ${data.date}: ${data.lines.length}/${data.totalLines} lines`;
  if (data.lines.length === 0) return `${head}, no lines yet`;
  let high: Line = data.lines[0]!;
  let low: Line = data.lines[0]!;
  for (const line of data.lines) {
    if (toThousandths(line.inflow)! > toThousandths(high.inflow)!) high = line;
    if (toThousandths(line.inflow)! < toThousandths(low.inflow)!) low = line;
  }
  const last = data.lines[data.lines.length - 1]!;
  return (
    `${head}, net inflow ${groupAmount(last.inflow)} ${data.currency} at ${localMinute(last.time)}` +
    `, high ${groupAmount(high.inflow)} at ${localMinute(high.time)}, low ${groupAmount(low.inflow)} at ${localMinute(low.time)}`
  );
}
