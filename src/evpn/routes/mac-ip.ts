/**
 * Type 2, MAC/IP Advertisement route (RFC 7432 7.2). Body, 33 to 52 bytes:
 * ```
 * +---------------------------------------+
 * |  RD (8 octets)                        |
 * +---------------------------------------+
 * |Ethernet Segment Identifier (10 octets)|
 * +---------------------------------------+
 * |  Ethernet Tag ID (4 octets)           |
 * +---------------------------------------+
 * |  MAC Address Length (1 octet) = 48    |
 * +---------------------------------------+
 * |  MAC Address (6 octets)               |
 * +---------------------------------------+
 * |  IP Address Length (1 octet) 0|32|128 |
 * +---------------------------------------+
 * |  IP Address (0, 4, or 16 octets)      |
 * +---------------------------------------+
 * |  MPLS Label1 (3 octets)               |
 * +---------------------------------------+
 * |  MPLS Label2 (0 or 3 octets)          |
 * +---------------------------------------+
 * ```
 */
import { addressLength, readAddress } from '../../net/ip.js';
import { badEvpnField } from '../errors.js';
import { esiText, writeEsi } from '../esi.js';
import { EvpnRouteType } from '../iana.js';
import { macText, writeMac } from '../mac.js';
import { rdText, writeRd } from '../rd.js';
import type { MacIpRoute, RouteBodyCodec } from '../types.js';
import { copyBytes, readLabel, writeAddress, writeLabel, writeTag } from './fields.js';

/** Bytes before the IP address: RD, ESI, tag, MAC length, MAC, IP length. */
const fixed = 30;

/** Body length check shared by decode and key; returns the IP byte length. */
function check(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len < fixed + 3) throw badEvpnField(`MAC/IP route length ${len} is too short`, buf.subarray(start, end));
  // RFC 7432 7.2: the MAC address length is 48 bits.
  const macBits = buf[start + 22]!;
  if (macBits !== 48) throw badEvpnField(`MAC/IP route MAC length ${macBits}, expected 48`, buf.subarray(start, end));
  // RFC 7432 7.2: the IP address length is 0, 32 or 128 bits.
  const ipBits = buf[start + 29]!;
  if (ipBits !== 0 && ipBits !== 32 && ipBits !== 128) throw badEvpnField(`MAC/IP route IP length ${ipBits}`, buf.subarray(start, end));
  const labels = len - fixed - ipBits / 8;
  if (labels !== 3 && labels !== 6) throw badEvpnField(`MAC/IP route length ${len} does not fit IP length ${ipBits} and one or two labels`, buf.subarray(start, end));
  return ipBits / 8;
}

export const macIp = {
  routeType: EvpnRouteType.macIp,
  name: 'MAC Advertisement Route',
  encodingLength(r: MacIpRoute): number {
    return fixed + (r.ip === undefined ? 0 : addressLength(r.ip)) + (r.label2 === undefined ? 3 : 6);
  },
  encode(r: MacIpRoute, buf: Buffer, offset: number): number {
    writeRd(r.rd, buf, offset);
    writeEsi(r.esi, buf, offset + 8);
    writeTag(r.ethernetTag, buf, offset + 18);
    buf[offset + 22] = 48;
    writeMac(r.mac, buf, offset + 23);
    let p = offset + 29;
    if (r.ip === undefined) {
      buf[p++] = 0;
    } else {
      const n = addressLength(r.ip);
      buf[p++] = n * 8;
      p = writeAddress(r.ip, n, 'ip', buf, p);
    }
    p = writeLabel(r.label1, buf, p);
    return r.label2 === undefined ? p : writeLabel(r.label2, buf, p);
  },
  decode(buf: Buffer, start: number, end: number): MacIpRoute {
    const ipLen = check(buf, start, end);
    const afterIp = start + fixed + ipLen;
    const rd = rdText(buf, start);
    const esi = esiText(buf, start + 8);
    const ethernetTag = buf.readUInt32BE(start + 18);
    const mac = macText(buf, start + 23);
    const label1 = readLabel(buf, afterIp);
    const hasLabel2 = end - afterIp === 6;
    if (ipLen === 0) {
      return hasLabel2
        ? { routeType: 2, rd, esi, ethernetTag, mac, label1, label2: readLabel(buf, afterIp + 3) }
        : { routeType: 2, rd, esi, ethernetTag, mac, label1 };
    }
    const ip = readAddress(buf, start + fixed, ipLen as 4 | 16);
    return hasLabel2
      ? { routeType: 2, rd, esi, ethernetTag, mac, ip, label1, label2: readLabel(buf, afterIp + 3) }
      : { routeType: 2, rd, esi, ethernetTag, mac, ip, label1 };
  },
  keyInto(buf: Buffer, start: number, end: number, out: Buffer, offset: number): number {
    const ipLen = check(buf, start, end);
    // RFC 7432 7: RD, Ethernet tag, MAC (with its length) and IP (with its length); not ESI, not labels.
    return copyBytes(buf, start + 18, start + fixed + ipLen, out, copyBytes(buf, start, start + 8, out, offset));
  },
  check,
} as const satisfies RouteBodyCodec<MacIpRoute>;
