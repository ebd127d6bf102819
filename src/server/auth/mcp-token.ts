import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../store/credential-crypto.js';
import { type Credential, type CredentialRegistry } from './credential.js';
import { signaturesEqual } from './request-signature.js';

/**
 * MCP tokens: a credential's own bearer secret for the `/mcp` endpoint, so that an assistant's
 * configuration never holds the access token and app secret. It opens `/mcp` only — the signed
 * endpoints and the socket never accept it — and acts there as its credential (markets, rate
 * limits). Kept as a SHA-256 like access tokens; a rotation issues a new one and a revocation
 * ends it with the credential.
 */
export function newMcpToken(): string {
  return `cfm_${randomBytes(32).toString('base64url')}`;
}

/** The credential whose MCP token this is, if any (compared as hashes, in constant time). */
export function credentialOfMcpToken(credentials: CredentialRegistry, token: string): Credential | undefined {
  if (token === '') return undefined;
  const presented = sha256Hex(token);
  let found: Credential | undefined;
  for (const credential of credentials.all()) {
    if (credential.mcpTokenSha256 !== undefined && signaturesEqual(presented, credential.mcpTokenSha256)) found = credential;
  }
  return found;
}
