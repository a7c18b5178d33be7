/**
 * EXTENDED_COMMUNITIES (type 16, optional transitive; RFC 4360): 8-byte values, each decoded by
 * the codec registered for its (type, sub-type) in `ext-community-registry.ts`. This file
 * registers the generic ones: Route Target and Route Origin (RFC 4360 4, RFC 5668 for 4-octet
 * AS) and Encapsulation (RFC 9012 4.1; tunnel type 8 = VXLAN). EVPN registers its own.
 * RFC 7606 7.14: a length that is not a non-zero multiple of 8 is treat-as-withdraw.
 */
import { parseIpv4, readIpv4 } from '../../net/ip.js';
import {
  decodeExtCommunity,
  encodeExtCommunity,
  extCommunityCodecOf,
  registerExtCommunity,
  type ExtCommunityCodec,
} from '../ext-community-registry.js';
import { AttrType, ExtCommunitySubtype, ExtCommunityType, TunnelEncapsulation } from '../iana.js';
import type { ExtendedCommunitiesAttribute, ExtendedCommunity, RawExtendedCommunity } from '../types.js';
import { lengthError, optionalTransitive, type AttrCodec } from './registry.js';

export const extendedCommunities = {
  type: 'extended-communities',
  code: AttrType.extendedCommunities,
  flags: optionalTransitive,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    const len = end - start;
    if (len === 0 || len % 8 !== 0) throw lengthError('EXTENDED_COMMUNITIES', len, 'a non-zero multiple of 8');
    const values: ExtendedCommunity[] = [];
    for (let p = start; p < end; p += 8) values.push(decodeExtCommunity(buf, p));
    return { type: 'extended-communities', values };
  },
  encodingLength: (v) => 8 * v.values.length,
  encode(v, buf, offset) {
    let p = offset;
    for (const c of v.values) {
      encodeExtCommunity(c, buf, p);
      p += 8;
    }
    return p;
  },
} satisfies AttrCodec<ExtendedCommunitiesAttribute>;

// ---------------------------------------------------------------- route target / route origin

/** How the global administrator of a route target / origin is written (RFC 4360, RFC 5668). */
export type AdministratorFormat = 'as2' | 'ipv4' | 'as4';

/** Route Target (sub-type 0x02): `global:local`, global being an AS number or an IPv4 address. */
export interface RouteTarget {
  readonly kind: 'route-target';
  /** The AS number (decimal) or IPv4 address, as text. */
  readonly global: string;
  readonly local: number;
  readonly format: AdministratorFormat;
}

/** Route Origin (sub-type 0x03), same shape as a route target. */
export interface RouteOrigin {
  readonly kind: 'route-origin';
  readonly global: string;
  readonly local: number;
  readonly format: AdministratorFormat;
}

/** Encapsulation (opaque 0x03, sub-type 0x0c; RFC 9012 4.1). */
export interface EncapsulationCommunity {
  readonly kind: 'encapsulation';
  /** TunnelEncapsulation code: 8 = VXLAN. */
  readonly tunnelType: number;
}

const typeOf: Readonly<Record<AdministratorFormat, number>> = {
  as2: ExtCommunityType.twoOctetAs,
  ipv4: ExtCommunityType.ipv4,
  as4: ExtCommunityType.fourOctetAs,
};

function adminCodec<K extends 'route-target' | 'route-origin'>(kind: K, subtype: number): ExtCommunityCodec<RouteTarget | RouteOrigin> {
  return {
    kind,
    codes: [
      [ExtCommunityType.twoOctetAs, subtype],
      [ExtCommunityType.ipv4, subtype],
      [ExtCommunityType.fourOctetAs, subtype],
    ],
    decode(buf, offset) {
      const t = buf[offset]!;
      if (t === ExtCommunityType.twoOctetAs) {
        return { kind, global: String(buf.readUInt16BE(offset + 2)), local: buf.readUInt32BE(offset + 4), format: 'as2' } as RouteTarget | RouteOrigin;
      }
      if (t === ExtCommunityType.ipv4) {
        return { kind, global: readIpv4(buf, offset + 2), local: buf.readUInt16BE(offset + 6), format: 'ipv4' } as RouteTarget | RouteOrigin;
      }
      return { kind, global: String(buf.readUInt32BE(offset + 2)), local: buf.readUInt16BE(offset + 6), format: 'as4' } as RouteTarget | RouteOrigin;
    },
    encode(v, buf, offset) {
      buf[offset] = typeOf[v.format];
      buf[offset + 1] = subtype;
      if (v.format === 'as2') {
        buf.writeUInt16BE(checkedInt(v.global, 0xffff), offset + 2);
        buf.writeUInt32BE(v.local >>> 0, offset + 4);
        return;
      }
      if (v.format === 'ipv4') {
        const a = parseIpv4(v.global);
        if (a < 0) throw new TypeError(`${kind}: not an IPv4 address: ${v.global}`);
        buf.writeUInt32BE(a, offset + 2);
      } else {
        buf.writeUInt32BE(checkedInt(v.global, 0xffffffff), offset + 2);
      }
      if (!(v.local >= 0 && v.local <= 0xffff)) throw new TypeError(`${kind}: local ${v.local} needs 2 octets with ${v.format}`);
      buf.writeUInt16BE(v.local, offset + 6);
    },
    format: (v) => `${kind === 'route-target' ? 'rt' : 'soo'}:${v.global}:${v.local}`,
  };
}

