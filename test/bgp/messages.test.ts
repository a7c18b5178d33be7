import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/bgp/codec.js';
import { endOfRib, endOfRibMessage } from '../../src/bgp/messages/update.js';
import { shutdownNotification } from '../../src/bgp/messages/notification.js';
import { familyKey } from '../../src/bgp/families.js';
import type { BgpMessage, ExtendedCommunity, NlriBase, OpenMessage, Prefix, RawNlri, UpdateMessage } from '../../src/bgp/types.js';
import type { EncapsulationCommunity, RouteTarget } from '../../src/bgp/attributes/extended-communities.js';

function rt(global: string, local: number): ExtendedCommunity {
  const v: RouteTarget = { kind: 'route-target', global, local, format: 'as2' };
  return v;
}
function encap(tunnelType: number): ExtendedCommunity {
  const v: EncapsulationCommunity = { kind: 'encapsulation', tunnelType };
  return v;
}
function pfx(prefix: string, pathId?: number): NlriBase {
  const v: Prefix = pathId === undefined ? { prefix } : { pathId, prefix };
  return v;
}
function raw(hex: string): NlriBase {
  const v: RawNlri = { raw: Buffer.from(hex, 'hex') };
  return v;
}
import { roundTrip } from '../helpers/roundtrip.js';

const open: OpenMessage = {
  type: 'open',
  version: 4,
  myAs: 23456,
  holdTime: 90,
  routerId: '10.0.0.1',
  capabilities: [
    { type: 'multiprotocol', afi: 1, safi: 1 },
    { type: 'multiprotocol', afi: 25, safi: 70 },
    { type: 'route-refresh' },
    { type: 'route-refresh-cisco' },
    { type: 'enhanced-route-refresh' },
    { type: 'four-octet-as', asn: 4200000000 },
    { type: 'graceful-restart', restarting: true, notification: false, restartTime: 120, families: [{ afi: 25, safi: 70, forwardingPreserved: true }] },
    { type: 'add-path', families: [{ afi: 1, safi: 1, mode: 'both' }] },
    { type: 'extended-message' },
    { type: 'fqdn', hostname: 'leaf1', domain: 'lab.example' },
    { type: 'unknown', code: 200, value: Buffer.from('abcd', 'hex') },
  ],
};

