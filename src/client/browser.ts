/**
 * capflow/client for browsers: the same API as the Node entry over the global WebSocket,
 * DecompressionStream and WebCrypto. Imports nothing from node:.
 */
import { browserRuntime } from './browser-runtime.js';
import { Config as BaseConfig, paramsFromEnv, type ConfigParams, type Environment } from './config.js';

export * from './core.js';

export class Config extends BaseConfig {
  constructor(params: ConfigParams) {
    super({ runtime: browserRuntime, ...params });
  }

  /** From LONGPORT_* variables in `env` (a browser has no process environment). */
  static override fromEnv(env?: Environment, extra: Partial<ConfigParams> = {}): Config {
    return new Config({ ...paramsFromEnv(env), ...extra });
  }
}