function checkedInt(text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new TypeError(`not an AS number: ${text}`);
  return n;
}

const routeTargetCodec = adminCodec('route-target', ExtCommunitySubtype.routeTarget);
const routeOriginCodec = adminCodec('route-origin', ExtCommunitySubtype.routeOrigin);

const encapsulationCodec: ExtCommunityCodec<EncapsulationCommunity> = {
  kind: 'encapsulation',
  codes: [[ExtCommunityType.opaque, ExtCommunitySubtype.encapsulation]],
  decode: (buf, offset) => ({ kind: 'encapsulation', tunnelType: buf.readUInt16BE(offset + 6) }),
  encode(v, buf, offset) {
    buf[offset] = ExtCommunityType.opaque;
    buf[offset + 1] = ExtCommunitySubtype.encapsulation;
    buf.writeUInt32BE(0, offset + 2);
    buf.writeUInt16BE(v.tunnelType & 0xffff, offset + 6);
  },
  format(v) {
    const name = Object.entries(TunnelEncapsulation).find(([, code]) => code === v.tunnelType)?.[0];
    return `encap:${name ?? v.tunnelType}`;
  },
};

registerExtCommunity(routeTargetCodec);
registerExtCommunity(routeOriginCodec);
registerExtCommunity(encapsulationCodec);

function parseAdmin(text: string, what: string): { global: string; local: number; format: AdministratorFormat } {
  const colon = text.lastIndexOf(':');
  const g = text.slice(0, colon);
  const l = text.slice(colon + 1);
  const local = Number(l);
  if (colon <= 0 || !/^\d+$/.test(l)) throw new TypeError(`not a ${what}: ${text}`);
  if (parseIpv4(g) >= 0) {
    if (local > 0xffff) throw new TypeError(`${what} ${text}: local part needs 2 octets with an IPv4 global`);
    return { global: g, local, format: 'ipv4' };
  }
  if (!/^\d+$/.test(g)) throw new TypeError(`not a ${what}: ${text}`);
  const asn = Number(g);
  if (asn <= 0xffff && local <= 0xffffffff) return { global: String(asn), local, format: 'as2' };
  if (asn <= 0xffffffff && local <= 0xffff) return { global: String(asn), local, format: 'as4' };
  throw new TypeError(`${what} ${text}: does not fit 6 octets`);
}

/**
 * `65000:100` (2-octet AS), `10.0.0.1:5` (IPv4) or `4200000000:7` (4-octet AS) -> route target.
 * A 2-octet AS is chosen whenever the AS fits 2 octets (RFC 4360 4). TypeError if malformed.
 */
export function parseRouteTarget(text: string): RouteTarget {
  return { kind: 'route-target', ...parseAdmin(text, 'route target') };
}

/** As parseRouteTarget, for a Route Origin (site of origin). */
export function parseRouteOrigin(text: string): RouteOrigin {
  return { kind: 'route-origin', ...parseAdmin(text, 'route origin') };
}

/** An Encapsulation community (default VXLAN). */
export function encapsulation(tunnelType: number = TunnelEncapsulation.vxlan): EncapsulationCommunity {
  return { kind: 'encapsulation', tunnelType };
}

/** Text of an extended community: `rt:65000:100`, `encap:vxlan`, or `raw:TT:SS:hex`. */
export function formatExtCommunity(value: ExtendedCommunity): string {
  if (value.kind === 'raw') {
    const r = value as RawExtendedCommunity;
    return `raw:${r.typeHigh.toString(16).padStart(2, '0')}:${r.subtype.toString(16).padStart(2, '0')}:${r.value}`;
  }
  const codec = extCommunityCodecOf(value.kind);
  return codec?.format?.(value) ?? `${value.kind}:${JSON.stringify(value)}`;
}

/** Whether two route targets name the same one (text forms can differ: `0065000` vs `65000`). */
export function sameRouteTarget(a: RouteTarget, b: RouteTarget): boolean {
  return a.format === b.format && a.local === b.local && (a.format === 'ipv4' ? a.global === b.global : Number(a.global) === Number(b.global));
}
