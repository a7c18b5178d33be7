/**
 * Routes between the speaker (`RibRoute`, `RouteInput`) and GoBGP's `apipb.Path`. Attribute Any
 * lists are built once per interned attribute set (routes that share a set share the array) and
 * reused for every route that carries it; only the NLRI and MP_REACH are built per route.
 */
import {
  attributeCodec,
  attributeTypeCode,
  encodeEvpnRoute,
  encodeUpdateRaw,
  familyCodec,
  ipv4Unicast,
  type EvpnRoute,
  type ExtendedCommunity,
  type NlriBase,
  type PathAttribute,
  type RibRoute,
  type RouteInput,
} from '../index.js';
import { attributeCode, attributeFromAny, attributeToAny } from './attributes.js';
import { checked, invalid } from './errors.js';
import { evpnFamily, evpnFromAny, ipv4Family, ipv6Family, ipv6PrefixBytes, nlriToApi, prefixFromAny } from './nlri.js';
import { packAny, type Msg } from './proto.js';

/** Families the API serves (familyKey numbers). */
export const servedFamilies: ReadonlySet<number> = new Set([evpnFamily, ipv4Family, ipv6Family]);

/** The family a request names, checked to be one the server serves. */
export function requestFamily(f: Msg | null | undefined, field: string): number {
  const afi = Number(f?.afi ?? 0);
  const safi = Number(f?.safi ?? 0);
  const k = afi * 256 + safi;
  if (!servedFamilies.has(k)) throw invalid(field, `AFI ${afi} SAFI ${safi} is not served (EVPN, IPv4 and IPv6 unicast are)`);
  return k;
}

/** Who a path came from, as `Path.source_asn`, `source_id` and `neighbor_ip` show it. */
export interface PathSource {
  readonly asn: number;
  readonly id: string;
  /** Empty for our own routes (gobgpd leaves it unset too). */
  readonly neighborIp: string;
  /** When the route (or its session) came up, in ms since the epoch. */
  readonly since: number;
}

/** Which forms a `Path` carries (ListPathRequest's `enable_*_binary` flags). */
export interface PathForms {
  readonly structured: boolean;
  readonly nlriBinary: boolean;
  readonly attributesBinary: boolean;
}

interface CodedAny {
  readonly code: number;
  readonly any: Msg;
}

/** `build(attrs)`, built once per interned attribute set (routes that share a set share the result). */
function perSet<T>(cache: WeakMap<readonly PathAttribute[], T>, attrs: readonly PathAttribute[], build: (attrs: readonly PathAttribute[]) => T): T {
  let c = cache.get(attrs);
  if (c === undefined) {
    c = build(attrs);
    cache.set(attrs, c);
  }
  return c;
}

const anyCache = new WeakMap<readonly PathAttribute[], readonly CodedAny[]>();

function attributeAnys(attrs: readonly PathAttribute[]): readonly CodedAny[] {
  return perSet(anyCache, attrs, (as) =>
    as.filter((a) => a.type !== 'mp-reach' && a.type !== 'mp-unreach').map((a) => ({ code: attributeTypeCode(a), any: attributeToAny(a) })),
  );
}

const ctx = { fourOctetAs: true, options: undefined };

/** One attribute's wire bytes (flags, type, length, value), as `pattrs_binary` carries them. */
function attributeBytes(a: PathAttribute): Buffer | undefined {
  const code = attributeTypeCode(a);
  const codec = attributeCodec(code);
  try {
    if (codec === undefined) {
      if (a.type !== 'unknown') return undefined;
      const ext = a.value.length > 255;
      const b = Buffer.allocUnsafe((ext ? 4 : 3) + a.value.length);
      b[0] = (a.flags & ~0x10) | (ext ? 0x10 : 0);
      b[1] = code;
      if (ext) b.writeUInt16BE(a.value.length, 2);
      else b[2] = a.value.length;
      a.value.copy(b, ext ? 4 : 3);
      return b;
    }
    const len = codec.encodingLength(a, ctx);
    const ext = len > 255;
    const b = Buffer.allocUnsafe((ext ? 4 : 3) + len);
    b[0] = codec.flags | ((a.flags ?? 0) & 0x20) | (ext ? 0x10 : 0);
    b[1] = code;
    if (ext) b.writeUInt16BE(len, 2);
    else b[2] = len;
    codec.encode(a, b, ext ? 4 : 3, ctx);
    return b;
  } catch {
    return undefined;
  }
}

interface CodedBytes {
  readonly code: number;
  readonly bytes: Buffer;
}

const bytesCache = new WeakMap<readonly PathAttribute[], readonly CodedBytes[]>();

