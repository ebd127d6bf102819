import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapflowError } from '../../model/errors.js';
import { parseSymbol } from '../../model/symbol.js';
import type { FlowService } from '../../service/flow-service.js';
import { testCredential } from '../server-test-kit.js';
import { parseRequestSymbol, resolveSymbol } from './symbol-access.js';

/** Knows 700.HK (with trades), 9988.HK (without) and AAPL.US (with trades). */
const flows = {
  isKnown: (symbol: string) => ['700.HK', '9988.HK', 'AAPL.US'].includes(symbol),
  hasData: (symbol: string) => ['700.HK', 'AAPL.US'].includes(symbol),
} as unknown as FlowService;

/** [HTTP status, business code] of what resolveSymbol throws, or 'ok'. */
function outcome(text: string, markets: ('HK' | 'US' | 'CN' | 'SG')[]): [number, number] | string {
  try {
    return resolveSymbol(text, testCredential({ markets }), flows).symbol;
  } catch (error) {
    assert.ok(error instanceof CapflowError);
    return [error.httpStatus, error.code];
  }
}

describe('resolveSymbol', () => {
  it('checks format, market permission, known symbol and data, in that order', () => {
    assert.equal(outcome(' 00700.hk ', ['HK']), '700.HK');
    assert.deepEqual(outcome('700', ['HK']), [400, 301600]);
    assert.deepEqual(outcome('ZZZZ.HK', ['HK']), [404, 301600]);
    assert.deepEqual(outcome('9988.HK', ['HK']), [404, 301603]);
    // Without the market a caller learns nothing about which symbols exist there.
    assert.deepEqual(outcome('AAPL.US', ['HK']), [403, 301604]);
    assert.deepEqual(outcome('ZZZZ.US', ['HK']), [403, 301604]);
  });
});

describe('parseRequestSymbol', () => {
  it('is parseSymbol of the trimmed text, asked once or many times', () => {
    const texts = ['700.HK', ' 00700.hk ', 'BRK.B.US', 'nope', '', '600519.SH', 'x'.repeat(100), '700.HK\u0000'];
    for (let round = 0; round < 3; round++) {
      for (const text of texts) assert.deepEqual(parseRequestSymbol(text), parseSymbol(text.trim()), JSON.stringify(text));
    }
  });

  it('stays bounded under a flood of distinct texts and keeps answering right', () => {
    for (let i = 0; i < 10_000; i++) assert.equal(parseRequestSymbol(`${i}.HK`)?.symbol, `${i}.HK`);
    assert.equal(parseRequestSymbol('0700.HK')?.symbol, '700.HK');
  });
});
