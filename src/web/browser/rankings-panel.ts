import type { RestClient } from '../../client/rest-client.js';
import { isTransient } from '../../client/rest-client.js';
import type { Market, Rankings } from '../../contract/schemas.js';
import { groupDigits, signOf } from './amounts.js';
import { byId, element, show } from './dom.js';

/** How often the ranking is asked again while the page is open (it is kept current by the server). */
const REFRESH_MS = 5000;
const SHOWN = 20;
/** At most this soon after a change of the symbol on screen. */
const NUDGE_MS = 1000;

export interface RankingsPanelOptions {
  readonly api: RestClient;
  /** The credential's markets, in the page's order. */
  readonly markets: readonly Market[];
  /** Opens a symbol's chart (the links also work as plain `?symbol=` URLs). */
  readonly open: (symbol: string) => void;
  readonly failed: (error: unknown) => void;
}

/**
 * The market's top securities by net inflow or main-force net over 1–10 days, each linking to its
 * chart; asked again every few seconds while shown.
 */
export class RankingsPanel {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dueAt = 0;
  private running = false;
  private stopped = false;

  constructor(private readonly options: RankingsPanelOptions) {
    const market = byId<HTMLSelectElement>('rank-market');
    market.replaceChildren(...options.markets.map((name) => element('option', { value: name }, name)));
    for (const id of ['rank-market', 'rank-days', 'rank-by']) byId(id).addEventListener('change', () => void this.refresh());
    show(byId('rankings'), options.markets.length > 0);
  }

  /** Shows the market of the symbol on screen (when the credential has it). */
  selectMarket(market: string): void {
    const picker = byId<HTMLSelectElement>('rank-market');
    if (this.options.markets.includes(market as Market) && picker.value !== market) {
      picker.value = market;
      void this.refresh();
    }
  }

  /** The symbol on screen changed: ask again within a second rather than at the next round. */
  nudge(): void {
    if (this.running || this.stopped || this.timer === undefined || this.dueAt - Date.now() <= NUDGE_MS) return;
    clearTimeout(this.timer);
    this.dueAt = Date.now() + NUDGE_MS;
    this.timer = setTimeout(() => void this.refresh(), NUDGE_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  async refresh(): Promise<void> {
    if (this.running || this.stopped || this.options.markets.length === 0) return;
    this.running = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const market = byId<HTMLSelectElement>('rank-market').value as Market;
    const days = byId<HTMLSelectElement>('rank-days').value as '1';
    const by = byId<HTMLSelectElement>('rank-by').value as Rankings['by'];
    try {
      const data = await this.options.api.rankings({ market, days, by, limit: SHOWN });
      this.render(data);
    } catch (error) {
      if (!isTransient(error)) this.options.failed(error);
    } finally {
      this.running = false;
      if (!this.stopped) {
        this.dueAt = Date.now() + REFRESH_MS;
        this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
      }
    }
  }

  private render(data: Rankings): void {
    const body = byId('rankings-body');
    const host = byId('rankings');
    host.dataset['market'] = data.market;
    host.dataset['total'] = String(data.total);
    byId('rankings-window').textContent = data.days === 1 ? data.date : `${data.dates[0]} – ${data.date}`;
    if (data.items.length === 0) {
      body.replaceChildren(element('tr', {}, element('td', { colspan: '5', class: 'empty' }, 'No security traded in this window.')));
      return;
    }
    body.replaceChildren(
      ...data.items.map((item) => {
        const link = element('a', { href: `?symbol=${encodeURIComponent(item.symbol)}`, 'data-symbol': item.symbol }, item.symbol);
        link.addEventListener('click', (event) => {
          event.preventDefault();
          this.options.open(item.symbol);
        });
        const value = element('td', { class: `num ${signOf(item.value)}`, 'data-value': item.value }, groupDigits(item.value));
        return element(
          'tr',
          {},
          element('td', { class: 'rank' }, String(item.rank)),
          element('td', {}, link),
          element('td', { class: 'name' }, item.name ?? ''),
          element('td', { class: 'sector' }, item.sector ?? ''),
          value,
        );
      }),
    );
  }
}
