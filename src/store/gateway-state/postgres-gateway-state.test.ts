/** Needs PostgreSQL (127.0.0.1:5432): the fleet's shared state passes the gateway-state suite. */
import { PostgresFlowStore } from '../postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../postgres-test-kit.js';
import { gatewayStateSuite, SUITE_OTP_TTL_MS, SUITE_SESSION_TTL_MS } from './gateway-state-suite.js';
import { postgresGatewayState } from './postgres-gateway-state.js';

gatewayStateSuite(
  'PostgreSQL (a fleet)',
  async (now) => {
    const schema = uniqueName('capflow_test_gateway_state');
    const store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
    const { otps, sessions, rateLimiter } = postgresGatewayState(store.connectionPool, { now, otpTtlMs: SUITE_OTP_TTL_MS, sessionTtlMs: SUITE_SESSION_TTL_MS });
    return {
      otps,
      sessions,
      rateLimiter,
      close: async () => {
        await store.close();
        await dropSchemas([schema]);
      },
    };
  },
  { skip: SERVICES_SKIPPED },
);
