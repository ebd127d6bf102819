import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteKeyTable } from './byte-key-table.js';

describe('ByteKeyTable', () => {
  it('answers like a Map of the keys as text, for short and long keys, through growth and clear (property)', () => {
    const key = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('700.HK', '700.HK ', 'AAPL.US', 'x'.repeat(16), 'x'.repeat(17), ''));
    const op = fc.oneof(
      { weight: 10, arbitrary: fc.tuple(fc.constant('set' as const), key, fc.integer()) },
      { weight: 10, arbitrary: fc.tuple(fc.constant('get' as const), key, fc.constant(0)) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('clear' as const), fc.constant(''), fc.constant(0)) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new ByteKeyTable<number>(4);
        const reference = new Map<string, number>();
        for (const [kind, text, value] of ops) {
          const bytes = Buffer.from(`[${text}]`, 'utf8'); // the key sits inside a larger buffer
          const [start, end] = [1, bytes.length - 1];
          const id = bytes.toString('latin1', start, end);
          if (kind === 'set') {
            table.set(bytes, start, end, value);
            reference.set(id, value);
          } else if (kind === 'get') {
            assert.equal(table.get(bytes, start, end), reference.get(id));
          } else {
            table.clear();
            reference.clear();
          }
          assert.equal(table.size, reference.size);
        }
        for (const [id, value] of reference) {
          const bytes = Buffer.from(id, 'latin1');
          assert.equal(table.get(bytes, 0, bytes.length), value);
        }
      }),
      { seed: 3, numRuns: 300 },
    );
  });
});
