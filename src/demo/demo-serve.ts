import type { Logger } from '../logging/logger.js';
import type { FlowStore } from '../store/flow-store.js';
import { DemoMarket } from './demo-market.js';

/** The seed used when `--seed` is not given. */
export const DEFAULT_DEMO_SEED = 1;

/** `--seed N`: a whole number 0..4294967295 (the PRNG's state size). */
export function parseDemoSeed(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DEMO_SEED;
  if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) {
    throw new Error(`--seed must be a whole number from 0 to 4294967295, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/**
 * Starts the demo market of `capflow serve --demo`: stores the previous complete trading day and
 * today's trades so far, then releases trades live every second while markets are open.
 */
export async function startDemoMarket(options: {
  store: FlowStore;
  flows: { poll(): Promise<void> };
  seed: number;
  logger: Logger;
}): Promise<DemoMarket> {
  const demo = new DemoMarket(options);
  await demo.preload();
  demo.start();
  return demo;
}
