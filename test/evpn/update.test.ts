/**
 * EVPN inside whole UPDATE messages, through the BGP codec's decodeMessage/encodeMessage:
 * builders produce what a peer needs, a Juniper Type-4 parses, and random bytes inside an EVPN
 * MP_REACH end in treat-as-withdraw or session-reset as RFC 7606 says, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, parseUpdateRaw } from '../../src/bgp/codec.js';
import { BgpError } from '../../src/bgp/errors.js';
import type { MpReachAttribute, PathAttribute, UpdateMessage } from '../../src/bgp/types.js';
import {
  encodeEvpnRoute,
  evpnWithdraw,
  inclusiveMulticastRoute,
  ipPrefixRoute,
  macIpRoute,
  routeLabelVni,
  type EvpnRoute,
} from '../../src/evpn/index.js';
import { arbNearValidEvpnNlri } from '../../src/testing/evpn.js';

function update(attributes: readonly PathAttribute[]): UpdateMessage {
  return { type: 'update', withdrawn: [], attributes, nlri: [] };
}

function roundTrip(attributes: readonly PathAttribute[]): UpdateMessage {
  const m = decodeMessage(encodeMessage(update(attributes)));
  expect(m.type).toBe('update');
  return m as UpdateMessage;
}

function attr<T extends PathAttribute['type']>(m: UpdateMessage, type: T): Extract<PathAttribute, { type: T }> {
  const a = m.attributes.find((x) => x.type === type);
  expect(a, `attribute ${type}`).toBeDefined();
  return a as Extract<PathAttribute, { type: T }>;
}

describe('builders through encodeMessage/decodeMessage', () => {
  it('Type-2 MAC/IP with mobility and router MAC', () => {
    const built = macIpRoute({
      rd: '10.0.0.1:100',
      mac: 'aa:bb:cc:00:00:01',
      ip: '10.1.1.10',
      vni: 100,
      l3vni: 5000,
      nextHop: '10.0.0.1',
      routeTargets: ['65000:100', '10.0.0.1:7'],
      mobility: { sequence: 3, sticky: false },
      routerMac: '02:00:00:00:00:01',
    });
    const m = roundTrip(built.attributes);
    expect(m.error).toBeUndefined();
    const reach = attr(m, 'mp-reach');
    expect([reach.afi, reach.safi, reach.nextHops]).toEqual([25, 70, ['10.0.0.1']]);
    expect(reach.nlri).toEqual([built.nlri]);
    expect(attr(m, 'origin').value).toBe('igp');
    expect(attr(m, 'as-path').segments).toEqual([]);
    expect(attr(m, 'extended-communities').values).toEqual([
      { kind: 'encapsulation', tunnelType: 8 },
      { kind: 'route-target', global: '65000', local: 100, format: 'as2' },
      { kind: 'route-target', global: '10.0.0.1', local: 7, format: 'ipv4' },
      { kind: 'mac-mobility', sequence: 3, sticky: false },
      { kind: 'routers-mac', mac: '02:00:00:00:00:01' },
    ]);
    expect(routeLabelVni(reach.nlri[0] as EvpnRoute, m.attributes)).toBe(100);
  });

  it('Type-3 carries PMSI: ingress replication, VNI as label, VTEP as tunnel id', () => {
    const built = inclusiveMulticastRoute({ rd: '10.0.0.1:100', originator: '10.0.0.1', vni: 100, nextHop: '10.0.0.1', routeTargets: ['65000:100'] });
    const bytes = encodeMessage(update(built.attributes));
    // the PMSI attribute on the wire: flags C0, type 22, length 9, flags 0, type 6, label 000064, 10.0.0.1
    expect(bytes.toString('hex')).toContain('c01609' + '00' + '06' + '000064' + '0a000001');
    const m = decodeMessage(bytes) as UpdateMessage;
    expect(attr(m, 'pmsi-tunnel')).toMatchObject({ tunnelType: 6, label: 100, tunnelId: '10.0.0.1', tunnelFlags: 0 });
    expect(attr(m, 'mp-reach').nlri).toEqual([built.nlri]);
    expect(routeLabelVni(built.nlri, m.attributes)).toBe(100);
  });

  it('Type-3 with an IPv6 VTEP', () => {
    const built = inclusiveMulticastRoute({ rd: '65000:1', originator: '2001:DB8::1', vni: 16777215, nextHop: '2001:db8::1', routeTargets: [] });
    const m = roundTrip(built.attributes);
    expect(attr(m, 'mp-reach').nextHops).toEqual(['2001:db8::1']);
    expect(attr(m, 'pmsi-tunnel')).toMatchObject({ label: 16777215, tunnelId: '2001:db8::1' });
  });

  it('Type-5 IP prefix', () => {
    const built = ipPrefixRoute({ rd: '65000:5000', prefix: '10.2.0.0/16', vni: 5000, nextHop: '10.0.0.1', routeTargets: ['65000:5000'], routerMac: '02:00:00:00:00:01' });
    const m = roundTrip(built.attributes);
    expect(attr(m, 'mp-reach').nlri).toEqual([{ routeType: 5, rd: '65000:5000', esi: '00:00:00:00:00:00:00:00:00:00', ethernetTag: 0, prefix: '10.2.0.0/16', gateway: '0.0.0.0', label: 5000 }]);
  });

  it('withdraw through MP_UNREACH', () => {
    const { nlri } = macIpRoute({ rd: '65000:1', mac: '00:00:00:00:00:01', vni: 1, nextHop: '10.0.0.1', routeTargets: [] });
    const m = roundTrip([evpnWithdraw([nlri])]);
    expect(attr(m, 'mp-unreach').withdrawn).toEqual([nlri]);
  });

  it('the label reads as MPLS when the route does not say VXLAN', () => {
    const r = { routeType: 2 as const, rd: '1:1', esi: '00:00:00:00:00:00:00:00:00:00', ethernetTag: 0, mac: '00:00:00:00:00:01', label1: (16 << 4) | 1 };
    expect(routeLabelVni(r, [])).toBe(16);
    expect(routeLabelVni(r, [{ type: 'extended-communities', values: [{ kind: 'encapsulation', tunnelType: 8 } as never] }])).toBe(0x101);
  });
});

describe('real-world bytes', () => {
  it('the Juniper QFX Type-4 UPDATE of ExaBGP #739 parses (never a session reset)', () => {
    // UPDATE body from the log (89 bytes after the header): ORIGIN, AS_PATH, LOCAL_PREF,
    // EXT_COMMUNITIES (encap VXLAN, ES-import 00:00:00:00:00:1e), ORIGINATOR_ID, CLUSTER_LIST,
    // MP_REACH with one Type-4 route.
    const body =
      '0000' + '0055' + '40010100' + '400200' + '40050400000064' + 'c01010' + '030c000000000008' + '060200000000001e' +
      '800904d5e0fb05' + '800a04d5e0fb01' + '900e0022' + '0019' + '46' + '04' + 'd5e0fb05' + '00' +
      '0417' + '0001d5e0fb050000' + '000000000000' + '1e000000' + '20' + 'd5e0fb05';
    const len = 19 + body.length / 2;
    const msg = Buffer.from('ff'.repeat(16) + len.toString(16).padStart(4, '0') + '02' + body, 'hex');
    expect(len).toBe(19 + 89);
    const m = decodeMessage(msg) as UpdateMessage;
    expect(m.error).toBeUndefined();
    expect(attr(m, 'mp-reach').nlri).toEqual([{ routeType: 4, rd: '213.224.251.5:0', esi: '00:00:00:00:00:00:1e:00:00:00', originator: '213.224.251.5' }]);
    expect(attr(m, 'extended-communities').values).toEqual([
      { kind: 'encapsulation', tunnelType: 8 },
      { kind: 'es-import-rt', value: '00:00:00:00:00:1e' },
    ]);
    // attributes come back in canonical form (flags, order); the route bytes are unchanged
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
    expect(encodeEvpnRoute(attr(m, 'mp-reach').nlri[0] as EvpnRoute).toString('hex')).toBe(body.slice(body.indexOf('0417')));
  });

  it('a Type-3 without PMSI is legal on decode', () => {
    const built = inclusiveMulticastRoute({ rd: '65000:1', originator: '10.0.0.9', vni: 9, nextHop: '10.0.0.9', routeTargets: [] });
    const m = roundTrip(built.attributes.filter((a) => a.type !== 'pmsi-tunnel'));
    expect(m.error).toBeUndefined();
    expect(attr(m, 'mp-reach').nlri).toEqual([built.nlri]);
  });
});

// ------------------------------------------------------------------ RFC 7606 on whole messages

function framingOk(buf: Buffer): boolean {
  let p = 0;
  while (p < buf.length) {
    if (p + 2 > buf.length) return false;
    p += 2 + buf[p + 1]!;
    if (p > buf.length) return false;
  }
  return true;
}

/** An UPDATE whose MP_REACH (EVPN, next hop 10.0.0.1) carries `nlri` as its NLRI bytes. */
function updateWithEvpnNlri(nlri: Buffer): Buffer {
  const reach = Buffer.concat([Buffer.from('0019' + '46' + '04' + '0a000001' + '00', 'hex'), nlri]);
  const attrs = Buffer.concat([Buffer.from('40010100' + '400200', 'hex'), Buffer.from([0x90, 0x0e, reach.length >> 8, reach.length & 0xff]), reach]);
  const body = Buffer.concat([Buffer.from([0, 0, attrs.length >> 8, attrs.length & 0xff]), attrs]);
  const head = Buffer.alloc(19, 0xff);
  head.writeUInt16BE(19 + body.length, 16);
  head[18] = 2;
  return Buffer.concat([head, body]);
}

