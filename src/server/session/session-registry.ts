import { randomBytes } from 'node:crypto';
import type { MaybePromise } from './maybe-async.js';

/** A socket session: created by auth, resumable by reconnect until it expires. */
export interface Session {
  readonly id: string;
  readonly appKey: string;
  /** Epoch ms (the `expires` of AuthResponse). */
  readonly expiresAt: number;
}

/**
 * Sessions and which connection currently holds each of them. The embedded default keeps them
 * in memory and answers at once; a gateway fleet keeps them in a shared store (PostgreSQL,
 * answering with promises) so that a session created on one gateway resumes on another.
 */
export interface SessionRegistry {
  create(appKey: string): MaybePromise<Session>;
  /** The live session, or undefined when unknown or expired. */
  get(id: string): MaybePromise<Session | undefined>;
  remove(id: string): MaybePromise<void>;
}

export class InMemorySessionRegistry implements SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(appKey: string): Session {
    this.sweep();
    const session: Session = { id: randomBytes(18).toString('base64url'), appKey, expiresAt: this.now() + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(): void {
    if (this.sessions.size < 4096) return;
    const now = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
