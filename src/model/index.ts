export * from './market.js';
export * from './errors.js';
export * from './decimal.js';
export * from './symbol.js';
export * from './trade.js';
export * from './trade-time.js';
