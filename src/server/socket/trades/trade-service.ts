import { Command } from '../../../protocol/gen/quote_pb.js';
import { CapflowCommand } from '../../../protocol/capflow-command.js';
import type { FlowService } from '../../../service/flow-service.js';
import { TradeTape } from '../../../service/trade-tape.js';
import type { FlowStore } from '../../../store/flow-store.js';
import type { CommandHandler } from '../quote/command-handler.js';
import type { CommandRateLimiter } from '../../rate-limit/token-bucket.js';
import type { PacketConnection } from '../transport/packet-connection.js';
import {
  queryTradeHandler,
  subscribeHandler,
  subscriptionHandler,
  tradesAfterHandler,
  unsubscribeHandler,
} from './trade-commands.js';
import { TradeSubscriptions } from './trade-subscriptions.js';
import { silentLogger, type Logger } from '../../../logging/logger.js';

export interface TradeServiceOptions {
  flows: FlowService;
  store: Pick<FlowStore, 'readDayColumns'>;
  rateLimiter: CommandRateLimiter;
  /** Trades in the first push of `is_first_push` (default 50). */
  firstPushTrades?: number;
  logger?: Logger;
}

/** The trade side of the server: the tape, its subscriptions and the commands over them. */
export interface TradeService {
  readonly tape: TradeTape;
  readonly subscriptions: TradeSubscriptions;
  /** Commands 5, 6, 7, 17 and capflow's 220, by code. */
  readonly commands: ReadonlyMap<number, CommandHandler>;
  /** Subscriptions end with their connection. */
  connectionClosed(conn: PacketConnection): void;
  stop(): void;
}

export function startTradeService(options: TradeServiceOptions): TradeService {
  const logger = options.logger ?? silentLogger();
  const tape = new TradeTape({ flows: options.flows, store: options.store, logger: logger.child({ module: 'trade-tape' }) });
  const subscriptions = new TradeSubscriptions({
    tape,
    flows: options.flows,
    ...(options.firstPushTrades === undefined ? {} : { firstPushTrades: options.firstPushTrades }),
    logger: logger.child({ module: 'trade-subscriptions' }),
  });
  const commands = new Map<number, CommandHandler>([
    [Command.Subscription, subscriptionHandler(subscriptions)],
    [Command.Subscribe, subscribeHandler(subscriptions, options.flows)],
    [Command.Unsubscribe, unsubscribeHandler(subscriptions)],
    [Command.QueryTrade, queryTradeHandler(tape, options.flows)],
    [CapflowCommand.QueryTradesAfter, tradesAfterHandler(tape, options.flows, options.rateLimiter)],
  ]);
  return {
    tape,
    subscriptions,
    commands,
    connectionClosed: (conn) => subscriptions.connectionClosed(conn),
    stop: () => tape.stop(),
  };
}
