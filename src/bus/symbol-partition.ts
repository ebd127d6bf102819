/**
 * Which partition a symbol's trades go to: jump consistent hash (Lamping & Veach) of the
 * symbol's 64-bit FNV-1a hash. Every process computes the same answer, and growing the number of
 * partitions from n to n+1 moves only about 1/(n+1) of the symbols.
 */
export function partitionOf(symbol: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new Error(`partition count must be a positive integer, got ${partitionCount}`);
  let key = fnv1a64(symbol);
  let bucket = -1n;
  let next = 0n;
  const count = BigInt(partitionCount);
  while (next < count) {
    bucket = next;
    key = (key * 2862933555777941757n + 1n) & MASK_64;
    next = BigInt(Math.floor((Number(bucket) + 1) * (2 ** 31 / Number((key >> 33n) + 1n))));
  }
  return Number(bucket);
}

/** Partitions a worker owns when `workers` workers split `partitionCount` partitions: p ≡ workerId (mod workers). */
export function partitionsOfWorker(partitionCount: number, workers: number, workerId: number): number[] {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a positive integer, got ${workers}`);
  if (!Number.isInteger(workerId) || workerId < 0 || workerId >= workers) throw new Error(`worker id must be in 0..${workers - 1}, got ${workerId}`);
  const owned: number[] = [];
  for (let p = workerId; p < partitionCount; p += workers) owned.push(p);
  return owned;
}

const MASK_64 = (1n << 64n) - 1n;

function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & MASK_64;
  }
  return hash;
}
