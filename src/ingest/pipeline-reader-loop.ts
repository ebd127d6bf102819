/**
 * The reader thread's loop of `csvFileToLinesPipelined`, apart from threads and files so that
 * tests can drive it in one thread: fill the next free chunk (the line left unfinished by the
 * previous chunk first), cut it after its last line break, read its rows into records
 * (`CsvRowReader`) or hand it over unread, publish it.
 */
import { CsvRowReader } from './csv-row-reader.js';

const LF = 10;

export interface ReaderLoopChunk {
  readonly bytes: Buffer;
  readonly records: Float64Array;
}

export interface ReaderLoopIo {
  /** Waits until chunk `slot` is free again. */
  acquire(slot: number): void;
  /** Reads file bytes from `position` into `bytes[at .. at + length)`; answers how many (0 at the end). */
  read(bytes: Buffer, at: number, length: number, position: number): number;
  /** How many chunks the applying side holds now (for the hand-over decision). */
  held(): number;
  /** Hands chunk `slot`, holding `count` records, to the applying side. */
  publish(slot: number, count: number): void;
}

/** Runs until the end of the input; every byte ends up in exactly one published record, in order. */
export function runReaderLoop(
  chunks: readonly ReaderLoopChunk[],
  recordCapacity: number,
  handOverBelow: number,
  io: ReaderLoopIo,
  latestTimestamp = Number.POSITIVE_INFINITY,
): void {
  const reader = new CsvRowReader(latestTimestamp);
  let position = 0;
  let previous: Buffer | undefined;
  let carryStart = 0;
  let carryEnd = 0;
  for (let n = 0; ; n++) {
    const slot = n % chunks.length;
    io.acquire(slot);
    const { bytes, records } = chunks[slot]!;
    const carried = carryEnd - carryStart;
    if (carried > 0) (previous as Buffer).copy(bytes, 0, carryStart, carryEnd);
    const read = carried < bytes.length ? io.read(bytes, carried, bytes.length - carried, position) : 0;
    position += read;
    const filled = carried + read;
    let to = filled;
    let count: number;
    if (read === 0) {
      // The end of the input: what is left is its last line, without a line break.
      count = reader.read(bytes, 0, to, records, recordCapacity);
    } else {
      const lastLf = bytes.lastIndexOf(LF, filled - 1);
      if (lastLf === -1) {
        // No line break in a whole chunk: a line longer than a chunk goes over raw, in pieces.
        count = reader.read(bytes, 0, to, records, recordCapacity, true);
        reader.continuesLine();
      } else {
        to = lastLf + 1;
        // Balance the two threads: when the applying side is about to run out of work it reads
        // this chunk itself (parsing is the larger half of the work); otherwise it is parsed here.
        count = reader.read(bytes, 0, to, records, recordCapacity, reader.readsRows && io.held() <= handOverBelow);
      }
    }
    previous = bytes;
    carryStart = to;
    carryEnd = filled;
    io.publish(slot, count);
    if (read === 0) return;
  }
}
