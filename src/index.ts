/**
 * `import 'capflow'`: the service as a library — start the server, run the flow service over a
 * store, ingest files, run the CLI in-process. The protocol and the client have packages of their
 * own (`@capflow/protocol`, `@capflow/client`); `capflow/client` re-exports the latter's Node entry.
 */
export { startCapflowServer, type CapflowServerOptions, type RunningServer } from './server/capflow-server.js';
export { FlowService, type FlowServiceOptions } from './service/flow-service.js';
export { ingestFile, type IngestFileOptions, type IngestSummary } from './ingest/index.js';
export { main as runCapflowCli, type CliIo } from './cli/main.js';
export * from './model/index.js';
