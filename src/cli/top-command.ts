import type { ConventionName, RankByName, Rankings } from '../contract/schemas.js';
import { explainApiError } from './api-error-messages.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE } from './server-connection.js';
import { commandHelp, HELP_OPTION, readCommandLine, type CommandSpec } from './command-spec.js';
import { groupAmount, table } from './flow-format.js';
import type { CliIo } from './main.js';
import { resolveConnection, restClientOf } from './server-connection.js';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  market: { type: 'string', value: 'HK|US|CN|SG', description: 'the market to rank (required)' },
  by: { type: 'string', value: 'net|main-force', description: 'rank by net inflow (default) or by main-force net' },
  convention: { type: 'string', value: 'longport|eastmoney|futu', description: 'the size-tier convention behind main force (default longport)' },
  days: { type: 'string', value: '1|3|5|10', description: 'trading days summed, ending at --date (default 1)' },
  date: { type: 'string', value: 'YYYY-MM-DD', description: "the window's last trading day (default: the served day)" },
  limit: { type: 'string', default: '20', value: 'N', description: 'how many to print (at most 500)' },
  offset: { type: 'string', value: 'N', description: 'skip the first N ranks' },
  asc: { type: 'boolean', default: false, description: 'the least money first' },
  sector: { type: 'string', value: 'NAME', description: 'only the members of this sector, exactly as written' },
  json: { type: 'boolean', default: false, description: "print the API's data as JSON" },
  csv: { type: 'boolean', default: false, description: 'print one CSV row per security' },
  help: HELP_OPTION,
} as const;

export const TOP_COMMAND = {
  name: 'top',
  summary: "rank a market's securities by the money they took in over 1, 3, 5 or 10 trading days",
  usage: ['--market HK|US|CN|SG [--by net|main-force] [--days 1|3|5|10] [--limit N] [--json | --csv]'],
  description:
    'Prints rank, symbol, name, sector, value (net inflow or main-force net), inflow and outflow, from a running server; ties are broken by symbol.',
  options: OPTIONS,
  notes: CONNECTION_USAGE,
} satisfies CommandSpec;
const USAGE = commandHelp(TOP_COMMAND);

export async function runTopCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = readCommandLine(TOP_COMMAND, argv, io, false);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const problem = values.market === undefined ? '--market is required, e.g. capflow top --market CN' : values.json && values.csv ? '--json and --csv exclude each other' : undefined;
  if (problem) {
    io.stderr.write(`capflow top: ${problem}\n\n${USAGE}`);
    return 2;
  }
  const connection = resolveConnection(values, env);
  if ('missing' in connection) {
    io.stderr.write(`capflow top: no credential: set ${connection.missing.join(', ')}\n`);
    return 2;
  }
  // The server checks every value and names a bad one; the CLI only spells `main-force` as the API does.
  const by = values.by === undefined ? undefined : (values.by.replace('-', '_') as RankByName);
  let data: Rankings;
  try {
    data = await restClientOf(connection).rankings({
      market: values.market!.toUpperCase() as Rankings['market'],
      by,
      convention: values.convention as ConventionName | undefined,
      days: values.days as '1' | undefined,
      date: values.date,
      limit: values.limit as unknown as number,
      offset: values.offset as unknown as number | undefined,
      order: values.asc ? 'asc' : undefined,
      sector: values.sector,
    });
  } catch (error) {
    io.stderr.write(`capflow top: ${explainApiError(error, { url: connection.url, appKey: connection.appKey })}\n`);
    return 1;
  }
  io.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : values.csv ? rankingsCsv(data) : rankingsTable(data));
  return 0;
}

/** CSV field: quoted when it holds a comma, quote or line break. */
function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function rankingsCsv(data: Rankings): string {
  const rows = data.items.map((item) => [String(item.rank), item.symbol, item.name ?? '', item.sector ?? '', item.value, item.inflow, item.outflow].map(field).join(','));
  return `${['rank,symbol,name,sector,value,inflow,outflow', ...rows].join('\n')}\n`;
}

export function rankingsTable(data: Rankings): string {
  const what = data.by === 'net' ? 'net inflow' : `main-force net (${data.convention ?? 'longport'})`;
  const window = data.days === 1 ? data.date : `${data.dates[0]} – ${data.date}, ${data.days} trading days`;
  const head = `${data.market} ${what}, ${window}: ${data.items.length} of ${data.total} ranked`;
  if (data.items.length === 0) return `${head}\n(no security traded in the window)\n`;
  const rows = [['#', 'symbol', 'name', 'sector', what, 'inflow', 'outflow']];
  for (const item of data.items) rows.push([String(item.rank), item.symbol, item.name ?? '', item.sector ?? '', groupAmount(item.value), groupAmount(item.inflow), groupAmount(item.outflow)]);
  return `${head}\n${table(rows)}\n`;
}
