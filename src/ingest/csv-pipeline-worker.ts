/**
 * Reader thread of `csvFileToLinesPipelined` (`runReaderLoop` over the file): a chunk comes back
 * free through its state word (Atomics), so this thread never waits on its own event loop.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CHUNK_FREE, CHUNK_WITH_APPLIER, type PipelineChunkMessage, type PipelineWorkerInput } from './pipeline-chunks.js';
import { runReaderLoop } from './pipeline-reader-loop.js';

const input = workerData as PipelineWorkerInput;
const states = new Int32Array(input.states);
try {
  const fd = openSync(input.path, 'r');
  try {
    let position = 0;
    const chunks = input.chunks.map((chunk) => ({ bytes: Buffer.from(chunk.bytes), records: new Float64Array(chunk.records) }));
    runReaderLoop(chunks, input.recordCapacity, input.handOverBelow, {
      acquire(slot) {
        while (Atomics.load(states, slot) !== CHUNK_FREE) Atomics.wait(states, slot, CHUNK_WITH_APPLIER);
      },
      read: (bytes, at, length, from) => {
        const read = readSync(fd, bytes, at, length, from);
        position = from + read;
        return read;
      },
      held() {
        let held = 0;
        for (let k = 0; k < states.length; k++) if (Atomics.load(states, k) === CHUNK_WITH_APPLIER) held++;
        return held;
      },
      publish(slot, count) {
        Atomics.store(states, slot, CHUNK_WITH_APPLIER);
        parentPort!.postMessage({ slot, count, done: false, position } satisfies PipelineChunkMessage);
      },
    }, input.latestTimestamp);
    parentPort!.postMessage({ slot: -1, count: 0, done: true } satisfies PipelineChunkMessage);
  } finally {
    closeSync(fd);
  }
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
