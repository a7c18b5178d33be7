/**
 * fast-check arbitraries for EVPN values (RFC 7432, 8365, 9136): every field, every route type,
 * every EVPN extended community, and near-valid NLRI bytes (a valid route with one thing wrong)
 * for fuzzing a decoder, ours or a peer's.
 *
 * Values come out in canonical text form (they are made from bytes and printed by the codec's
 * own printers), so `decode(encode(v))` equals `v`.
 */
import fc from 'fast-check';
import { readAddress } from '../net/ip.js';
import type {
  ArpNdCommunity,
  DefaultGatewayCommunity,
  EsImportRouteTargetCommunity,
  EsiLabelCommunity,
  EvpnExtendedCommunity,
  MacMobilityCommunity,
  RoutersMacCommunity,
} from '../evpn/communities.js';
import { esiText } from '../evpn/esi.js';
import { macText } from '../evpn/mac.js';
import { encodeEvpnRoute } from '../evpn/nlri.js';
import { rdText } from '../evpn/rd.js';
import type {
  EthernetAdRoute,
  EthernetSegmentRoute,
  EvpnRoute,
  InclusiveMulticastRoute,
  IpPrefixRoute,
  MacIpRoute,
  RawEvpnRoute,
} from '../evpn/types.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

function bytes(n: number): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
}

/** Route distinguishers of types 0, 1, 2 (and now and then an undefined type, kept raw). */
export function arbRd(): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.tuple(fc.constant(0), u16, u32).map(([t, a, n]) => [t, a >>> 8, a & 0xff, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]) },
      { weight: 3, arbitrary: fc.tuple(fc.constant(1), bytes(4), u16).map(([t, ip, n]) => [t, ...ip, n >>> 8, n & 0xff]) },
      { weight: 3, arbitrary: fc.tuple(fc.constant(2), u32, u16).map(([t, a, n]) => [t, a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, n >>> 8, n & 0xff]) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 3, max: 0xffff }), bytes(6)).map(([t, v]) => [t, ...v]) },
    )
    .map((parts) => {
      const b = Buffer.alloc(8);
      b.writeUInt16BE(parts[0]!, 0);
      for (let i = 1; i < 7; i++) b[i + 1] = parts[i]!;
      return rdText(b, 0);
    });
}

/** ESIs of every type (0-5 and beyond), with the zero ESI (single-homed) often. */
export function arbEsi(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('00:00:00:00:00:00:00:00:00:00') },
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 5 }), bytes(9)).map(([t, v]) => esiText(Buffer.concat([Buffer.from([t]), v]), 0)) },
    { weight: 1, arbitrary: bytes(10).map((b) => esiText(b, 0)) },
  );
}

export function arbMac(): fc.Arbitrary<string> {
  return bytes(6).map((b) => macText(b, 0));
}
export function arbEvpnIpv4(): fc.Arbitrary<string> {
  return bytes(4).map((b) => readAddress(b, 0, 4));
}
export function arbEvpnIpv6(): fc.Arbitrary<string> {
  return fc
    .oneof(bytes(16), fc.tuple(bytes(2), bytes(2)).map(([a, z]) => Buffer.concat([a, Buffer.alloc(12), z])))
    .map((b) => readAddress(b, 0, 16));
}
export function arbEvpnIp(): fc.Arbitrary<string> {
  return fc.oneof(arbEvpnIpv4(), arbEvpnIpv6());
}
/** A raw 24-bit label field. */
export function arbLabel(): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 0xffffff });
}
export function arbVni(): fc.Arbitrary<number> {
  return arbLabel();
}
export function arbEthernetTag(): fc.Arbitrary<number> {
  return fc.oneof(fc.constant(0), u32);
}

export function arbEthernetAdRoute(): fc.Arbitrary<EthernetAdRoute> {
  return fc.record({
    routeType: fc.constant(1 as const),
    rd: arbRd(),
    esi: arbEsi(),
    ethernetTag: arbEthernetTag(),
    label: arbLabel(),
  });
}

export function arbMacIpRoute(): fc.Arbitrary<MacIpRoute> {
  return fc.record(
    {
      routeType: fc.constant(2 as const),
      rd: arbRd(),
      esi: arbEsi(),
      ethernetTag: arbEthernetTag(),
      mac: arbMac(),
      ip: arbEvpnIp(),
      label1: arbLabel(),
      label2: arbLabel(),
    },
    { requiredKeys: ['routeType', 'rd', 'esi', 'ethernetTag', 'mac', 'label1'] },
  );
}

export function arbInclusiveMulticastRoute(): fc.Arbitrary<InclusiveMulticastRoute> {
  return fc.record({
    routeType: fc.constant(3 as const),
    rd: arbRd(),
    ethernetTag: arbEthernetTag(),
    originator: arbEvpnIp(),
  });
}

export function arbEthernetSegmentRoute(): fc.Arbitrary<EthernetSegmentRoute> {
  return fc.record({
    routeType: fc.constant(4 as const),
    rd: arbRd(),
    esi: arbEsi(),
    originator: arbEvpnIp(),
  });
}

export function arbIpPrefixRoute(): fc.Arbitrary<IpPrefixRoute> {
  return fc.oneof(fc.constant(4 as const), fc.constant(16 as const)).chain((n) =>
    fc.record({
      routeType: fc.constant(5 as const),
      rd: arbRd(),
      esi: arbEsi(),
      ethernetTag: arbEthernetTag(),
      prefix: fc.tuple(n === 4 ? arbEvpnIpv4() : arbEvpnIpv6(), fc.integer({ min: 0, max: n * 8 })).map(([a, l]) => `${a}/${l}`),
      gateway: n === 4 ? arbEvpnIpv4() : arbEvpnIpv6(),
      label: arbLabel(),
    }),
  );
}

