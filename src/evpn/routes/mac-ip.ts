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

/**
 * The IP byte length of a well-formed body, or a negative fault code (no Error built: a flood of
 * malformed routes must cost a comparison each): -1 too short, -2 MAC length, -3 IP length,
 * -4 labels.
 */
function ipBytes(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len < fixed + 3) return -1;
  // RFC 7432 7.2: the MAC address length is 48 bits.
  if (buf[start + 22] !== 48) return -2;
  // RFC 7432 7.2: the IP address length is 0, 32 or 128 bits.
  const ipBits = buf[start + 29]!;
  if (ipBits !== 0 && ipBits !== 32 && ipBits !== 128) return -3;
  const labels = len - fixed - ipBits / 8;
  if (labels !== 3 && labels !== 6) return -4;
  return ipBits / 8;
}

/** Body check shared by decode and key; returns the IP byte length or throws (treat-as-withdraw). */
function check(buf: Buffer, start: number, end: number): number {
  const n = ipBytes(buf, start, end);
  if (n >= 0) return n;
  const len = end - start;
  const why =
    n === -1 ? `length ${len} is too short`
    : n === -2 ? `MAC length ${buf[start + 22]!}, expected 48`
    : n === -3 ? `IP length ${buf[start + 29]!}`
    : `length ${len} does not fit IP length ${buf[start + 29]!} and one or two labels`;
  throw badEvpnField(`MAC/IP route ${why}`, buf.subarray(start, end));
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
  valid: (buf: Buffer, start: number, end: number): boolean => ipBytes(buf, start, end) >= 0,
} as const satisfies RouteBodyCodec<MacIpRoute>;
