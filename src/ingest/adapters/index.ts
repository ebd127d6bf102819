export { ingestAdapterSource, roundDecimalText, scaledIntegerText, type AdapterSource } from './adapter-source.js';
export { l2TradeSource, orderSequenceSide, L2_AUCTION_TRADE_TYPE, type L2Options } from './l2-trade-source.js';
export { lobsterSource, lobsterSourceId, type LobsterOptions } from './lobster-source.js';
export { isKnownTimeZone, parseLocalDateTime, parseSecondsAfterMidnight, parseTimeOfDay, wallToEpochMs } from './local-time.js';
export {
  mapRecord,
  mappedFileSource,
  parseColumnMap,
  parseSideMap,
  validateMapping,
  type ColumnMapping,
  type MappedFileOptions,
} from './mapped-source.js';
