/**
 * NLRI between our decoded routes and GoBGP's API messages (`apipb.EVPN*Route`,
 * `apipb.IPAddressPrefix`), and the destination names GoBGP prints (`Destination.prefix`, the keys
 * of `gobgp ... -j`).
 */
import {
  addressBytes,
  encodeEvpnRoute,
  esiText,
  macText,
  rdBytes,
  rdText,
  readAddress,
  writeEsi,
  zeroEsi,
  type EvpnRoute,
  type NlriBase,
} from '../index.js';
import { checked, invalid, uint } from './errors.js';
import { anyTypeUrl, packAny, unpackAny, type Msg } from './proto.js';

/** Families the API serves, as familyKey numbers. */
export const evpnFamily = 25 * 256 + 70;
export const ipv4Family = 1 * 256 + 1;
export const ipv6Family = 2 * 256 + 1;

// ---------------------------------------------------------------- RD and ESI

/** RD Any messages by RD text: routes of one VRF share their RD (bounded, cleared when full). */
const rdAnys = new Map<string, Msg>();

/** An RD (text) as GoBGP's `RouteDistinguisher*` Any. */
export function rdToAny(rd: string): Msg {
  let a = rdAnys.get(rd);
  if (a === undefined) {
    if (rdAnys.size >= 4096) rdAnys.clear();
    a = makeRdAny(rd);
    rdAnys.set(rd, a);
  }
  return a;
}

function makeRdAny(rd: string): Msg {
  const b = rdBytes(rd);
  const type = b.readUInt16BE(0);
  if (type === 0) return packAny('RouteDistinguisherTwoOctetASN', { admin: b.readUInt16BE(2), assigned: b.readUInt32BE(4) });
  if (type === 1) return packAny('RouteDistinguisherIPAddress', { admin: readAddress(b, 2, 4), assigned: b.readUInt16BE(6) });
  if (type === 2) return packAny('RouteDistinguisherFourOctetASN', { admin: b.readUInt32BE(2), assigned: b.readUInt16BE(6) });
  throw invalid('rd', `RD type ${type} has no GoBGP API form`);
}

/** GoBGP's RD Any back to our text. */
export function rdFromAny(any: Msg | null | undefined, field: string): string {
  const u = unpackAny(any);
  if (u === undefined) throw invalid(field, `unknown RD type ${JSON.stringify(anyTypeUrl(any))}`);
  const v = u.value;
  const b = Buffer.alloc(8);
  const assigned = Number(v.assigned ?? 0);
  if (u.name === 'RouteDistinguisherTwoOctetASN') {
    if (v.admin > 0xffff) throw invalid(`${field}.admin`, `${v.admin} > 65535`);
    b.writeUInt16BE(0, 0);
    b.writeUInt16BE(v.admin ?? 0, 2);
    b.writeUInt32BE(assigned, 4);
  } else if (u.name === 'RouteDistinguisherIPAddress') {
    if (assigned > 0xffff) throw invalid(`${field}.assigned`, `${assigned} > 65535`);
    b.writeUInt16BE(1, 0);
    checked(`${field}.admin`, () => {
      const a = addressBytes(String(v.admin ?? ''));
      if (a.length !== 4) throw new Error('not an IPv4 address');
      a.copy(b, 2);
    });
    b.writeUInt16BE(assigned, 6);
  } else if (u.name === 'RouteDistinguisherFourOctetASN') {
    if (assigned > 0xffff) throw invalid(`${field}.assigned`, `${assigned} > 65535`);
    b.writeUInt16BE(2, 0);
    b.writeUInt32BE(Number(v.admin ?? 0), 2);
    b.writeUInt16BE(assigned, 6);
  } else throw invalid(field, `${u.name} is not a route distinguisher`);
  return rdText(b, 0);
}

/** GoBGP's `RouteDistinguisher.String()`: `AS:n`, `IP:n`, `hi.lo:n` (4-octet AS). */
function gobgpRd(rd: string): string {
  const b = rdBytes(rd);
  const type = b.readUInt16BE(0);
  if (type !== 2) return rd;
  const as = b.readUInt32BE(2);
  return `${as >>> 16}.${as & 0xffff}:${b.readUInt16BE(6)}`;
}

