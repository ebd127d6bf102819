/** A lone gateway's in-memory state passes the same suite as a fleet's PostgreSQL state. */
import { gatewayStateSuite, SUITE_OTP_TTL_MS, SUITE_SESSION_TTL_MS } from '../store/gateway-state/gateway-state-suite.js';
import { OtpIssuer } from './auth/otp-issuer.js';
import { RateLimiter } from './rate-limit/token-bucket.js';
import { InMemorySessionRegistry } from './socket/session/session-registry.js';

gatewayStateSuite('in memory (a lone gateway)', async (now) => ({
  otps: new OtpIssuer(SUITE_OTP_TTL_MS, now),
  sessions: new InMemorySessionRegistry(SUITE_SESSION_TTL_MS, now),
  rateLimiter: new RateLimiter(now),
}));
