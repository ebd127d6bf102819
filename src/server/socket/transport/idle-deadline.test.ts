import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdleDeadline } from './idle-deadline.js';
import { ManualClock } from './transport-test-kit.js';

describe('IdleDeadline', () => {
  it('fires idleMs after the start when never touched, and only once', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    new IdleDeadline(300, () => fired.push(clock.now()), clock);
    clock.advance(299);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [300]);
    clock.advance(10_000);
    assert.deepEqual(fired, [300]);
    assert.equal(clock.scheduled, 0);
  });

  it('fires idleMs after the last touch, however many touches came before it', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const deadline = new IdleDeadline(300, () => fired.push(clock.now()), clock);
    for (let t = 0; t < 10; t++) {
      clock.advance(70);
      deadline.touch();
    }
    // Last touch at 700: silent until 1000.
    clock.advance(299);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [1000]);
  });

  it('keeps one timer pending while touched, whatever the number of touches', () => {
    const clock = new ManualClock();
    const deadline = new IdleDeadline(300, () => undefined, clock);
    for (let k = 0; k < 1000; k++) deadline.touch();
    assert.equal(clock.scheduled, 1);
    clock.advance(150);
    deadline.touch();
    clock.advance(200); // the first timer found the touch and slept again, to 450
    assert.equal(clock.scheduled, 1);
  });

  it('never fires once stopped', () => {
    const clock = new ManualClock();
    let fired = false;
    const deadline = new IdleDeadline(300, () => (fired = true), clock);
    clock.advance(100);
    deadline.stop();
    clock.advance(1000);
    assert.equal(fired, false);
    assert.equal(clock.scheduled, 0);
  });
});