/** An ESI (text) as its 10 bytes. */
function esiBytes(esi: string): Buffer {
  const b = Buffer.alloc(10);
  writeEsi(esi, b, 0);
  return b;
}

/** An ESI (text, 10 bytes) as `EthernetSegmentIdentifier { type, value (9 bytes) }`. */
const zeroEsiApi: Msg = Object.freeze({ type: 0, value: Buffer.alloc(9) });

function esiToApi(esi: string): Msg {
  if (esi === zeroEsi) return zeroEsiApi;
  const b = esiBytes(esi);
  return { type: b[0]!, value: b.subarray(1) };
}

/** `EthernetSegmentIdentifier` back to text; an absent or empty value is the single-homed ESI. */
function esiFromApi(m: Msg | null | undefined, field: string): string {
  const value: Uint8Array = m?.value ?? new Uint8Array();
  const type = Number(m?.type ?? 0);
  if (type > 0xff) throw invalid(`${field}.type`, `${type} > 255`);
  if (value.length !== 0 && value.length !== 9) throw invalid(`${field}.value`, `${value.length} bytes, expected 9`);
  const b = Buffer.alloc(10);
  b[0] = type;
  Buffer.from(value).copy(b, 1);
  return esiText(b, 0);
}

const esiTypeNames = ['ESI_ARBITRARY', 'ESI_LACP', 'ESI_MSTP', 'ESI_MAC', 'ESI_ROUTERID', 'ESI_AS'];

/** GoBGP's `EthernetSegmentIdentifier.String()`. */
function gobgpEsi(esi: string): string {
  const b = esiBytes(esi);
  const t = b[0]!;
  const v = b.subarray(1);
  const name = esiTypeNames[t] ?? `ESIType(${t})`;
  switch (t) {
    case 1: return `${name} | system mac ${macText(v, 0)}, port key ${v.readUInt16BE(6)}`;
    case 2: return `${name} | bridge mac ${macText(v, 0)}, priority ${v.readUInt16BE(6)}`;
    case 3: return `${name} | system mac ${macText(v, 0)}, local discriminator ${v.readUIntBE(6, 3)}`;
    case 4: return `${name} | router id ${readAddress(v, 0, 4)}, local discriminator ${v.readUInt32BE(4)}`;
    case 5: return `${name} | as ${v.readUInt32BE(0)}, local discriminator ${v.readUInt32BE(4)}`;
    default:
      if (t === 0 && v.every((x) => x === 0)) return 'single-homed';
      return `${name} | ${esiText(b, 0).slice(3)}`;
  }
}

// ---------------------------------------------------------------- EVPN routes

/** An EVPN route as GoBGP's NLRI Any. Raw (unknown) route types have no API form. */
export function evpnToAny(r: EvpnRoute): Msg {
  const x = r as Msg;
  if ('raw' in x) throw invalid('nlri', `EVPN route type ${r.routeType} has no GoBGP API form`);
  switch (r.routeType) {
    case 1:
      return packAny('EVPNEthernetAutoDiscoveryRoute', { rd: rdToAny(x.rd), esi: esiToApi(x.esi), ethernetTag: x.ethernetTag, label: x.label });
    case 2: {
      const labels = x.label2 === undefined ? [x.label1] : [x.label1, x.label2];
      return packAny('EVPNMACIPAdvertisementRoute', {
        rd: rdToAny(x.rd), esi: esiToApi(x.esi), ethernetTag: x.ethernetTag, macAddress: x.mac, ipAddress: x.ip ?? '', labels,
      });
    }
    case 3:
      return packAny('EVPNInclusiveMulticastEthernetTagRoute', { rd: rdToAny(x.rd), ethernetTag: x.ethernetTag, ipAddress: x.originator });
    case 4:
      return packAny('EVPNEthernetSegmentRoute', { rd: rdToAny(x.rd), esi: esiToApi(x.esi), ipAddress: x.originator });
    case 5: {
      const [ip, len] = String(x.prefix).split('/');
      return packAny('EVPNIPPrefixRoute', {
        rd: rdToAny(x.rd), esi: esiToApi(x.esi), ethernetTag: x.ethernetTag, ipPrefix: ip, ipPrefixLen: Number(len), gwAddress: x.gateway, label: x.label,
      });
    }
    default:
      throw invalid('nlri', `EVPN route type ${r.routeType} has no GoBGP API form`);
  }
}

