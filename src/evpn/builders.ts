/**
 * Builders for the routes a VTEP originates. Input is validated here, at the API edge (with
 * `ip-address` for addresses), and every problem is an `EvpnInputError` naming the field.
 * Each builder returns the NLRI and every path attribute a real peer needs:
 * ORIGIN, AS_PATH (empty: the session prepends its AS toward eBGP peers), MP_REACH_NLRI with the
 * VTEP as next hop, extended communities (Encapsulation VXLAN, route targets, ...) and, for
 * Type-3, the PMSI Tunnel attribute (RFC 7432 11.2 / RFC 8365 9: peers drop Type-3 without it).
 */
import { Address4, Address6 } from 'ip-address';
import { Afi, PmsiTunnelType, Safi, TunnelEncapsulation } from '../bgp/iana.js';
import type { ExtendedCommunity, MpUnreachAttribute, PathAttribute } from '../bgp/types.js';
import { readAddress } from '../net/ip.js';
import { autoRouteTarget, parseEvpnRouteTarget, type EncapsulationValue, type MacMobilityCommunity, type RouteTargetCommunity, type RoutersMacCommunity } from './communities.js';
import { EvpnInputError, type EvpnInputField } from './errors.js';
import { esiText, writeEsi, zeroEsi } from './esi.js';
import { normalizeMac } from './mac.js';
import { normalizeRd } from './rd.js';
import { vniLabel } from './label.js';
import type { EvpnRoute, InclusiveMulticastRoute, IpPrefixRoute, MacIpRoute } from './types.js';

/** A route target as text (`65000:100`, `10.0.0.1:5`, `4200000000:7`) or as a community value. */
export type RouteTargetInput = string | RouteTargetCommunity;

/** What every builder returns. */
export interface BuiltRoute<T extends EvpnRoute> {
  readonly nlri: T;
  /** Path attributes in type-code order (RFC 4271 5: SHOULD be ordered). */
  readonly attributes: PathAttribute[];
}

/** Canonical text of an IPv4/IPv6 address, validated with ip-address; throws EvpnInputError. */
export function normalizeIp(text: unknown, field: EvpnInputField): string {
  if (typeof text !== 'string' || text.includes('/') || text.includes('%')) {
    throw new EvpnInputError(field, text, 'expected an IPv4 or IPv6 address (no prefix length, no zone)');
  }
  if (Address4.isValid(text)) return readAddress(Buffer.from(new Address4(text).toArray()), 0, 4);
  if (Address6.isValid(text)) return readAddress(pad16(new Address6(text).toByteArray()), 0, 16);
  throw new EvpnInputError(field, text, 'expected an IPv4 or IPv6 address');
}

/** ip-address gives the bytes of the 128-bit number, without leading zero bytes. */
function pad16(bytes: number[]): Buffer {
  const b = Buffer.alloc(16);
  const n = Math.min(bytes.length, 16);
  for (let i = 0; i < n; i++) b[16 - n + i] = bytes[bytes.length - n + i]! & 0xff;
  return b;
}

const ip = normalizeIp;

function routeTargets(list: readonly RouteTargetInput[] | undefined): RouteTargetCommunity[] {
  if (!Array.isArray(list)) throw new EvpnInputError('route-target', list, 'routeTargets must be an array');
  return list.map((rt) => {
    if (typeof rt === 'string') return parseEvpnRouteTarget(rt);
    if (rt !== null && typeof rt === 'object' && rt.kind === 'route-target') return rt;
    throw new EvpnInputError('route-target', rt, 'expected text like 65000:100 or a route-target community');
  });
}

function tag(v: number | undefined): number {
  const t = v ?? 0;
  if (!Number.isInteger(t) || t < 0 || t > 0xffffffff) throw new EvpnInputError('ethernet-tag', t, 'an Ethernet tag is an integer 0..4294967295');
  return t;
}

function esi(v: string | undefined): string {
  if (v === undefined) return zeroEsi;
  const b = Buffer.alloc(10);
  writeEsi(v, b, 0);
  return esiText(b, 0);
}

function routersMacOf(mac: string): RoutersMacCommunity {
  return { kind: 'routers-mac', mac: normalizeMac(mac) };
}

const vxlan: EncapsulationValue = { kind: 'encapsulation', tunnelType: TunnelEncapsulation.vxlan };

function reach(nextHop: string, route: EvpnRoute, communities: readonly ExtendedCommunity[], extra: readonly PathAttribute[] = []): PathAttribute[] {
  return [
    { type: 'origin', value: 'igp' },
    { type: 'as-path', segments: [] },
    { type: 'mp-reach', afi: Afi.l2vpn, safi: Safi.evpn, nextHops: [nextHop], nlri: [route] },
    { type: 'extended-communities', values: communities },
    ...extra,
  ];
}

/** Input of `macIpRoute`. */
export interface MacIpRouteInput {
  /** Route distinguisher: `65000:100`, `10.0.0.1:100`, `4200000000:100`. */
  readonly rd: string;
  readonly mac: string;
  /** The host's IPv4/IPv6 address, when the route carries one. */
  readonly ip?: string;
  /** The L2 VNI (Label1). */
  readonly vni: number;
  /** The L3 VNI for symmetric IRB (Label2, RFC 9135). */
  readonly l3vni?: number;
  /** Default: the zero ESI (single-homed). */
  readonly esi?: string;
  /** Default 0 (VLAN-based service). */
  readonly ethernetTag?: number;
  /** The VTEP address (MP_REACH next hop). */
  readonly nextHop: string;
  readonly routeTargets: readonly RouteTargetInput[];
  /** MAC Mobility (RFC 7432 15): a sequence number, or the full community fields. */
  readonly mobility?: number | { readonly sequence: number; readonly sticky?: boolean };
  /** Router's MAC (RFC 9135 8.1), for symmetric IRB. */
  readonly routerMac?: string;
}

