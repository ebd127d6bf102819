/**
 * Runs one job with an official Rust-core Node SDK (longport 4.x, longbridge 4.x/5.x) and prints
 * its results as JSON lines. rust-core-sdk.interop.test.ts copies this file into the SDK chroot and
 * runs it there with the chroot's Node, whose glibc the SDKs' native code needs; so it imports
 * nothing but Node's built-ins and the SDK (no types ship with the native packages).
 *
 * Job (JSON in CAPFLOW_SDK_JOB):
 *   { sdk: '/opt/capflow-sdk/node_modules/NAME', config: 'env' | { appKey, appSecret, accessToken, httpUrl, quoteWsUrl },
 *     contexts?: number, calls?: Call[], subscribeTrades?: { symbols, expectTrades, timeoutMs } }
 * Every context runs its calls in order, all contexts at once. Output lines:
 *   {"results": [[CallResult, …] per context]}, or for subscribeTrades
 *   {"event":"subscribed"} | {"event":"push", …} | {"event":"error", message} then {"event":"done"}
 *   once `expectTrades` trades were pushed (or after `timeoutMs`).
 */
import { createRequire } from 'node:module';

type Call =
  | { op: 'capitalFlow' | 'capitalDistribution'; symbol: string }
  | { op: 'trades'; symbol: string; count: number }
  | { op: 'subscribe'; symbols: string[]; subType?: 'Trade' | 'Quote' };
interface Job {
  sdk: string;
  config: 'env' | { appKey: string; appSecret: string; accessToken: string; httpUrl: string; quoteWsUrl: string };
  contexts?: number;
  calls?: Call[];
  subscribeTrades?: SubscribeSpec;
}
interface SubscribeSpec {
  symbols: string[];
  expectTrades: number;
  timeoutMs: number;
}
type Plain = { toString(): string };
interface SdkTrade {
  price: Plain;
  volume: number;
  timestamp: Date;
  tradeType: string;
  direction: number;
  tradeSession: number;
}
interface QuoteContext {
  capitalFlow(symbol: string): Promise<{ inflow: Plain; timestamp: Date }[]>;
  capitalDistribution(symbol: string): Promise<{
    timestamp: Date;
    capitalIn: { large: Plain; medium: Plain; small: Plain };
    capitalOut: { large: Plain; medium: Plain; small: Plain };
  }>;
  trades(symbol: string, count: number): Promise<SdkTrade[]>;
  subscribe(symbols: string[], subTypes: number[]): Promise<void>;
  setOnTrades(callback: (error: Error | null, event: { symbol: string; data: { trades: SdkTrade[] } }) => void): void;
}
interface Sdk {
  Config: { fromApikey(appKey: string, appSecret: string, accessToken: string, extra: object): unknown; fromApikeyEnv(): unknown };
  QuoteContext: { new: (config: unknown) => QuoteContext };
  SubType: { Trade: number; Quote: number };
}

const job = JSON.parse(process.env.CAPFLOW_SDK_JOB ?? '{}') as Job;
const sdk = createRequire(import.meta.url)(job.sdk) as Sdk;
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const triple = (p: { large: Plain; medium: Plain; small: Plain }) => ({ large: String(p.large), medium: String(p.medium), small: String(p.small) });
const plainTrade = (trade: SdkTrade) => ({
  price: String(trade.price),
  volume: trade.volume,
  timestamp: trade.timestamp.getTime(),
  tradeType: trade.tradeType,
  direction: trade.direction,
  tradeSession: trade.tradeSession,
});

function newContext(): QuoteContext {
  const config =
    job.config === 'env'
      ? sdk.Config.fromApikeyEnv()
      : sdk.Config.fromApikey(job.config.appKey, job.config.appSecret, job.config.accessToken, {
          httpUrl: job.config.httpUrl,
          quoteWsUrl: job.config.quoteWsUrl,
          enablePrintQuotePackages: false,
        });
  return sdk.QuoteContext.new(config); // connects on the first request
}

async function run(ctx: QuoteContext, call: Call): Promise<unknown> {
  switch (call.op) {
    case 'capitalFlow':
      return (await ctx.capitalFlow(call.symbol)).map((line) => ({ inflow: String(line.inflow), timestamp: line.timestamp.getTime() / 1000 }));
    case 'capitalDistribution': {
      const d = await ctx.capitalDistribution(call.symbol);
      return { timestamp: d.timestamp.getTime() / 1000, capitalIn: triple(d.capitalIn), capitalOut: triple(d.capitalOut) };
    }
    case 'trades':
      return (await ctx.trades(call.symbol, call.count)).map(plainTrade);
    case 'subscribe':
      await ctx.subscribe(call.symbols, [sdk.SubType[call.subType ?? 'Trade']]);
      return null;
  }
}

async function runCalls(ctx: QuoteContext, calls: Call[]) {
  const results = [];
  for (const call of calls) {
    try {
      results.push({ ok: true, value: await run(ctx, call) });
    } catch (error) {
      results.push({ ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

async function subscribeTrades(spec: SubscribeSpec) {
  const ctx = newContext();
  let received = 0;
  let enough: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (enough = resolve));
  ctx.setOnTrades((error, event) => {
    if (error) print({ event: 'error', message: error.message });
    else {
      print({ event: 'push', symbol: event.symbol, trades: event.data.trades.map(plainTrade) });
      received += event.data.trades.length;
      if (received >= spec.expectTrades) enough();
    }
  });
  try {
    await ctx.subscribe(spec.symbols, [sdk.SubType.Trade]);
    print({ event: 'subscribed' });
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, spec.timeoutMs))]);
  } catch (error) {
    print({ event: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  print({ event: 'done' });
}

if (job.subscribeTrades) {
  await subscribeTrades(job.subscribeTrades);
} else {
  const contexts = Array.from({ length: job.contexts ?? 1 }, newContext);
  print({ results: await Promise.all(contexts.map((ctx) => runCalls(ctx, job.calls ?? []))) });
}
// The SDK's runtime keeps the process alive; the job is done.
process.exit(0);
