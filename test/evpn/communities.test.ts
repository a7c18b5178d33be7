/** EVPN extended communities: registration, text forms, and the RFC 8365 auto-derived RT. */
import { describe, expect, it } from 'vitest';
import { extCommunityCodecOf, extCommunityCodecFor, decodeExtCommunity, encodeExtCommunity } from '../../src/bgp/ext-community-registry.js';
import '../../src/bgp/attributes/extended-communities.js';
import { autoRouteTarget, evpnCommunities, EvpnInputError, parseEvpnRouteTarget } from '../../src/evpn/index.js';

describe('registration', () => {
  it('loading the EVPN module registers every EVPN community by code and by kind', () => {
    for (const [t, s, kind] of [
      [6, 0, 'mac-mobility'],
      [6, 1, 'esi-label'],
      [6, 2, 'es-import-rt'],
      [6, 3, 'routers-mac'],
      [6, 8, 'arp-nd'],
      [3, 0x0d, 'default-gateway'],
    ] as const) {
      expect(extCommunityCodecFor(t, s)?.kind).toBe(kind);
      expect(extCommunityCodecOf(kind)).toBeDefined();
    }
    expect(evpnCommunities.codecs).toHaveLength(6);
  });

  it('unknown EVPN sub-types stay raw and re-encode byte for byte', () => {
    const b = Buffer.from('0606000100000000', 'hex'); // RFC 8584 DF election, kept raw
    const v = decodeExtCommunity(b, 0);
    expect(v).toEqual({ kind: 'raw', typeHigh: 6, subtype: 6, value: '000100000000' });
    const out = Buffer.alloc(8);
    encodeExtCommunity(v, out, 0);
    expect(out.equals(b)).toBe(true);
  });

  it('flag bits without a name survive a re-encode; reserved bytes are zeroed (RFC 7432 7.7)', () => {
    const b = Buffer.from('0600810000000005', 'hex');
    const v = decodeExtCommunity(b, 0);
    expect(v).toEqual({ kind: 'mac-mobility', sequence: 5, sticky: true, otherFlags: 0x80 });
    const out = Buffer.alloc(8);
    encodeExtCommunity(v, out, 0);
    expect(out.equals(b)).toBe(true);
    const withReserved = Buffer.from('0600007700000005', 'hex');
    encodeExtCommunity(decodeExtCommunity(withReserved, 0), out, 0);
    expect(out.toString('hex')).toBe('0600000000000005');
  });

  it('formats', () => {
    const f = (hex: string): string | undefined => {
      const v = decodeExtCommunity(Buffer.from(hex, 'hex'), 0);
      return extCommunityCodecOf(v.kind)?.format?.(v);
    };
    expect(f('0600010000000007')).toBe('mac-mobility:7:sticky');
    expect(f('0601010000000064')).toBe('esi-label:100:single-active');
    expect(f('0603aabbccddeeff')).toBe('rmac:aa:bb:cc:dd:ee:ff');
    expect(f('0608030000000000')).toBe('arp-nd:router,override');
    expect(f('030d000000000000')).toBe('default-gw');
  });

  it('encoding rejects out-of-range values with EvpnInputError', () => {
    expect(() => encodeExtCommunity({ kind: 'mac-mobility', sequence: 2 ** 32, sticky: false } as never, Buffer.alloc(8), 0)).toThrow(EvpnInputError);
    expect(() => encodeExtCommunity({ kind: 'routers-mac', mac: 'nope' } as never, Buffer.alloc(8), 0)).toThrow(EvpnInputError);
  });
});

describe('auto-derived route target (RFC 8365 5.1.2.1)', () => {
  it('AS 65000, VNI 100: local = A(0) | type 1 (VXLAN) | D-ID 0 | VNI = 268435556', () => {
    expect(autoRouteTarget(65000, 100)).toEqual({ kind: 'route-target', global: '65000', local: 0x10000064, format: 'as2' });
    const out = Buffer.alloc(8);
    encodeExtCommunity(autoRouteTarget(65000, 100), out, 0);
    expect(out.toString('hex')).toBe('0002fde810000064');
  });

  it('FRR default style: AS:VNI; a 4-byte AS uses its low 16 bits; D-ID', () => {
    expect(autoRouteTarget(65000, 100, { style: 'as-vni' }).local).toBe(100);
    expect(autoRouteTarget(4200000000, 5).global).toBe(String(4200000000 & 0xffff));
    expect(autoRouteTarget(1, 0xffffff, { domainId: 15 }).local).toBe(0x1fffffff);
  });

  it('rejects a VNI above 2^24-1 and bad options', () => {
    expect(() => autoRouteTarget(65000, 2 ** 24)).toThrow(EvpnInputError);
    expect(() => autoRouteTarget(65000, 1, { domainId: 16 })).toThrow(EvpnInputError);
    expect(() => autoRouteTarget(-1, 1)).toThrow(EvpnInputError);
  });
});

describe('route target text', () => {
  it.each([
    ['65000:100', { global: '65000', local: 100, format: 'as2' }],
    ['target:65000:4294967295', { global: '65000', local: 4294967295, format: 'as2' }],
    ['10.0.0.1:5', { global: '10.0.0.1', local: 5, format: 'ipv4' }],
    ['4200000000:7', { global: '4200000000', local: 7, format: 'as4' }],
    ['65000L:7', { global: '65000', local: 7, format: 'as4' }],
  ])('%s', (text, want) => {
    expect(parseEvpnRouteTarget(text)).toEqual({ kind: 'route-target', ...want });
  });
  it.each(['65000', '4200000000:65536', '10.0.0.1:65536', '10.0.0.300:1', 'x:1', '65000:4294967296'])('rejects %s', (t) => {
    expect(() => parseEvpnRouteTarget(t)).toThrow(EvpnInputError);
  });
});
