/**
 * One address module (issue 12): IP keys, their printer and the ordering key agree with the
 * packet/UPDATE printer of `src/net/ip.ts` for every address, and garbage is an AddressError.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddressError, addressOrderKey, ipKeyToText, ipToKey, ipv6KeyToText, ipv6ToKey } from '../../src/net/address-key.js';
import { readIpv4, readIpv6 } from '../../src/net/ip.js';
import { addressRank } from '../../src/bgp/rib/route.js';
import { ipOrderKey, ipKeyToString } from '../../src/vtep/keys.js';

const v6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
// mapped, compatible and zero-run shapes that printers tend to disagree on
const v6Shaped = fc.oneof(
  v6Bytes,
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), Buffer.from(a)])),
  fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff), { minLength: 8, maxLength: 8 }).map((w) => {
    const b = Buffer.alloc(16);
    w.forEach((x, i) => b.writeUInt16BE(x, 2 * i));
    return b;
  }),
);

describe('address keys (src/net/address-key.ts)', () => {
  it('IPv6: key of the printed text is the bytes, and the key prints as the packet printer does', () => {
    fc.assert(
      fc.property(v6Shaped, (b) => {
        const text = readIpv6(b, 0);
        const key = ipv6ToKey(text)!;
        expect(Buffer.from(key, 'latin1').equals(b)).toBe(true);
        expect(ipv6KeyToText(key)).toBe(text);
        expect(ipKeyToText(ipToKey(text))).toBe(text);
        expect(ipKeyToString(ipToKey(text))).toBe(text); // the VTEP tables' name for it
      }),
    );
  });

  it('IPv4: number keys print as the packet printer does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Buffer.from(a)), (b) => {
        const text = readIpv4(b, 0);
        expect(ipToKey(text)).toBe(b.readUInt32BE(0));
        expect(ipKeyToText(ipToKey(text))).toBe(text);
      }),
    );
  });

  it('ordering keys sort like the addresses, IPv4 before IPv6; the RIB and the VTEP use the same one', () => {
    fc.assert(
      fc.property(fc.oneof(v6Shaped, fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Buffer.from(a))), fc.oneof(v6Shaped, fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Buffer.from(a))), (a, b) => {
        const ta = a.length === 4 ? readIpv4(a, 0) : readIpv6(a, 0);
        const tb = b.length === 4 ? readIpv4(b, 0) : readIpv6(b, 0);
        const byBytes = a.length !== b.length ? a.length - b.length : Buffer.compare(a, b);
        const ka = addressOrderKey(ta);
        const kb = addressOrderKey(tb);
        expect(Math.sign(ka < kb ? -1 : ka > kb ? 1 : 0)).toBe(Math.sign(byBytes));
        expect(addressRank(ta)).toBe(ka);
        expect(ipOrderKey(ta)).toBe(ka);
      }),
    );
  });

  it('garbage is an AddressError (a TypeError) everywhere, never a key of another address', () => {
    for (const bad of ['zz::1', '1::2::3', '1.2.3.256', '01.2.3.4', '', ' 10.0.0.1', '1:2:3:4:5:6:7:8:9', ':::', 'fe80::1%eth0']) {
      expect(() => ipToKey(bad), bad).toThrow(AddressError);
      expect(() => addressOrderKey(bad), bad).toThrow(AddressError);
      expect(() => addressRank(bad), bad).toThrow(TypeError);
      expect(ipv6ToKey(bad), bad).toBeUndefined();
    }
    expect(new AddressError('x')).toBeInstanceOf(TypeError);
  });
});
