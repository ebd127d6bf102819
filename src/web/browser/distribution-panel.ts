import type { Distribution } from '../../contract/schemas.js';
import { amountValue, compactAmount, groupDigits } from './amounts.js';
import { element } from './dom.js';

const TIERS = [
  ['large', 'Large'],
  ['medium', 'Medium'],
  ['small', 'Small'],
] as const;

/**
 * Command 25 as a panel: the day's inflow against outflow overall, then per order size (large,
 * medium, small) two bars on a common scale with the exact amounts and the tier's net.
 */
export function renderDistribution(container: HTMLElement, distribution: Distribution, currency: string): void {
  const inflow = TIERS.map(([tier]) => amountValue(distribution.capitalIn[tier]));
  const outflow = TIERS.map(([tier]) => amountValue(distribution.capitalOut[tier]));
  const totalIn = inflow.reduce((a, b) => a + b, 0);
  const totalOut = outflow.reduce((a, b) => a + b, 0);
  const scale = Math.max(...inflow, ...outflow, 1);
  const inShare = totalIn + totalOut > 0 ? (100 * totalIn) / (totalIn + totalOut) : 50;

  const balance = element(
    'div',
    { class: 'balance' },
    element(
      'div',
      { class: 'balance-labels' },
      element('span', { class: 'in' }, `Inflow ${inShare.toFixed(1)}%`),
      element('span', { class: 'out' }, `Outflow ${(100 - inShare).toFixed(1)}%`),
    ),
    element(
      'div',
      { class: 'balance-bar', role: 'img', 'aria-label': `inflow ${inShare.toFixed(1)} percent` },
      element('div', { class: 'balance-in', style: `width:${inShare.toFixed(2)}%` }),
    ),
    element(
      'div',
      { class: 'balance-totals' },
      element('span', {}, `${compactAmount(totalIn)} ${currency}`),
      element('span', {}, `${compactAmount(totalOut)} ${currency}`),
    ),
  );

  const rows = TIERS.map(([tier, label], index) => {
    const inValue = inflow[index]!;
    const outValue = outflow[index]!;
    const net = inValue - outValue;
    return element(
      'div',
      { class: 'tier', 'data-tier': tier },
      element(
        'div',
        { class: 'tier-head' },
        element('span', { class: 'tier-name' }, label),
        element('span', { class: `tier-net ${net > 0 ? 'positive' : net < 0 ? 'negative' : 'flat'}` }, `net ${net > 0 ? '+' : ''}${compactAmount(net)}`),
      ),
      bar('in', inValue / scale, distribution.capitalIn[tier]),
      bar('out', outValue / scale, distribution.capitalOut[tier]),
    );
  });
  container.replaceChildren(balance, ...rows);
}

function bar(kind: 'in' | 'out', fraction: number, amount: string): HTMLElement {
  return element(
    'div',
    { class: `tier-bar ${kind}` },
    element('span', { class: 'tier-kind' }, kind === 'in' ? 'In' : 'Out'),
    element('div', { class: 'track' }, element('div', { class: 'fill', style: `width:${Math.max(0, Math.min(1, fraction)) * 100}%` })),
    element('span', { class: 'tier-amount', title: groupDigits(amount) }, compactAmount(amountValue(amount))),
  );
}
