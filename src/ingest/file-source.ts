import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CapflowError, invalidRequest } from '../model/errors.js';

/** Record formats and how a file name selects one. */
export type RecordFormat = 'csv' | 'ndjson';

export interface FileKind {
  readonly format: RecordFormat;
  readonly gzip: boolean;
}

const EXTENSIONS: ReadonlyArray<readonly [string, RecordFormat]> = [
  ['.csv', 'csv'],
  ['.ndjson', 'ndjson'],
  ['.jsonl', 'ndjson'],
];

/** Format of a file by its extension (`.csv`, `.ndjson`, `.jsonl`, each optionally `.gz`). */
export function fileKindOf(path: string): FileKind {
  const lower = path.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const name = gzip ? lower.slice(0, -3) : lower;
  for (const [extension, format] of EXTENSIONS) {
    if (name.endsWith(extension)) return { format, gzip };
  }
  throw invalidRequest(`${path}: unknown file type (expected .csv, .ndjson or .jsonl, optionally followed by .gz)`);
}

const CHUNK_BYTES = 1 << 20;

/** Size of a regular file, or a clear error. */
export async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalidRequest(`${path}: not a regular file`);
    return info.size;
  } catch (error) {
    if (error instanceof CapflowError) throw error;
    throw invalidRequest(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** sha256 (hex) of a file's bytes, streamed; `onBytes` gets the running byte count. */
export async function hashFile(path: string, onBytes?: (bytesRead: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let bytesRead = 0;
  await pipeline(createReadStream(path, { highWaterMark: CHUNK_BYTES }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      hash.update(chunk);
      bytesRead += chunk.length;
      onBytes?.(bytesRead);
    }
  });
  return hash.digest('hex');
}

/**
 * Streams a file as decoded UTF-8 text chunks (gunzipped when `gzip`), never holding more
 * than a chunk in memory; the consumer is awaited before more is read (backpressure).
 * `onBytes` gets the running count of file bytes read (compressed bytes for .gz).
 */
export async function readTextChunks(
  path: string,
  gzip: boolean,
  consume: (text: string) => Promise<void> | void,
  onBytes?: (bytesRead: number) => void,
): Promise<void> {
  let bytesRead = 0;
  const input = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const count = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      bytesRead += chunk.length;
      onBytes?.(bytesRead);
      yield chunk;
    }
  };
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const sink = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) await consume(text);
    }
    const rest = decoder.decode();
    if (rest.length > 0) await consume(rest);
  };
  try {
    if (gzip) await pipeline(input, count, createGunzip({ chunkSize: 256 * 1024 }), sink);
    else await pipeline(input, count, sink);
  } catch (error) {
    throw gzipDataError(path, error);
  }
}

/** A zlib failure reading `path` as the clear error users see; any other error as it is. */
export function gzipDataError(path: string, error: unknown): unknown {
  if (error instanceof CapflowError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return invalidRequest(`${path}: corrupt gzip data (${(error as Error).message})`);
  }
  return error;
}