describe('messages round-trip', () => {
  it('OPEN with every capability', () => {
    const bytes = roundTrip(open);
    expect(bytes[28]).toBeGreaterThan(0); // optional parameters present
  });

  it('OPEN with parameters beyond 255 bytes uses RFC 9072 extended length', () => {
    const many: OpenMessage = {
      ...open,
      capabilities: Array.from({ length: 80 }, (_, i) => ({ type: 'multiprotocol', afi: 1, safi: i + 1 }) as const),
    };
    const bytes = roundTrip(many);
    expect(bytes[28]).toBe(255);
    expect(bytes[29]).toBe(255);
  });

  it('KEEPALIVE is 19 bytes', () => {
    expect(roundTrip({ type: 'keepalive' }).length).toBe(19);
  });

  it('NOTIFICATION with a shutdown communication', () => {
    const m = shutdownNotification('maintenance — back soon');
    const bytes = encodeMessage(m);
    const back = decodeMessage(bytes);
    expect(back).toMatchObject({ type: 'notification', code: 6, subcode: 2, shutdownMessage: 'maintenance — back soon' });
    roundTrip(back);
  });

  it('ROUTE-REFRESH subtypes', () => {
    for (const subtype of ['normal', 'borr', 'eorr', 7] as const) roundTrip({ type: 'route-refresh', afi: 25, safi: 70, subtype });
  });

  const update: UpdateMessage = {
    type: 'update',
    withdrawn: [{ prefix: '192.168.0.0/16' }],
    attributes: [
      { type: 'origin', value: 'igp' },
      { type: 'as-path', segments: [{ type: 'sequence', asns: [65001, 4200000000] }, { type: 'set', asns: [1, 2] }] },
      { type: 'next-hop', value: '10.0.0.1' },
      { type: 'med', value: 10 },
      { type: 'local-pref', value: 100 },
      { type: 'atomic-aggregate' },
      { type: 'aggregator', asn: 65001, address: '10.0.0.9' },
      { type: 'communities', values: [0xfde80064] },
      { type: 'originator-id', value: '1.1.1.1' },
      { type: 'cluster-list', values: ['2.2.2.2', '3.3.3.3'] },
      { type: 'extended-communities', values: [rt('65000', 100), encap(8)] },
      { type: 'as4-path', segments: [{ type: 'confed-sequence', asns: [7] }] },
      { type: 'as4-aggregator', asn: 4200000001, address: '10.0.0.2' },
      { type: 'pmsi-tunnel', tunnelFlags: 0, tunnelType: 6, label: 10100, tunnelId: '10.0.0.1' },
      { type: 'large-communities', values: [{ global: 4200000000, local1: 1, local2: 2 }] },
      { type: 'unknown', typeCode: 99, flags: 0xe0, value: Buffer.from('0102', 'hex') },
    ],
    nlri: [{ prefix: '10.1.0.0/16' }, { prefix: '10.2.3.0/24' }, { prefix: '0.0.0.0/0' }, { prefix: '10.2.3.4/32' }],
  };

  it('UPDATE with every attribute', () => {
    roundTrip(update);
  });

  it('UPDATE with 2-octet AS numbers', () => {
    const two: UpdateMessage = {
      ...update,
      attributes: update.attributes.map((a) =>
        a.type === 'as-path' ? { ...a, segments: [{ type: 'sequence', asns: [65001, 23456] }] } : a,
      ),
    };
    const bytes = roundTrip(two, { fourOctetAs: false });
    expect(bytes.length).toBeLessThan(encodeMessage(two).length);
  });

  it('UPDATE with MP_REACH (IPv4 unicast, ADD-PATH) and MP_UNREACH of an unknown family', () => {
    const m: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes: [
        { type: 'mp-reach', afi: 1, safi: 1, nextHops: ['10.0.0.1'], nlri: [pfx('10.9.0.0/16', 7)] },
        { type: 'mp-unreach', afi: 2, safi: 1, withdrawn: [raw('402001')] },
        { type: 'origin', value: 'egp' },
        { type: 'as-path', segments: [] },
      ],
      nlri: [],
    };
    roundTrip(m, { addPath: new Set([familyKey(1, 1)]) });
    const v6: UpdateMessage = {
      ...m,
      attributes: [{ type: 'mp-reach', afi: 2, safi: 1, nextHops: ['2001:db8::1', 'fe80::1'], nlri: [raw('402001')] }, ...m.attributes.slice(2)],
    };
    roundTrip(v6);
  });

  it('End-of-RIB for IPv4 and for an MP family', () => {
    const v4 = decodeMessage(encodeMessage(endOfRibMessage({ afi: 1, safi: 1 }))) as UpdateMessage;
    expect(endOfRib(v4)).toEqual({ afi: 1, safi: 1 });
    const evpn = decodeMessage(encodeMessage(endOfRibMessage({ afi: 25, safi: 70 }))) as UpdateMessage;
    expect(endOfRib(evpn)).toEqual({ afi: 25, safi: 70 });
    expect(endOfRib(update)).toBeUndefined();
  });

  it('an oversize message is a TypeError', () => {
    const big: BgpMessage = { type: 'update', withdrawn: [], attributes: [], nlri: Array.from({ length: 1100 }, () => ({ prefix: '10.0.0.0/24' })) };
    expect(() => encodeMessage(big)).toThrow(TypeError);
    expect(encodeMessage(big, { extendedMessage: true }).length).toBe(23 + 1100 * 4);
  });
});
