/**
 * Path attributes between our decoded form and GoBGP's `*Attribute` Any messages. Extended
 * communities go through their 8 wire bytes (our registry encodes and decodes them), so every
 * community the library supports crosses the API, and unknown ones pass as `UnknownExtended`.
 */
import {
  addressBytes,
  decodeExtCommunity,
  encodeExtCommunity,
  macText,
  readAddress,
  writeMac,
  type AsPathSegment,
  type AsPathSegmentKind,
  type ExtendedCommunity,
  type PathAttribute,
} from '../index.js';
import { checked, invalid, uint } from './errors.js';
import { anyTypeUrl, packAny, unpackAny, type Msg } from './proto.js';

const segmentTypes: Record<AsPathSegmentKind, number> = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 };
const segmentKinds: Record<number, AsPathSegmentKind> = { 1: 'set', 2: 'sequence', 3: 'confed-sequence', 4: 'confed-set' };
const origins = ['igp', 'egp', 'incomplete'] as const;

// ---------------------------------------------------------------- extended communities

/** One extended community (8 wire bytes) as GoBGP decodes it, as an Any. */
export function extCommunityToAny(c: ExtendedCommunity): Msg {
  const b = Buffer.alloc(8);
  encodeExtCommunity(c, b, 0);
  const type = b[0]!;
  const sub = b[1]!;
  const transitive = (type & 0x40) === 0;
  switch (type & 0xbf) {
    case 0x00: return packAny('TwoOctetAsSpecificExtended', { isTransitive: transitive, subType: sub, asn: b.readUInt16BE(2), localAdmin: b.readUInt32BE(4) });
    case 0x01: return packAny('IPv4AddressSpecificExtended', { isTransitive: transitive, subType: sub, address: readAddress(b, 2, 4), localAdmin: b.readUInt16BE(6) });
    case 0x02: return packAny('FourOctetAsSpecificExtended', { isTransitive: transitive, subType: sub, asn: b.readUInt32BE(2), localAdmin: b.readUInt16BE(6) });
    case 0x03:
      if (transitive && sub === 0x0c) return packAny('EncapExtended', { tunnelType: b.readUInt16BE(6) });
      if (transitive && sub === 0x0d) return packAny('DefaultGatewayExtended', {});
      if (transitive && sub === 0x0b) return packAny('ColorExtended', { color: b.readUInt32BE(4) });
      return packAny('OpaqueExtended', { isTransitive: transitive, value: b.subarray(1) });
    case 0x06:
      if (type !== 0x06) break;
      if (sub === 0x00) return packAny('MacMobilityExtended', { isSticky: (b[2]! & 1) !== 0, sequenceNum: b.readUInt32BE(4) });
      if (sub === 0x01) return packAny('ESILabelExtended', { isSingleActive: (b[2]! & 1) !== 0, label: b.readUIntBE(5, 3) });
      if (sub === 0x02) return packAny('ESImportRouteTarget', { esImport: macText(b, 2) });
      if (sub === 0x03) return packAny('RouterMacExtended', { mac: macText(b, 2) });
      break;
    default: break;
  }
  return packAny('UnknownExtended', { type, value: b.subarray(1) });
}

function sevenBytes(v: unknown, field: string, b: Buffer): void {
  const x = v instanceof Uint8Array ? v : new Uint8Array();
  if (x.length !== 7) throw invalid(field, `${x.length} bytes, expected 7`);
  b.set(x, 1);
}

