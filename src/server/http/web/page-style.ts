/** The page's style sheet (served inline with the page; one request fewer, nothing to cache-bust). */
export const PAGE_STYLE = `
:root {
  --bg: #f5f7fa; --panel: #ffffff; --text: #161b26; --muted: #5b6473; --faint: #8a93a3;
  --border: #e3e7ee; --accent: #2f6fed; --in: #12a37f; --in-soft: #e3f6f0; --out: #e5484d; --out-soft: #fdecec;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.04), 0 1px 3px rgba(16, 24, 40, 0.06);
  font-family: Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
[hidden] { display: none !important; }
.topbar { display: flex; align-items: center; justify-content: space-between; gap: 16px; padding: 12px 28px;
  background: var(--panel); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 5; }
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 17px; letter-spacing: -0.01em; }
.brand svg { width: 26px; height: 26px; }
.brand .tagline { font-weight: 500; color: var(--faint); font-size: 13px; }
.controls { display: flex; align-items: center; gap: 12px; }
select, input, button { font: inherit; }
select#symbol { min-width: 180px; padding: 7px 32px 7px 12px; border: 1px solid var(--border); border-radius: 8px; background: #fff;
  font-weight: 600; color: var(--text); appearance: none; cursor: pointer;
  background-image: linear-gradient(45deg, transparent 50%, #8a93a3 50%), linear-gradient(135deg, #8a93a3 50%, transparent 50%);
  background-position: calc(100% - 16px) 55%, calc(100% - 11px) 55%; background-size: 5px 5px; background-repeat: no-repeat; }
select#symbol:focus, input:focus { outline: 2px solid rgba(47, 111, 237, 0.35); outline-offset: 1px; border-color: var(--accent); }
.badge { font-size: 12px; font-weight: 600; padding: 4px 9px; border-radius: 999px; background: #eef2f8; color: var(--muted); white-space: nowrap; }
.live-status { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 600; color: var(--muted); white-space: nowrap; }
.live-status .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.live-status.on { color: var(--in); }
.live-status.on .dot { background: var(--in); box-shadow: 0 0 0 0 rgba(18, 163, 127, 0.5); animation: pulse 2s infinite; }
.live-status.off .dot { background: #f0a020; }
.live-status.stopped { color: var(--out); }
.live-status.stopped .dot { background: var(--out); }
@keyframes pulse { 0% { box-shadow: 0 0 0 0 rgba(18, 163, 127, 0.45); } 70% { box-shadow: 0 0 0 7px rgba(18, 163, 127, 0); } 100% { box-shadow: 0 0 0 0 rgba(18, 163, 127, 0); } }
button.ghost { border: 1px solid var(--border); background: #fff; border-radius: 8px; padding: 7px 12px; cursor: pointer; color: var(--muted); font-weight: 600; }
button.ghost:hover { color: var(--text); border-color: #cfd6e1; }
main { flex: 1; width: 100%; max-width: 1440px; margin: 0 auto; padding: 22px 28px 8px; }
.heading { display: flex; align-items: baseline; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }
.heading h1 { margin: 0; font-size: 26px; letter-spacing: -0.02em; }
.heading .meta { color: var(--muted); font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 14px; margin-bottom: 16px; }
.card, .panel { background: var(--panel); border: 1px solid var(--border); border-radius: 12px; box-shadow: var(--shadow); }
.card { padding: 14px 16px; min-width: 0; }
.card .label { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.card .value { font-size: 22px; font-weight: 700; margin-top: 6px; font-variant-numeric: tabular-nums; letter-spacing: -0.01em;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card .sub { font-size: 12px; color: var(--faint); margin-top: 3px; }
.value.positive, .in-text { color: var(--in); }
.value.negative, .out-text { color: var(--out); }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 16px; }
.panel { padding: 14px 16px 16px; min-width: 0; }
.panel-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin-bottom: 8px; }
.panel h2 { margin: 0; font-size: 14px; font-weight: 700; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 3px; border-radius: 2px; margin-right: 6px; vertical-align: middle; background: currentColor; }
.legend .net { color: var(--text); } .legend .in { color: var(--in); } .legend .out { color: var(--out); }
.legend span { color: var(--muted); } .legend span.in::before { background: var(--in); } .legend span.out::before { background: var(--out); }
.legend span.net::before { background: linear-gradient(90deg, var(--in) 50%, var(--out) 50%); }
#chart { height: 470px; position: relative; }
body[data-state="loading"] #chart { opacity: 0.5; }
.balance { margin: 6px 0 16px; }
.balance-labels, .balance-totals { display: flex; justify-content: space-between; font-size: 12px; font-weight: 600; }
.balance-labels .in { color: var(--in); } .balance-labels .out { color: var(--out); }
.balance-totals { color: var(--faint); font-weight: 500; margin-top: 5px; }
.balance-bar { height: 10px; border-radius: 999px; background: var(--out); overflow: hidden; margin-top: 6px; }
.balance-in { height: 100%; background: var(--in); border-right: 2px solid #fff; }
.tier { padding: 12px 0; border-top: 1px solid var(--border); }
.tier-head { display: flex; justify-content: space-between; margin-bottom: 8px; font-size: 13px; }
.tier-name { font-weight: 700; }
.tier-net { font-weight: 600; font-variant-numeric: tabular-nums; }
.tier-net.positive { color: var(--in); } .tier-net.negative { color: var(--out); } .tier-net.flat { color: var(--faint); }
.tier-bar { display: grid; grid-template-columns: 30px 1fr 74px; align-items: center; gap: 8px; font-size: 12px; margin-top: 5px; }
.tier-kind { color: var(--faint); font-weight: 600; }
.track { height: 8px; border-radius: 999px; background: #f0f2f6; overflow: hidden; }
.fill { height: 100%; border-radius: 999px; }
.tier-bar.in .fill { background: var(--in); } .tier-bar.out .fill { background: var(--out); }
.tier-amount { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); font-weight: 600; }
.dist-note { font-size: 11px; color: var(--faint); margin-top: 10px; line-height: 1.5; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 6px 14px; margin: 16px 0 0; padding-top: 12px; border-top: 1px solid var(--border); font-size: 12px; }
.facts dt { color: var(--faint); font-weight: 600; } .facts dd { margin: 0; color: var(--muted); text-align: right; font-variant-numeric: tabular-nums; }
.alert { display: flex; gap: 12px; align-items: flex-start; padding: 12px 16px; margin-bottom: 16px; border-radius: 10px;
  background: var(--out-soft); border: 1px solid #f7c5c7; color: #8c1d22; }
.alert strong { display: block; font-size: 14px; }
.alert .hint { font-size: 13px; margin-top: 2px; color: #a3353a; }
.alert code { display: block; font-size: 11px; margin-top: 6px; color: #b4565a; }
.sign-in { max-width: 420px; margin: 8vh auto; padding: 28px; }
.sign-in h1 { margin: 0 0 6px; font-size: 22px; }
.sign-in p { margin: 0 0 18px; color: var(--muted); font-size: 14px; line-height: 1.5; }
.sign-in label { display: block; font-size: 12px; font-weight: 600; color: var(--muted); margin: 12px 0 5px; }
.sign-in input { width: 100%; padding: 9px 11px; border: 1px solid var(--border); border-radius: 8px; }
.sign-in button { width: 100%; margin-top: 20px; padding: 10px; border: 0; border-radius: 8px; background: var(--accent); color: #fff; font-weight: 700; cursor: pointer; }
.sign-in button:hover { background: #245ed1; }
.sign-in .error { margin-top: 14px; color: var(--out); font-size: 13px; }
.sign-in .note { margin-top: 14px; font-size: 12px; color: var(--faint); }
footer { text-align: center; color: var(--faint); font-size: 12px; padding: 18px; }
footer a { color: var(--muted); }
@media (max-width: 1080px) { .layout { grid-template-columns: 1fr; } }
@media (max-width: 720px) { .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); } .topbar { padding: 10px 14px; flex-wrap: wrap; } main { padding: 16px 14px; } .brand .tagline { display: none; } }
.rankings { margin-top: 16px; }
.rank-controls { display: flex; gap: 8px; }
.rank-controls select { padding: 5px 8px; border: 1px solid var(--border); border-radius: 8px; background: #fff; font-weight: 600; color: var(--text); }
.rank-table { width: 100%; border-collapse: collapse; font-size: 13px; }
.rank-table th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; padding: 6px 8px; border-bottom: 1px solid var(--border); }
.rank-table td { padding: 6px 8px; border-bottom: 1px solid var(--border); }
.rank-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.rank-table td.positive { color: var(--in); } .rank-table td.negative { color: var(--out); }
.rank-table .rank, .rank-table .sector { color: var(--muted); }
.rank-table a { color: var(--accent); font-weight: 600; text-decoration: none; }
.rank-table .empty { color: var(--faint); text-align: center; }
`;
