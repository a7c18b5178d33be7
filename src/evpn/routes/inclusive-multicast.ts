/**
 * Type 3, Inclusive Multicast Ethernet Tag route (RFC 7432 7.3). Body, 17 or 29 bytes:
 * ```
 * +---------------------------------------+
 * |  RD (8 octets)                        |
 * +---------------------------------------+
 * |  Ethernet Tag ID (4 octets)           |
 * +---------------------------------------+
 * |  IP Address Length (1 octet) 32|128   |
 * +---------------------------------------+
 * |  Originating Router's IP Address      |
 * |          (4 or 16 octets)             |
 * +---------------------------------------+
 * ```
 * RFC 7432 11.2 / RFC 8365 9: it travels with a PMSI Tunnel attribute (ingress replication, the
 * VNI in its label); decoding does not require one (a route without it is still a route; the
 * VTEP layer decides what to do with it).
 */
import { addressLength, readAddress } from '../../net/ip.js';
import { EvpnRouteType } from '../iana.js';
import { rdText, writeRd } from '../rd.js';
import type { InclusiveMulticastRoute, RouteBodyCodec } from '../types.js';
import { copyBytes, requireString, writeAddress, writeTag, trailingAddressLength, trailingAddressOk } from './fields.js';

function check(buf: Buffer, start: number, end: number): 4 | 16 {
  return trailingAddressLength(buf, start, end, 12, 'Inclusive Multicast route');
}

export const inclusiveMulticast = {
  routeType: EvpnRouteType.inclusiveMulticast,
  name: 'Inclusive Multicast Route',
  encodingLength(r: InclusiveMulticastRoute): number {
    return 13 + addressLength(requireString(r.originator, 'originator'));
  },
  encode(r: InclusiveMulticastRoute, buf: Buffer, offset: number): number {
    writeRd(r.rd, buf, offset);
    writeTag(r.ethernetTag, buf, offset + 8);
    const n = addressLength(r.originator);
    buf[offset + 12] = n * 8;
    return writeAddress(r.originator, n, 'originator', buf, offset + 13);
  },
  decode(buf: Buffer, start: number, end: number): InclusiveMulticastRoute {
    const n = check(buf, start, end);
    return {
      routeType: 3,
      rd: rdText(buf, start),
      ethernetTag: buf.readUInt32BE(start + 8),
      originator: readAddress(buf, start + 13, n),
    };
  },
  keyInto(buf: Buffer, start: number, end: number, out: Buffer, offset: number): number {
    check(buf, start, end);
    // RD, Ethernet tag, IP length, originator IP: the whole body is the key.
    return copyBytes(buf, start, end, out, offset);
  },
  check,
  valid: (buf: Buffer, start: number, end: number): boolean => trailingAddressOk(buf, start, end, 12),
} as const satisfies RouteBodyCodec<InclusiveMulticastRoute>;
