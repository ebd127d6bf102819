/**
 * The trade ids seen on one symbol-day, without a JavaScript string per id. ASCII ids are kept as
 * bytes in one growing arena. Feeds number their trades in order, so most ids are greater than
 * every id before them (ordered by length, then bytes — `X-9` < `X-10`): such an id is new
 * without any look-up and is appended to an ascending run. Any other id (a redelivery, or ids out
 * of order) is looked for by binary search in that run and in an open-addressing table of 32-bit
 * hashes holding the ids that arrived out of order; a hash hit is confirmed byte by byte. The set
 * is exact for any input: two different ids are never taken for each other.
 *
 * Ids with characters beyond ASCII (rare) live in a plain Set; they can never equal an ASCII id.
 * An id given as bytes (`addBytes`) and the same id given as a string (`add`) are the same member,
 * so the byte-level CSV reader and the general parser deduplicate against each other.
 */
const INITIAL_SLOTS = 16;
const INITIAL_ENTRIES = 64;
const INITIAL_ARENA = 1024;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class TradeIdSet {
  size = 0;
  /** Entry i's bytes are arena[starts[i] .. starts[i + 1]). */
  private starts = new Int32Array(INITIAL_ENTRIES + 1);
  private entries = 0;
  private arena = new Uint8Array(INITIAL_ARENA);
  private used = 0;
  /**
   * Entries in strictly ascending order (the ids that arrived as a new maximum). While every
   * entry arrived in order (`run` undefined) the run is simply entries 0 … runLength − 1.
   */
  private run: Int32Array | undefined;
  private runLength = 0;
  /** Where the bytes of the run's last (greatest) id are, to test the next id against it. */
  private lastFrom = 0;
  private lastLength = -1;
  /** Out-of-order entries: per slot, entry number + 1 (0: empty) and its hash, side by side. */
  private table = new Int32Array(INITIAL_SLOTS * 2);
  private mask = INITIAL_SLOTS - 1;
  private tableCount = 0;
  private others: Set<string> | undefined;
  private scratch = new Uint8Array(64);

  /** Adds an id given as ASCII bytes `bytes[start..end)`; false when it was already a member. */
  addBytes(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.greaterThanLast(bytes, start, end)) {
      const entry = this.append(bytes, start, end);
      const runLength = this.runLength;
      const run = this.run;
      if (run !== undefined) {
        if (runLength === run.length) this.run = grownInt32(run, runLength * 2);
        (this.run as Int32Array)[runLength] = entry;
      }
      this.runLength = runLength + 1;
      this.lastFrom = this.used - (end - start);
      this.lastLength = end - start;
      return true;
    }
    if (this.inRun(bytes, start, end)) return false;
    const hash = hashOf(bytes, start, end);
    const slot = this.probe(bytes, start, end, hash);
    if ((this.table[slot << 1] as number) !== 0) return false;
    if (this.run === undefined) {
      // The first id out of order: from now on the run is listed explicitly.
      const run = new Int32Array(Math.max(INITIAL_ENTRIES, this.runLength * 2));
      for (let i = 0; i < this.runLength; i++) run[i] = i;
      this.run = run;
    }
    const entry = this.append(bytes, start, end);
    this.table[slot << 1] = entry + 1;
    this.table[(slot << 1) + 1] = hash;
    // Keep the table at most half full so probes stay short.
    if (++this.tableCount * 2 > this.mask) this.rehash();
    return true;
  }

  /** Adds an id given as a string; false when it was already a member. */
  add(id: string): boolean {
    const length = this.toScratch(id);
    return length < 0 ? this.addOther(id) : this.addBytes(this.scratch, 0, length);
  }

  /** Whether `id` is a member. */
  has(id: string): boolean {
    const length = this.toScratch(id);
    if (length < 0) return this.others?.has(id) ?? false;
    const bytes = this.scratch;
    if (this.inRun(bytes, 0, length)) return true;
    return (this.table[this.probe(bytes, 0, length, hashOf(bytes, 0, length)) << 1] as number) !== 0;
  }

  /** Bytes held (arena, offsets, run, table), for memory accounting. */
  get byteSize(): number {
    return this.arena.byteLength + this.starts.byteLength + (this.run?.byteLength ?? 0) + this.table.byteLength;
  }

  /** Whether the id orders after every id of the run (length first, then bytes). */
  private greaterThanLast(bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length !== this.lastLength) return length > this.lastLength;
    const arena = this.arena;
    const from = this.lastFrom;
    for (let k = 0; k < length; k++) {
      const difference = (bytes[start + k] as number) - (arena[from + k] as number);
      if (difference !== 0) return difference > 0;
    }
    return false;
  }

  /** Sign of (id `bytes[start..end)`) − (entry), ordering by length first, then bytes. */
  private compareToEntry(bytes: Uint8Array, start: number, end: number, entry: number): number {
    const from = this.starts[entry] as number;
    const length = (this.starts[entry + 1] as number) - from;
    if (end - start !== length) return end - start - length;
    const arena = this.arena;
    for (let k = 0; k < length; k++) {
      const difference = (bytes[start + k] as number) - (arena[from + k] as number);
      if (difference !== 0) return difference;
    }
    return 0;
  }

  private inRun(bytes: Uint8Array, start: number, end: number): boolean {
    let low = 0;
    let high = this.runLength;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const sign = this.compareToEntry(bytes, start, end, this.run === undefined ? mid : (this.run[mid] as number));
      if (sign === 0) return true;
      if (sign > 0) low = mid + 1;
      else high = mid;
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
      if (entry === 0 || (table[(slot << 1) + 1] === hash && this.compareToEntry(bytes, start, end, entry - 1) === 0)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Stores the id's bytes as a new entry; returns its number. */
  private append(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (this.used + length > this.arena.length) {
      let capacity = this.arena.length * 2;
      while (capacity < this.used + length) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    const arena = this.arena;
    const at = this.used;
    for (let k = 0; k < length; k++) arena[at + k] = bytes[start + k] as number;
    this.used = at + length;
    const entry = this.entries++;
    if (entry + 1 >= this.starts.length) this.starts = grownInt32(this.starts, this.starts.length * 2);
    this.starts[entry + 1] = this.used;
    this.size++;
    return entry;
  }

  /** Copies an ASCII id into `scratch`; -1 when it has other characters. */
  private toScratch(id: string): number {
    const length = id.length;
    if (length > this.scratch.length) this.scratch = new Uint8Array(length * 2);
    const scratch = this.scratch;
    for (let i = 0; i < length; i++) {
      const c = id.charCodeAt(i);
      if (c > 127) return -1;
      scratch[i] = c;
    }
    return length;
  }

  private addOther(id: string): boolean {
    const others = (this.others ??= new Set());
    if (others.has(id)) return false;
    others.add(id);
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

function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash;
}

function grownInt32(old: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity);
  grown.set(old);
  return grown;
}