/** GoBGP's extended community Any back to ours (through its 8 wire bytes). */
export function extCommunityFromAny(any: Msg, field: string): ExtendedCommunity {
  const u = unpackAny(any);
  if (u === undefined) throw invalid(field, `unknown extended community type ${JSON.stringify(anyTypeUrl(any))}`);
  const v = u.value;
  const b = Buffer.alloc(8);
  const nt = v.isTransitive === true ? 0 : 0x40;
  switch (u.name) {
    case 'TwoOctetAsSpecificExtended':
      b[0] = nt; b[1] = v.subType; b.writeUInt16BE(v.asn & 0xffff, 2); b.writeUInt32BE(v.localAdmin >>> 0, 4); break;
    case 'IPv4AddressSpecificExtended': {
      b[0] = 0x01 | nt; b[1] = v.subType;
      const a = checked(`${field}.address`, () => addressBytes(String(v.address ?? '')));
      if (a.length !== 4) throw invalid(`${field}.address`, 'not an IPv4 address');
      a.copy(b, 2); b.writeUInt16BE(v.localAdmin & 0xffff, 6); break;
    }
    case 'FourOctetAsSpecificExtended':
      b[0] = 0x02 | nt; b[1] = v.subType; b.writeUInt32BE(v.asn >>> 0, 2); b.writeUInt16BE(v.localAdmin & 0xffff, 6); break;
    case 'EncapExtended': b[0] = 0x03; b[1] = 0x0c; b.writeUInt16BE(v.tunnelType & 0xffff, 6); break;
    case 'DefaultGatewayExtended': b[0] = 0x03; b[1] = 0x0d; break;
    case 'ColorExtended': b[0] = 0x03; b[1] = 0x0b; b.writeUInt32BE(v.color >>> 0, 4); break;
    case 'OpaqueExtended': b[0] = 0x03 | (v.isTransitive === true ? 0 : 0x40); sevenBytes(v.value, `${field}.value`, b); break;
    case 'MacMobilityExtended': b[0] = 0x06; b[1] = 0x00; b[2] = v.isSticky === true ? 1 : 0; b.writeUInt32BE(v.sequenceNum >>> 0, 4); break;
    case 'ESILabelExtended': b[0] = 0x06; b[1] = 0x01; b[2] = v.isSingleActive === true ? 1 : 0; b.writeUIntBE(v.label & 0xffffff, 5, 3); break;
    case 'ESImportRouteTarget': b[0] = 0x06; b[1] = 0x02; checked(`${field}.es_import`, () => writeMac(String(v.esImport ?? ''), b, 2)); break;
    case 'RouterMacExtended': b[0] = 0x06; b[1] = 0x03; checked(`${field}.mac`, () => writeMac(String(v.mac ?? ''), b, 2)); break;
    case 'UnknownExtended': b[0] = v.type & 0xff; sevenBytes(v.value, `${field}.value`, b); break;
    default: throw invalid(field, `${u.name} is not an extended community this server handles`);
  }
  return checked(field, () => decodeExtCommunity(b, 0));
}

// ---------------------------------------------------------------- path attributes

function segments(s: readonly AsPathSegment[]): Msg[] {
  return s.map((x) => ({ type: segmentTypes[x.type], numbers: x.asns }));
}

function segmentsFrom(list: Msg[] | undefined, field: string): AsPathSegment[] {
  return (list ?? []).map((s, i) => {
    const type = segmentKinds[Number(s.type)];
    if (type === undefined) throw invalid(`${field}.segments[${i}].type`, `unknown AS path segment type ${String(s.type)}`);
    return { type, asns: (s.numbers ?? []).map(Number) };
  });
}

/**
 * One of our attributes as a GoBGP Any. `mpReach` (family, next hops and the NLRI Any) is built
 * by the caller per route; here MP_REACH/MP_UNREACH are refused.
 */
export function attributeToAny(a: PathAttribute): Msg {
  switch (a.type) {
    case 'origin': return packAny('OriginAttribute', { origin: origins.indexOf(a.value) });
    case 'as-path': return packAny('AsPathAttribute', { segments: segments(a.segments) });
    case 'next-hop': return packAny('NextHopAttribute', { nextHop: a.value });
    case 'med': return packAny('MultiExitDiscAttribute', { med: a.value });
    case 'local-pref': return packAny('LocalPrefAttribute', { localPref: a.value });
    case 'atomic-aggregate': return packAny('AtomicAggregateAttribute', {});
    case 'aggregator': return packAny('AggregatorAttribute', { asn: a.asn, address: a.address });
    case 'communities': return packAny('CommunitiesAttribute', { communities: a.values });
    case 'originator-id': return packAny('OriginatorIdAttribute', { id: a.value });
    case 'cluster-list': return packAny('ClusterListAttribute', { ids: a.values });
    case 'extended-communities': return packAny('ExtendedCommunitiesAttribute', { communities: a.values.map(extCommunityToAny) });
    case 'as4-path': return packAny('As4PathAttribute', { segments: segments(a.segments) });
    case 'as4-aggregator': return packAny('As4AggregatorAttribute', { asn: a.asn, address: a.address });
    case 'pmsi-tunnel':
      return packAny('PmsiTunnelAttribute', {
        flags: a.tunnelFlags, type: a.tunnelType, label: a.label,
        id: typeof a.tunnelId === 'string' ? addressBytes(a.tunnelId) : a.tunnelId,
      });
    case 'large-communities':
      return packAny('LargeCommunitiesAttribute', { communities: a.values.map((c) => ({ globalAdmin: c.global, localData1: c.local1, localData2: c.local2 })) });
    case 'unknown': return packAny('UnknownAttribute', { flags: a.flags, type: a.typeCode, value: a.value });
    default: throw new TypeError(`attribute ${a.type} is built per route`);
  }
}

/** What a GoBGP attribute Any turns into: one of ours, or MP_REACH's parts (next hops, NLRI). */
export type ApiAttribute =
  | { readonly kind: 'attribute'; readonly attribute: PathAttribute }
  | { readonly kind: 'mp-reach'; readonly afi: number; readonly safi: number; readonly nextHops: string[]; readonly nlris: Msg[] }
  | { readonly kind: 'mp-unreach'; readonly afi: number; readonly safi: number; readonly nlris: Msg[] };