/** A Type-2 MAC/IP Advertisement route and its attributes. */
export function macIpRoute(input: MacIpRouteInput): BuiltRoute<MacIpRoute> {
  const rd = normalizeRd(input.rd);
  const mac = normalizeMac(input.mac);
  const label1 = vniLabel(input.vni);
  const base = { routeType: 2 as const, rd, esi: esi(input.esi), ethernetTag: tag(input.ethernetTag), mac };
  const withIp = input.ip === undefined ? base : { ...base, ip: ip(input.ip, 'ip') };
  const nlri: MacIpRoute = input.l3vni === undefined ? { ...withIp, label1 } : { ...withIp, label1, label2: vniLabel(input.l3vni) };
  const communities: ExtendedCommunity[] = [vxlan, ...routeTargets(input.routeTargets)];
  if (input.mobility !== undefined) {
    const m = typeof input.mobility === 'number' ? { sequence: input.mobility } : input.mobility;
    if (!Number.isInteger(m.sequence) || m.sequence < 0 || m.sequence > 0xffffffff) {
      throw new EvpnInputError('sequence', m.sequence, 'a MAC mobility sequence is an integer 0..4294967295');
    }
    const mm: MacMobilityCommunity = { kind: 'mac-mobility', sequence: m.sequence, sticky: m.sticky === true };
    communities.push(mm);
  }
  if (input.routerMac !== undefined) communities.push(routersMacOf(input.routerMac));
  return { nlri, attributes: reach(ip(input.nextHop, 'next-hop'), nlri, communities) };
}

/** Input of `inclusiveMulticastRoute`. */
export interface InclusiveMulticastRouteInput {
  readonly rd: string;
  /** The originating router's IP, usually the VTEP address. */
  readonly originator: string;
  readonly vni: number;
  readonly nextHop: string;
  readonly routeTargets: readonly RouteTargetInput[];
  /** Default 0. */
  readonly ethernetTag?: number;
}

/**
 * A Type-3 Inclusive Multicast Ethernet Tag route with its PMSI Tunnel attribute: ingress
 * replication (type 6), the VNI in the label field (RFC 8365 5.1.3), the VTEP as tunnel endpoint.
 */
export function inclusiveMulticastRoute(input: InclusiveMulticastRouteInput): BuiltRoute<InclusiveMulticastRoute> {
  const nlri: InclusiveMulticastRoute = {
    routeType: 3,
    rd: normalizeRd(input.rd),
    ethernetTag: tag(input.ethernetTag),
    originator: ip(input.originator, 'originator'),
  };
  const vni = vniLabel(input.vni);
  const nextHop = ip(input.nextHop, 'next-hop');
  const pmsi: PathAttribute = { type: 'pmsi-tunnel', tunnelFlags: 0, tunnelType: PmsiTunnelType.ingressReplication, label: vni, tunnelId: nextHop };
  return { nlri, attributes: reach(nextHop, nlri, [vxlan, ...routeTargets(input.routeTargets)], [pmsi]) };
}

/** Input of `ipPrefixRoute`. */
export interface IpPrefixRouteInput {
  readonly rd: string;
  /** `10.1.0.0/16`, `2001:db8::/32` */
  readonly prefix: string;
  /** The L3 VNI. */
  readonly vni: number;
  readonly nextHop: string;
  readonly routeTargets: readonly RouteTargetInput[];
  /** Gateway IP (default all zeros: the next hop is the gateway, RFC 9136 4.4.1). */
  readonly gateway?: string;
  readonly esi?: string;
  readonly ethernetTag?: number;
  /** Router's MAC (RFC 9136 4.4.1 interface-less model). */
  readonly routerMac?: string;
}

/** A Type-5 IP Prefix route (RFC 9136) and its attributes. */
export function ipPrefixRoute(input: IpPrefixRouteInput): BuiltRoute<IpPrefixRoute> {
  const text = typeof input.prefix === 'string' ? input.prefix : '';
  const slash = text.indexOf('/');
  const addr = slash < 0 ? undefined : ip(text.slice(0, slash), 'prefix');
  const v6 = addr !== undefined && addr.includes(':');
  const bitsText = text.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  if (addr === undefined || bits < 0 || bits > (v6 ? 128 : 32)) throw new EvpnInputError('prefix', input.prefix, 'expected address/length, e.g. 10.1.0.0/16');
  const gateway = input.gateway === undefined ? (v6 ? '::' : '0.0.0.0') : ip(input.gateway, 'ip');
  if (gateway.includes(':') !== v6) throw new EvpnInputError('ip', input.gateway, 'the gateway must be of the prefix family (RFC 9136 3.1)');
  const nlri: IpPrefixRoute = {
    routeType: 5,
    rd: normalizeRd(input.rd),
    esi: esi(input.esi),
    ethernetTag: tag(input.ethernetTag),
    prefix: `${addr}/${bits}`,
    gateway,
    label: vniLabel(input.vni),
  };
  const communities: ExtendedCommunity[] = [vxlan, ...routeTargets(input.routeTargets)];
  if (input.routerMac !== undefined) communities.push(routersMacOf(input.routerMac));
  return { nlri, attributes: reach(ip(input.nextHop, 'next-hop'), nlri, communities) };
}

/** The MP_UNREACH_NLRI attribute that withdraws EVPN routes (an UPDATE with only it is a withdraw). */
export function evpnWithdraw(routes: readonly EvpnRoute[]): MpUnreachAttribute {
  return { type: 'mp-unreach', afi: Afi.l2vpn, safi: Safi.evpn, withdrawn: routes };
}

export { autoRouteTarget };
