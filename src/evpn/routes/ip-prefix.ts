/**
 * Type 5, IP Prefix route (RFC 9136 3.1). Body, 34 bytes (IPv4) or 58 bytes (IPv6); the total
 * length says which, and the prefix and gateway are of the same family:
 * ```
 * +---------------------------------------+
 * |      RD (8 octets)                    |
 * +---------------------------------------+
 * |Ethernet Segment Identifier (10 octets)|
 * +---------------------------------------+
 * |  Ethernet Tag ID (4 octets)           |
 * +---------------------------------------+
 * |  IP Prefix Length (1 octet, 0 to 32)  |
 * +---------------------------------------+
 * |  IP Prefix (4 octets)                 |
 * +---------------------------------------+
 * |  GW IP Address (4 octets)             |
 * +---------------------------------------+
 * |  MPLS Label (3 octets)                |
 * +---------------------------------------+
 * ```
 */
import { readAddress } from '../../net/ip.js';
import { badEvpnField, EvpnInputError } from '../errors.js';
import { esiText, writeEsi } from '../esi.js';
import { EvpnRouteType } from '../iana.js';
import { rdText, writeRd } from '../rd.js';
import type { IpPrefixRoute, RouteBodyCodec } from '../types.js';
import { copyBytes, readLabel, requireString, writeAddress, writeLabel, writeTag } from './fields.js';

function check(buf: Buffer, start: number, end: number): 4 | 16 {
  const len = end - start;
  // RFC 9136 3.1: the NLRI is 34 octets for IPv4 and 58 for IPv6; nothing else is valid.
  if (len !== 34 && len !== 58) throw badEvpnField(`IP Prefix route length ${len}, expected 34 or 58`, buf.subarray(start, end));
  const n = len === 34 ? 4 : 16;
  const bits = buf[start + 22]!;
  // RFC 9136 3.1: prefix length 0..32 (IPv4) or 0..128 (IPv6).
  if (bits > n * 8) throw badEvpnField(`IP Prefix route prefix length ${bits} for an IPv${n === 4 ? 4 : 6} prefix`, buf.subarray(start, end));
  return n;
}

/** Split `addr/len`; throws EvpnInputError. */
function splitPrefix(prefix: string): { addr: string; bits: number; n: 4 | 16 } {
  const slash = requireString(prefix, 'prefix').indexOf('/');
  const addr = slash < 0 ? '' : prefix.slice(0, slash);
  const n = addr.includes(':') ? 16 : 4;
  const lenText = prefix.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(lenText) ? Number(lenText) : -1;
  if (slash < 0 || bits < 0 || bits > n * 8) throw new EvpnInputError('prefix', prefix, 'expected address/length, e.g. 10.1.0.0/16 or 2001:db8::/32');
  return { addr, bits, n };
}

export const ipPrefix = {
  routeType: EvpnRouteType.ipPrefix,
  name: 'IP Prefix route',
  encodingLength(r: IpPrefixRoute): number {
    return splitPrefix(r.prefix).n === 4 ? 34 : 58;
  },
  encode(r: IpPrefixRoute, buf: Buffer, offset: number): number {
    const { addr, bits, n } = splitPrefix(r.prefix);
    writeRd(r.rd, buf, offset);
    writeEsi(r.esi, buf, offset + 8);
    writeTag(r.ethernetTag, buf, offset + 18);
    buf[offset + 22] = bits;
    let p = writeAddress(addr, n, 'prefix', buf, offset + 23);
    // RFC 9136 3.1: the gateway is of the prefix's family (all zeros when unused).
    p = writeAddress(r.gateway, n, 'ip', buf, p);
    return writeLabel(r.label, buf, p);
  },
  decode(buf: Buffer, start: number, end: number): IpPrefixRoute {
    const n = check(buf, start, end);
    return {
      routeType: 5,
      rd: rdText(buf, start),
      esi: esiText(buf, start + 8),
      ethernetTag: buf.readUInt32BE(start + 18),
      prefix: `${readAddress(buf, start + 23, n)}/${buf[start + 22]!}`,
      gateway: readAddress(buf, start + 23 + n, n),
      label: readLabel(buf, start + 23 + 2 * n),
    };
  },
  keyInto(buf: Buffer, start: number, end: number, out: Buffer, offset: number): number {
    const n = check(buf, start, end);
    // RFC 9136 3.1: RD, Ethernet tag, IP prefix length and IP prefix; not ESI, GW IP or label.
    return copyBytes(buf, start + 18, start + 23 + n, out, copyBytes(buf, start, start + 8, out, offset));
  },
  check,
  valid(buf: Buffer, start: number, end: number): boolean {
    const len = end - start;
    return (len === 34 || len === 58) && buf[start + 22]! <= (len === 34 ? 32 : 128);
  },
} as const satisfies RouteBodyCodec<IpPrefixRoute>;
