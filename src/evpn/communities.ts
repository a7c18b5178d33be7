/**
 * EVPN extended communities (RFC 4360 layout: type, sub-type, 6 value bytes), registered with
 * the BGP extended-community registry when this module loads. Reserved fields are ignored on
 * receive and zero on send (the RFCs say so); flag bits without a name are kept in `otherFlags`
 * so they survive a re-encode.
 *
 * Also: the RFC 8365 5.1.2.1 auto-derived route target.
 */
import { ExtCommunityType, ExtCommunitySubtype } from '../bgp/iana.js';
import { registerExtCommunity, type ExtCommunityCodec } from '../bgp/ext-community-registry.js';
import type { ExtendedCommunityBase } from '../bgp/types.js';
import { EvpnInputError } from './errors.js';
import { ArpNdFlag, AutoRtType, EsiLabelFlag, EvpnExtCommunitySubtype, MacMobilityFlag } from './iana.js';
import { macText, writeMac } from './mac.js';
import { vniLabel } from './label.js';

const evpn = ExtCommunityType.evpn;

/** RFC 7432 7.7: MAC Mobility. `| 0x06 | 0x00 | flags (1) | reserved (1) | sequence (4) |` */
export interface MacMobilityCommunity extends ExtendedCommunityBase {
  readonly kind: 'mac-mobility';
  readonly sequence: number;
  /** Static (sticky) MAC: it never moves (RFC 7432 15.2). */
  readonly sticky: boolean;
  /** Flag bits other than sticky, when a peer set any. */
  readonly otherFlags?: number;
}

/** RFC 7432 7.5: ESI Label. `| 0x06 | 0x01 | flags (1) | reserved (2) | ESI label (3) |` */
export interface EsiLabelCommunity extends ExtendedCommunityBase {
  readonly kind: 'esi-label';
  /** Single-active redundancy mode (flag 0x01); all-active otherwise. */
  readonly singleActive: boolean;
  /** raw 24-bit label field */
  readonly label: number;
  readonly otherFlags?: number;
}

/** RFC 7432 7.6: ES-Import Route Target. `| 0x06 | 0x02 | ES-Import (6) |` */
export interface EsImportRouteTargetCommunity extends ExtendedCommunityBase {
  readonly kind: 'es-import-rt';
  /** The high-order 6 bytes of the ESI value, in MAC form. */
  readonly value: string;
}

/** RFC 9135 8.1: Router's MAC. `| 0x06 | 0x03 | MAC (6) |` */
export interface RoutersMacCommunity extends ExtendedCommunityBase {
  readonly kind: 'routers-mac';
  readonly mac: string;
}

/** RFC 9047 3: ARP/ND. `| 0x06 | 0x08 | flags (1) | reserved (5) |` */
export interface ArpNdCommunity extends ExtendedCommunityBase {
  readonly kind: 'arp-nd';
  /** R: the IP belongs to a router (IPv6 NA router flag). */
  readonly router: boolean;
  /** O: the IPv6 NA override flag. */
  readonly override: boolean;
  /** I: immutable ARP/ND binding. */
  readonly immutable: boolean;
  /** Proxy advertisement (draft-rbickhart-evpn-ip-mac-proxy-adv, sent by FRR). */
  readonly proxy: boolean;
  readonly otherFlags?: number;
}

/** RFC 7432 7.8: Default Gateway (opaque type). `| 0x03 | 0x0d | reserved (6) |` */
export interface DefaultGatewayCommunity extends ExtendedCommunityBase {
  readonly kind: 'default-gateway';
}

/** A route target as the BGP codec represents it (RFC 4360 4, RFC 5668). */
export interface RouteTargetCommunity extends ExtendedCommunityBase {
  readonly kind: 'route-target';
  /** The AS number or IPv4 address as text. */
  readonly global: string;
  readonly local: number;
  readonly format: 'as2' | 'ipv4' | 'as4';
}

/** RFC 9012 / RFC 8365 5.1.3: Encapsulation (the BGP codec's `EncapsulationCommunity`). */
interface EncapsulationValue extends ExtendedCommunityBase {
  readonly kind: 'encapsulation';
  readonly tunnelType: number;
}

export type { EncapsulationValue };

export type EvpnExtendedCommunity =
  | MacMobilityCommunity
  | EsiLabelCommunity
  | EsImportRouteTargetCommunity
  | RoutersMacCommunity
  | ArpNdCommunity
  | DefaultGatewayCommunity;

function u32(v: number, field: 'sequence' | 'label', max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EvpnInputError(field, v, `must be an integer 0..${max}`);
  return v;
}

function header(buf: Buffer, offset: number, type: number, subtype: number): void {
  buf[offset] = type;
  buf[offset + 1] = subtype;
}