/** What parseUpdateRaw (the RIB's path: nextBoundary + views) says about the same message. */
function rawOutcome(msg: Buffer): string {
  try {
    const u = parseUpdateRaw(msg);
    return u.error?.action ?? 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(BgpError);
    return `thrown ${(e as BgpError).action}`;
  }
}

function check(nlri: Buffer): void {
  const msg = updateWithEvpnNlri(nlri);
  const raw = rawOutcome(msg);
  let m: UpdateMessage | undefined;
  let thrown: unknown;
  try {
    m = decodeMessage(msg) as UpdateMessage;
  } catch (e) {
    thrown = e;
  }
  if (thrown !== undefined) {
    expect(thrown).toBeInstanceOf(BgpError);
    expect((thrown as BgpError).action).toBe('session-reset');
    // RFC 7606 5.3: only NLRI that cannot be located resets the session
    expect(framingOk(nlri)).toBe(false);
    expect(raw).toBe('thrown session-reset');
    return;
  }
  expect(framingOk(nlri)).toBe(true);
  // the RIB's path reaches the same verdict: it never stores a malformed route as bytes
  expect(raw).toBe(m!.error?.action ?? 'ok');
  if (m!.error !== undefined) {
    expect(m!.error.action).toBe('treat-as-withdraw');
  } else {
    // no error: every route decoded and re-encodes to the same bytes
    const reach = m!.attributes.find((a): a is MpReachAttribute => a.type === 'mp-reach');
    expect(reach).toBeDefined();
    const again = Buffer.concat(reach!.nlri.map((r) => encodeEvpnRoute(r as EvpnRoute)));
    expect(again.equals(nlri)).toBe(true);
    expect(decodeMessage(encodeMessage(m!))).toEqual(m);
  }
}

describe('random bytes inside an EVPN MP_REACH (RFC 7606)', () => {
  it('near-valid NLRI', () => {
    fc.assert(
      fc.property(fc.array(arbNearValidEvpnNlri(), { minLength: 1, maxLength: 3 }), (parts) => check(Buffer.concat(parts))),
      { numRuns: 500 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (a) => check(Buffer.from(a))),
      { numRuns: 500 },
    );
  });
});
