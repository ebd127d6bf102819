/**
 * Every endpoint of capflow's HTTP API by name: method and path. Plain data without schema code,
 * so the REST client (and through it the web page) loads it alone; the route table
 * (routes.ts) adds the schemas and the documentation to each.
 */
export const Endpoint = {
  intraday: { method: 'GET', path: '/api/v1/capital-flow/intraday' },
  daily: { method: 'GET', path: '/api/v1/capital-flow/daily' },
  distribution: { method: 'GET', path: '/api/v1/capital-flow/distribution' },
  tiers: { method: 'GET', path: '/api/v1/capital-flow/tiers' },
  history: { method: 'GET', path: '/api/v1/capital-flow/history' },
  batch: { method: 'GET', path: '/api/v1/capital-flow/batch' },
  minuteTrades: { method: 'GET', path: '/api/v1/capital-flow/minute-trades' },
  rankings: { method: 'GET', path: '/api/v1/capital-flow/rankings' },
  sectors: { method: 'GET', path: '/api/v1/capital-flow/sectors' },
  sector: { method: 'GET', path: '/api/v1/capital-flow/sector' },
  symbols: { method: 'GET', path: '/api/v1/symbols' },
  streamToken: { method: 'POST', path: '/api/v1/stream-token' },
  stream: { method: 'GET', path: '/api/v1/capital-flow/stream' },
  openapi: { method: 'GET', path: '/api/openapi.json' },
  socketTokenV1: { method: 'GET', path: '/v1/socket/token' },
  socketTokenV2: { method: 'GET', path: '/v2/socket/token' },
  ingest: { method: 'POST', path: '/v1/ingest' },
  health: { method: 'GET', path: '/healthz' },
  readiness: { method: 'GET', path: '/readyz' },
  metrics: { method: 'GET', path: '/metrics' },
} as const satisfies Record<string, { readonly method: 'GET' | 'POST'; readonly path: `/${string}` }>;

export type EndpointName = keyof typeof Endpoint;
