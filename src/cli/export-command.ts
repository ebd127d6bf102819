import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exchangeTime } from '../calendar/time-zone.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import { DayFlow } from '../engine/index.js';
import { decimalToString } from '../model/decimal.js';
import type { Market } from '../model/market.js';
import { parseSymbol } from '../model/symbol.js';
import type { DayArchive } from '../store/day-archive.js';
import type { FlowStore, StoredTrade } from '../store/flow-store.js';
import { openDayArchive } from './retention-runtime.js';
import { isSharedStoreUrl, openFlowStore } from './scale-out-adapters.js';
import { commandHelp, HELP_OPTION, type CommandSpec } from './command-spec.js';
import type { CliIo } from './main.js';

const OPTIONS = {
  data: { type: 'string', value: 'DIR', description: 'data directory of the embedded store' },
  store: { type: 'string', value: 'postgres://…', description: "instead of --data: a fleet's PostgreSQL store" },
  symbol: { type: 'string', value: 'SYMBOL', description: 'the symbol, e.g. 700.HK' },
  from: { type: 'string', value: 'YYYY-MM-DD', description: 'the first trading day' },
  to: { type: 'string', value: 'YYYY-MM-DD', description: 'the last trading day' },
  trades: { type: 'boolean', default: false, description: 'export the trades, in the ingest format (the default)' },
  lines: { type: 'boolean', default: false, description: 'export the minute lines instead of the trades' },
  format: { type: 'string', default: 'csv', value: 'csv|ndjson', description: 'the output format' },
  out: { type: 'string', value: 'FILE', description: 'write to FILE instead of standard output' },
  help: HELP_OPTION,
} as const;

export const EXPORT_COMMAND: CommandSpec = {
  name: 'export',
  summary: "export a symbol's stored trades or minute lines over a range of days",
  usage: ['(--data DIR | --store postgres://…) --symbol SYMBOL --from YYYY-MM-DD --to YYYY-MM-DD [--trades | --lines] [--format csv|ndjson] [--out FILE]'],
  description:
    'Times are exchange-local ISO 8601 with milliseconds and offset, as the CLI and REST API write them; an exported trades file ingests back into the same trades.',
  options: OPTIONS,
};
export const EXPORT_USAGE = commandHelp(EXPORT_COMMAND);

const DIRECTION_WORDS = ['neutral', 'down', 'up'] as const;
const TRADE_COLUMNS = ['symbol', 'timestamp', 'price', 'volume', 'direction', 'trade_id', 'bid', 'ask', 'trade_type'] as const;
const LINE_COLUMNS = ['symbol', 'date', 'timestamp', 'time', 'inflow'] as const;

/** RFC 4180: quote a field holding a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A trade as an export row, in the ingest format (re-ingesting an export gives the same trades).
 * Its time is exchange-local ISO 8601 with milliseconds and offset, as the CLI and REST write times.
 */
function tradeRow(trade: StoredTrade, market: Market): Record<(typeof TRADE_COLUMNS)[number], string | number> {
  return {
    symbol: trade.symbol,
    timestamp: exchangeTime(market, trade.timestamp, true),
    price: decimalToString(trade.price),
    volume: trade.volume,
    direction: trade.direction === undefined ? '' : DIRECTION_WORDS[trade.direction],
    trade_id: trade.tradeId ?? '',
    bid: trade.bid === undefined ? '' : decimalToString(trade.bid),
    ask: trade.ask === undefined ? '' : decimalToString(trade.ask),
    trade_type: trade.tradeType ?? '',
  };
}

class RowWriter {
  private headerDone = false;
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly format: 'csv' | 'ndjson',
    private readonly columns: readonly string[],
  ) {}

  write(row: Record<string, string | number>): void {
    if (this.format === 'ndjson') {
      this.out.write(`${JSON.stringify(row)}\n`);
      return;
    }
    if (!this.headerDone) {
      this.out.write(`${this.columns.join(',')}\n`);
      this.headerDone = true;
    }
    this.out.write(`${this.columns.map((column) => csvField(String(row[column] ?? ''))).join(',')}\n`);
  }

  finish(): void {
    if (this.format === 'csv' && !this.headerDone) this.out.write(`${this.columns.join(',')}\n`);
  }
}

