/**
 * `npm run bench:classification [FILE…]`: every classification method on every real day with the
 * true aggressor side in the folder CAPFLOW_REAL_DATA names (and on canonical trade files with true sides given on
 * the command line): agreement by trades and by turnover, and the error of the day's net inflow.
 * The order-sequence rule needs order numbers, so it is measured on the SSE day from the raw
 * Level-2 file (raw/sse-szse-l2-trades-2023-02-01.csv.gz); 000001.SZ, which has no exchange
 * flag, is measured against the order-sequence rule as reference.
 */
import { existsSync } from 'node:fs';
import { calendarFor } from '../src/calendar/trading-calendar.js';
import { measureClassification, type DayAccuracy } from '../src/engine/classification/accuracy.js';
import { CsvRecordParser } from '../src/ingest/csv-record-parser.js';
import { readTextChunks, fileKindOf } from '../src/ingest/file-source.js';
import { l2TradeSource } from '../src/ingest/adapters/l2-trade-source.js';
import { parseTradeRecord } from '../src/ingest/trade-parser.js';
import type { SourceItem } from '../src/ingest/raw-record.js';
import { parseSymbol } from '../src/model/symbol.js';
import { Direction, type ClassificationMethod, type Trade } from '../src/model/trade.js';

// Real days that may not be redistributed with capflow: see src/real-data-test-kit.ts.
const DATA = process.env.CAPFLOW_REAL_DATA ?? '(CAPFLOW_REAL_DATA not set)';
const ENGINE_METHODS: ClassificationMethod[] = ['lee-ready', 'emo', 'clnv', 'tick'];

async function readCanonical(path: string): Promise<Trade[]> {
  const parser = new CsvRecordParser(path);
  const trades: Trade[] = [];
  const take = (items: SourceItem[]): void => {
    for (const item of items) {
      if ('error' in item) continue;
      const parsed = parseTradeRecord(item.line, item.fields);
      if (parsed.ok) trades.push(parsed.trade);
    }
  };
  await readTextChunks(path, fileKindOf(path).gzip, (text) => take(parser.push(text)));
  take(parser.end());
  return trades;
}

async function readL2(path: string, ignoreFlag: boolean): Promise<Trade[]> {
  const trades: Trade[] = [];
  for await (const batch of l2TradeSource({ file: path, ignoreFlag }).items()) {
    for (const item of batch) {
      if ('error' in item) continue;
      const parsed = parseTradeRecord(item.line, item.fields);
      if (parsed.ok) trades.push(item.classification ? { ...parsed.trade, classification: item.classification } : parsed.trade);
    }
  }
  return trades;
}

function measure(trades: Trade[], methods: ClassificationMethod[], alternatives = new Map<ClassificationMethod, Array<Direction | undefined>>()): DayAccuracy {
  const first = trades[0];
  if (!first) throw new Error('no trades');
  const market = parseSymbol(first.symbol)?.market;
  if (!market) throw new Error(`bad symbol ${first.symbol}`);
  const date = new Date(first.timestamp).toISOString().slice(0, 10);
  const schedule = calendarFor(market).schedule(date) ?? calendarFor(market).schedule(new Date(first.timestamp + 86_400_000).toISOString().slice(0, 10));
  if (!schedule) throw new Error(`no schedule for ${first.symbol} ${date}`);
  return measureClassification(schedule, trades, [...methods, ...alternatives.keys()], alternatives);
}

function table(day: DayAccuracy, reference: string): string {
  let text = `\n${day.symbol} ${day.date}: ${day.trades} trades, net inflow with the ${reference}: ${day.trueNetInflow}\n\n`;
  text += '| method | agreement by trades | by turnover | net inflow of the day | error |\n|---|---|---|---|---|\n';
  for (const m of day.methods) {
    text += `| ${m.method} | ${m.byTrades} % (${m.agreed}/${m.compared}) | ${m.byTurnover} % | ${m.netInflow} | ${m.netError} |\n`;
  }
  return text;
}

async function main(): Promise<void> {
  const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  if (!existsSync(DATA) && files.length === 0) {
    console.log(`${DATA} is not present: give canonical trade files with true sides on the command line`);
    return;
  }
  const days = existsSync(DATA) ? ['lobster-goog-2012-06-21.csv.gz', 'lobster-amzn-2012-06-21.csv.gz'].map((f) => `${DATA}/${f}`) : [];
  for (const path of [...days, ...files]) {
    console.log(table(measure(await readCanonical(path), ENGINE_METHODS), 'true side'));
  }
  const raw = `${DATA}/raw/sse-szse-l2-trades-2023-02-01.csv.gz`;
  if (existsSync(raw)) {
    const flagged = await readL2(raw, false);
    const bySequence = await readL2(raw, true);
    for (const symbol of ['600000.SH', '000001.SZ']) {
      const truth = flagged.filter((t) => t.symbol === symbol);
      const sequence = bySequence.filter((t) => t.symbol === symbol);
      if (symbol === '600000.SH') {
        const alternatives = new Map<ClassificationMethod, Array<Direction | undefined>>([['order-sequence', sequence.map((t) => t.direction)]]);
        console.log(table(measure(truth, ENGINE_METHODS, alternatives), "exchange's TradeBSFlag (true side)"));
      } else {
        // No exchange flag: the order-sequence sides (100 % on the SSE day) are the reference.
        console.log(table(measure(sequence, ENGINE_METHODS), 'order-sequence rule (reference; no exchange flag)'));
      }
    }
  }
}

await main();
