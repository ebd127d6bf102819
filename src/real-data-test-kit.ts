/**
 * Where tests find real trade days. The SSE day (600000.SH, 2023-02-01) is bundled in samples/.
 * Files capflow may not redistribute (the LOBSTER samples, the raw SSE/SZSE Level-2 file) are read
 * from the folder named by CAPFLOW_REAL_DATA (flat, raw feed files under raw/): tests that need
 * one say why they skip when it is not there.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundled sample day, with its known net inflow of -24,384,680.860 CNY. */
export const SSE_SAMPLE_DAY = resolve(dirname(fileURLToPath(import.meta.url)), '../samples/sse-600000-2023-02-01.csv.gz');

/** The path of a file of the CAPFLOW_REAL_DATA folder (e.g. `lobster-goog-2012-06-21.csv.gz`, `raw/…`), when present. */
export function realDataFile(name: string): string | undefined {
  const folder = process.env.CAPFLOW_REAL_DATA;
  if (!folder) return undefined;
  const path = join(folder, name);
  return existsSync(path) ? path : undefined;
}

/** `false` when every named file is present, else the reason to skip (for `{ skip }`). */
export function skipWithoutRealData(...names: string[]): false | string {
  const missing = names.filter((name) => realDataFile(name) === undefined);
  if (missing.length === 0) return false;
  return process.env.CAPFLOW_REAL_DATA
    ? `not in CAPFLOW_REAL_DATA (${process.env.CAPFLOW_REAL_DATA}): ${missing.join(', ')}`
    : `set CAPFLOW_REAL_DATA to a folder with ${missing.join(', ')} to run this check`;
}