export const macMobility: ExtCommunityCodec<MacMobilityCommunity> = {
  kind: 'mac-mobility',
  codes: [[evpn, EvpnExtCommunitySubtype.macMobility]],
  decode(buf, offset) {
    const flags = buf[offset + 2]!;
    const other = flags & ~MacMobilityFlag.sticky;
    const sequence = buf.readUInt32BE(offset + 4);
    const sticky = (flags & MacMobilityFlag.sticky) !== 0;
    return other === 0 ? { kind: 'mac-mobility', sequence, sticky } : { kind: 'mac-mobility', sequence, sticky, otherFlags: other };
  },
  encode(v, buf, offset) {
    header(buf, offset, evpn, EvpnExtCommunitySubtype.macMobility);
    buf[offset + 2] = ((v.otherFlags ?? 0) & ~MacMobilityFlag.sticky & 0xff) | (v.sticky ? MacMobilityFlag.sticky : 0);
    buf[offset + 3] = 0;
    buf.writeUInt32BE(u32(v.sequence, 'sequence', 0xffffffff), offset + 4);
  },
  format: (v) => `mac-mobility:${v.sequence}${v.sticky ? ':sticky' : ''}`,
};

export const esiLabel: ExtCommunityCodec<EsiLabelCommunity> = {
  kind: 'esi-label',
  codes: [[evpn, EvpnExtCommunitySubtype.esiLabel]],
  decode(buf, offset) {
    const flags = buf[offset + 2]!;
    const other = flags & ~EsiLabelFlag.singleActive;
    const label = (buf[offset + 5]! << 16) | (buf[offset + 6]! << 8) | buf[offset + 7]!;
    const singleActive = (flags & EsiLabelFlag.singleActive) !== 0;
    return other === 0 ? { kind: 'esi-label', singleActive, label } : { kind: 'esi-label', singleActive, label, otherFlags: other };
  },
  encode(v, buf, offset) {
    header(buf, offset, evpn, EvpnExtCommunitySubtype.esiLabel);
    buf[offset + 2] = ((v.otherFlags ?? 0) & ~EsiLabelFlag.singleActive & 0xff) | (v.singleActive ? EsiLabelFlag.singleActive : 0);
    buf[offset + 3] = 0;
    buf[offset + 4] = 0;
    buf.writeUIntBE(u32(v.label, 'label', 0xffffff), offset + 5, 3);
  },
  format: (v) => `esi-label:${v.label}${v.singleActive ? ':single-active' : ':all-active'}`,
};

export const esImportRouteTarget: ExtCommunityCodec<EsImportRouteTargetCommunity> = {
  kind: 'es-import-rt',
  codes: [[evpn, EvpnExtCommunitySubtype.esImportRouteTarget]],
  decode: (buf, offset) => ({ kind: 'es-import-rt', value: macText(buf, offset + 2) }),
  encode(v, buf, offset) {
    header(buf, offset, evpn, EvpnExtCommunitySubtype.esImportRouteTarget);
    writeMac(v.value, buf, offset + 2);
  },
  format: (v) => `es-import:${v.value}`,
};

export const routersMac: ExtCommunityCodec<RoutersMacCommunity> = {
  kind: 'routers-mac',
  codes: [[evpn, EvpnExtCommunitySubtype.routersMac]],
  decode: (buf, offset) => ({ kind: 'routers-mac', mac: macText(buf, offset + 2) }),
  encode(v, buf, offset) {
    header(buf, offset, evpn, EvpnExtCommunitySubtype.routersMac);
    writeMac(v.mac, buf, offset + 2);
  },
  format: (v) => `rmac:${v.mac}`,
};

const arpNdKnown = ArpNdFlag.router | ArpNdFlag.override | ArpNdFlag.proxy | ArpNdFlag.immutable;

export const arpNd: ExtCommunityCodec<ArpNdCommunity> = {
  kind: 'arp-nd',
  codes: [[evpn, EvpnExtCommunitySubtype.arpNd]],
  decode(buf, offset) {
    const f = buf[offset + 2]!;
    const v = {
      kind: 'arp-nd' as const,
      router: (f & ArpNdFlag.router) !== 0,
      override: (f & ArpNdFlag.override) !== 0,
      immutable: (f & ArpNdFlag.immutable) !== 0,
      proxy: (f & ArpNdFlag.proxy) !== 0,
    };
    const other = f & ~arpNdKnown;
    return other === 0 ? v : { ...v, otherFlags: other };
  },
  encode(v, buf, offset) {
    header(buf, offset, evpn, EvpnExtCommunitySubtype.arpNd);
    buf[offset + 2] =
      ((v.otherFlags ?? 0) & ~arpNdKnown & 0xff) |
      (v.router ? ArpNdFlag.router : 0) |
      (v.override ? ArpNdFlag.override : 0) |
      (v.immutable ? ArpNdFlag.immutable : 0) |
      (v.proxy ? ArpNdFlag.proxy : 0);
    buf.fill(0, offset + 3, offset + 8);
  },
  format: (v) => {
    const f = [v.router && 'router', v.override && 'override', v.immutable && 'immutable', v.proxy && 'proxy'].filter(Boolean);
    return `arp-nd:${f.length === 0 ? 'none' : f.join(',')}`;
  },
};