/** GoBGP's NLRI Any to an EVPN route; the route is encoded once to check every field. */
export function evpnFromAny(any: Msg | null | undefined, field = 'path.nlri'): EvpnRoute {
  const u = unpackAny(any);
  if (u === undefined) throw invalid(field, `unknown NLRI type ${JSON.stringify(anyTypeUrl(any))}`);
  const v = u.value;
  let r: EvpnRoute;
  switch (u.name) {
    case 'EVPNEthernetAutoDiscoveryRoute':
      r = { routeType: 1, rd: rdFromAny(v.rd, `${field}.rd`), esi: esiFromApi(v.esi, `${field}.esi`), ethernetTag: uint(v.ethernetTag, `${field}.ethernet_tag`), label: uint(v.label, `${field}.label`, 0xffffff) };
      break;
    case 'EVPNMACIPAdvertisementRoute': {
      const labels: number[] = (v.labels ?? []).map((l: unknown, i: number) => uint(l, `${field}.labels[${i}]`, 0xffffff));
      if (labels.length < 1 || labels.length > 2) throw invalid(`${field}.labels`, `${labels.length} labels, expected 1 or 2`);
      const ip = String(v.ipAddress ?? '');
      r = {
        routeType: 2, rd: rdFromAny(v.rd, `${field}.rd`), esi: esiFromApi(v.esi, `${field}.esi`), ethernetTag: uint(v.ethernetTag, `${field}.ethernet_tag`),
        mac: String(v.macAddress ?? ''), ...(ip === '' || ip === '<nil>' ? {} : { ip }), label1: labels[0]!, ...(labels.length === 2 ? { label2: labels[1]! } : {}),
      };
      break;
    }
    case 'EVPNInclusiveMulticastEthernetTagRoute':
      r = { routeType: 3, rd: rdFromAny(v.rd, `${field}.rd`), ethernetTag: uint(v.ethernetTag, `${field}.ethernet_tag`), originator: String(v.ipAddress ?? '') };
      break;
    case 'EVPNEthernetSegmentRoute':
      r = { routeType: 4, rd: rdFromAny(v.rd, `${field}.rd`), esi: esiFromApi(v.esi, `${field}.esi`), originator: String(v.ipAddress ?? '') };
      break;
    case 'EVPNIPPrefixRoute': {
      const v6 = String(v.ipPrefix ?? '').includes(':');
      const gw = String(v.gwAddress ?? '');
      r = {
        routeType: 5, rd: rdFromAny(v.rd, `${field}.rd`), esi: esiFromApi(v.esi, `${field}.esi`), ethernetTag: uint(v.ethernetTag, `${field}.ethernet_tag`),
        prefix: `${String(v.ipPrefix ?? '')}/${uint(v.ipPrefixLen, `${field}.ip_prefix_len`, v6 ? 128 : 32)}`, gateway: gw === '' ? (v6 ? '::' : '0.0.0.0') : gw, label: uint(v.label, `${field}.label`, 0xffffff),
      };
      break;
    }
    default:
      throw invalid(field, `${u.name} is not an EVPN route this server handles`);
  }
  checked(field, () => encodeEvpnRoute(r));
  return r;
}

