/**
 * The 3-byte label fields of EVPN routes and of the PMSI Tunnel attribute.
 *
 * The codec keeps the raw 24 bits (`label1`, `label2`, `label`); what they mean depends on the
 * encapsulation the route advertises (RFC 8365 5.1.3):
 * - VXLAN/NVGRE: the whole 24 bits are the VNI/VSID. GoBGP and FRR both put VNI 100 on the wire
 *   as `00 00 64`.
 * - MPLS: the RFC 3032 layout, a 20-bit label, 3 bits of TC and the bottom-of-stack bit
 *   (label 100 with BoS is `00 06 41`).
 */
import type { PathAttribute } from '../bgp/types.js';
import { TunnelEncapsulation } from '../bgp/iana.js';
import { EvpnInputError } from './errors.js';
import { EvpnRouteType, maxVni } from './iana.js';

/** An MPLS label stack entry without TTL (RFC 3032). */
export interface MplsLabel {
  /** 20 bits */
  readonly label: number;
  /** Traffic class, 3 bits */
  readonly tc: number;
  /** Bottom of stack */
  readonly bos: boolean;
}

/** RFC 8365 5.1.3: under VXLAN the label field is the VNI, all 24 bits. */
export function labelAsVni(raw: number): number {
  return raw & 0xffffff;
}

/** RFC 3032 / RFC 7432: the label field as an MPLS label, TC and bottom-of-stack. */
export function labelAsMpls(raw: number): MplsLabel {
  return { label: (raw >>> 4) & 0xfffff, tc: (raw >>> 1) & 7, bos: (raw & 1) === 1 };
}

/** The raw label field for a VNI; throws EvpnInputError above 2^24-1. */
export function vniLabel(vni: number): number {
  if (!Number.isInteger(vni) || vni < 0 || vni > maxVni) {
    throw new EvpnInputError('vni', vni, `a VNI is an integer 0..${maxVni} (24 bits, RFC 7348 5)`);
  }
  return vni;
}

/** The raw label field for an MPLS label (bottom of stack by default). */
export function mplsLabel(label: number, options: { tc?: number; bos?: boolean } = {}): number {
  if (!Number.isInteger(label) || label < 0 || label > 0xfffff) {
    throw new EvpnInputError('label', label, 'an MPLS label is an integer 0..1048575 (20 bits)');
  }
  const tc = options.tc ?? 0;
  if (!Number.isInteger(tc) || tc < 0 || tc > 7) throw new EvpnInputError('label', tc, 'TC is 0..7');
  return label * 16 + tc * 2 + (options.bos === false ? 0 : 1);
}

/** The tunnel type of the first Encapsulation extended community (RFC 9012 / RFC 8365 5.1.3), if any. */
export function encapsulationOf(attributes: readonly PathAttribute[]): number | undefined {
  for (const a of attributes) {
    if (a.type !== 'extended-communities') continue;
    for (const c of a.values) {
      if (c.kind === 'encapsulation') return (c as unknown as { tunnelType: number }).tunnelType;
    }
  }
  return undefined;
}

/** True for encapsulations whose label field carries a 24-bit VNI/VSID (RFC 8365 5.1.3). */
export function isVniEncapsulation(tunnelType: number | undefined): boolean {
  return tunnelType === TunnelEncapsulation.vxlan || tunnelType === TunnelEncapsulation.nvgre || tunnelType === TunnelEncapsulation.vxlanGpe || tunnelType === TunnelEncapsulation.geneve;
}

/** Anything with a route type and possibly label fields (an EVPN route). */
interface Labelled {
  readonly routeType: number;
  readonly label1?: number;
  readonly label?: number;
}

/**
 * The VNI (or MPLS label) a route carries, read by its Encapsulation community: VXLAN-family
 * encapsulations give the whole 24 bits, anything else (or none: RFC 7432 is MPLS) gives
 * the 20-bit MPLS label. Type-2 uses Label1 (the L2 VNI), Types 1 and 5 their label field,
 * Type-3 the PMSI Tunnel attribute's label. Undefined when the route carries no label.
 */
export function routeLabelVni(route: Labelled, attributes: readonly PathAttribute[]): number | undefined {
  let raw: number | undefined;
  if (route.routeType === EvpnRouteType.macIp) raw = route.label1;
  else if (route.routeType === EvpnRouteType.ethernetAd || route.routeType === EvpnRouteType.ipPrefix) raw = route.label;
  else if (route.routeType === EvpnRouteType.inclusiveMulticast) {
    for (const a of attributes) if (a.type === 'pmsi-tunnel') raw = a.label;
  }
  if (raw === undefined) return undefined;
  return isVniEncapsulation(encapsulationOf(attributes)) ? labelAsVni(raw) : labelAsMpls(raw).label;
}
