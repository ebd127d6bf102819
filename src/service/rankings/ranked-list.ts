/** Up to this many moved keys a batch is applied one by one (two array moves each); more are merged in one pass. */
const ONE_BY_ONE = 8;

/**
 * Keys ordered by value, largest first, ties by key in ascending byte order of its text; kept
 * ordered as values change so that a page of the ranking never sorts the whole list. A moved key
 * is taken out and put back by binary search; a batch of many moved keys is applied by sorting
 * only those and merging them into the others in one pass (O(n + k log k), not a sort of all n).
 */
export class RankedList {
  /**
   * The keys in order, and their values at the same positions (no map look-up while searching or
   * merging), with each value as the nearest Number: comparing those first spares most BigInt
   * comparisons (exact, since `Number()` keeps order: a greater Number means a greater value).
   */
  private readonly keys: string[] = [];
  private readonly ranks: bigint[] = [];
  private readonly approx: number[] = [];
  private readonly values = new Map<string, bigint>();

  get size(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  valueOf(key: string): bigint | undefined {
    return this.values.get(key);
  }

  /** Sets (or adds) the values of keys; many moved keys are merged into the list in one pass. */
  setMany(changes: ReadonlyMap<string, bigint>): void {
    const moved: Array<{ key: string; value: bigint; near: number; from: number }> = [];
    for (const [key, value] of changes) {
      const old = this.values.get(key);
      if (old === value) continue;
      // Positions are found before anything moves (the arrays are unchanged until the merge).
      moved.push({ key, value, near: Number(value), from: old === undefined ? -1 : this.indexOf(key, old) });
    }
    if (moved.length <= ONE_BY_ONE) {
      for (const { key, value } of moved) this.set(key, value);
      return;
    }
    for (const { key, value } of moved) this.values.set(key, value);
    moved.sort((a, b) => (before(a.key, a.value, a.near, b.key, b.value, b.near) ? -1 : 1));
    const keys = this.keys;
    const ranks = this.ranks;
    const approx = this.approx;
    // Take the moved keys out, keeping the others in order.
    const out = new Uint8Array(keys.length);
    for (const { from } of moved) if (from >= 0) out[from] = 1;
    let kept = 0;
    for (let index = 0; index < keys.length; index++) {
      if (out[index] === 1) continue;
      keys[kept] = keys[index]!;
      ranks[kept] = ranks[index]!;
      approx[kept] = approx[index]!;
      kept++;
    }
    // Merge from the back, in place: the kept keys fill [0, kept), the result [0, kept + moved).
    let write = kept + moved.length;
    // Grown by pushes, not by setting the length (which would leave holes and slower arrays).
    while (keys.length < write) {
      keys.push('');
      ranks.push(0n);
      approx.push(0);
    }
    let k = kept - 1;
    let m = moved.length - 1;
    while (m >= 0) {
      const next = moved[m]!;
      write--;
      if (k >= 0 && !before(keys[k]!, ranks[k]!, approx[k]!, next.key, next.value, next.near)) {
        keys[write] = keys[k]!;
        ranks[write] = ranks[k]!;
        approx[write] = approx[k]!;
        k--;
      } else {
        keys[write] = next.key;
        ranks[write] = next.value;
        approx[write] = next.near;
        m--;
      }
    }
  }

  set(key: string, value: bigint): void {
    const old = this.values.get(key);
    if (old === value) return;
    if (old !== undefined) {
      const index = this.indexOf(key, old);
      this.keys.splice(index, 1);
      this.ranks.splice(index, 1);
      this.approx.splice(index, 1);
    }
    this.values.set(key, value);
    const near = Number(value);
    const at = this.insertionPoint(key, value, near);
    this.keys.splice(at, 0, key);
    this.ranks.splice(at, 0, value);
    this.approx.splice(at, 0, near);
  }

  delete(key: string): void {
    const old = this.values.get(key);
    if (old === undefined) return;
    const index = this.indexOf(key, old);
    this.keys.splice(index, 1);
    this.ranks.splice(index, 1);
    this.approx.splice(index, 1);
    this.values.delete(key);
  }

  /** Keys from `offset`, at most `limit`: largest first (`desc`) or smallest first (`asc`); ties by key ascending either way. */
  page(offset: number, limit: number, order: 'desc' | 'asc' = 'desc'): string[] {
    if (order === 'desc') return this.keys.slice(offset, offset + limit);
    // Ascending: runs of equal values from the back, each run's keys still ascending.
    const page: string[] = [];
    let skip = offset;
    let end = this.keys.length;
    while (end > 0 && page.length < limit) {
      let start = end - 1;
      const value = this.ranks[start];
      while (start > 0 && this.ranks[start - 1] === value) start--;
      for (let index = start; index < end && page.length < limit; index++) {
        if (skip > 0) skip--;
        else page.push(this.keys[index]!);
      }
      end = start;
    }
    return page;
  }

  /** Position of the first key ordered after (value, key). */
  private insertionPoint(key: string, value: bigint, near: number): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(this.keys[middle]!, this.ranks[middle]!, this.approx[middle]!, key, value, near)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Position of a key held with `value` (the insertion point of an equal entry is the entry itself). */
  private indexOf(key: string, value: bigint): number {
    const index = this.insertionPoint(key, value, Number(value));
    if (this.keys[index] !== key) throw new Error(`unreachable: ${key} is not where its value puts it`);
    return index;
  }
}

/** Whether (key a, value x ≈ nx) ranks before (key b, value y ≈ ny): larger value first, ties by key bytes. */
function before(a: string, x: bigint, nx: number, b: string, y: bigint, ny: number): boolean {
  if (nx !== ny) return nx > ny;
  return x > y || (x === y && compareBytes(a, b) < 0);
}

/** Ascending byte order of the UTF-8 text (`1234.HK` before `85.HK`). */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 byte order except around surrogates; symbols are ASCII, names rarely not.
  if (/^[\x00-\uD7FF]*$/.test(a) && /^[\x00-\uD7FF]*$/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
