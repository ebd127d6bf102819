import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { parseConfig } from '../config/config-file.js';
import { usableAt, InMemoryCredentialRegistry } from './credential.js';
import { credentialFromRecord, issueCredential, revokeCredential, rotateCredential } from './managed-credentials.js';
import { credentialOfMcpToken } from './mcp-token.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('MCP tokens', () => {
  it('a stored credential: issued on request, kept as its hash only, found by the token', () => {
    const issued = issueCredential({ markets: ['HK'], mcpToken: true }, undefined, NOW);
    assert.match(issued.mcpToken ?? '', /^cfm_[\w-]{43}$/);
    assert.equal(issued.record.mcpTokenSha256, sha256(issued.mcpToken!));
    assert.ok(!JSON.stringify(issued.record).includes(issued.mcpToken!));
    const registry = new InMemoryCredentialRegistry([credentialFromRecord(issued.record, undefined)]);
    assert.equal(credentialOfMcpToken(registry, issued.mcpToken!)?.appKey, issued.appKey);
    assert.equal(credentialOfMcpToken(registry, issued.accessToken), undefined);
    assert.equal(credentialOfMcpToken(registry, ''), undefined);
    const without = issueCredential({ markets: ['HK'] }, undefined, NOW);
    assert.equal(without.mcpToken, undefined);
    assert.equal(without.record.mcpTokenSha256, null);
  });

  it('a rotation issues a new one and the old one stops working; a revocation ends it', () => {
    const issued = issueCredential({ markets: ['HK'], mcpToken: true }, undefined, NOW);
    const rotated = rotateCredential(issued.record, undefined, NOW + 1);
    assert.ok(rotated.mcpToken && rotated.mcpToken !== issued.mcpToken);
    const registry = new InMemoryCredentialRegistry([credentialFromRecord(rotated.record, undefined)]);
    assert.equal(credentialOfMcpToken(registry, issued.mcpToken!), undefined);
    assert.equal(credentialOfMcpToken(registry, rotated.mcpToken)?.appKey, issued.appKey);
    const revoked = credentialFromRecord(revokeCredential(rotated.record, NOW + 2), undefined);
    assert.equal(usableAt(revoked, NOW + 3), false);
    // A credential without one gets one on rotation only when asked.
    const plain = issueCredential({ markets: ['HK'] }, undefined, NOW);
    assert.equal(rotateCredential(plain.record, undefined, NOW).mcpToken, undefined);
    assert.match(rotateCredential(plain.record, undefined, NOW, null, true).mcpToken ?? '', /^cfm_/);
  });

  it('from the configuration file: "mcpToken", kept as its hash', () => {
    const config = parseConfig({ credentials: [{ appKey: 'k1', appSecret: 's1', accessToken: 't1', markets: ['HK'], mcpToken: 'm1' }] }, 'f.json');
    const credential = config.credentials[0]!;
    assert.equal(credential.mcpTokenSha256, sha256('m1'));
    assert.ok(!JSON.stringify(credential).includes('"m1"'));
    assert.equal(credentialOfMcpToken(new InMemoryCredentialRegistry(config.credentials), 'm1')?.appKey, 'k1');
  });
});
