import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { FlowStore } from '../../store/flow-store.js';
import { BatchIngester, type IngestFormat, type IngestOptions, type IngestSummary } from '../batch-ingester.js';
import type { SourceItem } from '../raw-record.js';

/**
 * A feed in a format of its own, turned by an adapter into canonical records: the same
 * validation, deduplication, batching and resumable checkpoints as a canonical file.
 */
export interface AdapterSource {
  /** Name shown in the summary (a file path). */
  readonly name: string;
  readonly format: IngestFormat;
  /** Identity for resuming (hash of the input files); undefined: append without a checkpoint. */
  readonly sourceId: string | undefined;
  /** Canonical records in source order, in batches. Throws a CapflowError for a file-level problem. */
  items(): AsyncIterable<SourceItem[]>;
  /** Records the adapter dropped on purpose (e.g. SZSE cancellations), with the reason; not rejections. */
  readonly dropped?: () => ReadonlyMap<string, number>;
}

/** Ingests an adapter's records into the store (see ingestFile for the guarantees). */
export async function ingestAdapterSource(store: FlowStore, source: AdapterSource, options: IngestOptions = {}): Promise<IngestSummary> {
  const start = source.sourceId === undefined ? 0 : await store.sourcePosition(source.sourceId);
  const ingester = new BatchIngester(store, source.sourceId, start, options);
  for await (const batch of source.items()) {
    await ingester.yieldIfDue();
    await ingester.take(batch);
  }
  return ingester.finish(source.name, source.format);
}

/** Lines of a text file (gunzipped when its name ends in `.gz`), streamed. */
export function textLines(path: string): AsyncIterableIterator<string> {
  const input = createReadStream(path);
  const stream = path.toLowerCase().endsWith('.gz') ? input.pipe(createGunzip()) : input;
  input.on('error', (error) => stream.destroy(error));
  return createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
}

/** Characters of a body handed to a reader at a time. */
const BODY_SLICE_CHARS = 1 << 14;

/**
 * The text of an adapter's input in chunks, line breaks untouched (a CSV reader counts lines
 * itself: a lone CR is a line break there): the body when one is given, else the file
 * (gunzipped when its name ends in `.gz`), streamed.
 */
export async function* inputText(file: string, body: string | undefined): AsyncGenerator<string> {
  if (body !== undefined) {
    for (let at = 0; at < body.length; at += BODY_SLICE_CHARS) yield body.slice(at, at + BODY_SLICE_CHARS);
    return;
  }
  const input = createReadStream(file);
  const stream = file.toLowerCase().endsWith('.gz') ? input.pipe(createGunzip()) : input;
  input.on('error', (error) => stream.destroy(error));
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

/** Integer text `units` at `scale` as the shortest exact decimal text (`5794000`, 4 → `579.4`). */
export function scaledIntegerText(units: string, scale: number): string {
  const digits = units.replace(/^0+(?=\d)/, '');
  if (scale === 0) return digits;
  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale);
  const fraction = padded.slice(padded.length - scale).replace(/0+$/, '');
  return fraction.length === 0 ? whole : `${whole}.${fraction}`;
}

/**
 * Decimal text with float noise (`15.029999999999999`) rounded half away from zero to `decimals`,
 * then written without trailing zeros; undefined when not unsigned decimal text.
 */
export function roundDecimalText(text: string, decimals: number): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const whole = match[1] as string;
  const fraction = match[2] ?? '';
  const kept = BigInt(whole + fraction.slice(0, decimals).padEnd(decimals, '0'));
  const roundUp = fraction.length > decimals && (fraction.charCodeAt(decimals) - 48) >= 5;
  return scaledIntegerText((roundUp ? kept + 1n : kept).toString(), decimals);
}
