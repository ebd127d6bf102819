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

  it('refuses an address past its cap; past the total cap drops the oldest connection; a ticket gives its place back once', () => {
    const admission = new ConnectionAdmission({ maxUnauthenticatedPerAddress: 2, maxUnauthenticated: 3 });
    const evicted: string[] = [];
    const admit = (address: string, name: string) => admission.admit(address, () => evicted.push(name));
    const a = admit('10.0.0.1', 'a');
    const b = admit('::ffff:10.0.0.1', 'b');
    assert.equal(admit('10.0.0.1', 'refused'), 'address');
    const c = admit('2001:db8::1', 'c');
    assert.equal(admission.unauthenticated, 3);
    const d = admit('2001:db8::2', 'd'); // c and d share a /64
    assert.deepEqual(evicted, ['a']);
    assert.equal(admission.evicted, 1);
    assert.equal(admission.unauthenticated, 3);
    assert.equal(admit('2001:db8::3', 'refused'), 'address');
    for (const ticket of [a, b, c, d]) if (ticket === 'address') assert.fail('not admitted');
    (a as { release(): void }).release(); // already evicted: nothing to give back
    assert.equal(admission.unauthenticated, 3);
    (b as { release(): void }).release();
    (b as { release(): void }).release();
    assert.equal(admission.unauthenticated, 2);
    assert.notEqual(admit('10.0.0.1', 'e'), 'address');
    assert.deepEqual(evicted, ['a']);
  });
});