/**
 * The wire bytes of an attribute set in `pattrs_binary` order (by type code, unknown types last),
 * built once per interned set like `attributeAnys`; only MP_REACH is encoded per route.
 */
function attributeBinaries(attrs: readonly PathAttribute[]): readonly CodedBytes[] {
  return perSet(bytesCache, attrs, (as) =>
    as
      .map((a) => ({ code: attributeCode[a.type] ?? 255, bytes: attributeBytes(a) }))
      .filter((x): x is CodedBytes => x.bytes !== undefined)
      .sort((a, b) => a.code - b.code),
  );
}

/** The NLRI wire bytes of a route of `family` (type/length included for EVPN). */
function nlriBytes(family: number, nlri: NlriBase): Buffer {
  if (family === evpnFamily) return encodeEvpnRoute(nlri as EvpnRoute);
  if (family === ipv6Family) return (nlri as { raw: Buffer }).raw;
  const b = Buffer.allocUnsafe(ipv4Unicast.encodingLength(nlri as { prefix: string }, false));
  ipv4Unicast.encode(nlri as { prefix: string }, b, 0, false);
  return b;
}

/** A route as `apipb.Path` (a plain object protobufjs encodes) and its destination name. */
export function pathToApi(family: number, route: RibRoute, source: PathSource, forms: PathForms = { structured: true, nlriBinary: false, attributesBinary: false }): { destination: string; path: Msg } {
  const afi = family >>> 8;
  const safi = family & 0xff;
  const { any, destination } = nlriToApi(family, route.nlri);
  const mpReach = family !== ipv4Family || route.nextHops.length > 0;
  const path: Msg = {
    family: { afi, safi },
    age: { seconds: Math.floor(source.since / 1000), nanos: 0 },
    best: route.best,
    stale: route.stale,
    validation: {},
    sourceAsn: source.asn,
    sourceId: source.id,
    neighborIp: source.neighborIp,
    isFromExternal: source.neighborIp !== '',
  };
  if (forms.structured) {
    path.nlri = any;
    const pattrs: Msg[] = [];
    let placed = !mpReach;
    for (const c of attributeAnys(route.attributes)) {
      if (!placed && c.code > 14) {
        pattrs.push(mpReachAny(afi, safi, route.nextHops, any));
        placed = true;
      }
      pattrs.push(c.any);
    }
    if (!placed) pattrs.push(mpReachAny(afi, safi, route.nextHops, any));
    path.pattrs = pattrs;
  }
  if (forms.nlriBinary) path.nlriBinary = nlriBytes(family, route.nlri);
  if (forms.attributesBinary) {
    const bins = attributeBinaries(route.attributes);
    if (mpReach) {
      const mp = attributeBytes({ type: 'mp-reach', afi, safi, nextHops: route.nextHops, nlri: [route.nlri] });
      const at = bins.findIndex((c) => c.code > 14);
      path.pattrsBinary = bins.map((c) => c.bytes);
      if (mp !== undefined) path.pattrsBinary.splice(at < 0 ? bins.length : at, 0, mp);
    } else path.pattrsBinary = bins.map((c) => c.bytes);
  }
  return { destination, path };
}

/**
 * RFC 7432 7.6: an Ethernet Segment route carries the ES-Import Route Target, the high-order six
 * bytes of the ESI value. Added (to the extended communities, last) when the request has none,
 * as gobgpd does.
 */
function addEsImport(attributes: PathAttribute[], esi: string): void {
  const i = attributes.findIndex((a) => a.type === 'extended-communities');
  const values = i >= 0 ? (attributes[i] as { values: readonly ExtendedCommunity[] }).values : [];
  if (values.some((c) => c.kind === 'es-import-rt')) return;
  const value = esi.split(':').slice(1, 7).join(':');
  const next: PathAttribute = { type: 'extended-communities', values: [...values, { kind: 'es-import-rt', value } as ExtendedCommunity] };
  if (i >= 0) attributes[i] = next;
  else attributes.push(next);
}

/** NLRI bytes from a client: exactly one NLRI of the family, with valid fields. */
function checkedNlriBytes(family: number, b: Buffer, field: string): Buffer {
  if (family === ipv6Family) {
    if (b.length < 1 || b[0]! > 128 || b.length !== 1 + ((b[0]! + 7) >>> 3)) throw invalid(field, 'not one IPv6 prefix');
    return b;
  }
  const codec = familyCodec(family >>> 8, family & 0xff)!;
  const n = checked(field, () => codec.decode(b, 0, b.length, false));
  if (n.length !== 1) throw invalid(field, `${n.length} NLRI, expected one`);
  return b;
}