/** A GoBGP attribute Any back to ours. Unknown Any types are INVALID_ARGUMENT naming `field`. */
export function attributeFromAny(any: Msg, field: string): ApiAttribute {
  const u = unpackAny(any);
  if (u === undefined) throw invalid(field, `unknown attribute type ${JSON.stringify(anyTypeUrl(any))}`);
  const v = u.value;
  const one = (attribute: PathAttribute): ApiAttribute => ({ kind: 'attribute', attribute });
  switch (u.name) {
    case 'OriginAttribute': {
      const o = origins[Number(v.origin ?? 0)];
      if (o === undefined) throw invalid(`${field}.origin`, `${String(v.origin)} is not 0, 1 or 2`);
      return one({ type: 'origin', value: o });
    }
    case 'AsPathAttribute': return one({ type: 'as-path', segments: segmentsFrom(v.segments, field) });
    case 'NextHopAttribute': return one({ type: 'next-hop', value: String(v.nextHop ?? '') });
    case 'MultiExitDiscAttribute': return one({ type: 'med', value: uint(v.med, `${field}.med`) });
    case 'LocalPrefAttribute': return one({ type: 'local-pref', value: uint(v.localPref, `${field}.local_pref`) });
    case 'AtomicAggregateAttribute': return one({ type: 'atomic-aggregate' });
    case 'AggregatorAttribute': return one({ type: 'aggregator', asn: uint(v.asn, `${field}.asn`), address: String(v.address ?? '') });
    case 'CommunitiesAttribute': return one({ type: 'communities', values: (v.communities ?? []).map(Number) });
    case 'OriginatorIdAttribute': return one({ type: 'originator-id', value: String(v.id ?? '') });
    case 'ClusterListAttribute': return one({ type: 'cluster-list', values: (v.ids ?? []).map(String) });
    case 'ExtendedCommunitiesAttribute':
      return one({ type: 'extended-communities', values: (v.communities ?? []).map((c: Msg, i: number) => extCommunityFromAny(c, `${field}.communities[${i}]`)) });
    case 'As4PathAttribute': return one({ type: 'as4-path', segments: segmentsFrom(v.segments, field) });
    case 'As4AggregatorAttribute': return one({ type: 'as4-aggregator', asn: uint(v.asn, `${field}.asn`), address: String(v.address ?? '') });
    case 'PmsiTunnelAttribute': {
      const id = Buffer.from(v.id ?? new Uint8Array());
      const type = uint(v.type, `${field}.type`);
      if (type > 0xff) throw invalid(`${field}.type`, `${type} > 255`);
      if (type === 6 && id.length !== 4 && id.length !== 16) throw invalid(`${field}.id`, `ingress replication needs a 4- or 16-byte address, got ${id.length} bytes`);
      const tunnelId = type === 6 ? readAddress(id, 0, id.length as 4 | 16) : id;
      return one({ type: 'pmsi-tunnel', tunnelFlags: uint(v.flags, `${field}.flags`) & 0xff, tunnelType: type, label: uint(v.label, `${field}.label`) & 0xffffff, tunnelId });
    }
    case 'LargeCommunitiesAttribute':
      return one({ type: 'large-communities', values: (v.communities ?? []).map((c: Msg) => ({ global: Number(c.globalAdmin ?? 0), local1: Number(c.localData1 ?? 0), local2: Number(c.localData2 ?? 0) })) });
    case 'UnknownAttribute':
      return one({ type: 'unknown', flags: uint(v.flags, `${field}.flags`) & 0xff, typeCode: uint(v.type, `${field}.type`) & 0xff, value: Buffer.from(v.value ?? new Uint8Array()) });
    case 'MpReachNLRIAttribute':
      return { kind: 'mp-reach', afi: Number(v.family?.afi ?? 0), safi: Number(v.family?.safi ?? 0), nextHops: (v.nextHops ?? []).map(String), nlris: v.nlris ?? [] };
    case 'MpUnreachNLRIAttribute':
      return { kind: 'mp-unreach', afi: Number(v.family?.afi ?? 0), safi: Number(v.family?.safi ?? 0), nlris: v.nlris ?? [] };
    default:
      throw invalid(field, `${u.name} is not a path attribute this server handles`);
  }
}

/** GoBGP attribute type codes, to keep answers in type order as gobgpd does. */
export const attributeCode: Record<string, number> = {
  origin: 1, 'as-path': 2, 'next-hop': 3, med: 4, 'local-pref': 5, 'atomic-aggregate': 6, aggregator: 7, communities: 8,
  'originator-id': 9, 'cluster-list': 10, 'mp-reach': 14, 'mp-unreach': 15, 'extended-communities': 16, 'as4-path': 17,
  'as4-aggregator': 18, 'pmsi-tunnel': 22, 'large-communities': 32,
};
