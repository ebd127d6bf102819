/**
 * A map from short byte strings (symbols as written in a file) to values, looked up straight
 * from a buffer without making a JavaScript string: keys are hashed from their bytes into an
 * open-addressing table and confirmed byte by byte, so a lookup is exact and allocates nothing.
 *
 * Each slot is 32 bytes of one typed array: the key's hash, its value index, its length and, for
 * a key of up to 16 bytes (any symbol), the key itself — so a look-up usually reads one cache
 * line. Longer keys live in a byte arena, the slot holding their offset there.
 */
/** The key hash (32-bit FNV-1a), exported so a reader can hash a key while it scans it (`getWithHash`). */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** Int32 fields of a slot: hash, value index + 1 (0: empty), key length, arena offset (long keys); then 16 key bytes. */
const SLOT_INTS = 8;
const HASH = 0;
const ENTRY = 1;
const LENGTH = 2;
const OFFSET = 3;
const INLINE_AT = 16;
const INLINE_BYTES = 16;

export class ByteKeyTable<V> {
  size = 0;
  private mask: number;
  private slots: Int32Array;
  /** The same memory as `slots`, by byte (the inline keys). */
  private slotBytes: Uint8Array;
  private readonly values: V[] = [];
  private arena: Uint8Array;
  private used = 0;

  constructor(initialSlots = 1024) {
    let capacity = 16;
    while (capacity < initialSlots) capacity *= 2;
    this.mask = capacity - 1;
    this.slots = new Int32Array(capacity * SLOT_INTS);
    this.slotBytes = new Uint8Array(this.slots.buffer);
    this.arena = new Uint8Array(1024);
  }

  /** The value of key `bytes[start..end)`, or undefined. */
  get(bytes: Uint8Array, start: number, end: number): V | undefined {
    return this.getWithHash(bytes, start, end, hashOf(bytes, start, end));
  }

  /** `get` with the key's hash already computed (FNV-1a from FNV_OFFSET with FNV_PRIME over its bytes). */
  getWithHash(bytes: Uint8Array, start: number, end: number, hash: number): V | undefined {
    const entry = this.slots[this.find(bytes, start, end, hash | 0) + ENTRY] as number;
    return entry === 0 ? undefined : this.values[entry - 1];
  }

  /**
   * The index (0 … size − 1, in the order keys were added; `set` returns it) of a key whose hash
   * is already computed, or -1 when absent: lets a caller keep small facts about each key in its
   * own typed array next to the table.
   */
  indexWithHash(bytes: Uint8Array, start: number, end: number, hash: number): number {
    return (this.slots[this.find(bytes, start, end, hash | 0) + ENTRY] as number) - 1;
  }

  /** The value at an index from `indexWithHash` or `set`. */
  valueAt(index: number): V {
    return this.values[index] as V;
  }

  /** Sets the value of key `bytes[start..end)`; returns the key's index. */
  set(bytes: Uint8Array, start: number, end: number, value: V): number {
    const hash = hashOf(bytes, start, end);
    const at = this.find(bytes, start, end, hash);
    const slots = this.slots;
    const entry = slots[at + ENTRY] as number;
    if (entry !== 0) {
      this.values[entry - 1] = value;
      return entry - 1;
    }
    const length = end - start;
    slots[at + HASH] = hash;
    slots[at + LENGTH] = length;
    if (length <= INLINE_BYTES) {
      this.slotBytes.set(bytes.subarray(start, end), at * 4 + INLINE_AT);
    } else {
      if (this.used + length > this.arena.length) {
        let capacity = this.arena.length * 2;
        while (capacity < this.used + length) capacity *= 2;
        const grown = new Uint8Array(capacity);
        grown.set(this.arena.subarray(0, this.used));
        this.arena = grown;
      }
      this.arena.set(bytes.subarray(start, end), this.used);
      slots[at + OFFSET] = this.used;
      this.used += length;
    }
    this.values.push(value);
    slots[at + ENTRY] = ++this.size;
    if (this.size * 2 > this.mask) this.rehash();
    return this.size - 1;
  }

  clear(): void {
    this.slots.fill(0);
    this.values.length = 0;
    this.size = 0;
    this.used = 0;
  }

  /** The Int32 index of the slot holding the key (`hash` as a signed 32-bit integer), or of the empty slot where it would go. */
  private find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const length = end - start;
    const mask = this.mask;
    const slots = this.slots;
    let slot = hash & mask;
    for (;;) {
      const at = slot * SLOT_INTS;
      if (slots[at + ENTRY] === 0) return at;
      if (slots[at + HASH] === hash && slots[at + LENGTH] === length) {
        let keyBytes: Uint8Array;
        let from: number;
        if (length <= INLINE_BYTES) {
          keyBytes = this.slotBytes;
          from = at * 4 + INLINE_AT;
        } else {
          keyBytes = this.arena;
          from = slots[at + OFFSET] as number;
        }
        let k = 0;
        while (k < length && keyBytes[from + k] === bytes[start + k]) k++;
        if (k === length) return at;
      }
      slot = (slot + 1) & mask;
    }
  }

  private rehash(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity * SLOT_INTS);
    for (let from = 0; from < old.length; from += SLOT_INTS) {
      if (old[from + ENTRY] === 0) continue;
      let slot = (old[from + HASH] as number) & mask;
      while (slots[slot * SLOT_INTS + ENTRY] !== 0) slot = (slot + 1) & mask;
      slots.set(old.subarray(from, from + SLOT_INTS), slot * SLOT_INTS);
    }
    this.slots = slots;
    this.slotBytes = new Uint8Array(slots.buffer);
    this.mask = mask;
  }
}

/** The key's hash as a signed 32-bit integer (as the slots keep it). */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash | 0;
}
