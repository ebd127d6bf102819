// The runtime-independent part of the client SDK (no node: imports): the entries bind a runtime.
export { CapflowClientError, type CapflowClientErrorKind } from './client-error.js';
export type { ClientRuntime, WebSocketLike } from './client-runtime.js';
export { Config as BaseConfig, paramsFromEnv, type ConfigParams, type Environment } from './config.js';
export { Decimal } from './decimal.js';
export {
  CapitalFlowLine,
  QuoteContext,
  type CapitalDistribution,
  type CapitalDistributionResponse,
  type CapitalFlowCallback,
  type CapitalFlowUpdate,
} from './quote-context.js';
export type { ConnectionEvent } from './quote-session.js';
export { SubType, Trade, TradeDirection, TradeSession, type PushTrades, type PushTradesEvent, type Subscription, type TradesAfter, type TradesCallback } from './trade-types.js';
export { CapflowCommand } from '../protocol/capflow-command.js';
export { RestClient, isTransient, queryString, type FetchLike, type QueryOf, type RestClientOptions, type StreamEvent } from './rest-client.js';
export { SseParser, type ServerSentEvent } from './sse-parser.js';
export { Endpoint, type EndpointName } from '../contract/endpoints.js';
export type * from '../contract/schemas.js';
export { BusinessCode, HttpErrorCode } from '../protocol/codes/error-codes.js';
export { CloseCode } from '../protocol/codes/close-code.js';
export { signedHeaders, type SigningCredential } from '../protocol/request-signing.js';
