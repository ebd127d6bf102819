import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSymbol } from '../model/symbol.js';
import { SecurityDirectory } from '../service/rankings/security-directory.js';
import { DEMO_SECURITIES, demoSecurityInfo } from './demo-securities.js';

describe('the demo market in the rankings', () => {
  it('names every demo security and gives it a sector, a file or config entry for a symbol winning over it', () => {
    const info = demoSecurityInfo();
    assert.deepEqual(
      info.map((entry) => entry.symbol),
      DEMO_SECURITIES.map((security) => security.symbol),
    );
    for (const entry of info) {
      assert.ok(parseSymbol(entry.symbol), entry.symbol);
      assert.ok(entry.name && entry.sector, `${entry.symbol} has a name and a sector`);
    }
    // serve lists the demo's entries first, so a --securities file's entry for a symbol wins.
    const directory = new SecurityDirectory([...info, { symbol: '700.HK', name: 'Tencent Holdings', sector: 'Media' }]);
    assert.equal(directory.infoOf('700.HK')?.name, 'Tencent Holdings');
    assert.equal(directory.infoOf('700.HK')?.sector, 'Media');
    assert.equal(directory.infoOf('5.HK')?.sector, 'Financials');
  });
});
