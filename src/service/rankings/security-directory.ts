import type { Market } from '../../model/market.js';
import { marketOfSymbol } from '../../model/symbol.js';
import type { SecurityInfo } from './securities-file.js';

/** Names and sectors of the securities a server was told about; later entries of a symbol win. */
export class SecurityDirectory {
  private readonly bySymbol = new Map<string, SecurityInfo>();
  /** Members of each sector per market, as `market sector` → symbols. */
  private readonly sectors = new Map<string, Set<string>>();

  constructor(securities: readonly SecurityInfo[] = []) {
    for (const security of securities) this.add(security);
  }

  private add(security: SecurityInfo): void {
    const previous = this.bySymbol.get(security.symbol);
    const market = marketOfSymbol(security.symbol);
    if (previous?.sector !== undefined && market) this.sectors.get(sectorKey(market, previous.sector))?.delete(security.symbol);
    this.bySymbol.set(security.symbol, security);
    if (security.sector === undefined || !market) return;
    const key = sectorKey(market, security.sector);
    let members = this.sectors.get(key);
    if (!members) this.sectors.set(key, (members = new Set()));
    members.add(security.symbol);
  }

  get size(): number {
    return this.bySymbol.size;
  }

  infoOf(symbol: string): SecurityInfo | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Every listed symbol. */
  symbols(): string[] {
    return [...this.bySymbol.keys()];
  }

  /** Members of a sector in a market (name compared exactly as written); empty when none. */
  membersOf(market: Market, sector: string): readonly string[] {
    return [...(this.sectors.get(sectorKey(market, sector)) ?? [])];
  }
}

function sectorKey(market: Market, sector: string): string {
  return `${market}\u0000${sector}`;
}
