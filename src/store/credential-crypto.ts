import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How credential secrets are kept at rest.
 * - Access tokens: only their SHA-256 (a signature is checked with the token the client sends,
 *   so the server never needs the token itself).
 * - App secrets (needed to verify HMAC signatures): AES-256-GCM with a 32-byte key from
 *   `CAPFLOW_SECRET_KEY` (64 hex digits, or base64 of 32 bytes), sealed as
 *   `aes256gcm:v1:<iv b64url>:<tag b64url>:<ciphertext b64url>`; without a key, `plain:<secret>`.
 */
export const SECRET_KEY_ENV = 'CAPFLOW_SECRET_KEY';

const PLAIN_PREFIX = 'plain:';
const GCM_PREFIX = 'aes256gcm:v1:';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Constant-time check of a token against a stored SHA-256. */
export function tokenMatchesHash(token: string, tokenSha256: string): boolean {
  const actual = Buffer.from(sha256Hex(token), 'hex');
  const expected = Buffer.from(tokenSha256, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Parses `CAPFLOW_SECRET_KEY`; undefined when unset or empty, an Error naming the problem when malformed. */
export function parseSecretKey(text: string | undefined): Buffer | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw new Error(`${SECRET_KEY_ENV} must be 32 bytes as 64 hex digits or base64 (e.g. from \`openssl rand -hex 32\`)`);
}

/** The key from the environment (throws on a malformed value). */
export function secretKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  return parseSecretKey(env[SECRET_KEY_ENV]);
}

export function sealSecret(secret: string, key: Buffer | undefined): string {
  if (!key) return `${PLAIN_PREFIX}${secret}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${GCM_PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
}

export function isSealedPlain(sealed: string): boolean {
  return sealed.startsWith(PLAIN_PREFIX);
}

/** Opens a sealed secret; throws an Error that never contains the secret when it cannot. */
export function openSecret(sealed: string, key: Buffer | undefined): string {
  if (sealed.startsWith(PLAIN_PREFIX)) return sealed.slice(PLAIN_PREFIX.length);
  if (!sealed.startsWith(GCM_PREFIX)) throw new Error('unrecognised sealed secret format');
  if (!key) throw new Error(`the app secret is encrypted: set ${SECRET_KEY_ENV} to the key it was stored with`);
  const [iv, tag, body] = sealed.slice(GCM_PREFIX.length).split(':');
  if (iv === undefined || tag === undefined || body === undefined) throw new Error('malformed sealed secret');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`cannot decrypt the app secret: ${SECRET_KEY_ENV} is not the key it was stored with`);
  }
}
