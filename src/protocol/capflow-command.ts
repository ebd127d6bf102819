import { CapflowCommand as ProtoCommand } from './gen/capflow_pb.js';

/**
 * capflow's own socket command codes, outside LongPort's range of quote commands. Official SDKs
 * never send them; capflow's client SDK does. The numbers are proto/capflow.proto's
 * `CapflowCommand` (the one definition); these are their names in the code.
 */
export const CapflowCommand = {
  /** Request SubscribeCapitalFlowRequest → SubscribeCapitalFlowResponse (with the current lines). */
  SubscribeCapitalFlow: ProtoCommand.SUBSCRIBE_CAPITAL_FLOW,
  /** Request UnsubscribeCapitalFlowRequest → UnsubscribeCapitalFlowResponse. */
  UnsubscribeCapitalFlow: ProtoCommand.UNSUBSCRIBE_CAPITAL_FLOW,
  /** Push CapitalFlowUpdate: the lines of a subscribed symbol from the first changed minute on. */
  CapitalFlowUpdate: ProtoCommand.PUSH_CAPITAL_FLOW_UPDATE,
  /**
   * Request BatchCapitalFlowRequest → BatchCapitalFlowResponse: command 24's lines or command 25's
   * distribution of up to 50 symbols, each taking a token of the command it mirrors.
   */
  BatchCapitalFlow: ProtoCommand.BATCH_CAPITAL_FLOW,
  /**
   * Request CapitalFlowRankingsRequest → CapitalFlowRankingsResponse: a market's symbols ranked
   * as REST `/api/v1/capital-flow/rankings` ranks them; takes a token of command 24.
   */
  QueryCapitalFlowRankings: ProtoCommand.QUERY_CAPITAL_FLOW_RANKINGS,
  /**
   * Request TradesAfterRequest → TradesAfterResponse: a symbol-day's trades after a sequence
   * (the positions push 104 numbers), for exact gap filling; takes a token of command 17.
   */
  QueryTradesAfter: ProtoCommand.QUERY_TRADES_AFTER,
} as const;
export type CapflowCommand = (typeof CapflowCommand)[keyof typeof CapflowCommand];

/** `YYYY-MM-DD` → `YYYYMMDD` (the day format of command 9 and of CapitalFlowUpdate.trade_day). */
export function compactTradeDay(date: string): string {
  return date.replaceAll('-', '');
}
