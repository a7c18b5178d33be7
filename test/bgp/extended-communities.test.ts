/** Generic extended communities: route target / origin (3 formats), encapsulation, raw. */
import { describe, expect, it } from 'vitest';
import {
  encapsulation,
  formatExtCommunity,
  parseRouteOrigin,
  parseRouteTarget,
  sameRouteTarget,
} from '../../src/bgp/attributes/extended-communities.js';
import { decodeExtCommunity, encodeExtCommunity } from '../../src/bgp/ext-community-registry.js';
import type { ExtendedCommunity } from '../../src/bgp/types.js';

function wire(c: ExtendedCommunity): string {
  const b = Buffer.alloc(8);
  encodeExtCommunity(c, b, 0);
  return b.toString('hex');
}

describe('extended communities', () => {
  it('parses route targets in the three RFC 4360 / 5668 formats', () => {
    expect(parseRouteTarget('65000:100')).toEqual({ kind: 'route-target', global: '65000', local: 100, format: 'as2' });
    expect(parseRouteTarget('10.0.0.1:5')).toEqual({ kind: 'route-target', global: '10.0.0.1', local: 5, format: 'ipv4' });
    expect(parseRouteTarget('4200000000:7')).toEqual({ kind: 'route-target', global: '4200000000', local: 7, format: 'as4' });
    expect(parseRouteTarget('65000:4294967295').format).toBe('as2');
    for (const bad of ['65000', ':5', '4200000000:70000', '10.0.0.1:70000', 'x:1', '65000:-1']) expect(() => parseRouteTarget(bad), bad).toThrow(TypeError);
  });

  it('encodes to the RFC 4360 bytes and decodes back', () => {
    const cases: [ExtendedCommunity, string][] = [
      [parseRouteTarget('65000:100'), '0002fde800000064'],
      [parseRouteTarget('10.0.0.1:5'), '01020a0000010005'],
      [parseRouteTarget('4200000000:7'), '0202fa56ea000007'],
      [parseRouteOrigin('65000:1'), '0003fde800000001'],
      [encapsulation(), '030c000000000008'],
      [{ kind: 'raw', typeHigh: 0x8f, subtype: 1, value: '010203040506' } as ExtendedCommunity, '8f01010203040506'],
    ];
    for (const [c, hex] of cases) {
      expect(wire(c)).toBe(hex);
      expect(decodeExtCommunity(Buffer.from(hex, 'hex'), 0)).toEqual(c);
    }
  });

  it('formats for humans', () => {
    expect(formatExtCommunity(parseRouteTarget('65000:100'))).toBe('rt:65000:100');
    expect(formatExtCommunity(parseRouteOrigin('10.0.0.1:5'))).toBe('soo:10.0.0.1:5');
    expect(formatExtCommunity(encapsulation())).toBe('encap:vxlan');
    expect(formatExtCommunity({ kind: 'raw', typeHigh: 0x8f, subtype: 1, value: '010203040506' } as ExtendedCommunity)).toBe('raw:8f:01:010203040506');
  });

  it('compares route targets by value', () => {
    expect(sameRouteTarget(parseRouteTarget('65000:100'), { kind: 'route-target', global: '065000', local: 100, format: 'as2' })).toBe(true);
    expect(sameRouteTarget(parseRouteTarget('65000:100'), parseRouteTarget('65000:101'))).toBe(false);
  });

  it('refuses to encode a value that does not fit its format', () => {
    expect(() => wire({ kind: 'route-target', global: '70000', local: 1, format: 'as2' } as ExtendedCommunity)).toThrow(TypeError);
    expect(() => wire({ kind: 'route-target', global: '1.2.3', local: 1, format: 'ipv4' } as ExtendedCommunity)).toThrow(TypeError);
  });
});
