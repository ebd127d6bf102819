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
