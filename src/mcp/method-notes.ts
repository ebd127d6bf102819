/** The method notes an assistant can read (resource `capflow://method-notes`): how capflow computes its numbers. */
export const METHOD_NOTES_URI = 'capflow://method-notes';

export const METHOD_NOTES = `# How capflow computes capital flow

- **Turnover** of a trade is price × volume, in the trading currency. Every sum is exact; amounts are decimal strings with 3 places.
- **Side.** Each trade counts as inflow (buyer-initiated, "buy"), outflow (seller-initiated, "sell") or neither ("neutral"). The feed's own side wins. Without one: an auction print is neutral; a trade in the closing-auction window after the last session is neutral; otherwise the classification method decides — Lee–Ready by default (at or above the ask a buy, at or below the bid a sell, else by the midpoint), EMO or CLNV when the feed names them — and when quotes are missing or do not decide, the tick rule (up-tick buy, down-tick sell, unchanged price the last change's side).
- **Excluded trades.** Off-exchange, late and similar reports count in no line and do not move the tick rule.
- **Lines.** One line per session minute, plus one for the closing auction where the market has one (HK, CN, SG): \`inflow\` is the day's cumulative net inflow (inflow − outflow) up to the end of that minute, \`timestamp\` the minute's start in Unix seconds. Trades before the first session or in a lunch break count in no line. \`explain_capital_flow\` lists the trades behind one line.
- **Distribution.** Inflow and outflow by trade size. LongPort's convention has three tiers by turnover (large ≥ 220,000 HKD / 30,000 USD / 200,000 CNY / 40,000 SGD; medium ≥ a fifth of that); eastmoney has four fixed tiers; futu has four tiers by percentiles of the trailing days' trade turnovers. The main force is the large tiers (super-large + large in the four-tier conventions).
- **Days.** Dates are exchange-local trading days; without \`date\` a tool answers the current trading day so far.
- **Permissions and limits.** Every call acts as one credential: only its markets, within its rate limits. Errors carry LongPort's status and code, e.g. \`7/301600 symbol not found\`, \`7/301604 no access\`, \`3/301606 rate limit\`.
`;