/** A route of a type without a codec (0, 6..255): kept raw. */
export function arbRawEvpnRoute(): fc.Arbitrary<RawEvpnRoute> {
  return fc.record({
    routeType: fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 255 })),
    raw: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  });
}

export function arbKnownEvpnRoute(): fc.Arbitrary<Exclude<EvpnRoute, RawEvpnRoute>> {
  return fc.oneof(
    arbEthernetAdRoute(),
    arbMacIpRoute(),
    arbInclusiveMulticastRoute(),
    arbEthernetSegmentRoute(),
    arbIpPrefixRoute(),
  );
}

/** Any EVPN route, Type-2 and Type-3 most often. */
export function arbEvpnRoute(): fc.Arbitrary<EvpnRoute> {
  return fc.oneof(
    { weight: 1, arbitrary: arbEthernetAdRoute() },
    { weight: 3, arbitrary: arbMacIpRoute() },
    { weight: 3, arbitrary: arbInclusiveMulticastRoute() },
    { weight: 1, arbitrary: arbEthernetSegmentRoute() },
    { weight: 1, arbitrary: arbIpPrefixRoute() },
    { weight: 1, arbitrary: arbRawEvpnRoute() },
  );
}

export function arbMacMobility(): fc.Arbitrary<MacMobilityCommunity> {
  return fc.record({ kind: fc.constant('mac-mobility' as const), sequence: u32, sticky: fc.boolean() });
}
export function arbEsiLabel(): fc.Arbitrary<EsiLabelCommunity> {
  return fc.record({ kind: fc.constant('esi-label' as const), singleActive: fc.boolean(), label: arbLabel() });
}
export function arbEsImportRouteTarget(): fc.Arbitrary<EsImportRouteTargetCommunity> {
  return fc.record({ kind: fc.constant('es-import-rt' as const), value: arbMac() });
}
export function arbRoutersMac(): fc.Arbitrary<RoutersMacCommunity> {
  return fc.record({ kind: fc.constant('routers-mac' as const), mac: arbMac() });
}
export function arbArpNd(): fc.Arbitrary<ArpNdCommunity> {
  return fc.record({
    kind: fc.constant('arp-nd' as const),
    router: fc.boolean(),
    override: fc.boolean(),
    immutable: fc.boolean(),
    proxy: fc.boolean(),
  });
}
export function arbDefaultGateway(): fc.Arbitrary<DefaultGatewayCommunity> {
  return fc.constant({ kind: 'default-gateway' as const });
}

/** Every EVPN extended community. */
export function arbEvpnCommunity(): fc.Arbitrary<EvpnExtendedCommunity> {
  return fc.oneof(
    arbMacMobility(),
    arbEsiLabel(),
    arbEsImportRouteTarget(),
    arbRoutersMac(),
    arbArpNd(),
    arbDefaultGateway(),
  );
}

/** One way of breaking a valid NLRI. */
export type EvpnNlriMutation =
  | { readonly kind: 'set-byte'; readonly at: number; readonly value: number }
  | { readonly kind: 'length'; readonly delta: number }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'append'; readonly bytes: Buffer }
  | { readonly kind: 'mac-length'; readonly value: number }
  | { readonly kind: 'ip-length'; readonly value: number };

export function arbEvpnNlriMutation(): fc.Arbitrary<EvpnNlriMutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('set-byte' as const), at: fc.nat(80), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('length' as const), delta: fc.integer({ min: -20, max: 20 }).filter((d) => d !== 0) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(80) }),
    fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => Buffer.from(a)) }),
    fc.record({ kind: fc.constant('mac-length' as const), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('ip-length' as const), value: fc.integer({ min: 0, max: 255 }) }),
  );
}

/** Apply a mutation to encoded NLRI bytes (type, length, body); returns a new buffer. */
export function mutateEvpnNlri(nlri: Buffer, m: EvpnNlriMutation): Buffer {
  const b = Buffer.from(nlri);
  switch (m.kind) {
    case 'set-byte':
      if (b.length > 0) b[m.at % b.length] = m.value;
      return b;
    case 'length':
      if (b.length > 1) b[1] = (b[1]! + m.delta) & 0xff;
      return b;
    case 'truncate':
      return b.subarray(0, Math.min(m.keep, b.length));
    case 'append':
      return Buffer.concat([b, m.bytes]);
    case 'mac-length':
      // Type-2: MAC length is at body offset 22
      if (b[0] === 2 && b.length > 24) b[24] = m.value;
      return b;
    case 'ip-length': {
      // Type-2 body offset 29, Type-3 12, Type-4 18, Type-5 prefix length 22
      const at = ({ 2: 29, 3: 12, 4: 18, 5: 22 } as Record<number, number>)[b[0]!];
      if (at !== undefined && b.length > at + 2) b[at + 2] = m.value;
      return b;
    }
  }
}

/** Encoded EVPN NLRI with one thing wrong (or, now and then, nothing wrong). */
export function arbNearValidEvpnNlri(): fc.Arbitrary<Buffer> {
  return fc
    .tuple(arbEvpnRoute(), arbEvpnNlriMutation())
    .map(([r, m]) => mutateEvpnNlri(encodeEvpnRoute(r), m));
}