function mpReachAny(afi: number, safi: number, nextHops: readonly string[], nlri: Msg): Msg {
  return packAny('MpReachNLRIAttribute', { family: { afi, safi }, nextHops, nlris: [nlri] });
}

/** A path from a request, resolved for the speaker, checked to encode. */
export interface ApiRoute {
  readonly family: number;
  /** For `BgpSpeaker.announce` / `withdraw`. */
  readonly input: RouteInput;
  readonly nlri: NlriBase | Buffer;
  /** The family and route key (RFC 7432 7 for EVPN): equal keys name the same route. */
  readonly key: string;
}

/**
 * A request's `Path` to a route. Everything is checked before anything is applied: an unknown
 * family or Any type, an NLRI or attribute that does not encode are INVALID_ARGUMENT naming the
 * field. Without a next hop, `0.0.0.0` (`::` for IPv6 unicast), as gobgpd does.
 */
export function pathFromApi(p: Msg | null | undefined, field = 'path'): ApiRoute {
  if (p === null || p === undefined) throw invalid(field, 'missing');
  const family = requestFamily(p.family, `${field}.family`);
  const afi = family >>> 8;
  const safi = family & 0xff;
  let nlri: NlriBase | Buffer;
  if (p.nlriBinary !== undefined && p.nlriBinary.length > 0) nlri = checkedNlriBytes(family, Buffer.from(p.nlriBinary), `${field}.nlri_binary`);
  else if (family === evpnFamily) nlri = evpnFromAny(p.nlri, `${field}.nlri`);
  else if (family === ipv4Family) nlri = { prefix: prefixFromAny(p.nlri, false, `${field}.nlri`) } as NlriBase;
  else nlri = ipv6PrefixBytes(prefixFromAny(p.nlri, true, `${field}.nlri`), `${field}.nlri`);
  if (p.pattrsBinary !== undefined && p.pattrsBinary.length > 0) throw invalid(`${field}.pattrs_binary`, 'not accepted: send pattrs');
  const attributes: PathAttribute[] = [];
  const seen = new Set<string>();
  let nextHops: string[] = [];
  (p.pattrs ?? []).forEach((any: Msg, i: number) => {
    const a = attributeFromAny(any, `${field}.pattrs[${i}]`);
    if (a.kind === 'mp-reach') {
      if (a.afi * 256 + a.safi !== family) throw invalid(`${field}.pattrs[${i}].family`, `MP_REACH of AFI ${a.afi} SAFI ${a.safi} in a path of AFI ${afi} SAFI ${safi}`);
      nextHops = a.nextHops;
      return;
    }
    if (a.kind === 'mp-unreach') return;
    // GoBGP keeps the first of a repeated attribute type
    if (seen.has(a.attribute.type)) return;
    seen.add(a.attribute.type);
    attributes.push(a.attribute);
  });
  if (family === evpnFamily && !Buffer.isBuffer(nlri) && (nlri as EvpnRoute).routeType === 4) addEsImport(attributes, (nlri as { esi: string }).esi);
  let input: RouteInput;
  if (family === ipv4Family) {
    const nh = attributes.find((a) => a.type === 'next-hop');
    if (nh === undefined) attributes.push({ type: 'next-hop', value: nextHops[0] ?? '0.0.0.0' });
    input = { family: { afi, safi }, nlri, attributes };
  } else {
    const nh = attributes.findIndex((a) => a.type === 'next-hop');
    if (nextHops.length === 0 && nh >= 0) nextHops = [(attributes[nh] as { value: string }).value];
    if (nh >= 0) attributes.splice(nh, 1);
    if (nextHops.length === 0) nextHops = [family === ipv6Family ? '::' : '0.0.0.0'];
    input = { family: { afi, safi }, nlri, attributes, nextHops };
  }
  const bytes = Buffer.isBuffer(nlri) ? nlri : checked(`${field}.nlri`, () => nlriBytes(family, nlri as NlriBase));
  checked(field, () => {
    const nh = family === ipv4Family ? [(attributes.find((a) => a.type === 'next-hop') as { value: string }).value] : input.nextHops!;
    encodeUpdateRaw({ attributes: attributes.filter((a) => a.type !== 'next-hop'), afi, safi, nextHops: nh, nlri: [bytes] }, { extendedMessage: true });
  });
  const codec = familyCodec(afi, safi);
  const key = `${family}|${codec === undefined ? bytes.toString('latin1') : codec.routeKey(bytes, 0, bytes.length, false)}`;
  return { family, input, nlri, key };
}
