// The REST contract in one import: endpoints, routes with their schemas, limits, the OpenAPI generator.
export * from './endpoints.js';
export * from './routes.js';
export * from './schemas.js';
export * from './limits.js';
export * from './openapi.js';