export async function runExportCommand(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
    }).values;
  } catch (error) {
    io.stderr.write(`capflow export: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(EXPORT_USAGE);
    return 0;
  }
  const symbol = values.symbol ? parseSymbol(values.symbol) : undefined;
  const shared = isSharedStoreUrl(values.store);
  const problem = values.store !== undefined && !shared
    ? `--store must be postgres://…, got ${JSON.stringify(values.store)}`
    : !values.data && !shared
    ? '--data DIR is required (or --store postgres://…)'
    : !symbol
      ? `--symbol must be TICKER.REGION (HK, US, SH, SZ, SG), got ${JSON.stringify(values.symbol ?? '')}`
      : !values.from || !/^\d{4}-\d{2}-\d{2}$/.test(values.from)
        ? '--from must be a date YYYY-MM-DD'
        : !values.to || !/^\d{4}-\d{2}-\d{2}$/.test(values.to)
          ? '--to must be a date YYYY-MM-DD'
          : values.from > values.to
            ? '--from must not be after --to'
            : values.trades && values.lines
              ? 'choose one of --trades and --lines'
              : values.format !== 'csv' && values.format !== 'ndjson'
                ? `--format must be csv or ndjson, got ${JSON.stringify(values.format)}`
                : undefined;
  if (problem || !symbol || !values.from || !values.to) {
    io.stderr.write(`capflow export: ${problem}\n${EXPORT_USAGE}`);
    return 2;
  }
  const format = values.format as 'csv' | 'ndjson';
  const out = values.out ? createWriteStream(resolve(values.out)) : io.stdout;
  const dataDir = values.data === undefined ? undefined : resolve(values.data);
  let store: FlowStore;
  let archive: DayArchive | undefined;
  try {
    store = await openFlowStore(values.store, dataDir);
    archive = await openDayArchive(values.store, dataDir);
  } catch (error) {
    io.stderr.write(`capflow export: ${(error as Error).message}\n`);
    if (out !== io.stdout) (out as NodeJS.WritableStream).end();
    return 1;
  }
  try {
    const days = (await store.daysOf(symbol.symbol)).filter((day) => day.date >= values.from! && day.date <= values.to!);
    if (values.trades) {
      const writer = new RowWriter(out, format, TRADE_COLUMNS);
      let trimmed = 0;
      for (const day of days) {
        const trades = await store.tradesOfDay(symbol.symbol, day.date);
        if (trades.length === 0 && (await archive?.day(symbol.symbol, day.date))) trimmed++;
        for (const trade of trades) writer.write(tradeRow(trade, symbol.market));
      }
      writer.finish();
      if (trimmed > 0) io.stderr.write(`capflow export: ${trimmed} day(s) in the range keep only lines (raw trades removed by retention)\n`);
    } else {
      const writer = new RowWriter(out, format, LINE_COLUMNS);
      for (const day of days) {
        const trades = await store.tradesOfDay(symbol.symbol, day.date);
        let lines: ReadonlyArray<{ timestamp: number; inflow: string }>;
        if (trades.length > 0) {
          const schedule = calendarFor(symbol.market).schedule(day.date);
          if (!schedule) continue;
          const flow = new DayFlow(schedule);
          for (const trade of trades) flow.add(trade);
          lines = flow.lines(Number.MAX_SAFE_INTEGER);
        } else {
          lines = (await archive?.day(symbol.symbol, day.date))?.lines ?? [];
        }
        for (const line of lines) {
          writer.write({ symbol: symbol.symbol, date: day.date, timestamp: line.timestamp, time: exchangeTime(symbol.market, line.timestamp * 1000), inflow: line.inflow });
        }
      }
      writer.finish();
    }
  } finally {
    await archive?.close();
    await store.close();
    if (out !== io.stdout) await new Promise<void>((done) => (out as NodeJS.WritableStream).end(() => done()));
  }
  return 0;
}
