import { credentialGeneration } from '../auth/credential.js';
import type { OtpStore } from '../auth/otp-issuer.js';
import type { ContractRouter } from './contract-router.js';

export interface SocketTokenRoutesOptions {
  otps: OtpStore;
  /** The credential's connections open now, across the fleet. */
  online: (appKey: string) => Promise<number>;
}

/**
 * The socket-token endpoints: /v1 (Rust-core SDKs, Go SDK up to v0.16) and /v2 (Go SDK since
 * v0.20, which reads `data.otp`) answer alike; the router takes a token of their shared bucket.
 */
export function registerSocketTokenRoutes(routes: ContractRouter, options: SocketTokenRoutesOptions): void {
  for (const name of ['socketTokenV1', 'socketTokenV2'] as const) {
    routes.envelope(name, async ({ credential }) => ({
      otp: await options.otps.issue(credential.appKey, credentialGeneration(credential)),
      limit: credential.connections,
      online: await options.online(credential.appKey),
    }));
  }
}
