/**
 * The contract for distributed layer 3 (issue 14): IP-VRFs with their L3VNI and router MAC,
 * L2VNIs attached to a VRF as its anycast gateway (IRB interface), and the VRF's IP
 * forwarding table. The VTEP manager programs it from EVPN Type-2 (symmetric IRB, RFC 9135)
 * and Type-5 (RFC 9136) routes; text is parsed once here, forwarding uses numbers.
 */
import type { IpText, MacText } from './text-types.js';

/** Options of one IP-VRF. */
export interface VrfOptions {
  /** The L3VNI (symmetric IRB, RFC 9135): routed frames to/from remote VTEPs travel in it. Must not be an L2VNI. */
  readonly l3vni: number;
  /** This VTEP's router MAC: inner source MAC of frames we route over the L3VNI; frames arriving over the L3VNI carry it as destination. */
  readonly routerMac: MacText;
}

/** An L2VNI attached to a VRF: its IRB interface. */
export interface GatewayOptions {
  /** The VRF (added with `addVrf`) the VNI routes in. */
  readonly vrf: string;
  /** Anycast gateway MAC, the same on every VTEP. */
  readonly mac: MacText;
  /** Gateway addresses with their subnets, e.g. ['192.0.2.254/24', '2001:db8:1::1/64']: each a connected route of the VRF. */
  readonly addresses: readonly string[];
}

/** Where a route of a VRF leads. */
export type RouteNextHop =
  /** Symmetric IRB host route (Type-2) or Type-5 prefix: over the VRF's L3VNI to `vtep`, inner destination MAC `routerMac`. */
  | { readonly kind: 'vtep'; readonly vtep: IpText; readonly routerMac: MacText }
  /** Asymmetric IRB: bridged into L2VNI `vni` (present here); the destination IP is resolved in that VNI's ARP/ND table. */
  | { readonly kind: 'vni'; readonly vni: number };

/**
 * The layer-3 part of a dataplane (`Dataplane.l3`). Methods naming an unknown VRF or VNI
 * throw a RangeError; malformed MAC, IP or prefix text throws a TypeError (out-of-range
 * numbers a RangeError). Removals of unknown entries do nothing.
 */
export interface L3Dataplane {
  /** Creates a VRF (or changes its L3VNI / router MAC). */
  addVrf(name: string, options: VrfOptions): void;
  /** Removes a VRF with its routes; its gateways are detached. */
  removeVrf(name: string): void;
  /** Attaches L2VNI `vni` to a VRF as its gateway (undefined detaches). */
  setGateway(vni: number, options: GatewayOptions | undefined): void;
  /** Adds or replaces `prefix` ('10.1.0.0/16', '10.1.2.3/32', '2001:db8::/32') in `vrf`. */
  setRoute(vrf: string, prefix: string, nextHop: RouteNextHop): void;
  /** Removes `prefix` from `vrf` (an unknown prefix does nothing). */
  removeRoute(vrf: string, prefix: string): void;
}
