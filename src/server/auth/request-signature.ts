import { timingSafeEqual } from 'node:crypto';

// The one signer (protocol layer), as the server's verification uses it.
export { computeSignature, parseSignatureHeader, signatureHeader, SIGNED_HEADERS } from '../../protocol/request-signing.js';

/** Constant-time comparison of two hex signatures (no early exit that would time the first differing byte). */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
