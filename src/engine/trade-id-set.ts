/**
 * The trade ids seen on one symbol-day, without a JavaScript string per id. Feeds number their
 * trades in order, so most ids are greater than every id before them (ordered by length, then
 * bytes — `X-9` < `X-10`): such an id is new without any look-up and is appended, as a length
 * byte and its bytes, to an ascending run held in one byte arena. Any other id (a redelivery, or
 * ids out of order) is looked for in that run (binary search over a sparse index of every 64th
 * id, then a short scan) and in an open-addressing table of 32-bit hashes over a second arena
 * holding the ids that arrived out of order; a hash hit is confirmed byte by byte. The set is
 * exact for any input: two different ids are never taken for each other.
 *
 * Ids with characters beyond ASCII, or longer than 255 characters (both rare), live in a plain
 * Set (given as bytes, they are read as UTF-8 first); they can never equal an id kept as bytes. An id given as bytes (`addBytes`) and the same
 * id given as a string (`add`) are the same member, so the byte-level CSV reader and the general
 * parser deduplicate against each other.
 */
const INITIAL_SLOTS = 16;
const INITIAL_ARENA = 1024;
const INDEX_EVERY = 64;
const MAX_BYTES_LENGTH = 255;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class TradeIdSet {
  size = 0;
  /** The ascending run: [length][bytes] per id, in order. */
  private run = new Uint8Array(INITIAL_ARENA);
  private runUsed = 0;
  private runCount = 0;
  /** Offset in `run` of ids 0, 64, 128, … */
  private runIndex = new Int32Array(16);
  /** Offset of the run's last (greatest) id, -1 when empty. */
  private last = -1;
  /** Ids that arrived out of order: [length][bytes] each, found through `table`. */
  private others = new Uint8Array(0);
  private othersUsed = 0;
  /** Per slot, side by side: offset in `others` + 1 (0: empty) and the id's hash. */
  private table = new Int32Array(INITIAL_SLOTS * 2);
  private mask = INITIAL_SLOTS - 1;
  private tableCount = 0;
  private strings: Set<string> | undefined;
  private scratch = new Uint8Array(64);

  /**
   * Adds an id given as UTF-8 bytes `bytes[start..end)` (ASCII in practice); false when it was
   * already a member. An id beyond ASCII is the same member as that id given as a string.
   */
  addBytes(bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length > MAX_BYTES_LENGTH || !ascii(bytes, start, end)) return this.addString(UTF8.decode(bytes.subarray(start, end)));
    if (this.greaterThanLast(bytes, start, end)) {
      this.appendToRun(bytes, start, end);
      return true;
    }
    if (this.inRun(bytes, start, end)) return false;
    const hash = hashOf(bytes, start, end);
    const slot = this.probe(bytes, start, end, hash);
    if ((this.table[slot << 1] as number) !== 0) return false;
    const offset = this.appendToOthers(bytes, start, end);
    this.table[slot << 1] = offset + 1;
    this.table[(slot << 1) + 1] = hash;
    this.size++;
    // Keep the table at most half full so probes stay short.
    if (++this.tableCount * 2 > this.mask) this.rehash();
    return true;
  }

  /** Adds an id given as a string; false when it was already a member. */
  add(id: string): boolean {
    const length = this.toScratch(id);
    return length < 0 ? this.addString(id) : this.addBytes(this.scratch, 0, length);
  }

  /** Whether `id` is a member. */
  has(id: string): boolean {
    const length = this.toScratch(id);
    if (length < 0) return this.strings?.has(id) ?? false;
    const bytes = this.scratch;
    if (this.inRun(bytes, 0, length)) return true;
    return (this.table[this.probe(bytes, 0, length, hashOf(bytes, 0, length)) << 1] as number) !== 0;
  }

  /** Bytes held (arenas, index, table), for memory accounting. */
  get byteSize(): number {
    return this.run.byteLength + this.runIndex.byteLength + this.others.byteLength + this.table.byteLength;
  }

  /** Whether the id orders after every id of the run (length first, then bytes). */
  private greaterThanLast(bytes: Uint8Array, start: number, end: number): boolean {
    const last = this.last;
    if (last < 0) return true;
    return compareTo(bytes, start, end, this.run, last) > 0;
  }

  private appendToRun(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (this.runUsed + length + 1 > this.run.length) this.run = grown(this.run, this.runUsed, length + 1);
    const run = this.run;
    const at = this.runUsed;
    run[at] = length;
    for (let k = 0; k < length; k++) run[at + 1 + k] = bytes[start + k] as number;
    if (this.runCount % INDEX_EVERY === 0) {
      const slot = this.runCount / INDEX_EVERY;
      if (slot === this.runIndex.length) {
        const index = new Int32Array(slot * 2);
        index.set(this.runIndex);
        this.runIndex = index;
      }
      this.runIndex[slot] = at;
    }
    this.last = at;
    this.runUsed = at + 1 + length;
    this.runCount++;
    this.size++;
  }

  private appendToOthers(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (this.othersUsed + length + 1 > this.others.length) this.others = grown(this.others, this.othersUsed, length + 1);
    const others = this.others;
    const at = this.othersUsed;
    others[at] = length;
    for (let k = 0; k < length; k++) others[at + 1 + k] = bytes[start + k] as number;
    this.othersUsed = at + 1 + length;
    return at;
  }

  /** Binary search over the indexed ids, then a scan of at most INDEX_EVERY ids. */
  private inRun(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.runCount === 0) return false;
    const run = this.run;
    const index = this.runIndex;
    let low = 0;
    let high = Math.ceil(this.runCount / INDEX_EVERY); // blocks
    // Find the last block whose first id is <= the id.
    while (high - low > 1) {
      const mid = (low + high) >>> 1;
      if (compareTo(bytes, start, end, run, index[mid] as number) >= 0) low = mid;
      else high = mid;
    }
    let at = index[low] as number;
    const stop = Math.min(this.runCount, (low + 1) * INDEX_EVERY);
    for (let n = low * INDEX_EVERY; n < stop; n++) {
      const sign = compareTo(bytes, start, end, run, at);
      if (sign === 0) return true;
      if (sign < 0) return false;
      at += 1 + (run[at] as number);
    }
    return false;
  }

  /** The table slot holding the id, or the empty slot where it would go. */
  private probe(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot << 1] as number;
      if (entry === 0 || (table[(slot << 1) + 1] === hash && compareTo(bytes, start, end, this.others, entry - 1) === 0)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Copies an id that can be kept as bytes into `scratch`; -1 when it cannot (beyond ASCII, too long). */
  private toScratch(id: string): number {
    const length = id.length;
    if (length > MAX_BYTES_LENGTH) return -1;
    if (length > this.scratch.length) this.scratch = new Uint8Array(MAX_BYTES_LENGTH);
    const scratch = this.scratch;
    for (let i = 0; i < length; i++) {
      const c = id.charCodeAt(i);
      if (c > 127) return -1;
      scratch[i] = c;
    }
    return length;
  }

  private addString(id: string): boolean {
    const strings = (this.strings ??= new Set());
    if (strings.has(id)) return false;
    strings.add(id);
    this.size++;
    return true;
  }

  private rehash(): void {
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const table = new Int32Array(capacity * 2);
    const old = this.table;
    for (let i = 0; i < old.length; i += 2) {
      const entry = old[i] as number;
      if (entry === 0) continue;
      const hash = old[i + 1] as number;
      let slot = hash & mask;
      while (table[slot << 1] !== 0) slot = (slot + 1) & mask;
      table[slot << 1] = entry;
      table[(slot << 1) + 1] = hash;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** Sign of (id `bytes[start..end)`) − (the id stored at `arena[at]`: length byte, then bytes). */
function compareTo(bytes: Uint8Array, start: number, end: number, arena: Uint8Array, at: number): number {
  const length = arena[at] as number;
  if (end - start !== length) return end - start - length;
  const from = at + 1;
  for (let k = 0; k < length; k++) {
    const difference = (bytes[start + k] as number) - (arena[from + k] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash;
}

function grown(old: Uint8Array, used: number, needed: number): Uint8Array<ArrayBuffer> {
  let capacity = Math.max(INITIAL_ARENA, old.length * 2);
  while (capacity < used + needed) capacity *= 2;
  const next = new Uint8Array(capacity);
  next.set(old.subarray(0, used));
  return next;
}

const UTF8 = new TextDecoder();

function ascii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) > 127) return false;
  return true;
}
