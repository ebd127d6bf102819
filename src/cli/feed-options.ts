/** The feed flags `capflow ingest` and `capflow compute` share: one table, so both read a feed alike. */
export const FEED_OPTIONS = {
  'max-rejections': { type: 'string', value: 'N', description: 'rejection reasons printed per file (default 20; all are counted)' },
  format: { type: 'string', value: 'csv|ndjson|lobster|l2', description: 'the feed format (default: from the file name: .csv, .ndjson, .jsonl, each optionally .gz)' },
  orderbook: { type: 'string', value: 'FILE', description: "--format lobster: the message file's orderbook file" },
  symbol: { type: 'string', value: 'SYMBOL', description: 'the symbol of a one-symbol feed (LOBSTER, or --map without a symbol column)' },
  date: { type: 'string', value: 'YYYY-MM-DD', description: 'the trading day of time-of-day columns (--format l2, --map)' },
  map: { type: 'string', value: 'FIELD=COLUMN,…', description: 'any CSV/NDJSON: the source column of each canonical field (symbol, timestamp, price, volume, direction, trade_id, bid, ask, trade_type)' },
  'time-zone': { type: 'string', value: 'ZONE', description: 'with --map: the IANA time zone of local times' },
  sides: { type: 'string', value: 'CODE=up|down|neutral,…', description: 'with --map: how to read side codes, e.g. B=up,S=down' },
  classify: {
    type: 'string',
    value: 'METHOD',
    description:
      "how trades without a side of their own are classified: lee-ready (default), emo, clnv or tick; order-sequence (with --format l2): the later of the buy and sell orders is the aggressor, for every continuous-session trade (the exchange's flag set aside)",
  },
} as const;
