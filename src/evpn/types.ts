/**
 * Decoded EVPN NLRI: plain, JSON-printable, readonly objects discriminated by `routeType`.
 * RD, ESI, MAC and IPs are text; label fields are the raw 24 bits (see label.ts).
 */
import type { NlriBase } from '../bgp/types.js';

/** Fields every EVPN route has. */
export interface EvpnRouteBase extends NlriBase {
  /** IANA "EVPN Route Types" code. */
  readonly routeType: number;
}

/**
 * Type 1, Ethernet Auto-Discovery (RFC 7432 7.1).
 * Key (RFC 7432 7.1 / 8.2, 8.4): RD, ESI, Ethernet tag — never the label.
 */
export interface EthernetAdRoute extends EvpnRouteBase {
  readonly routeType: 1;
  /** `65000:100`, `10.0.0.1:100`, `4200000000:100` */
  readonly rd: string;
  /** `00:11:22:33:44:55:66:77:88:99` */
  readonly esi: string;
  /** 0..2^32-1 (MAX-ET 0xFFFFFFFF for per-ES routes) */
  readonly ethernetTag: number;
  /** raw 24-bit label field */
  readonly label: number;
}

/**
 * Type 2, MAC/IP Advertisement (RFC 7432 7.2).
 * Key (RFC 7432 7): RD, Ethernet tag, MAC, IP — never ESI or labels.
 */
export interface MacIpRoute extends EvpnRouteBase {
  readonly routeType: 2;
  readonly rd: string;
  readonly esi: string;
  readonly ethernetTag: number;
  /** `aa:bb:cc:dd:ee:ff` */
  readonly mac: string;
  /** IPv4 or IPv6 text; absent when the IP length is 0. */
  readonly ip?: string;
  /** raw 24-bit MPLS Label1 field (the L2 VNI under VXLAN) */
  readonly label1: number;
  /** raw 24-bit MPLS Label2 field (the L3 VNI for symmetric IRB, RFC 9135), when present */
  readonly label2?: number;
}

/**
 * Type 3, Inclusive Multicast Ethernet Tag (RFC 7432 7.3); sent with a PMSI Tunnel attribute.
 * Key: RD, Ethernet tag, originating router's IP.
 */
export interface InclusiveMulticastRoute extends EvpnRouteBase {
  readonly routeType: 3;
  readonly rd: string;
  readonly ethernetTag: number;
  /** Originating router's IP address (IPv4 or IPv6 text). */
  readonly originator: string;
}

/**
 * Type 4, Ethernet Segment (RFC 7432 7.4).
 * Key: RD, ESI, originating router's IP.
 */
export interface EthernetSegmentRoute extends EvpnRouteBase {
  readonly routeType: 4;
  readonly rd: string;
  readonly esi: string;
  readonly originator: string;
}

/**
 * Type 5, IP Prefix (RFC 9136 3.1): 34 bytes for IPv4, 58 for IPv6.
 * Key (RFC 9136 3.1): RD, Ethernet tag, IP prefix length and IP prefix — never ESI, GW IP, label.
 */
export interface IpPrefixRoute extends EvpnRouteBase {
  readonly routeType: 5;
  readonly rd: string;
  readonly esi: string;
  readonly ethernetTag: number;
  /** `10.1.0.0/16`, `2001:db8::/32` (the address bytes as sent; host bits are kept) */
  readonly prefix: string;
  /** Gateway IP, same family as the prefix (`0.0.0.0` / `::` when unused). */
  readonly gateway: string;
  /** raw 24-bit label field (the L3 VNI under VXLAN) */
  readonly label: number;
}

/** Any route type without a codec here, kept as its body bytes and re-encoded byte for byte. */
export interface RawEvpnRoute extends EvpnRouteBase {
  /** The route body after the type and length octets (a view into the received buffer). */
  readonly raw: Buffer;
}

/** Every EVPN route. Narrow with `routeType` plus `isRawEvpnRoute` (or the `is*Route` guards). */
export type EvpnRoute = EthernetAdRoute | MacIpRoute | InclusiveMulticastRoute | EthernetSegmentRoute | IpPrefixRoute | RawEvpnRoute;

/** Route types with a first-class codec. */
export type KnownEvpnRoute = Exclude<EvpnRoute, RawEvpnRoute>;

/**
 * The codec of one route type's body (the bytes after the type and length octets).
 * `decode` gets exactly the `[start, end)` its length octet framed and throws only BgpError
 * (treat-as-withdraw: the NLRI is framed, RFC 7606 5.3); `key` returns the RFC 7432 7 route
 * key fields of a valid body as a latin1 string, without the route type.
 */
export interface RouteBodyCodec<T extends EvpnRouteBase> {
  readonly routeType: T['routeType'];
  /** tshark/RFC name, for logs. */
  readonly name: string;
  encodingLength(route: T): number;
  encode(route: T, buf: Buffer, offset: number): number;
  decode(buf: Buffer, start: number, end: number): T;
  /**
   * Write the route key fields of the body `[start, end)` (RFC 7432 7: never ESI or labels where
   * the RFC leaves them out) into `out` at `offset`; returns the offset after them. Throws
   * (treat-as-withdraw) when the body is malformed. `out` has room for 255 bytes.
   */
  keyInto(buf: Buffer, start: number, end: number, out: Buffer, offset: number): number;
  /** Throw what `decode` would (treat-as-withdraw) without building the value. */
  check(buf: Buffer, start: number, end: number): void;
  /**
   * Whether `check` would pass, without building an Error: what a flood of malformed routes
   * is tested with (one comparison or two each, RFC 7606 5.3 handling stays linear).
   */
  valid(buf: Buffer, start: number, end: number): boolean;
}

export function isRawEvpnRoute(r: EvpnRouteBase): r is RawEvpnRoute {
  return (r as { raw?: unknown }).raw !== undefined;
}
export function isEthernetAdRoute(r: EvpnRouteBase): r is EthernetAdRoute {
  return r.routeType === 1 && !isRawEvpnRoute(r);
}
export function isMacIpRoute(r: EvpnRouteBase): r is MacIpRoute {
  return r.routeType === 2 && !isRawEvpnRoute(r);
}
export function isInclusiveMulticastRoute(r: EvpnRouteBase): r is InclusiveMulticastRoute {
  return r.routeType === 3 && !isRawEvpnRoute(r);
}
export function isEthernetSegmentRoute(r: EvpnRouteBase): r is EthernetSegmentRoute {
  return r.routeType === 4 && !isRawEvpnRoute(r);
}
export function isIpPrefixRoute(r: EvpnRouteBase): r is IpPrefixRoute {
  return r.routeType === 5 && !isRawEvpnRoute(r);
}
