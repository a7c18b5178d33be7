/** The IPv4 unicast family codec: prefixes, ADD-PATH, route keys, boundaries. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familyCodec } from '../../src/bgp/families.js';
import { BgpError } from '../../src/bgp/errors.js';
import { decodeIpv4Prefixes, encodeIpv4Prefixes, ipv4PrefixesLength, ipv4Unicast } from '../../src/bgp/nlri/ipv4.js';
import { arbPrefix } from '../../src/testing/bgp.js';

describe('IPv4 unicast NLRI', () => {
  it('is registered as AFI 1 / SAFI 1', () => {
    expect(familyCodec(1, 1)).toBe(ipv4Unicast);
  });

  for (const addPath of [false, true]) {
    it(`round-trips lists of prefixes (ADD-PATH ${addPath}), and every boundary and key agrees`, () => {
      fc.assert(
        fc.property(fc.array(arbPrefix({ addPath: addPath }), { maxLength: 40 }), (list) => {
          const buf = Buffer.alloc(ipv4PrefixesLength(list, addPath) + 3);
          const end = encodeIpv4Prefixes(list, buf, 3, addPath);
          expect(end).toBe(buf.length);
          expect(decodeIpv4Prefixes(buf, 3, end, addPath)).toEqual(list);
          let p = 3;
          const byKey = new Map<string, string>();
          for (const x of list) {
            const next = ipv4Unicast.nextBoundary(buf, p, end, addPath);
            const key = ipv4Unicast.routeKey(buf, p, next, addPath);
            expect(decodeIpv4Prefixes(buf, p, next, addPath)).toEqual([x]);
            // equal keys exactly for equal prefixes (and path ids)
            const v = JSON.stringify(x);
            if (byKey.has(key)) expect(byKey.get(key)).toBe(v);
            byKey.set(key, v);
            p = next;
          }
          expect(p).toBe(end);
          expect(byKey.size).toBe(new Set(list.map((x) => JSON.stringify(x))).size);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('host bits beyond the length are cleared in values and keys', () => {
    const a = Buffer.from('0f0a0b', 'hex'); // 10.11.0.0/15 with a stray bit (0x0b)
    expect(decodeIpv4Prefixes(a, 0, 3, false)).toEqual([{ prefix: '10.10.0.0/15' }]);
    const b = Buffer.from('0f0a0a', 'hex');
    expect(ipv4Unicast.routeKey(a, 0, 3, false)).toBe(ipv4Unicast.routeKey(b, 0, 3, false));
  });

  it('prefix length > 32 and truncated prefixes are Invalid Network Field (session-reset)', () => {
    for (const hex of ['21000000000000', '18 0a00', '00000001'.replace(/ /g, '')]) {
      const buf = Buffer.from(hex.replace(/ /g, ''), 'hex');
      const addPath = hex === '00000001';
      let err: unknown;
      try {
        decodeIpv4Prefixes(buf, 0, buf.length, addPath);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BgpError);
      expect(err).toMatchObject({ code: 3, subcode: 10, action: 'session-reset' });
    }
  });

  it('checks MP_REACH next hop lengths (RFC 4760, RFC 8950)', () => {
    for (const ok of [4, 16, 32]) expect(ipv4Unicast.checkNextHop(ok)).toBeUndefined();
    expect(ipv4Unicast.checkNextHop(5)).toMatchObject({ action: 'afi-safi-disable' });
  });
});
