import { randomBytes } from 'node:crypto';
import { ExpiringGrants } from '../../auth/expiring-grants.js';
import type { Session, SessionRegistry } from '../../../store/gateway-state/gateway-state.js';

export type { Session, SessionRegistry };

/** Sessions in this process's memory (a lone gateway); a fleet shares PostgresSessionRegistry. */
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
