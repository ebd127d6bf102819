/**
 * Test support: a served day to ask about, and the checks every MCP transport must pass — list
 * the tools, call each one, compare with the REST API's answers for the same day, and see every
 * failure come back as a tool error with LongPort's status and code.
 */
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RestClient } from '../client/rest-client.js';
import type { Trade } from '../model/trade.js';
import { testCredential, trade } from './server-test-kit.js';
import { METHOD_NOTES_URI } from '../mcp/method-notes.js';

/** Every market; generous limits (the suite calls many tools). */
export const mcpUser = testCredential({ appKey: 'mcp-user', appSecret: 'mcp-secret', accessToken: 'mcp-access', rateLimits: { 24: { limit: 1000, burst: 1000 }, 25: { limit: 1000, burst: 1000 } } });
/** HK only, at most one intraday query (then 301606). */
export const mcpHkOnly = testCredential({ appKey: 'mcp-hk', appSecret: 'hk-secret', accessToken: 'hk-access', markets: ['HK'], rateLimits: { 24: { limit: 1, burst: 0 } } });

/** The served day is 2024-06-17 (clock 10:02:30 HK); 2024-06-14 is a past day. 9988.HK is known without trades. */
export const MCP_CLOCK = Date.parse('2024-06-17T10:02:30+08:00');
export const MCP_SECURITIES = ['9988.HK'];

export function mcpTrades(): Trade[] {
  const trades: Trade[] = [];
  const days = ['2024-06-12', '2024-06-13', '2024-06-14'];
  days.forEach((date, day) => {
    for (let i = 0; i < 30; i++) {
      const minute = 30 + (i % 20);
      const tenths = 3200 + ((i * 7 + day * 3) % 11) - 5;
      const side = i % 5 === 0 ? 'up' : i % 7 === 0 ? 'down' : '';
      trades.push(trade('700.HK', `${date}T09:${minute}:${String((i * 13) % 60).padStart(2, '0')}+08:00`, `${Math.floor(tenths / 10)}.${tenths % 10}`, 100 * (1 + (i % 9)), side));
    }
    trades.push(trade('AAPL.US', `${date}T09:31:00-04:00`, '212.49', 100 + day, 'up'));
    // Two more HK symbols, so that the rankings have an order to check.
    trades.push(trade('5.HK', `${date}T10:00:00+08:00`, '65.10', 2000 * (day + 1), day === 1 ? 'down' : 'up'));
    trades.push(trade('1299.HK', `${date}T10:05:00+08:00`, '58.25', 3000, day === 2 ? 'up' : 'down'));
  });
  trades.push(trade('700.HK', '2024-06-17T09:30:05+08:00', '320.0', 1000, 'up'));
  trades.push(trade('700.HK', '2024-06-17T09:30:40+08:00', '320.2', 500));
  trades.push(trade('700.HK', '2024-06-17T09:45:10+08:00', '320.1', 300, '', { bid: '320.1', ask: '320.3' }));
  return trades;
}

