import { randomBytes } from 'node:crypto';
import { ExpiringGrants } from '../../auth/expiring-grants.js';
import type { MaybePromise } from '../../../store/gateway-state/maybe-async.js';

/** A socket session: created by auth, resumable by reconnect until it expires. */
export interface Session {
  readonly id: string;
  readonly appKey: string;
  /** The credential generation it was created under: a rotation or revocation ends it. */
  readonly generation: string;
  /** Epoch ms (the `expires` of AuthResponse). */
  readonly expiresAt: number;
}

/**
 * Sessions and which connection currently holds each of them. The embedded default keeps them
 * in memory and answers at once; a gateway fleet keeps them in a shared store (PostgreSQL,
 * answering with promises) so that a session created on one gateway resumes on another.
 */
export interface SessionRegistry {
  create(appKey: string, generation: string): MaybePromise<Session>;
  /** The live session, or undefined when unknown or expired. */
  get(id: string): MaybePromise<Session | undefined>;
  remove(id: string): MaybePromise<void>;
  /** Ends every session of a credential not created under `keepGeneration` (all when undefined), however many. */
  removeCredential(appKey: string, keepGeneration?: string): MaybePromise<void>;
}

export class InMemorySessionRegistry implements SessionRegistry {
  private readonly sessions: ExpiringGrants<Session>;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sessions = new ExpiringGrants(now);
  }

  /** Sessions held (live, or expired and not yet swept). */
  get size(): number {
    return this.sessions.size;
  }

  create(appKey: string, generation: string): Session {
    const session: Session = { id: randomBytes(18).toString('base64url'), appKey, generation, expiresAt: this.now() + this.ttlMs };
    this.sessions.add(session.id, session);
    return session;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  removeCredential(appKey: string, keepGeneration?: string): void {
    this.sessions.removeCredential(appKey, keepGeneration);
  }
}
