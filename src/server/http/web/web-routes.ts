import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { HttpApi } from '../http-api.js';
import { IMPORT_MAP_HASH, renderWebPage, type PageSettings } from './page-html.js';
import { pageModules } from './page-modules.js';

/** lightweight-charts' self-contained ES module build (no further imports). */
function chartLibraryPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.mjs');
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

function send(response: ServerResponse, type: string, body: string | Buffer, cache: string, extra: Record<string, string> = {}): void {
  response.writeHead(200, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
    ...SECURITY_HEADERS,
    ...extra,
  });
  response.end(body);
}

/**
 * The web page: `GET /` (the page; `/?symbol=700.HK` opens a symbol), its modules under
 * `/assets/app/` (with the client package's modules it is built on, and the signer's hash library
 * under `/assets/vendor/`), and the chart library at `/assets/lightweight-charts.js`. The page
 * talks to the REST API and its live stream only.
 */
export function registerWebRoutes(api: HttpApi, settings: PageSettings): void {
  const html = renderWebPage(settings);
  const csp = [
    "default-src 'self'",
    `script-src 'self' '${IMPORT_MAP_HASH}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  api.raw('GET', '/', (_context, response) => {
    send(response, 'text/html; charset=utf-8', html, 'no-cache', { 'content-security-policy': csp });
  });

  let chartLibrary: Buffer | undefined;
  api.raw('GET', '/assets/lightweight-charts.js', (_context, response) => {
    chartLibrary ??= readFileSync(chartLibraryPath());
    send(response, 'text/javascript; charset=utf-8', chartLibrary, 'public, max-age=86400');
  });

  // Modules are read per request (they are small), so a rebuilt dist is served without a restart.
  for (const [path, file] of pageModules()) {
    api.raw('GET', path, (_context, response) => {
      send(response, 'text/javascript; charset=utf-8', readFileSync(file), 'no-cache');
    });
  }
}
