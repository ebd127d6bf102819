import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { alignQueried } from './trade-alignment.js';

/** Letters as fingerprints: `seq('abc')` is three trades. */
const seq = (text: string) => [...text];

describe('alignQueried', () => {
  it('finds the held trades at the start of the answer and the pushed ones at its end', () => {
    // held …x y z | gap p q | pushed r s …
    const alignment = alignQueried({ held: seq('vwxyz'), queried: seq('xyzpqrs'), pushed: seq('rstu'), full: true });
    assert.deepEqual(alignment, { overlapHeld: 3, overlapPushed: 2, gapFrom: 3, gapTo: 5, reachesBack: true });
  });

  it('reports an answer that does not reach back to the held trades', () => {
    const alignment = alignQueried({ held: seq('abc'), queried: seq('pqrs'), pushed: [], full: true });
    assert.deepEqual(alignment, { overlapHeld: 0, overlapPushed: 0, gapFrom: 0, gapTo: 4, reachesBack: false });
  });

  it('aligns a whole-day answer by position, even where equal trades repeat', () => {
    // Held: a a; the day: a a a a. By runs, "a a" could overlap anywhere; by position it is the start.
    const alignment = alignQueried({ held: seq('aa'), queried: seq('aaaa'), pushed: [], full: false });
    assert.deepEqual([alignment.gapFrom, alignment.gapTo, alignment.reachesBack], [2, 4, true]);
  });

  it('takes the longest overlap (a repeated run): right unless the gap repeats the trades around it', () => {
    // Held ends with "a b", the answer starts "a b a b c": overlaps of 2 and 4 fit; 4 is taken.
    const alignment = alignQueried({ held: seq('xabab'), queried: seq('ababc'), pushed: [], full: true });
    assert.equal(alignment.overlapHeld, 4);
  });

  it('recovers the gap exactly when the trades around it are distinct (any split)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (heldCount, gapCount, pushedCount, overlapPushed) => {
        // A day of distinct trades: held | gap | pushed. The answer is the latest 40 at some point
        // after the reconnect (it may end inside the pushes).
        const day = Array.from({ length: heldCount + gapCount + pushedCount }, (_, i) => `t${i}`);
        const held = day.slice(0, heldCount);
        const pushed = day.slice(heldCount + gapCount);
        const end = heldCount + gapCount + Math.min(overlapPushed, pushedCount);
        const limit = 40;
        const start = Math.max(0, end - limit);
        const queried = day.slice(start, end);
        const alignment = alignQueried({ held, queried, pushed, full: queried.length >= limit });
        const recorded = [...held, ...queried.slice(alignment.gapFrom, alignment.gapTo), ...pushed];
        if (start < heldCount) {
          assert.deepEqual(recorded, day, 'nothing lost, nothing twice');
          assert.equal(alignment.reachesBack, true);
        } else if (start === heldCount) {
          // The answer starts right after the last held trade: nothing shows it does, so a gap
          // is reported, but nothing is lost or recorded twice.
          assert.deepEqual(recorded, day);
        } else {
          assert.equal(alignment.reachesBack, false, 'a gap the answer does not cover is reported');
          assert.equal(new Set(recorded).size, recorded.length, 'still nothing twice');
        }
      }),
      { seed: 424242, numRuns: 500 },
    );
  });
});
