import { CapflowClientError } from '../../client/client-error.js';
import { isTransient, RestClient } from '../../client/rest-client.js';
import type { Distribution, Intraday, Line, Market, SymbolEntry } from '../../contract/schemas.js';
import { BusinessCode } from '../../protocol/codes/error-codes.js';
import type { SigningCredential } from '../../protocol/request-signing.js';
import { clockOf, groupDigits, signOf } from './amounts.js';
import { renderDistribution } from './distribution-panel.js';
import { byId, element, show } from './dom.js';
import { explain } from './error-messages.js';
import { FlowChart } from './flow-chart.js';
import { follow } from './live-follow.js';
import { RankingsPanel } from './rankings-panel.js';

/** Server-side settings embedded in the page (see page-html.ts). */
interface PageConfig {
  readonly publicMode: boolean;
}

const CREDENTIAL_KEY = 'capflow.credential';
const ZONE_NAMES: Readonly<Record<string, string>> = { HK: 'HKT', US: 'ET', CN: 'CST', SG: 'SGT' };
const MARKET_ORDER: readonly Market[] = ['HK', 'US', 'CN', 'SG'];

const config = JSON.parse(byId('capflow-config').textContent ?? '{}') as PageConfig;
const chartHost = byId('chart');
let chart: FlowChart | undefined;
let api: RestClient | undefined;
let stopFollowing: (() => void) | undefined;
let rankings: RankingsPanel | undefined;
let current: { symbol: string; day?: Intraday; lines: Line[] } | undefined;
let distributionTimer: ReturnType<typeof setTimeout> | undefined;
let distributionRunning = false;
let distributionAgain = false;

function storedCredential(): SigningCredential | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CREDENTIAL_KEY) ?? 'null') as SigningCredential | null;
    return saved && saved.appKey && saved.appSecret && saved.accessToken ? saved : undefined;
  } catch {
    return undefined;
  }
}

function setState(state: 'signed-out' | 'loading' | 'ready' | 'error'): void {
  document.body.dataset['state'] = state;
}

// ---- errors ----

function showError(error: unknown, symbol?: string): void {
  const failure = error instanceof CapflowClientError ? error : new CapflowClientError(String(error), { kind: 'unreachable' });
  const explanation = explain(failure);
  byId('error-title').textContent = explanation.title + (symbol && !explanation.signOut ? ` · ${symbol}` : '');
  byId('error-hint').textContent = explanation.hint;
  byId('error-detail').textContent = `${failure.code ?? 'network'}${failure.httpStatus ? ` · HTTP ${failure.httpStatus}` : ''} · ${failure.message}`;
  byId('error').dataset['code'] = String(failure.code ?? 0);
  show(byId('error'), true);
  // Nothing is followed after a failure that retrying will not fix: the header must not keep saying "Connecting…".
  setLive(isTransient(failure) ? 'reconnecting' : 'stopped');
  if (explanation.signOut && api?.signed) signOut(failure);
  else setState('error');
}

function clearError(): void {
  show(byId('error'), false);
  delete byId('error').dataset['code'];
}

// ---- sign in / out ----

function showSignIn(reason?: CapflowClientError): void {
  stopFollowing?.();
  show(byId('dashboard'), false);
  show(byId('sign-out'), false);
  show(byId('sign-in'), true);
  const message = byId('sign-in-error');
  message.textContent = reason ? `${explain(reason).title}: ${explain(reason).hint}` : '';
  show(message, reason !== undefined);
  setState('signed-out');
}

function signOut(reason?: CapflowClientError): void {
  sessionStorage.removeItem(CREDENTIAL_KEY);
  rankings?.stop();
  rankings = undefined;
  api = undefined;
  showSignIn(reason);
}

