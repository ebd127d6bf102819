/**
 * Keys ordered by value, largest first, ties by key in ascending byte order of its text; kept
 * ordered as values change (a moved key is taken out and put back by binary search) so that a
 * page of the ranking never sorts the whole list. Many changes at once are applied by one sort.
 */
export class RankedList {
  private order: string[] = [];
  private readonly values = new Map<string, bigint>();

  get size(): number {
    return this.order.length;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  valueOf(key: string): bigint | undefined {
    return this.values.get(key);
  }

  /** Sets (or adds) the values of keys; with many at once the list is sorted once instead. */
  setMany(changes: ReadonlyMap<string, bigint>): void {
    if (changes.size > 64 && changes.size * 8 > this.order.length) {
      for (const [key, value] of changes) {
        if (!this.values.has(key)) this.order.push(key);
        this.values.set(key, value);
      }
      // Sorting (value, key) pairs: no map look-up per comparison.
      const pairs = this.order.map((key) => ({ key, value: this.values.get(key)! }));
      pairs.sort((a, b) => (a.value === b.value ? compareBytes(a.key, b.key) : a.value > b.value ? -1 : 1));
      this.order = pairs.map((pair) => pair.key);
      return;
    }
    for (const [key, value] of changes) this.set(key, value);
  }

  set(key: string, value: bigint): void {
    const old = this.values.get(key);
    if (old === value) return;
    if (old !== undefined) this.order.splice(this.indexOf(key, old), 1);
    this.values.set(key, value);
    this.order.splice(this.insertionPoint(key, value), 0, key);
  }

  delete(key: string): void {
    const old = this.values.get(key);
    if (old === undefined) return;
    this.order.splice(this.indexOf(key, old), 1);
    this.values.delete(key);
  }

  /** Keys from `offset`, at most `limit`: largest first (`desc`) or smallest first (`asc`); ties by key ascending either way. */
  page(offset: number, limit: number, order: 'desc' | 'asc' = 'desc'): string[] {
    if (order === 'desc') return this.order.slice(offset, offset + limit);
    return this.ascending().slice(offset, offset + limit);
  }

  /** All keys, smallest value first, ties by key ascending. */
  private ascending(): string[] {
    const reversed = this.order.slice().reverse();
    // Reversing puts tied keys in descending order: put each run of equal values back.
    let start = 0;
    for (let index = 1; index <= reversed.length; index++) {
      if (index === reversed.length || this.values.get(reversed[index]!) !== this.values.get(reversed[start]!)) {
        if (index - start > 1) {
          const run = reversed.slice(start, index).reverse();
          for (let k = 0; k < run.length; k++) reversed[start + k] = run[k]!;
        }
        start = index;
      }
    }
    return reversed;
  }

  /** Position of the first key ordered after (value, key). */
  private insertionPoint(key: string, value: bigint): number {
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.order[middle]!;
      const otherValue = this.values.get(other)!;
      const before = otherValue > value || (otherValue === value && compareBytes(other, key) < 0);
      if (before) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Position of a key held with `value` (the insertion point of an equal entry is the entry itself). */
  private indexOf(key: string, value: bigint): number {
    const index = this.insertionPoint(key, value);
    if (this.order[index] !== key) throw new Error(`unreachable: ${key} is not where its value puts it`);
    return index;
  }
}

/** Ascending byte order of the UTF-8 text (`1234.HK` before `85.HK`). */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 byte order except around surrogates; symbols are ASCII, names rarely not.
  if (/^[\x00-\uD7FF]*$/.test(a) && /^[\x00-\uD7FF]*$/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
