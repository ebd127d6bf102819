import type { Logger } from '../../logging/logger.js';
import { CapflowCommand } from '../../protocol/capflow-command.js';
import { QuoteCommand } from '../../protocol/control-command.js';
import type { FlowService } from '../../service/flow-service.js';
import type { MarketClock } from '../../service/market-clock.js';
import type { RankingsService } from '../../service/rankings/rankings-service.js';
import type { FlowStore } from '../../store/flow-store.js';
import type { ConnectionLedger } from '../../store/gateway-state/connection-ledger.js';
import type { OtpStore, SessionRegistry } from '../../store/gateway-state/gateway-state.js';
import type { CredentialRegistry } from '../auth/credential.js';
import { defined } from '../config/defined.js';
import type { CapflowMetrics } from '../metrics/capflow-metrics.js';
import type { DistributionSource } from '../queries/command25-distribution.js';
import type { CommandRateLimiter } from '../rate-limit/token-bucket.js';
import type { TransportClock } from './transport/transport-clock.js';
import { LiveFlowHub } from './live/live-flow-hub.js';
import { subscribeCapitalFlowHandler, unsubscribeCapitalFlowHandler } from './live/subscription-commands.js';
import { batchCapitalFlowHandler } from './quote/capital-flow-batch.js';
import { rankingsCommandHandler } from './quote/rankings-command.js';
import { capitalDistributionHandler, capitalFlowHandler } from './quote/capital-flow.js';
import type { CommandHandler } from './quote/command-handler.js';
import { handleMarketTradeDay } from './quote/market-trade-day.js';
import { marketTradePeriodHandler } from './quote/market-trade-period.js';
import { handleUserQuoteProfile } from './quote/user-quote-profile.js';
import { SocketGateway } from './session/socket-gateway.js';
import { startTradeService, type TradeService } from './trades/trade-service.js';

export interface SocketSideOptions {
  flows: FlowService;
  clock: MarketClock;
  store: FlowStore;
  credentials: CredentialRegistry;
  otps: OtpStore;
  sessions: SessionRegistry;
  /** Shared with the HTTP routes that mirror the commands. */
  rateLimiter: CommandRateLimiter;
  /** Command 25's answer under the server's size-tier convention (commands 25 and 210). */
  distributionOf: DistributionSource;
  /** The rankings kept current as trades arrive (command 211; shared with the REST API). */
  rankings: RankingsService;
  metrics: CapflowMetrics;
  logger: Logger;
  connectionLedger?: ConnectionLedger | undefined;
  authTimeoutMs?: number | undefined;
  deadlineClock?: TransportClock | undefined;
  liveCoalesceMs?: number | undefined;
  liveTickMs?: number | undefined;
  firstPushTrades?: number | undefined;
}

/** The socket gateway with every command it answers, the live hub and the trade service behind them. */
export interface SocketSide {
  readonly gateway: SocketGateway;
  readonly live: LiveFlowHub;
  readonly trades: TradeService;
  /** Stops the live hub and the trade service (the transports are stopped by their owner). */
  stop(): void;
}

/** Composes the socket side: LongPort's quote commands, capflow's live, batch and ranking commands, the trade commands. */
export function composeSocketSide(options: SocketSideOptions): SocketSide {
  const { flows, logger } = options;
  const live = new LiveFlowHub({
    flows,
    clock: options.clock,
    logger: logger.child({ module: 'live-flow-hub' }),
    ...defined({ coalesceMs: options.liveCoalesceMs, tickMs: options.liveTickMs }),
  });
  const trades = startTradeService({
    flows,
    store: options.store,
    rateLimiter: options.rateLimiter,
    logger: logger.child({ module: 'trades' }),
    ...defined({ firstPushTrades: options.firstPushTrades }),
  });
  const commands = new Map<number, CommandHandler>([
    [QuoteCommand.QueryUserQuoteProfile, handleUserQuoteProfile],
    [QuoteCommand.QueryMarketTradePeriod, marketTradePeriodHandler(options.clock)],
    [QuoteCommand.QueryMarketTradeDay, handleMarketTradeDay],
    [QuoteCommand.QueryCapitalFlowIntraday, capitalFlowHandler(flows)],
    [QuoteCommand.QueryCapitalFlowDistribution, capitalDistributionHandler(flows, options.distributionOf)],
    [CapflowCommand.SubscribeCapitalFlow, subscribeCapitalFlowHandler(live)],
    [CapflowCommand.UnsubscribeCapitalFlow, unsubscribeCapitalFlowHandler(live)],
    [CapflowCommand.BatchCapitalFlow, batchCapitalFlowHandler(flows, options.rateLimiter, options.distributionOf)],
    [CapflowCommand.QueryCapitalFlowRankings, rankingsCommandHandler(options.rankings, options.rateLimiter)],
    ...trades.commands,
  ]);
  const { metrics } = options;
  const gateway = new SocketGateway({
    credentials: options.credentials,
    otps: options.otps,
    sessions: options.sessions,
    rateLimiter: options.rateLimiter,
    commands,
    logger: logger.child({ module: 'socket-gateway' }),
    onConnectionClosed: (conn) => {
      live.connectionClosed(conn);
      trades.connectionClosed(conn);
    },
    onRequestDone: (command, status, code) => metrics.requestDone(command, status, code),
    onAuthFailure: (closeCode) => metrics.socketAuthFailed(closeCode),
    ...defined({ authTimeoutMs: options.authTimeoutMs, deadlineClock: options.deadlineClock, connectionLedger: options.connectionLedger }),
  });
  return {
    gateway,
    live,
    trades,
    stop: () => {
      live.stop();
      trades.stop();
    },
  };
}