export const defaultGateway: ExtCommunityCodec<DefaultGatewayCommunity> = {
  kind: 'default-gateway',
  codes: [[ExtCommunityType.opaque, ExtCommunitySubtype.defaultGateway]],
  decode: () => ({ kind: 'default-gateway' }),
  encode(_v, buf, offset) {
    header(buf, offset, ExtCommunityType.opaque, ExtCommunitySubtype.defaultGateway);
    buf.fill(0, offset + 2, offset + 8);
  },
  format: () => 'default-gw',
};

/** All EVPN extended community codecs, and their registration. */
export const evpnCommunities = {
  codecs: [macMobility, esiLabel, esImportRouteTarget, routersMac, arpNd, defaultGateway] as readonly ExtCommunityCodec<EvpnExtendedCommunity>[],
  register(): void {
    for (const c of evpnCommunities.codecs) registerExtCommunity(c);
  },
};

evpnCommunities.register();

/** Options of `autoRouteTarget`. */
export interface AutoRouteTargetOptions {
  /**
   * `rfc8365` (default): local administrator = A(0) | Type(3 bits, 1 = VXLAN) | D-ID(4) | VNI(24),
   * RFC 8365 5.1.2.1. `as-vni`: local = the VNI alone, FRR's default without
   * `autort rfc8365-compatible`.
   */
  readonly style?: 'rfc8365' | 'as-vni';
  /** RFC 8365 5.1.2.1 D-ID, 4 bits (default 0). */
  readonly domainId?: number;
  /** RFC 8365 5.1.2.1 Type (default 1, VXLAN). */
  readonly type?: number;
}

/**
 * The RFC 8365 5.1.2.1 auto-derived route target for an AS and a VNI: a 2-octet-AS route target
 * whose global administrator is the AS (its low 16 bits for a 4-octet AS, as RFC 8365 and FRR do)
 * and whose local administrator encodes the VNI.
 */
export function autoRouteTarget(asn: number, vni: number, options: AutoRouteTargetOptions = {}): RouteTargetCommunity {
  if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) throw new EvpnInputError('route-target', asn, 'AS must be 0..4294967295');
  vniLabel(vni);
  let local = vni;
  if ((options.style ?? 'rfc8365') === 'rfc8365') {
    const type = options.type ?? AutoRtType.vxlan;
    const d = options.domainId ?? 0;
    if (!Number.isInteger(type) || type < 0 || type > 7) throw new EvpnInputError('route-target', type, 'auto-RT type is 3 bits');
    if (!Number.isInteger(d) || d < 0 || d > 15) throw new EvpnInputError('route-target', d, 'auto-RT D-ID is 4 bits');
    // A bit (0x80000000) is 0: auto-derived.
    local = type * 0x10000000 + d * 0x1000000 + vni;
  }
  return { kind: 'route-target', global: String(asn & 0xffff), local, format: 'as2' };
}

/**
 * Parse a route target in text (`65000:100`, `10.0.0.1:100`, `4200000000:100`, or the Junos
 * `65000L:100` for a 4-octet-AS one with a small AS; a `target:`/`rt:` prefix is allowed).
 * Throws EvpnInputError (the BGP layer's `parseRouteTarget` throws a plain TypeError).
 */
export function parseEvpnRouteTarget(text: string): RouteTargetCommunity {
  if (typeof text !== 'string') throw new EvpnInputError('route-target', text, 'expected text like 65000:100');
  const t = text.startsWith('target:') ? text.slice(7) : text.startsWith('rt:') ? text.slice(3) : text;
  const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|(\d{1,10})(L?)):(\d{1,10})$/.exec(t);
  const bad = (): never => {
    throw new EvpnInputError('route-target', text, "expected 'AS:n' (AS < 2^16, n < 2^32), 'IPv4:n' or '4-byte-AS:n' (n < 2^16)");
  };
  if (m === null) return bad();
  const local = Number(m[4]);
  if (m[1] !== undefined) {
    if (local > 0xffff || m[1].split('.').some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return bad();
    return { kind: 'route-target', global: m[1], local, format: 'ipv4' };
  }
  const as = Number(m[2]);
  if (as > 0xffffffff) return bad();
  if (m[3] === 'L' || as > 0xffff) {
    if (local > 0xffff) return bad();
    return { kind: 'route-target', global: String(as), local, format: 'as4' };
  }
  if (local > 0xffffffff) return bad();
  return { kind: 'route-target', global: String(as), local, format: 'as2' };
}
