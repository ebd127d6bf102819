/**
 * Drives the official `longport` 3.0.18 SDK for official-sdk-trades.interop.test.ts in a process
 * of its own: a context with `setOnTrades` keeps its process alive for good (the SDK's callback
 * cannot be released), so contexts that subscribe live here and the test ends this process.
 *
 * Commands, one JSON object per stdin line, each answered by `{"reply": id, "ok": …}`:
 *   { id, op: 'open', context, config: { appKey, appSecret, accessToken, httpUrl, quoteWsUrl } }
 *   { id, op: 'subscribe', context, symbols, subType: 'Trade' | 'Quote', isFirstPush }
 *   { id, op: 'unsubscribe', context, symbols }
 *   { id, op: 'exit' }
 * Pushes are printed as `{"event": "push", "context", "symbol", "trades": […]}` in arrival order.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

type Longport = typeof import('longport');
type Context = InstanceType<Longport['QuoteContext']>;
interface Command {
  id: number;
  op: 'open' | 'subscribe' | 'unsubscribe' | 'exit';
  context?: string;
  config?: { appKey: string; appSecret: string; accessToken: string; httpUrl: string; quoteWsUrl: string };
  symbols?: string[];
  subType?: 'Trade' | 'Quote';
  isFirstPush?: boolean;
}

const longport = createRequire(import.meta.url)('longport') as Longport;
const subTypes = (longport as unknown as { SubType: { Trade: number; Quote: number } }).SubType;
const contexts = new Map<string, Context>();
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function run(command: Command): Promise<unknown> {
  const context = (): Context => {
    const found = contexts.get(command.context ?? '');
    if (!found) throw new Error(`no context ${command.context}`);
    return found;
  };
  switch (command.op) {
    case 'open': {
      const created = await longport.QuoteContext.new(new longport.Config({ ...command.config!, enablePrintQuotePackages: false }));
      created.setOnTrades((error, event) => {
        if (error) print({ event: 'error', context: command.context, message: error.message });
        else
          print({
            event: 'push',
            context: command.context,
            symbol: event.symbol,
            trades: event.data.trades.map((one) => ({
              price: one.price.toString(),
              volume: one.volume,
              timestamp: one.timestamp.getTime(),
              tradeType: one.tradeType,
              direction: one.direction,
              tradeSession: one.tradeSession,
            })),
          });
      });
      contexts.set(command.context!, created);
      return null;
    }
    case 'subscribe':
      await context().subscribe(command.symbols!, [subTypes[command.subType ?? 'Trade'] as never], command.isFirstPush ?? false);
      return null;
    case 'unsubscribe':
      await context().unsubscribe(command.symbols!, [subTypes.Trade as never]);
      return null;
    case 'exit':
      process.exit(0);
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as Command;
  run(command).then(
    (value) => print({ reply: command.id, ok: true, value }),
    (error: unknown) => print({ reply: command.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
process.exit(0);
