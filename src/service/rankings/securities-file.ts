import { readFileSync } from 'node:fs';
import { parseSymbol } from '../../model/symbol.js';

/** What a securities file or the config says about one symbol (names and sectors shown to users). */
export interface SecurityInfo {
  /** Normalised symbol (`00700.hk` → `700.HK`). */
  readonly symbol: string;
  readonly name?: string;
  /** Sector name, compared exactly as written; absent: the symbol belongs to no sector. */
  readonly sector?: string;
  readonly currency?: string;
  readonly lotSize?: number;
}

/** A mistake in a securities file, naming the line. */
export class SecuritiesFileError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'SecuritiesFileError';
  }
}

/** Splits one CSV record into fields (RFC 4180 quotes: `"a, b"`, `""` for a quote). */
function csvFields(line: string, lineNumber: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) throw new SecuritiesFileError(lineNumber, 'unterminated quote');
  fields.push(field);
  return fields;
}

/**
 * One security from its fields `symbol, name, sector[, currency, lot_size]` (empty name or
 * sector: none). Throws a message naming the problem.
 */
export function securityOf(fields: { symbol: string; name?: string | undefined; sector?: string | undefined; currency?: string | undefined; lotSize?: string | number | undefined }): SecurityInfo {
  const parsed = parseSymbol(fields.symbol.trim());
  if (!parsed) throw new Error(`not a TICKER.REGION symbol with region HK, US, SH, SZ or SG: ${JSON.stringify(fields.symbol)}`);
  const name = fields.name?.trim();
  const sector = fields.sector?.trim();
  const currency = fields.currency?.trim();
  let lotSize: number | undefined;
  const lotText = typeof fields.lotSize === 'number' ? String(fields.lotSize) : fields.lotSize?.trim();
  if (lotText !== undefined && lotText !== '') {
    if (!/^[1-9][0-9]{0,9}$/.test(lotText)) throw new Error(`lot_size must be a positive whole number, got ${JSON.stringify(lotText)}`);
    lotSize = Number(lotText);
  }
  return {
    symbol: parsed.symbol,
    ...(name ? { name } : {}),
    ...(sector ? { sector } : {}),
    ...(currency ? { currency: currency.toUpperCase() } : {}),
    ...(lotSize === undefined ? {} : { lotSize }),
  };
}

/**
 * Parses a securities CSV: `symbol,name,sector[,currency,lot_size]`, one security per line. A
 * first line naming the columns (starting with `symbol`) is a header; blank lines are skipped; a
 * symbol listed twice is an error (which entry would win is not obvious).
 */
export function parseSecuritiesCsv(text: string): SecurityInfo[] {
  const securities: SecurityInfo[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    const fields = csvFields(line, lineNumber);
    if (index === 0 && fields[0]?.trim().toLowerCase() === 'symbol') return;
    if (fields.length < 1 || fields.length > 5) throw new SecuritiesFileError(lineNumber, `expected symbol,name,sector[,currency,lot_size], got ${fields.length} fields`);
    let security: SecurityInfo;
    try {
      security = securityOf({ symbol: fields[0]!, name: fields[1], sector: fields[2], currency: fields[3], lotSize: fields[4] });
    } catch (error) {
      throw new SecuritiesFileError(lineNumber, (error as Error).message);
    }
    if (seen.has(security.symbol)) throw new SecuritiesFileError(lineNumber, `${security.symbol} is listed twice`);
    seen.add(security.symbol);
    securities.push(security);
  });
  return securities;
}

/** Reads and parses a securities file; errors name the file and line. */
export function loadSecuritiesFile(file: string): SecurityInfo[] {
  const text = readFileSync(file, 'utf8');
  try {
    return parseSecuritiesCsv(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}
