import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionAdmission, addressKey } from './connection-admission.js';

describe('ConnectionAdmission', () => {
  it('counts IPv4 and IPv4-mapped IPv6 as one address, and an IPv6 /64 as one', () => {
    assert.equal(addressKey('10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'));
    assert.equal(addressKey(undefined), 'unknown');
  });

  it('refuses beyond the per-address cap, then the total cap; a ticket gives its place back once', () => {
    const admission = new ConnectionAdmission({ maxUnauthenticatedPerAddress: 2, maxUnauthenticated: 3 });
    const a = admission.admit('10.0.0.1');
    const b = admission.admit('::ffff:10.0.0.1');
    assert.equal(admission.admit('10.0.0.1'), 'address');
    const c = admission.admit('2001:db8::1');
    assert.equal(admission.admit('2001:db8::2'), 'total');
    assert.equal(admission.unauthenticated, 3);
    for (const ticket of [a, b, c]) assert.equal(typeof ticket, 'object');
    if (typeof a === 'string') throw new Error('not admitted');
    a.release();
    a.release();
    assert.equal(admission.unauthenticated, 2);
    assert.equal(typeof admission.admit('10.0.0.1'), 'object');
    assert.equal(admission.admit('10.0.0.9'), 'total');
  });
});
