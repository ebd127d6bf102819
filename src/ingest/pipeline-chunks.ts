/** What the two threads of `csvFileToLinesPipelined` share: chunk buffers, their state words and messages. */

/** A chunk's state word: the reader thread may fill it, or the applying thread holds it. */
export const CHUNK_FREE = 0;
export const CHUNK_WITH_APPLIER = 1;

export interface SharedChunk {
  /** The chunk's bytes (a line carried over from the previous chunk, then what was read). */
  readonly bytes: SharedArrayBuffer;
  /** Its records (`CsvRowReader`), RECORD_STRIDE numbers each. */
  readonly records: SharedArrayBuffer;
}

export interface PipelineWorkerInput {
  readonly path: string;
  readonly chunks: readonly SharedChunk[];
  /** One Int32 state word per chunk. */
  readonly states: SharedArrayBuffer;
  readonly recordCapacity: number;
  /** The reader thread hands a chunk over unread while the applying thread holds at most this many. */
  readonly handOverBelow: number;
  /** Rows stamped later go over raw (`CsvRowReader`); none when absent. */
  readonly latestTimestamp?: number;
}

/** Reader thread → applying thread: chunk `slot` holds `count` records (the last message has `done`). */
export interface PipelineChunkMessage {
  readonly slot: number;
  readonly count: number;
  readonly done: boolean;
  /** File bytes read so far (for progress). */
  readonly position?: number;
}
