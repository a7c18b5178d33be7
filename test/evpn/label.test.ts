/** Label fields: VNI (RFC 8365 5.1.3) vs MPLS (RFC 3032) readings. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvpnInputError, isVniEncapsulation, labelAsMpls, labelAsVni, mplsLabel, routeLabelVni, vniLabel } from '../../src/evpn/index.js';

describe('label helpers', () => {
  it('GoBGP/FRR put VNI 100 on the wire as 00 00 64: all 24 bits', () => {
    expect(labelAsVni(0x000064)).toBe(100);
    expect(labelAsMpls(0x000064)).toEqual({ label: 6, tc: 2, bos: false });
  });

  it('MPLS label 100 with bottom of stack is 00 06 41', () => {
    expect(mplsLabel(100)).toBe(0x000641);
    expect(labelAsMpls(0x000641)).toEqual({ label: 100, tc: 0, bos: true });
    expect(mplsLabel(100, { tc: 5, bos: false })).toBe((100 << 4) | (5 << 1));
  });

  it('mplsLabel and labelAsMpls are inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfffff }), fc.integer({ min: 0, max: 7 }), fc.boolean(), (label, tc, bos) => {
        expect(labelAsMpls(mplsLabel(label, { tc, bos }))).toEqual({ label, tc, bos });
      }),
    );
  });

  it('range checks', () => {
    expect(vniLabel(0xffffff)).toBe(0xffffff);
    expect(() => vniLabel(0x1000000)).toThrow(EvpnInputError);
    expect(() => mplsLabel(0x100000)).toThrow(EvpnInputError);
    expect(() => mplsLabel(1, { tc: 8 })).toThrow(EvpnInputError);
  });

  it('VXLAN-family encapsulations read the VNI; others and none read MPLS', () => {
    expect(isVniEncapsulation(8)).toBe(true);
    expect(isVniEncapsulation(10)).toBe(false);
    expect(isVniEncapsulation(undefined)).toBe(false);
    const t5 = { routeType: 5, label: 0x000641 };
    const mpls = [{ type: 'extended-communities' as const, values: [{ kind: 'encapsulation', tunnelType: 10 }] }];
    expect(routeLabelVni(t5, mpls as never)).toBe(100);
    const vx = [{ type: 'extended-communities' as const, values: [{ kind: 'encapsulation', tunnelType: 8 }] }];
    expect(routeLabelVni(t5, vx as never)).toBe(0x641);
    expect(routeLabelVni({ routeType: 4 }, vx as never)).toBeUndefined();
    expect(routeLabelVni({ routeType: 3 }, vx as never)).toBeUndefined();
  });
});
