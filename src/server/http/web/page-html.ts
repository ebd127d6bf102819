import { createHash } from 'node:crypto';
import { PAGE_ENTRY_URL, PAGE_IMPORTS } from './page-modules.js';
import { PAGE_STYLE } from './page-style.js';

export interface PageSettings {
  /** Anyone reaching the port sees the public credential's markets (`serve --web-credential`). */
  readonly publicMode: boolean;
}

/** Where the page finds its modules: the chart library and the signer's hashes by package name, the app by path. */
export const IMPORT_MAP = JSON.stringify({ imports: PAGE_IMPORTS });
/** CSP hash of the inline import map (the only inline script that runs). */
export const IMPORT_MAP_HASH = `sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}`;

const LOGO = `<svg viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="8" fill="#161b26"/>
<path d="M6 21 L12 15 L17 19 L26 9" fill="none" stroke="#12a37f" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>
<circle cx="26" cy="9" r="2.4" fill="#12a37f"/></svg>`;
const FAVICON = `data:image/svg+xml,${encodeURIComponent(LOGO.replace('<svg', '<svg xmlns="http://www.w3.org/2000/svg"'))}`;

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The single page at `/`: layout and styles; capflow-page.js fills it from the REST API. */
export function renderWebPage(settings: PageSettings): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>capflow · capital flow</title>
<link rel="icon" href="${FAVICON}">
<style>${PAGE_STYLE}</style>
<script type="importmap">${IMPORT_MAP}</script>
<script type="application/json" id="capflow-config">${scriptJson({ publicMode: settings.publicMode })}</script>
<script type="module" src="${PAGE_ENTRY_URL}"></script>
</head>
<body data-state="loading">
<header class="topbar">
  <div class="brand">${LOGO}<span>capflow</span><span class="tagline">Intraday capital flow</span></div>
  <div class="controls">
    <span id="public-badge" class="badge" hidden>Public dashboard</span>
    <label for="symbol" class="badge" hidden>Symbol</label>
    <select id="symbol" aria-label="Symbol"></select>
    <span id="live-status" class="live-status off"><span class="dot"></span><span>Connecting…</span></span>
    <button id="sign-out" class="ghost" type="button" hidden>Sign out</button>
  </div>
</header>
<main>
  <section id="sign-in" class="card sign-in" hidden>
    <h1>Sign in</h1>
    <p>Enter the credential this capflow server gave you: the same app key, secret and access token the LongPort SDKs use. They stay in this browser tab only; the secret never leaves it (it signs each request).</p>
    <form id="sign-in-form" autocomplete="off">
      <label for="app-key">App key</label><input id="app-key" name="appKey" required spellcheck="false">
      <label for="app-secret">App secret</label><input id="app-secret" name="appSecret" type="password" required>
      <label for="access-token">Access token</label><input id="access-token" name="accessToken" type="password" required>
      <button type="submit">Sign in</button>
      <div id="sign-in-error" class="error" role="alert" hidden></div>
    </form>
    <div class="note">Kept in session storage: closing the tab signs you out.</div>
  </section>
  <section id="dashboard" hidden>
    <div id="error" class="alert" role="alert" hidden>
      <div><strong id="error-title"></strong><div id="error-hint" class="hint"></div><code id="error-detail"></code></div>
    </div>
    <div class="heading">
      <h1 id="symbol-title">—</h1>
      <span id="market-badge" class="badge">—</span>
      <span id="trade-date" class="meta"></span>
      <span id="line-count" class="meta"></span>
    </div>
    <div class="cards">
      <div class="card"><div class="label">Net inflow</div><div id="net-value" class="value">—</div><div class="sub" id="net-currency"></div></div>
      <div class="card"><div class="label">Inflow</div><div id="inflow-value" class="value in-text">—</div><div class="sub" id="inflow-currency"></div></div>
      <div class="card"><div class="label">Outflow</div><div id="outflow-value" class="value out-text">—</div><div class="sub" id="outflow-currency"></div></div>
      <div class="card"><div class="label">Last update</div><div id="last-update" class="value">—</div><div class="sub" id="received-at"></div></div>
    </div>
    <div class="layout">
      <section class="panel">
        <div class="panel-head">
          <h2>Intraday capital flow (cumulative)</h2>
          <div class="legend"><span class="net">Net inflow</span><span class="in">Inflow</span><span class="out">Outflow</span></div>
        </div>
        <div id="chart" data-lines="0"></div>
      </section>
      <section class="panel">
        <div class="panel-head"><h2>Capital distribution</h2><span class="meta badge">by order size</span></div>
        <div id="distribution"></div>
        <div class="dist-note">Turnover of buyer-initiated (in) and seller-initiated (out) trades of the day, split by the size of each trade.</div>
        <dl class="facts"><dt>Sessions</dt><dd id="sessions">—</dd><dt>Time zone</dt><dd id="time-zone">—</dd></dl>
      </section>
    </div>
    <section id="rankings" class="panel rankings" hidden>
      <div class="panel-head">
        <h2>Top of the market <span id="rankings-window" class="meta"></span></h2>
        <div class="rank-controls">
          <select id="rank-market" aria-label="Market"></select>
          <select id="rank-by" aria-label="Rank by"><option value="net">Net inflow</option><option value="main_force">Main force</option></select>
          <select id="rank-days" aria-label="Window"><option value="1">Today</option><option value="3">3 days</option><option value="5">5 days</option><option value="10">10 days</option></select>
        </div>
      </div>
      <table class="rank-table"><thead><tr><th>#</th><th>Symbol</th><th>Name</th><th>Sector</th><th class="num">Value</th></tr></thead><tbody id="rankings-body"></tbody></table>
    </section>
  </section>
</main>
<footer>capflow · LongPort-compatible capital-flow service · <a href="/api/openapi.json">REST API</a> · charts by <a href="https://www.tradingview.com/lightweight-charts/" rel="noopener">TradingView Lightweight Charts</a></footer>
</body>
</html>
`;
}
