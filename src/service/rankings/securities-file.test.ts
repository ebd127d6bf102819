import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSecuritiesCsv } from './securities-file.js';
import { SecurityDirectory } from './security-directory.js';

describe('securities file', () => {
  it('reads symbol,name,sector[,currency,lot_size] with a header, quotes and blank lines', () => {
    const text = 'symbol,name,sector,currency,lot_size\r\n00700.hk,Tencent,Tech,hkd,100\n\n"9988.HK","Alibaba, Group",Tech\nAAPL.US,Apple,\n600519.SH,"Kweichow ""Moutai""",Consumer,CNY\n';
    assert.deepEqual(parseSecuritiesCsv(text), [
      { symbol: '700.HK', name: 'Tencent', sector: 'Tech', currency: 'HKD', lotSize: 100 },
      { symbol: '9988.HK', name: 'Alibaba, Group', sector: 'Tech' },
      { symbol: 'AAPL.US', name: 'Apple' },
      { symbol: '600519.SH', name: 'Kweichow "Moutai"', sector: 'Consumer', currency: 'CNY' },
    ]);
  });

  it('names the line of a mistake', () => {
    assert.throws(() => parseSecuritiesCsv('700.HK,Tencent,Tech\nNOPE,x,y\n'), /line 2: not a TICKER\.REGION symbol/);
    assert.throws(() => parseSecuritiesCsv('700.HK,a,b\n700.hk,c,d\n'), /line 2: 700\.HK is listed twice/);
    assert.throws(() => parseSecuritiesCsv('700.HK,a,b,HKD,lots\n'), /line 1: lot_size must be a positive whole number/);
    assert.throws(() => parseSecuritiesCsv('700.HK,"a,b\n'), /line 1: unterminated quote/);
    assert.throws(() => parseSecuritiesCsv('700.HK,a,b,c,1,extra\n'), /line 1: expected symbol,name,sector/);
  });

  it('sectors per market, compared exactly as written; a symbol without a sector belongs to none', () => {
    const directory = new SecurityDirectory(parseSecuritiesCsv('700.HK,Tencent,Tech\n9988.HK,Alibaba,tech\nAAPL.US,Apple,Tech\n5.HK,HSBC,\n'));
    assert.deepEqual(directory.membersOf('HK', 'Tech'), ['700.HK']);
    assert.deepEqual(directory.membersOf('HK', 'tech'), ['9988.HK']);
    assert.deepEqual(directory.membersOf('US', 'Tech'), ['AAPL.US']);
    assert.equal(directory.infoOf('5.HK')?.sector, undefined);
    // A later entry of a symbol moves it to its new sector.
    const moved = new SecurityDirectory([{ symbol: '700.HK', sector: 'Tech' }, { symbol: '700.HK', sector: 'Media' }]);
    assert.deepEqual([moved.membersOf('HK', 'Tech'), moved.membersOf('HK', 'Media')], [[], ['700.HK']]);
  });
});
