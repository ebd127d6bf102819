export * from './live-flow-hub.js';
export * from './line-diff.js';
export * from './subscription-commands.js';
