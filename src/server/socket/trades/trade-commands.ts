import { create, toBinary } from '@bufbuild/protobuf';
import { expandCompactDate } from '../../../calendar/time-zone.js';
import { internalError, invalidRequest, rateLimited, subscriptionLimitExceeded } from '../../../model/errors.js';
import type { ParsedSymbol } from '../../../model/symbol.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import { compactTradeDay } from '../../../protocol/capflow-command.js';
import { TradesAfterRequestSchema, TradesAfterResponseSchema } from '../../../protocol/gen/capflow_pb.js';
import {
  Command,
  SecurityTradeRequestSchema,
  SecurityTradeResponseSchema,
  SubscribeRequestSchema,
  SubscriptionRequestSchema,
  SubscriptionResponseSchema,
  SubTypeListSchema,
  SubType,
  UnsubscribeRequestSchema,
} from '../../../protocol/gen/quote_pb.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { TradeTape } from '../../../service/trade-tape.js';
import { rateLimitFor, subscribeLimitOf } from '../../auth/credential.js';
import type { CommandHandler, RequestContext } from '../quote/command-handler.js';
import type { CommandRateLimiter } from '../../rate-limit/token-bucket.js';
import type { TradeSubscriptions } from './trade-subscriptions.js';
import { parseTradeSymbol, resolveTradeSymbol } from './trade-symbol.js';
import { toWireTrade } from './trade-wire.js';

/** Most trades command 17 answers (LongPort's documented range is 1–1000). */
export const MAX_QUERY_TRADES = 1000;
/** Most trades one command 220 answers. */
export const TRADES_AFTER_LIMIT = 5000;

const EMPTY = new Uint8Array(0);

function connectionOf(context: RequestContext) {
  if (!context.connection) throw internalError('subscriptions need the caller connection');
  return context.connection;
}

/** capflow relays trades only: any other sub type is refused, so a client learns it at once. */
function requireTradeSubTypes(subTypes: readonly SubType[]): void {
  const others = subTypes.filter((type) => type !== SubType.TRADE);
  if (subTypes.length === 0 || others.length > 0) {
    const named = others.map((type) => SubType[type] ?? String(type)).join(', ');
    throw invalidRequest(
      subTypes.length === 0 ? 'sub_type is empty: capflow serves trades only (SubType TRADE)' : `capflow serves trades only (SubType TRADE); not served: ${named}`,
    );
  }
}

/** Command 6: subscribe symbols to their trades (push 104). */
export function subscribeHandler(subscriptions: TradeSubscriptions, flows: FlowService): CommandHandler {
  return async (body, context) => {
    const request = decodeBody(SubscribeRequestSchema, body);
    requireTradeSubTypes(request.subType);
    if (request.symbol.length === 0) throw invalidRequest('no symbol to subscribe');
    // More symbols than the limit can never be held: refused before any is looked at.
    const limit = subscribeLimitOf(context.credential);
    if (request.symbol.length > limit) throw subscriptionLimitExceeded(limit);
    const symbols = request.symbol.map((text) => ({ symbol: resolveTradeSymbol(text, context.credential, flows), text: text.trim() }));
    await subscriptions.subscribe(connectionOf(context), context.credential, symbols, request.isFirstPush);
    return EMPTY;
  };
}

/** Command 7: unsubscribe symbols (or all of the connection's with `unsub_all`). */
export function unsubscribeHandler(subscriptions: TradeSubscriptions): CommandHandler {
  return (body, context) => {
    const request = decodeBody(UnsubscribeRequestSchema, body);
    if (!request.unsubAll || request.subType.length > 0) requireTradeSubTypes(request.subType);
    const symbols: ParsedSymbol[] | 'all' = request.unsubAll ? 'all' : request.symbol.map(parseTradeSymbol);
    subscriptions.unsubscribe(connectionOf(context), symbols);
    return EMPTY;
  };
}

/** Command 5: the connection's current subscriptions. */
export function subscriptionHandler(subscriptions: TradeSubscriptions): CommandHandler {
  return (body, context) => {
    decodeBody(SubscriptionRequestSchema, body);
    const subList = subscriptions
      .subscriptionsOf(connectionOf(context))
      .map((symbol) => create(SubTypeListSchema, { symbol, subType: [SubType.TRADE] }));
    return toBinary(SubscriptionResponseSchema, create(SubscriptionResponseSchema, { subList }));
  };
}

/** Command 17: the latest `count` (1–1000) trades of the served day, oldest first. */
export function queryTradeHandler(tape: TradeTape, flows: FlowService): CommandHandler {
  return async (body, context) => {
    const request = decodeBody(SecurityTradeRequestSchema, body);
    const symbol = resolveTradeSymbol(request.symbol, context.credential, flows);
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > MAX_QUERY_TRADES) {
      throw invalidRequest(`count must be 1 to ${MAX_QUERY_TRADES}, got ${request.count}`);
    }
    const day = await tape.day(symbol, flows.servedSchedule(symbol.market).date);
    return toBinary(
      SecurityTradeResponseSchema,
      create(SecurityTradeResponseSchema, { symbol: symbol.symbol, trades: day.latest(request.count).map(toWireTrade) }),
    );
  };
}

/**
 * capflow's command 220: a symbol-day's trades after a sequence, for exact gap filling. Each
 * request takes a token of command 17's bucket (it answers the same kind of data).
 */
export function tradesAfterHandler(tape: TradeTape, flows: FlowService, limiter: CommandRateLimiter): CommandHandler {
  return async (body, context) => {
    const request = decodeBody(TradesAfterRequestSchema, body);
    const symbol = resolveTradeSymbol(request.symbol, context.credential, flows);
    const rule = rateLimitFor(context.credential, Command.QueryTrade);
    if (rule && !(await limiter.tryTake(context.credential.appKey, Command.QueryTrade, rule.limit, rule.burst))) {
      throw rateLimited(`rate limit of ${rule.limit}/s (burst ${rule.burst}) exceeded for command ${Command.QueryTrade}`);
    }
    const served = flows.servedSchedule(symbol.market).date;
    let date = served;
    if (request.tradeDay !== '') {
      const asked = expandCompactDate(request.tradeDay);
      if (asked === undefined || asked > served) throw invalidRequest(`trade_day must be YYYYMMDD, at most the served day ${compactTradeDay(served)}: ${JSON.stringify(request.tradeDay)}`);
      date = asked;
    }
    const after = Math.max(0, Number(request.afterSequence));
    const count = Math.min(request.count, TRADES_AFTER_LIMIT);
    const answer = await tape.tradesAfter(symbol, date, after, count);
    return toBinary(
      TradesAfterResponseSchema,
      create(TradesAfterResponseSchema, {
        symbol: symbol.symbol,
        tradeDay: compactTradeDay(date),
        firstSequence: BigInt(answer.trades[0]?.sequence ?? after + 1),
        trades: answer.trades.map(toWireTrade),
        dayTrades: BigInt(answer.dayTrades),
        countLimit: TRADES_AFTER_LIMIT,
      }),
    );
  };
}
