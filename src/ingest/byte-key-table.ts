/**
 * A map from short byte strings (symbols as written in a file) to values, looked up straight
 * from a buffer without making a JavaScript string: keys are hashed from their bytes into an
 * open-addressing table and confirmed byte by byte, so a lookup is exact and allocates nothing.
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class ByteKeyTable<V> {
  size = 0;
  private mask: number;
  private slots: Int32Array;
  private slotHashes: Int32Array;
  private starts: Int32Array;
  private readonly values: V[] = [];
  private arena: Uint8Array;
  private used = 0;

  constructor(initialSlots = 1024) {
    let capacity = 16;
    while (capacity < initialSlots) capacity *= 2;
    this.mask = capacity - 1;
    this.slots = new Int32Array(capacity);
    this.slotHashes = new Int32Array(capacity);
    this.starts = new Int32Array(capacity + 1);
    this.arena = new Uint8Array(capacity * 16);
  }

  /** The value of key `bytes[start..end)`, or undefined. */
  get(bytes: Uint8Array, start: number, end: number): V | undefined {
    const slot = this.find(bytes, start, end, hashOf(bytes, start, end));
    const entry = this.slots[slot] as number;
    return entry === 0 ? undefined : this.values[entry - 1];
  }

  /** Sets the value of key `bytes[start..end)`. */
  set(bytes: Uint8Array, start: number, end: number, value: V): void {
    const hash = hashOf(bytes, start, end);
    const slot = this.find(bytes, start, end, hash);
    const entry = this.slots[slot] as number;
    if (entry !== 0) {
      this.values[entry - 1] = value;
      return;
    }
    const length = end - start;
    if (this.used + length > this.arena.length) {
      let capacity = this.arena.length * 2;
      while (capacity < this.used + length) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    this.arena.set(bytes.subarray(start, end), this.used);
    this.used += length;
    const index = this.size++;
    if (index + 1 >= this.starts.length) {
      const grown = new Int32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[index + 1] = this.used;
    this.values.push(value);
    this.slots[slot] = index + 1;
    this.slotHashes[slot] = hash;
    if (this.size * 2 > this.mask) this.rehash();
  }

  clear(): void {
    this.slots.fill(0);
    this.values.length = 0;
    this.size = 0;
    this.used = 0;
  }

  /** The slot holding the key, or the empty slot where it would go. */
  private find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const length = end - start;
    const mask = this.mask;
    const slots = this.slots;
    const arena = this.arena;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot] as number;
      if (entry === 0) return slot;
      if (this.slotHashes[slot] === hash) {
        const from = this.starts[entry - 1] as number;
        if ((this.starts[entry] as number) - from === length) {
          let k = 0;
          while (k < length && arena[from + k] === bytes[start + k]) k++;
          if (k === length) return slot;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  private rehash(): void {
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity);
    const hashes = new Int32Array(capacity);
    for (let i = 0; i < this.slots.length; i++) {
      const entry = this.slots[i] as number;
      if (entry === 0) continue;
      const hash = this.slotHashes[i] as number;
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry;
      hashes[slot] = hash;
    }
    this.slots = slots;
    this.slotHashes = hashes;
    this.mask = mask;
  }
}

function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash;
}
