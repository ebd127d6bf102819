/**
 * Durable credentials managed by `capflow credentials …`, kept beside the trades. A store holds
 * rows only: the access token as its SHA-256 hash and the app secret sealed (see
 * credential-crypto.ts), so a copy of the database never gives a working token.
 */
export interface CredentialRecord {
  readonly appKey: string;
  /** The app secret as sealed by `sealSecret` (encrypted, or marked plain when no key is set). */
  readonly sealedSecret: string;
  /** Lower-case hex SHA-256 of the access token. */
  readonly tokenSha256: string;
  /** Permission codes (HK, US, CN, SG). */
  readonly markets: readonly string[];
  readonly connections: number;
  /** Per command code. */
  readonly rateLimits: Readonly<Record<string, { readonly limit: number; readonly burst: number }>>;
  /** Epoch ms after which the credential is refused; null = never. */
  readonly expiresAt: number | null;
  readonly ingest: boolean;
  /** Accepts `Authorization: Bearer <token>` without a signature (OAuth mode); false when absent. */
  readonly bearer?: boolean;
  /** SSE streams open at once; null or absent = the server's default. */
  readonly streams?: number | null;
  /** Lower-case hex SHA-256 of the MCP token (opens `/mcp` only); null or absent = none. */
  readonly mcpTokenSha256?: string | null;
  readonly createdAt: number;
  /** Last add / rotate / revoke (epoch ms). */
  readonly updatedAt: number;
  /** Epoch ms of revocation; null while active. */
  readonly revokedAt: number | null;
}

/**
 * The small contract every credential store implements (embedded SQLite, PostgreSQL). Every
 * write is atomic and bumps `revision()`, which running servers poll to pick changes up live.
 */
export interface CredentialStore {
  /** Adds a credential; fails (rejects) when the app key exists, even revoked. */
  insert(record: CredentialRecord): Promise<void>;
  /** Replaces the row of `record.appKey`; false when there is no such app key. */
  replace(record: CredentialRecord): Promise<boolean>;
  /** Every credential, revoked ones included, ordered by app key. */
  list(): Promise<CredentialRecord[]>;
  /** A number that grows with every write (0 for a store never written). */
  revision(): Promise<number>;
  close(): Promise<void>;
}

/** The app key already exists in the store. */
export class DuplicateAppKeyError extends Error {
  constructor(readonly appKey: string) {
    super(`app key ${JSON.stringify(appKey)} already exists`);
    this.name = 'DuplicateAppKeyError';
  }
}
