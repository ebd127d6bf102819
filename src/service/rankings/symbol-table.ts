import type { Market } from '../../model/market.js';
import { parseSymbol, type ParsedSymbol } from '../../model/symbol.js';

/**
 * Symbols numbered in the order first seen, with what rankings keep per symbol: boards hold their
 * entries and marks in arrays by number, so an arriving trade costs one look-up by text, not one
 * per board.
 */
export class SymbolTable {
  private readonly numbers = new Map<string, number>();
  readonly names: string[] = [];
  readonly parsed: Array<ParsedSymbol | undefined> = [];
  readonly markets: Array<Market | undefined> = [];
  /** Stored trades per day of each symbol (read once from the store, then counted as trades arrive). */
  readonly days: Array<Map<string, number>> = [];

  get size(): number {
    return this.names.length;
  }

  /** The number of a symbol already seen. */
  find(symbol: string): number | undefined {
    return this.numbers.get(symbol);
  }

  /** The number of a symbol, given one when first seen. */
  numberOf(symbol: string): number {
    let id = this.numbers.get(symbol);
    if (id === undefined) {
      id = this.names.length;
      this.numbers.set(symbol, id);
      const parsed = parseSymbol(symbol);
      this.names.push(symbol);
      this.parsed.push(parsed);
      this.markets.push(parsed?.market);
      this.days.push(new Map());
    }
    return id;
  }

  /** Stored trades of a symbol on a day (0 when unknown). */
  tradesOn(symbol: string, date: string): number {
    const id = this.numbers.get(symbol);
    return id === undefined ? 0 : (this.days[id]!.get(date) ?? 0);
  }
}
