import { createHash } from 'node:crypto';
import {
  ingestAdapterSource,
  l2TradeSource,
  lobsterSource,
  mappedFileSource,
  parseColumnMap,
  parseSideMap,
  validateMapping,
  type AdapterSource,
  type ColumnMapping,
} from '../ingest/adapters/index.js';
import type { IngestOptions, IngestSummary } from '../ingest/batch-ingester.js';
import { fileKindOf, fileSize, hashFile } from '../ingest/file-source.js';
import { usageMistake, type CommandOutput, type CommandSpec } from './command-spec.js';
import { isClassificationMethod, type ClassificationMethod } from '../model/trade.js';
import type { FlowStore } from '../store/flow-store.js';

/** How `capflow ingest` reads its files: canonical CSV/NDJSON, or one of the feed adapters. */
export type FeedChoice = { readonly classification: ClassificationMethod | undefined } & (
  | { readonly kind: 'canonical' }
  | { readonly kind: 'lobster'; readonly orderbook: string; readonly symbol?: string; readonly date?: string }
  | { readonly kind: 'l2'; readonly date?: string }
  | { readonly kind: 'mapped'; readonly mapping: ColumnMapping }
);

export interface FeedFlags {
  readonly format?: string | undefined;
  readonly orderbook?: string | undefined;
  readonly symbol?: string | undefined;
  readonly date?: string | undefined;
  readonly map?: string | undefined;
  readonly 'time-zone'?: string | undefined;
  readonly sides?: string | undefined;
  readonly classify?: string | undefined;
}

/**
 * Methods a source may choose: one of the engine's rules for trades without a side, or the
 * order-sequence rule, which needs the order numbers of a Level-2 file (`--format l2`): it then
 * decides every continuous-session trade's side from them, the exchange's flag set aside.
 */
const CHOOSABLE = ['lee-ready', 'emo', 'clnv', 'tick', 'order-sequence'];

/** Rejection reasons a command prints per file unless `--max-rejections` says otherwise. */
const PRINTED_REJECTIONS = 20;

/** What `ingest` and `compute` read from their feed flags and files. */
export interface FeedInputs {
  readonly feed: FeedChoice;
  /** Rejection reasons printed per file (all are counted). */
  readonly maxRejections: number;
}

/**
 * The feed flags and files of `ingest` and `compute`, checked alike before any is read: the feed
 * choice, `--max-rejections`, and every file (and LOBSTER orderbook) readable and, for canonical
 * input, of a known kind. Otherwise the exit code: 2 after a usage mistake, 1 for a file.
 */
