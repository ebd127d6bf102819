export * from './day-flow.js';
export * from './tier-thresholds.js';
export { DIRECTION_NOT_GIVEN, QUOTE_ABSENT } from './flow-state.js';
