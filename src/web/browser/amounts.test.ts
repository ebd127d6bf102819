import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupDigits, signOf } from './amounts.js';

describe('amount display', () => {
  it('groups the digits of exact amounts without rounding them', () => {
    assert.equal(groupDigits('-24384680.860'), '\u221224,384,680.860');
    assert.equal(groupDigits('802000.000'), '802,000.000');
    assert.equal(groupDigits('999.999'), '999.999');
    assert.equal(groupDigits('0.000'), '0.000');
    assert.equal(groupDigits('12345678901234567890.001'), '12,345,678,901,234,567,890.001');
  });

  it('tells inflow, outflow and flat apart from the text', () => {
    assert.equal(signOf('-0.001'), 'negative');
    assert.equal(signOf('0.000'), 'flat');
    assert.equal(signOf('15.500'), 'positive');
  });
});
