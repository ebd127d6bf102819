export { DemoMarket, type DemoMarketOptions, type DemoProgress } from './demo-market.js';
export { generateDemoDay, referencePrice } from './demo-day.js';
export { DEMO_SECURITIES, DEMO_FEED_PROFILES, type DemoSecurity, type FeedProfile } from './demo-securities.js';
export { SeededRandom } from './seeded-random.js';