byId<HTMLFormElement>('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const credential: SigningCredential = {
    appKey: String(form.get('appKey') ?? '').trim(),
    appSecret: String(form.get('appSecret') ?? '').trim(),
    accessToken: String(form.get('accessToken') ?? '').trim(),
  };
  sessionStorage.setItem(CREDENTIAL_KEY, JSON.stringify(credential));
  void start(credential);
});
byId('sign-out').addEventListener('click', () => signOut());

// ---- symbols ----

function fillPicker(symbols: readonly SymbolEntry[], selected: string): void {
  const picker = byId<HTMLSelectElement>('symbol');
  const groups = MARKET_ORDER.map((market) => {
    const entries = symbols.filter((entry) => entry.market === market).sort((a, b) => a.symbol.localeCompare(b.symbol));
    if (entries.length === 0) return undefined;
    const group = element('optgroup', { label: market });
    for (const entry of entries) {
      group.append(element('option', { value: entry.symbol }, entry.hasData ? entry.symbol : `${entry.symbol} (no data)`));
    }
    return group;
  }).filter((group): group is HTMLOptGroupElement => group !== undefined);
  picker.replaceChildren(...groups);
  if (!symbols.some((entry) => entry.symbol === selected)) picker.prepend(element('option', { value: selected }, selected));
  picker.value = selected;
}

/** Shows a symbol: in the picker, the address (`?symbol=`) and the chart. */
function choose(symbol: string): void {
  const picker = byId<HTMLSelectElement>('symbol');
  if (!Array.from(picker.querySelectorAll('option')).some((option) => option.value === symbol)) picker.prepend(element('option', { value: symbol }, symbol));
  picker.value = symbol;
  const url = new URL(location.href);
  url.searchParams.set('symbol', symbol);
  history.replaceState(null, '', url);
  void openSymbol(symbol);
}

byId<HTMLSelectElement>('symbol').addEventListener('change', (event) => choose((event.target as HTMLSelectElement).value));

// ---- the symbol's day ----

function renderSummary(): void {
  if (!current?.day) return;
  const day = current.day;
  const last = current.lines[current.lines.length - 1];
  const net = last?.inflow ?? '0.000';
  const netElement = byId('net-value');
  netElement.textContent = groupDigits(net);
  netElement.dataset['value'] = net;
  netElement.className = `value ${signOf(net)}`;
  byId('inflow-value').textContent = groupDigits(last?.in?.total ?? '0.000');
  byId('outflow-value').textContent = groupDigits(last?.out?.total ?? '0.000');
  for (const id of ['net-currency', 'inflow-currency', 'outflow-currency']) byId(id).textContent = day.currency;
  byId('symbol-title').textContent = day.symbol;
  byId('market-badge').textContent = `${day.market} · ${day.currency}`;
  byId('trade-date').textContent = `Trading day ${day.date}`;
  const zone = ZONE_NAMES[day.market] ?? day.timeZone;
  byId('last-update').textContent = last ? `${clockOf(last.time)} ${zone}` : '—';
  byId('sessions').textContent = day.sessions?.map((session) => `${session.start}–${session.end}`).join(' · ') ?? '—';
  byId('time-zone').textContent = day.timeZone;
  byId('received-at').textContent = `received ${new Date().toLocaleTimeString([], { hour12: false })}`;
  byId('line-count').textContent = `${current.lines.length}${day.totalLines ? ` / ${day.totalLines}` : ''} minutes`;
  chartHost.dataset['lines'] = String(current.lines.length);
  chartHost.dataset['last'] = net;
}

function applySnapshot(day: Intraday): void {
  if (!current || day.symbol !== current.symbol) return;
  current.day = day;
  current.lines = [...day.lines];
  rankings?.selectMarket(day.market);
  chart ??= new FlowChart(chartHost);
  chart.setDay(day);
  renderSummary();
  clearError();
  setState('ready');
}

function applyLines(from: number, lines: readonly Line[]): void {
  if (!current?.day) return;
  current.lines = [...current.lines.slice(0, from), ...lines];
  chart?.update(from, lines);
  renderSummary();
  rankings?.nudge();
  scheduleDistribution();
}

