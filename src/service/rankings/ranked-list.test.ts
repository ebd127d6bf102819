import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareBytes, RankedList } from './ranked-list.js';

/** The order a ranking must have, by a plain sort: value descending (or ascending), ties by bytes of the key. */
function sorted(values: Map<string, bigint>, order: 'desc' | 'asc'): string[] {
  const bytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  return [...values].sort(([a, x], [b, y]) => (x === y ? bytes(a, b) : (order === 'desc' ? x > y : x < y) ? -1 : 1)).map(([key]) => key);
}

describe('RankedList', () => {
  it('ties by byte order of the text: 1234.HK before 85.HK', () => {
    const list = new RankedList();
    list.set('85.HK', 5n);
    list.set('1234.HK', 5n);
    list.set('700.HK', 7n);
    assert.deepEqual(list.page(0, 10), ['700.HK', '1234.HK', '85.HK']);
    assert.deepEqual(list.page(0, 10, 'asc'), ['1234.HK', '85.HK', '700.HK']);
    assert.ok(compareBytes('Z', 'a') < 0 && compareBytes('é', 'z') > 0 && compareBytes('\uFFFD', '😀') < 0);
  });

  it('stays in the order of a full sort through any sequence of changes, one by one or many at once', () => {
    const key = fc.constantFrom('1.HK', '10.HK', '2.HK', '700.HK', '85.HK', '1234.HK', 'A.US', 'AA.US', 'é.SG', 'B.US');
    const step = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.bigInt({ min: -5n, max: 5n }) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('many' as const), changes: fc.array(fc.tuple(key, fc.bigInt({ min: -5n, max: 5n })), { maxLength: 80 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.nat(12), fc.integer({ min: 1, max: 12 }), (steps, offset, limit) => {
        const list = new RankedList();
        const model = new Map<string, bigint>();
        for (const s of steps) {
          if (s.kind === 'set') {
            list.set(s.key, s.value);
            model.set(s.key, s.value);
          } else if (s.kind === 'delete') {
            list.delete(s.key);
            model.delete(s.key);
          } else {
            list.setMany(new Map(s.changes));
            for (const [k, v] of s.changes) model.set(k, v);
          }
        }
        assert.equal(list.size, model.size);
        assert.deepEqual(list.page(0, model.size), sorted(model, 'desc'));
        assert.deepEqual(list.page(offset, limit, 'asc'), sorted(model, 'asc').slice(offset, offset + limit));
      }),
      { numRuns: 300 },
    );
  });

  it('many changes at once, past the one-by-one threshold', () => {
    const list = new RankedList();
    const model = new Map<string, bigint>();
    for (let round = 0; round < 3; round++) {
      const changes = new Map<string, bigint>();
      for (let i = 0; i < 500; i++) changes.set(`${(i * 7919 + round) % 700}.HK`, BigInt((i * 31 + round * 17) % 50) - 25n);
      list.setMany(changes);
      for (const [k, v] of changes) model.set(k, v);
      assert.deepEqual(list.page(0, 1000), sorted(model, 'desc'));
    }
  });

  it('merges batches of moved, new and unmoved keys into the order of a full sort', () => {
    const key = fc.integer({ min: 0, max: 59 }).map((n) => `${n * 37}.HK`);
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(key, fc.bigInt({ min: -4n, max: 4n })), { maxLength: 60 }), { maxLength: 8 }), fc.nat(70), fc.integer({ min: 1, max: 70 }), (batches, offset, limit) => {
        const list = new RankedList();
        const model = new Map<string, bigint>();
        for (const batch of batches) {
          list.setMany(new Map(batch));
          for (const [k, v] of batch) model.set(k, v);
          assert.deepEqual(list.page(0, model.size), sorted(model, 'desc'));
        }
        for (const [k, v] of model) assert.equal(list.valueOf(k), v);
        assert.deepEqual(list.page(offset, limit, 'asc'), sorted(model, 'asc').slice(offset, offset + limit));
      }),
      { numRuns: 300 },
    );
  });

  it('orders values beyond a Number exactly (neighbours that round to the same Number)', () => {
    const big = 2n ** 60n;
    const list = new RankedList();
    const changes = new Map<string, bigint>();
    for (let i = 0; i < 20; i++) changes.set(`${i}.HK`, big + BigInt((i * 7) % 20) - 10n);
    list.setMany(changes);
    list.set('X.HK', big + 100n);
    list.set('1.HK', -big - 1n);
    const model = new Map([...changes, ['X.HK', big + 100n], ['1.HK', -big - 1n]]);
    assert.deepEqual(list.page(0, 30), sorted(model, 'desc'));
    assert.deepEqual(list.page(0, 30, 'asc'), sorted(model, 'asc'));
  });
});
