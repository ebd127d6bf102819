import { SYSTEM_CLOCK, type TransportClock } from './transport-clock.js';

/**
 * Calls `onIdle` once nothing has been touched for `idleMs`. A touch only notes the time (a read
 * costs no timer work); the one pending timer, when it finds a touch since it was set, sleeps
 * again for what is left of the new deadline. Started at construction.
 */
export class IdleDeadline {
  private lastTouch: number;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
    private readonly clock: TransportClock = SYSTEM_CLOCK,
  ) {
    this.lastTouch = clock.now();
    this.cancel = clock.schedule(() => this.check(), idleMs);
  }

  /** Something was received: the deadline moves to `idleMs` from now. */
  touch(): void {
    this.lastTouch = this.clock.now();
  }

  /** No `onIdle` after this. */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private check(): void {
    if (this.cancel === undefined) return;
    const quietMs = this.clock.now() - this.lastTouch;
    if (quietMs >= this.idleMs) {
      this.cancel = undefined;
      this.onIdle();
    } else {
      this.cancel = this.clock.schedule(() => this.check(), this.idleMs - quietMs);
    }
  }
}