/** GoBGP's `String()` of an EVPN route: the destination name in `ListPath` answers. */
export function evpnDestination(r: EvpnRoute): string {
  const x = r as Msg;
  if ('raw' in x) return `${r.routeType}:${(x.raw as Buffer).length}`;
  switch (r.routeType) {
    case 1: return `[type:A-D][rd:${gobgpRd(x.rd)}][esi:${gobgpEsi(x.esi)}][etag:${x.ethernetTag}]`;
    case 2: return `[type:macadv][rd:${gobgpRd(x.rd)}][etag:${x.ethernetTag}][mac:${x.mac}][ip:${x.ip ?? '<nil>'}]`;
    case 3: return `[type:multicast][rd:${gobgpRd(x.rd)}][etag:${x.ethernetTag}][ip:${x.originator}]`;
    case 4: return `[type:esi][rd:${gobgpRd(x.rd)}][esi:${gobgpEsi(x.esi)}][ip:${x.originator}]`;
    case 5: return `[type:Prefix][rd:${gobgpRd(x.rd)}][etag:${x.ethernetTag}][prefix:${x.prefix}]`;
    default: return `${r.routeType}:?`;
  }
}

// ---------------------------------------------------------------- unicast prefixes

/**
 * An IPv6 unicast prefix as NLRI bytes (length in bits, then the significant bytes): the library
 * registers no IPv6 unicast codec, so the API hands the speaker these bytes.
 */
export function ipv6PrefixBytes(prefix: string, field: string): Buffer {
  const [ip, lenText] = prefix.split('/');
  const len = uint(lenText, `${field}.prefix_len`, 128);
  const a = checked(`${field}.prefix`, () => addressBytes(ip ?? ''));
  if (a.length !== 16) throw invalid(`${field}.prefix`, `${ip} is not an IPv6 address`);
  const n = (len + 7) >>> 3;
  const b = Buffer.alloc(1 + n);
  b[0] = len;
  a.copy(b, 1, 0, n);
  return b;
}

/** IPv6 NLRI bytes (as `ipv6PrefixBytes` makes them) back to `addr/len`. */
export function ipv6PrefixText(b: Buffer): string {
  const len = b[0] ?? 0;
  const a = Buffer.alloc(16);
  b.copy(a, 0, 1, 1 + Math.min(16, (len + 7) >>> 3));
  return `${readAddress(a, 0, 16)}/${len}`;
}

/** A unicast prefix (`10.0.0.0/8`) as `IPAddressPrefix`. */
export function prefixToAny(prefix: string): Msg {
  const [ip, len] = prefix.split('/');
  return packAny('IPAddressPrefix', { prefix: ip, prefixLen: Number(len) });
}

/** `IPAddressPrefix` back to `addr/len`, checked for the family. */
export function prefixFromAny(any: Msg | null | undefined, v6: boolean, field = 'path.nlri'): string {
  const u = unpackAny(any);
  if (u === undefined || u.name !== 'IPAddressPrefix') throw invalid(field, `expected IPAddressPrefix, got ${JSON.stringify(anyTypeUrl(any))}`);
  const len = uint(u.value.prefixLen, `${field}.prefix_len`, v6 ? 128 : 32);
  const a = checked(`${field}.prefix`, () => addressBytes(String(u.value.prefix ?? '')));
  if (a.length !== (v6 ? 16 : 4)) throw invalid(`${field}.prefix`, `${String(u.value.prefix)} is not an IPv${v6 ? 6 : 4} address`);
  // GoBGP masks the host bits away
  for (let i = 0; i < a.length; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    a[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return `${readAddress(a, 0, a.length as 4 | 16)}/${len}`;
}

// ---------------------------------------------------------------- by family

/** The NLRI of a route of `family` as an Any, and its destination name. */
export function nlriToApi(family: number, nlri: NlriBase): { any: Msg; destination: string } {
  if (family === evpnFamily) return { any: evpnToAny(nlri as EvpnRoute), destination: evpnDestination(nlri as EvpnRoute) };
  const prefix = family === ipv6Family ? ipv6PrefixText((nlri as { raw: Buffer }).raw) : (nlri as { prefix: string }).prefix;
  return { any: prefixToAny(prefix), destination: prefix };
}
