import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The ES modules the web page loads, found by following the imports of its entry module: the
 * page's own modules and those of the client package it is built on (REST client, signer, codes),
 * served from the compiled tree as they are (no bundler), and the files of `@noble/hashes` the
 * signer imports. The browser resolves the relative imports by itself; the import map names the
 * two packages.
 */

/** The compiled tree (`dist/`): this file is `dist/server/http/web/page-modules.js`. */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ENTRY = join(DIST, 'web', 'browser', 'capflow-page.js');
const require = createRequire(import.meta.url);

/** Where the page's modules and the signer's hash library are served. */
export const APP_PREFIX = '/assets/app/';
export const NOBLE_PREFIX = '/assets/vendor/noble-hashes/';
/** The page's entry module's URL. */
export const PAGE_ENTRY_URL = `${APP_PREFIX}web/browser/capflow-page.js`;

/** Bare module names the page may import, and where the import map points each. */
export const PAGE_IMPORTS = { 'lightweight-charts': '/assets/lightweight-charts.js', '@noble/hashes/': NOBLE_PREFIX } as const;

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every file reachable from `entry` by relative imports, and the bare specifiers met on the way. */
export function moduleGraph(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const pending = [entry];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    files.push(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  }
  return { files, bare };
}

/** URL path → file of every module the page needs; empty when the page is not compiled. */
export function pageModules(): Map<string, string> {
  const served = new Map<string, string>();
  let graph: { files: string[]; bare: Set<string> };
  try {
    graph = moduleGraph(ENTRY);
  } catch {
    return served; // not compiled: the page then reports that its script is missing
  }
  for (const file of graph.files) served.set(`${APP_PREFIX}${relative(DIST, file).split(sep).join('/')}`, file);
  const nobleEntries = [...graph.bare].filter((name) => name.startsWith('@noble/hashes/')).map((name) => require.resolve(name));
  if (nobleEntries.length > 0) {
    const nobleDir = dirname(require.resolve('@noble/hashes/utils.js'));
    for (const entry of nobleEntries) {
      for (const file of moduleGraph(entry).files) served.set(`${NOBLE_PREFIX}${relative(nobleDir, file).split(sep).join('/')}`, file);
    }
  }
  return served;
}