export async function checkFeedInputs(
  spec: CommandSpec,
  flags: FeedFlags & { readonly 'max-rejections'?: string | undefined },
  files: readonly string[],
  io: CommandOutput,
): Promise<FeedInputs | number> {
  const text = flags['max-rejections'];
  const maxRejections = text === undefined ? PRINTED_REJECTIONS : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(maxRejections)) return usageMistake(spec, io, '--max-rejections must be a non-negative integer');
  let feed: FeedChoice;
  try {
    feed = feedChoice(flags, files);
  } catch (error) {
    return usageMistake(spec, io, (error as Error).message);
  }
  // Every file before any is read, so a typo in the last name does not leave a half run.
  for (const file of [...files, ...(flags.orderbook === undefined ? [] : [flags.orderbook])]) {
    try {
      if (feed.kind === 'canonical') fileKindOf(file);
      await fileSize(file);
    } catch (error) {
      io.stderr.write(`capflow ${spec.name}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return { feed, maxRejections };
}

/** Reads and checks the feed flags; throws an Error whose message is the usage problem. */
export function feedChoice(flags: FeedFlags, files: readonly string[]): FeedChoice {
  let classification: ClassificationMethod | undefined;
  if (flags.classify !== undefined) {
    if (!isClassificationMethod(flags.classify) || !CHOOSABLE.includes(flags.classify)) {
      throw new Error(`--classify must be one of ${CHOOSABLE.join(', ')}`);
    }
    classification = flags.classify;
  }
  const format = flags.format ?? (flags.map !== undefined ? 'mapped' : 'canonical');
  if (classification === 'order-sequence' && format !== 'l2') {
    throw new Error('--classify order-sequence needs the buy and sell order numbers of a Level-2 file: use it with --format l2');
  }
  const only = (allowed: readonly (keyof FeedFlags)[]): void => {
    for (const flag of ['orderbook', 'symbol', 'date', 'map', 'time-zone', 'sides'] as const) {
      if (flags[flag] !== undefined && !allowed.includes(flag)) throw new Error(`--${flag} does not apply to --format ${format}`);
    }
  };
  switch (format) {
    case 'csv':
    case 'ndjson':
    case 'canonical':
      only([]);
      return { kind: 'canonical', classification };
    case 'lobster':
      only(['orderbook', 'symbol', 'date']);
      if (flags.orderbook === undefined) throw new Error('--format lobster needs --orderbook FILE (the message file is the FILE argument)');
      if (files.length !== 1) throw new Error('--format lobster takes exactly one message FILE');
      return {
        kind: 'lobster',
        classification,
        orderbook: flags.orderbook,
        ...(flags.symbol === undefined ? {} : { symbol: flags.symbol }),
        ...(flags.date === undefined ? {} : { date: flags.date }),
      };
    case 'l2':
      only(['date']);
      return { kind: 'l2', classification, ...(flags.date === undefined ? {} : { date: flags.date }) };
    case 'mapped': {
      only(['map', 'symbol', 'date', 'time-zone', 'sides']);
      const mapping: ColumnMapping = {
        columns: parseColumnMap(flags.map ?? ''),
        ...(flags.symbol === undefined ? {} : { symbol: flags.symbol }),
        ...(flags['time-zone'] === undefined ? {} : { timeZone: flags['time-zone'] }),
        ...(flags.date === undefined ? {} : { date: flags.date }),
        ...(flags.sides === undefined ? {} : { sides: parseSideMap(flags.sides) }),
      };
      validateMapping(mapping);
      return { kind: 'mapped', classification, mapping };
    }
    default:
      throw new Error(`--format must be csv, ndjson, lobster or l2 (or give --map), got ${JSON.stringify(format)}`);
  }
}

/**
 * Ingests one file through its adapter. The source id covers the input files' contents and the
 * options that change what they mean, so the same run resumes and a different mapping does not.
 */
export async function ingestFeedFile(
  store: FlowStore,
  feed: Exclude<FeedChoice, { kind: 'canonical' }>,
  file: string,
  options: IngestOptions,
  io: { readonly stdout: { write(text: string): unknown } },
): Promise<IngestSummary> {
  const hashes = [await hashFile(file)];
  if (feed.kind === 'lobster') hashes.push(await hashFile(feed.orderbook));
  const meaning = createHash('sha256').update(JSON.stringify(feed)).digest('hex').slice(0, 16);
  const sourceId = `${feed.kind}:${hashes.join(':')}:${meaning}`;
  const source = feedSource(feed, file, sourceId);
  const summary = await ingestAdapterSource(store, source, options);
  for (const [reason, count] of source.dropped?.() ?? []) io.stdout.write(`${file}: ${count} ${reason} dropped (not trades)\n`);
  return summary;
}

/**
 * The method recorded with trades that reach the engine without a side: the chosen rule, or
 * none for the order-sequence rule (the adapter records it with each trade it decides; a trade
 * without order numbers is classified by the engine's default).
 */
export function engineClassification(feed: FeedChoice): ClassificationMethod | undefined {
  return feed.classification === 'order-sequence' ? undefined : feed.classification;
}

/** The adapter that reads one file of a feed format as canonical trade records. */
export function feedSource(feed: Exclude<FeedChoice, { kind: 'canonical' }>, file: string, sourceId?: string): AdapterSource {
  const id = sourceId === undefined ? {} : { sourceId };
  switch (feed.kind) {
    case 'lobster':
      return lobsterSource({
        messageFile: file,
        orderbookFile: feed.orderbook,
        ...id,
        ...(feed.symbol === undefined ? {} : { symbol: feed.symbol }),
        ...(feed.date === undefined ? {} : { date: feed.date }),
      });
    case 'l2':
      return l2TradeSource({ file, ...id, ...(feed.date === undefined ? {} : { date: feed.date }), ...(feed.classification === 'order-sequence' ? { ignoreFlag: true } : {}) });
    case 'mapped':
      return mappedFileSource({ file, mapping: feed.mapping, ...id });
  }
}
