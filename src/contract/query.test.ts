import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapflowError } from '../model/errors.js';
import { isDateText, readQuery } from './query.js';
import { ROUTES } from './routes.js';

const params = (text: string) => new URLSearchParams(text);

/** The 400 / 301600 message readQuery throws for a query. */
function refusal(schema: Parameters<typeof readQuery>[0], text: string): string {
  try {
    readQuery(schema, params(text));
  } catch (error) {
    assert.ok(error instanceof CapflowError);
    assert.deepEqual([error.httpStatus, error.code], [400, 301600]);
    return error.message;
  }
  assert.fail(`${text} was accepted`);
}

describe('reading a query against its route', () => {
  it('types the values as the contract says and leaves out parameters it does not name', () => {
    const query = readQuery(ROUTES.tiers.query, params('symbol=700.HK&convention=futu&days=20&_=123'));
    assert.deepEqual(query, { symbol: '700.HK', convention: 'futu', days: 20 });
    assert.deepEqual(readQuery(ROUTES.intraday.query, params('symbol=700.HK&symbol=AAPL.US')), { symbol: '700.HK' }); // the first value, as URLSearchParams.get
  });

  it('names the parameter at fault and what it should be', () => {
    assert.match(refusal(ROUTES.intraday.query, ''), /^the symbol parameter is required, e.g\. symbol=700\.HK$/);
    assert.match(refusal(ROUTES.intraday.query, 'symbol=700.HK&detail=yes'), /^detail must be 0, 1, true or false, got "yes"/);
    assert.match(refusal(ROUTES.intraday.query, 'symbol=700.HK&date=2024-6-1'), /not a date: "2024-6-1" \(expected YYYY-MM-DD\)/);
    assert.match(refusal(ROUTES.tiers.query, 'symbol=700.HK&days=0'), /^days must be a whole number from 1 to 250, got "0"/);
    assert.match(refusal(ROUTES.tiers.query, 'symbol=700.HK&days=1.5'), /^days must be a whole number/);
    assert.match(refusal(ROUTES.tiers.query, 'symbol=700.HK&convention=ths'), /^convention must be longport, eastmoney or futu, got "ths"/);
    // The parameter's description travels with the refusal: why LOBSTER is not a format here.
    assert.match(refusal(ROUTES.ingest.query, 'format=lobster'), /format must be ndjson, csv or l2, got "lobster".*file pair/);
  });

  it('knows real calendar days from look-alikes', () => {
    assert.deepEqual(['2024-02-29', '2023-02-29', '2024-13-01', '2024-06-31', '20240601'].map(isDateText), [true, false, false, false, false]);
  });
});