async function refreshDistribution(): Promise<void> {
  if (!current?.day || !api) return;
  if (distributionRunning) {
    distributionAgain = true;
    return;
  }
  distributionRunning = true;
  const { symbol, day } = current;
  try {
    const distribution: Distribution = await api.distribution({ symbol });
    if (current?.symbol === symbol) renderDistribution(byId('distribution'), distribution, day.currency);
  } catch (error) {
    if (!isTransient(error)) showError(error, symbol);
  } finally {
    distributionRunning = false;
    if (distributionAgain) {
      distributionAgain = false;
      scheduleDistribution();
    }
  }
}

/** Updates arrive many times a second in a busy market; the distribution follows at most twice a second. */
function scheduleDistribution(): void {
  if (distributionTimer !== undefined) return;
  distributionTimer = setTimeout(() => {
    distributionTimer = undefined;
    void refreshDistribution();
  }, 500);
}

const LIVE_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', stopped: 'Not live' } as const;

/** The header's badge: whether the chart follows the market right now. */
function setLive(state: keyof typeof LIVE_TEXT): void {
  const badge = byId('live-status');
  badge.className = `live-status ${state === 'live' ? 'on' : state === 'stopped' ? 'stopped' : 'off'}`;
  badge.dataset['state'] = state;
  badge.lastChild!.textContent = LIVE_TEXT[state];
}

async function openSymbol(symbol: string): Promise<void> {
  if (!api) return;
  stopFollowing?.();
  current = { symbol, lines: [] };
  setState('loading');
  setLive('connecting');
  byId('symbol-title').textContent = symbol;
  const client = api;
  try {
    const [day, distribution] = await Promise.all([client.intraday({ symbol, detail: '1' }), client.distribution({ symbol })]);
    if (current?.symbol !== symbol) return;
    applySnapshot(day);
    renderDistribution(byId('distribution'), distribution, day.currency);
  } catch (error) {
    if (current?.symbol !== symbol) return;
    showError(error, symbol);
    if (!isTransient(error)) return;
  }
  stopFollowing = follow(client, symbol, {
    snapshot: (day) => {
      applySnapshot(day);
      scheduleDistribution();
    },
    lines: (update) => {
      if (update.symbol === symbol && update.date === current?.day?.date) applyLines(update.from, update.lines);
    },
    status: (state) => setLive(state),
    failed: (error) => showError(error, symbol),
  });
}

// ---- start ----

async function start(credential: SigningCredential | undefined): Promise<void> {
  // The page's own origin; signed with the typed credential, or unsigned on a public dashboard.
  api = new RestClient({ httpUrl: '', credential });
  show(byId('sign-in'), false);
  show(byId('sign-out'), credential !== undefined);
  show(byId('public-badge'), config.publicMode);
  show(byId('dashboard'), true);
  setState('loading');
  let symbols: SymbolEntry[];
  let markets: Market[];
  try {
    ({ symbols, markets } = await api.symbols());
  } catch (error) {
    showError(error);
    return;
  }
  rankings?.stop();
  rankings = new RankingsPanel({ api, markets: MARKET_ORDER.filter((market) => markets.includes(market)), open: choose, failed: (error) => showError(error) });
  void rankings.refresh();
  const requested = new URLSearchParams(location.search).get('symbol')?.trim().toUpperCase();
  const selected = requested || symbols.find((entry) => entry.hasData)?.symbol || symbols[0]?.symbol;
  if (!selected) {
    fillPicker([], '');
    showError(new CapflowClientError('no symbol has been ingested yet: ingest trades or run `capflow serve --demo`', { kind: 'http', httpStatus: 404, code: BusinessCode.NoQuotes }));
    return;
  }
  fillPicker(symbols, selected);
  await openSymbol(selected);
}

const saved = storedCredential();
if (config.publicMode) void start(undefined);
else if (saved) void start(saved);
else showSignIn();
