/** Something handed out to a credential for a while: a one-time password, a session, a stream token. */
export interface Grant {
  readonly appKey: string;
  /** The credential generation it was issued under (`credentialGeneration`). */
  readonly generation: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * Grants by id, indexed for the two questions asked of them: "this id?" (a Map) and "all of this
 * credential's?" (a set per app key, for a rotation or revocation, whatever their number). Every
 * grant of one kind lives equally long, so insertion order is expiry order: expired grants are
 * dropped from the front as new ones come in, a constant amount of work per call instead of a
 * scan of every live grant.
 */
export class ExpiringGrants<G extends Grant> {
  private readonly byId = new Map<string, G>();
  private readonly byKey = new Map<string, Set<string>>();

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.byId.size;
  }

  add(id: string, grant: G): void {
    this.dropExpired();
    this.byId.set(id, grant);
    let ids = this.byKey.get(grant.appKey);
    if (!ids) {
      ids = new Set();
      this.byKey.set(grant.appKey, ids);
    }
    ids.add(id);
  }

  /** The live grant, or undefined when unknown or expired (an expired one is dropped). */
  get(id: string): G | undefined {
    const grant = this.byId.get(id);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.now()) {
      this.delete(id);
      return undefined;
    }
    return grant;
  }

  /** Removes and returns a grant (live or not). */
  take(id: string): G | undefined {
    const grant = this.byId.get(id);
    if (grant) this.delete(id);
    return grant;
  }

  delete(id: string): void {
    const grant = this.byId.get(id);
    if (!grant) return;
    this.byId.delete(id);
    const ids = this.byKey.get(grant.appKey);
    ids?.delete(id);
    if (ids?.size === 0) this.byKey.delete(grant.appKey);
  }

  /** Removes every grant of a credential issued under another generation (all of them when undefined). */
  removeCredential(appKey: string, keepGeneration?: string): number {
    const ids = this.byKey.get(appKey);
    if (!ids) return 0;
    let removed = 0;
    for (const id of [...ids]) {
      if (keepGeneration !== undefined && this.byId.get(id)?.generation === keepGeneration) continue;
      this.delete(id);
      removed++;
    }
    return removed;
  }

  /** Drops the oldest grant (a bound on how many are outstanding). */
  dropOldest(): void {
    const oldest = this.byId.keys().next();
    if (!oldest.done) this.delete(oldest.value);
  }

  /** Drops expired grants from the front; stops at the first live one. */
  private dropExpired(): void {
    const now = this.now();
    for (const [id, grant] of this.byId) {
      if (grant.expiresAt > now) return;
      this.delete(id);
    }
  }
}
