/** The codec's fast address helpers agree with `ip-address` and round-trip. */
import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import { isIpv4, isIpv6, parseIpv4, readIpv4, readIpv6, writeIpv4, writeIpv6 } from '../../src/net/ip.js';
import { parseIpv4Prefix } from '../../src/bgp/nlri/ipv4.js';

describe('address helpers', () => {
  it('IPv6 text is RFC 5952 canonical (as ip-address prints it) and round-trips', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 }), (groups) => {
        const b = Buffer.alloc(16);
        groups.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
        const text = readIpv6(b, 0);
        const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        if (!isMapped) expect(text).toBe(new Address6(text).correctForm());
        const back = Buffer.alloc(16);
        writeIpv6(text, back, 0);
        expect(back.equals(b)).toBe(true);
        expect(isIpv6(text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('IPv6 parsing accepts the usual forms and refuses bad ones', () => {
    const b = Buffer.alloc(16);
    expect(() => writeIpv6('::', b, 0)).not.toThrow();
    expect(readIpv6(b, 0)).toBe('::');
    writeIpv6('2001:DB8:0:0:1::1', b, 0);
    expect(readIpv6(b, 0)).toBe('2001:db8::1:0:0:1'); // RFC 5952 4.2.3: the first of equal runs
    writeIpv6('::ffff:10.0.0.1', b, 0);
    expect(readIpv6(b, 0)).toBe('::ffff:10.0.0.1');
    for (const bad of ['1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '10.0.0.1']) expect(isIpv6(bad), bad).toBe(false);
  });

  it('IPv4 round-trips and matches ip-address validity', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), (v) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(v, 0);
        const text = readIpv4(b, 0);
        expect(Address4.isValid(text)).toBe(true);
        expect(parseIpv4(text)).toBe(v);
        const c = Buffer.alloc(4);
        writeIpv4(text, c, 0);
        expect(c.equals(b)).toBe(true);
      }),
      { numRuns: 500 },
    );
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1..2.3', '', 'a.b.c.d', '1.2.3.4 ']) expect(isIpv4(bad), bad).toBe(false);
  });

  it('prefix text parsing', () => {
    expect(parseIpv4Prefix('10.0.0.0/8')).toEqual([0x0a000000, 8]);
    expect(parseIpv4Prefix('1.2.3.4')).toEqual([0x01020304, 32]);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '10.0.0/8', '1.2.3.4/a']) expect(() => parseIpv4Prefix(bad), bad).toThrow(TypeError);
  });
});
