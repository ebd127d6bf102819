/**
 * capflow/client for Node: the official SDK's quote API (Config, QuoteContext, capitalFlow,
 * capitalDistribution) in pure TypeScript, plus capflow's live subscriptions. Uses `ws`,
 * node:zlib and node:crypto; `capflow/client/browser` is the same API for browsers.
 */
import { Config as BaseConfig, paramsFromEnv, type ConfigParams, type Environment } from './config.js';
import { nodeRuntime } from './node-runtime.js';

export * from './core.js';

export class Config extends BaseConfig {
  constructor(params: ConfigParams) {
    super({ runtime: nodeRuntime, ...params });
  }

  /** From the LONGPORT_* environment variables (process.env unless given). */
  static override fromEnv(env?: Environment, extra: Partial<ConfigParams> = {}): Config {
    return new Config({ ...paramsFromEnv(env), ...extra });
  }
}