function structured(result: CallToolResult, label: string): Record<string, any> {
  assert.notEqual(result.isError, true, `${label}: ${JSON.stringify(result.content)}`);
  assert.ok(result.structuredContent, `${label}: structured content`);
  const text = result.content.find((part) => part.type === 'text');
  assert.ok(text && text.type === 'text' && text.text.length > 10, `${label}: a text summary`);
  return result.structuredContent as Record<string, any>;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

export async function errorText(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args);
  assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should fail: ${JSON.stringify(result.content)}`);
  const part = result.content[0];
  return part && part.type === 'text' ? part.text : '';
}

/** Lists the tools and calls each one, comparing with the REST API's answers as the same credential. */
export async function checkToolsAgainstRest(client: Client, rest: RestClient): Promise<void> {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name).sort(), ['capital_distribution', 'capital_flow', 'capital_flow_history', 'capital_flow_rankings', 'explain_capital_flow', 'list_symbols']);
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, 'object', tool.name);
    assert.equal(tool.outputSchema?.type, 'object', tool.name);
  }

  for (const date of [undefined, '2024-06-14']) {
    const flow = structured(await call(client, 'capital_flow', { symbol: '700.hk', ...(date ? { date } : {}) }), `capital_flow ${date}`);
    const day = await rest.intraday({ symbol: '700.HK', date });
    assert.deepEqual(flow, { symbol: '700.HK', date: day.date, lines: day.lines.map((line) => ({ timestamp: line.timestamp, inflow: line.inflow })) });
    assert.ok(flow.lines.length > 0 && flow.lines.some((line: { inflow: string }) => line.inflow !== '0.000'));

    const distribution = structured(await call(client, 'capital_distribution', { symbol: '700.HK', ...(date ? { date } : {}) }), 'capital_distribution');
    const restDistribution = await rest.distribution({ symbol: '700.HK', date });
    assert.deepEqual(distribution, { symbol: '700.HK', timestamp: restDistribution.timestamp, capital_in: restDistribution.capitalIn, capital_out: restDistribution.capitalOut });
  }
  const eastmoney = structured(await call(client, 'capital_distribution', { symbol: '700.HK', date: '2024-06-14', convention: 'eastmoney' }), 'eastmoney');
  const restEastmoney = await rest.distribution({ symbol: '700.HK', date: '2024-06-14', convention: 'eastmoney' });
  assert.deepEqual(eastmoney.capital_in, { super_large: restEastmoney.capitalIn.superLarge, large: restEastmoney.capitalIn.large, medium: restEastmoney.capitalIn.medium, small: restEastmoney.capitalIn.small });
  assert.deepEqual([eastmoney.convention, eastmoney.main_force_net], ['eastmoney', restEastmoney.mainForceNet]);

  const history = structured(await call(client, 'capital_flow_history', { symbol: '700.HK', period: 'day', from: '2024-06-10', to: '2024-06-17' }), 'history');
  const restHistory = await rest.history({ symbol: '700.HK', period: 'day', from: '2024-06-10', to: '2024-06-17' });
  assert.deepEqual(
    history.periods.map((period: Record<string, unknown>) => [period.period, period.inflow, period.main_force_net, period.trading_days]),
    restHistory.periods.map((period) => [period.period, period.inflow, period.mainForceNet, period.tradingDays]),
  );
  assert.equal(history.periods.length, 5); // 2024-06-11 to 06-14 and 06-17 (06-10 was the Tuen Ng holiday)

  const explained = structured(await call(client, 'explain_capital_flow', { symbol: '700.HK', minute: '09:30' }), 'explain');
  assert.deepEqual(
    explained.trades.map((one: Record<string, unknown>) => [one.price, one.volume, one.side, one.rule]),
    [
      ['320.0', 1000, 'buy', 'feed'],
      ['320.2', 500, 'buy', 'tick'],
    ],
  );
  assert.deepEqual([explained.previous_inflow, explained.inflow, explained.change, explained.sums.net], ['0.000', '480100.000', '480100.000', '480100.000']);
  const quoteMinute = structured(await call(client, 'explain_capital_flow', { symbol: '700.HK', minute: '09:45' }), 'explain 09:45');
  assert.deepEqual(quoteMinute.trades.map((one: Record<string, unknown>) => [one.side, one.rule]), [['sell', 'quote']]);
  const pastDay = await rest.intraday({ symbol: '700.HK', date: '2024-06-14' });
  for (const minute of ['09:31', '09:37', '09:49']) {
    const past = structured(await call(client, 'explain_capital_flow', { symbol: '700.HK', minute, date: '2024-06-14' }), `explain ${minute}`);
    const index = pastDay.lines.findIndex((line) => line.time.slice(11, 16) === minute);
    assert.deepEqual([past.inflow, past.previous_inflow], [pastDay.lines[index]!.inflow, pastDay.lines[index - 1]!.inflow]);
    assert.equal(past.sums.net, past.change);
    assert.ok(past.trades.length > 0);
  }

  const symbols = structured(await call(client, 'list_symbols', {}), 'list_symbols');
  const restSymbols = await rest.symbols();
  assert.deepEqual(
    symbols.symbols.map((entry: Record<string, unknown>) => [entry.symbol, entry.has_data, entry.last_date]),
    restSymbols.symbols.map((entry) => [entry.symbol, entry.hasData, entry.lastDate]),
  );
  const hk = structured(await call(client, 'list_symbols', { market: 'HK' }), 'list_symbols HK');
  assert.deepEqual(hk.symbols.map((entry: Record<string, unknown>) => entry.symbol).sort(), ['1299.HK', '5.HK', '700.HK', '9988.HK']);

  for (const query of [{ days: 1, date: '2024-06-14' }, { days: 3, date: '2024-06-14', order: 'asc' as const }, { days: 5, by: 'main_force' as const, limit: 2 }]) {
    const ranked = structured(await call(client, 'capital_flow_rankings', { market: 'HK', ...query }), `rankings ${JSON.stringify(query)}`);
    const restRanked = await rest.rankings({ market: 'HK', ...query, days: String(query.days) as '1' | '3' | '5' });
    assert.deepEqual(
      [ranked.date, ranked.days, ranked.dates, ranked.by, ranked.total],
      [restRanked.date, restRanked.days, restRanked.dates, restRanked.by, restRanked.total],
    );
    assert.deepEqual(
      ranked.items.map((item: Record<string, unknown>) => [item.rank, item.symbol, item.value, item.inflow, item.outflow]),
      restRanked.items.map((item) => [item.rank, item.symbol, item.value, item.inflow, item.outflow]),
    );
    assert.equal(ranked.items.length, query.limit ?? 3);
  }
  // One day's net inflow is the day's last line.
  const oneDay = structured(await call(client, 'capital_flow_rankings', { market: 'HK', days: 1, date: '2024-06-14' }), 'rankings one day');
  const tencent = oneDay.items.find((item: Record<string, unknown>) => item.symbol === '700.HK');
  assert.equal(tencent.value, pastDay.lines.at(-1)!.inflow);

  const notes = await client.readResource({ uri: METHOD_NOTES_URI });
  assert.match(String((notes.contents[0] as { text?: string } | undefined)?.text), /tick rule/);
}

/** Failures come back as tool errors with LongPort's status and code; the server keeps answering. */
export async function checkToolErrors(client: Client): Promise<void> {
  assert.equal(await errorText(client, 'capital_flow', { symbol: 'FOO.HK' }), '7/301600 symbol not found: FOO.HK');
  assert.match(await errorText(client, 'capital_flow', { symbol: '9988.HK' }), /^7\/301603 /);
  assert.match(await errorText(client, 'capital_flow', { symbol: '700.HK', date: '2024-06-15' }), /^3\/301600 .*not a HK trading day/);
  assert.match(await errorText(client, 'capital_flow', { symbol: 'not a symbol' }), /^3\/301600 invalid symbol/);
  assert.match(await errorText(client, 'capital_flow', {}), /^3\/301600 invalid arguments for capital_flow: \/symbol/);
  assert.match(await errorText(client, 'capital_flow', { symbol: '700.HK', date: 20240614 }), /^3\/301600 invalid arguments/);
  assert.match(await errorText(client, 'explain_capital_flow', { symbol: '700.HK', minute: '9:30' }), /^3\/301600 invalid arguments/);
  assert.match(await errorText(client, 'explain_capital_flow', { symbol: '700.HK', minute: '12:30', date: '2024-06-14' }), /^3\/301600 12:30 has no line/);
  assert.match(await errorText(client, 'capital_flow_history', { symbol: '700.HK', period: 'decade' }), /^3\/301600 invalid arguments/);
  assert.match(await errorText(client, 'no_such_tool', {}), /^3\/301600 unknown tool/);
  assert.match(await errorText(client, 'capital_flow_rankings', { market: 'HK', days: 2 }), /^3\/301600 invalid arguments/);
  assert.match(await errorText(client, 'capital_flow_rankings', { market: 'XX' }), /^3\/301600 invalid arguments/);
  // Still answering.
  assert.equal((await client.listTools()).tools.length, 6);
}

/** As the HK-only, one-call-a-second credential: another market is 301604, a second call 301606. */
export async function checkPermissionAndRateLimit(client: Client): Promise<void> {
  // (The rate limit is taken before the permission check: the other market is asked with command 25's bucket.)
  assert.match(await errorText(client, 'capital_distribution', { symbol: 'AAPL.US' }), /^7\/301604 no access/);
  assert.notEqual((await call(client, 'capital_flow', { symbol: '700.HK' })).isError, true);
  assert.match(await errorText(client, 'capital_flow', { symbol: '700.HK' }), /^3\/301606 rate limit/);
  const symbols = structured(await call(client, 'list_symbols', {}), 'list_symbols');
  assert.deepEqual(symbols.markets, ['HK']);
  assert.ok(symbols.symbols.every((entry: { market: string }) => entry.market === 'HK'));
}
