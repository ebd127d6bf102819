/**
 * capflow's own socket command codes (proto/capflow.proto), outside LongPort's range of quote
 * commands. Official SDKs never send them; capflow's client SDK does.
 */
export const CapflowCommand = {
  /** Request SubscribeCapitalFlowRequest → SubscribeCapitalFlowResponse (with the current lines). */
  SubscribeCapitalFlow: 200,
  /** Request UnsubscribeCapitalFlowRequest → UnsubscribeCapitalFlowResponse. */
  UnsubscribeCapitalFlow: 201,
  /** Push CapitalFlowUpdate: the lines of a subscribed symbol from the first changed minute on. */
  CapitalFlowUpdate: 202,
  /**
   * Request BatchCapitalFlowRequest → BatchCapitalFlowResponse: command 24's lines or command 25's
   * distribution of up to 50 symbols, each taking a token of the command it mirrors.
   */
  BatchCapitalFlow: 210,
  /**
   * Request TradesAfterRequest → TradesAfterResponse: a symbol-day's trades after a sequence
   * (the positions push 104 numbers), for exact gap filling; takes a token of command 17.
   */
  QueryTradesAfter: 220,
} as const;
export type CapflowCommand = (typeof CapflowCommand)[keyof typeof CapflowCommand];

/** `YYYY-MM-DD` → `YYYYMMDD` (the day format of command 9 and of CapitalFlowUpdate.trade_day). */
export function compactTradeDay(date: string): string {
  return date.replaceAll('-', '');
}
