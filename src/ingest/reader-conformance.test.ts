/** Every trade reader, into memory or into the store, on one or two threads, plain or gzipped, through the same conformance cases. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { gzipSync } from 'node:zlib';
import { calendarFor } from '../calendar/trading-calendar.js';
import { DayFlow } from '../engine/index.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import type { Rejection } from './trade-parser.js';
import { csvFileToLines, type CsvLinesSummary } from './fast-csv-lines.js';
import { FileLines } from './file-lines.js';
import { ingestFile } from './ingest-file.js';
import { ingestRecords } from './ingest-records.js';
import { csvFileToLinesPipelined } from './pipelined-csv-lines.js';
import { describeReaderConformance, type ReaderOutcome } from './reader-conformance-suite.js';

const work = mkdtempSync(join(tmpdir(), 'capflow-readers-'));
after(() => rmSync(work, { recursive: true, force: true }));
let files = 0;
const DATE = '2024-06-14';

function inputFile(text: string, extension: string, gzip = false): string {
  const path = join(work, `input-${files++}${extension}${gzip ? '.gz' : ''}`);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

function rejectionsOf(rejections: readonly Rejection[]): string[] {
  return rejections.map((rejection) => (rejection.field === undefined ? String(rejection.line) : `${rejection.line}:${rejection.field}`));
}

function asText(lines: readonly { timestamp: number; inflow: string }[] | undefined): string[] {
  return (lines ?? []).map((line) => `${line.timestamp} ${line.inflow}`);
}

function inMemory(summary: CsvLinesSummary, lines: readonly { timestamp: number; inflow: string }[] | undefined): ReaderOutcome {
  const { accepted, outsideSessions, duplicates, rejected } = summary;
  return { accepted, outsideSessions, duplicates, rejected, rejections: rejectionsOf(summary.rejections), lines: asText(lines) };
}

/** Stores the input with `store`'s ingest, then rebuilds 700.HK's day from the stored trades in their order. */
async function viaStore(ingest: (store: SqliteFlowStore) => Promise<{ accepted: number; outsideSessions: number; duplicates: number; rejected: number; rejections: Rejection[] }>): Promise<ReaderOutcome> {
  const store = await SqliteFlowStore.open(join(work, `store-${files++}`));
  try {
    const summary = await ingest(store);
    const trades = await store.tradesOfDay('700.HK', DATE);
    const day = new DayFlow(calendarFor('HK').schedule(DATE)!);
    for (const trade of trades) day.add(trade);
    const { accepted, outsideSessions, duplicates, rejected } = summary;
    return { accepted, outsideSessions, duplicates, rejected, rejections: rejectionsOf(summary.rejections), lines: asText(day.lines(Number.MAX_SAFE_INTEGER)) };
  } finally {
    await store.close();
  }
}

describeReaderConformance('CSV → lines, one thread (csvFileToLines)', 'csv', async (text) => {
  const { builder, summary } = await csvFileToLines(inputFile(text, '.csv'));
  return inMemory(summary, builder.lines('700.HK', DATE));
});

describeReaderConformance('CSV → lines, two threads (capflow compute: csvFileToLinesPipelined, every row through the reader thread)', 'csv', async (text) => {
  const { builder, summary } = await csvFileToLinesPipelined(inputFile(text, '.csv'), { chunkBytes: 1024, handOverBelow: -1 });
  return inMemory(summary, builder.lines('700.HK', DATE));
});

describeReaderConformance('gzipped CSV → lines (capflow compute)', 'csv', async (text) => {
  const lines = new FileLines();
  const summary = await lines.addFile(inputFile(text, '.csv', true));
  return inMemory(summary, lines.days().find((day) => day.symbol === '700.HK' && day.date === DATE)?.lines);
});

describeReaderConformance('NDJSON → lines (capflow compute)', 'ndjson', async (text) => {
  const lines = new FileLines();
  const summary = await lines.addFile(inputFile(text, '.ndjson'));
  return inMemory(summary, lines.days().find((day) => day.symbol === '700.HK' && day.date === DATE)?.lines);
});

describeReaderConformance('CSV file → store, one thread (capflow ingest --threads 1)', 'csv', (text) => viaStore((store) => ingestFile(store, inputFile(text, '.csv'), { threads: 1 })));

describeReaderConformance('CSV file → store, two threads (capflow ingest)', 'csv', (text) => viaStore((store) => ingestFile(store, inputFile(text, '.csv'), { threads: 2 })));

describeReaderConformance('gzipped CSV file → store (capflow ingest)', 'csv', (text) => viaStore((store) => ingestFile(store, inputFile(text, '.csv', true))));

describeReaderConformance('NDJSON file → store (capflow ingest)', 'ndjson', (text) => viaStore((store) => ingestFile(store, inputFile(text, '.ndjson'))));

describeReaderConformance('CSV body → store (POST /v1/ingest?format=csv)', 'csv', (text) => viaStore((store) => ingestRecords(store, text, { format: 'csv' })));

describeReaderConformance('NDJSON body → store (POST /v1/ingest)', 'ndjson', (text) => viaStore((store) => ingestRecords(store, Buffer.from(text), { format: 'ndjson' })));
