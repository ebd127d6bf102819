import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TradeIdSet } from './trade-id-set.js';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const UTF8 = new TextEncoder();

describe('TradeIdSet', () => {
  it('answers exactly like a Set<string> for any sequence of ids, given as strings or bytes', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map((n) => `X-${n}`), // mostly ascending feeds with repeats
      fc.string({ minLength: 1, maxLength: 6 }), // arbitrary ASCII, out of order
      fc.constantFrom('é1', 'é2', '漢', 'x\u0000y'), // beyond ASCII and odd bytes
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(id, fc.boolean()), { maxLength: 400 }), (ops) => {
        const reference = new Set<string>();
        const set = new TradeIdSet();
        for (const [text, asBytes] of ops) {
          const fresh = !reference.has(text);
          reference.add(text);
          const bytes = UTF8.encode(`[${text}]`); // bytes inside a larger buffer; beyond ASCII they are UTF-8
          const added = asBytes ? set.addBytes(bytes, 1, bytes.length - 1) : set.add(text);
          assert.equal(added, fresh, text);
        }
        assert.equal(set.size, reference.size);
        for (const text of reference) assert.equal(set.has(text), true);
      }),
      { seed: 20240614, numRuns: 200 },
    );
  });

  it('tells ids apart that share a hash-table slot, a length or a prefix', () => {
    const set = new TradeIdSet();
    const ids = ['10', '9', '100', '099', 'A', 'a', 'B-2', 'B-10', 'B-1'];
    for (const id of ids) assert.equal(set.add(id), true, id);
    for (const id of ids) assert.equal(set.add(id), false, id);
    assert.equal(set.has('1'), false);
    assert.equal(set.has('B-3'), false);
    assert.equal(set.size, ids.length);
    const long = `L${'9'.repeat(300)}`; // beyond 255 characters: kept as a string, the same member either way
    assert.equal(set.addBytes(ascii(long), 0, long.length), true);
    assert.equal(set.add(long), false);
    assert.equal(set.has(long), true);
    assert.equal(set.has(long.slice(1)), false);
  });

  it('finds redeliveries anywhere in a long ascending run (indexed every 64 ids)', () => {
    const set = new TradeIdSet();
    for (let n = 1; n <= 1000; n++) assert.equal(set.add(`T-${n}`), true);
    for (const n of [1, 63, 64, 65, 128, 500, 999, 1000]) assert.equal(set.add(`T-${n}`), false, `T-${n}`);
    for (const n of [0, 1001, 10000]) assert.equal(set.has(`T-${n}`), false, `T-${n}`);
    assert.equal(set.add('T-0'), true); // out of order, new
    assert.equal(set.add('T-0'), false);
    assert.equal(set.size, 1001);
  });

  it('reads an id from the middle of a larger buffer and grows past its first arena', () => {
    const set = new TradeIdSet();
    const text = '700.HK,1718328600000,300.2,100,,T-42,,,';
    const at = text.indexOf('T-42');
    assert.equal(set.addBytes(ascii(text), at, at + 4), true);
    assert.equal(set.add('T-42'), false);
    for (let n = 0; n < 5000; n++) assert.equal(set.add(`trade-${(n * 7919) % 5000}`), true);
    assert.equal(set.add('trade-4999'), false);
    assert.equal(set.size, 5001);
  });
});
