export * from './day-flow.js';
export * from './tier-thresholds.js';
export * from './trade-fields.js';
export * from './classification/classify.js';
export * from './classification/trade-type-policy.js';
export * from './classification/trade-sides.js';
export * from './tiers/size-tier-flow.js';
export * from './classification/accuracy.js';
