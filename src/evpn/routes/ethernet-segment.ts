/**
 * Type 4, Ethernet Segment route (RFC 7432 7.4). Body, 23 or 35 bytes:
 * ```
 * +---------------------------------------+
 * |  RD (8 octets)                        |
 * +---------------------------------------+
 * |Ethernet Segment Identifier (10 octets)|
 * +---------------------------------------+
 * |  IP Address Length (1 octet) 32|128   |
 * +---------------------------------------+
 * |  Originating Router's IP Address      |
 * |          (4 or 16 octets)             |
 * +---------------------------------------+
 * ```
 * A Type-4 from a Juniper QFX once reset ExaBGP sessions (ExaBGP #739); it is a plain RFC
 * layout and decodes here (see the vector `juniper-qfx-type4`).
 */
import { addressLength, readAddress } from '../../net/ip.js';
import { esiText, writeEsi } from '../esi.js';
import { EvpnRouteType } from '../iana.js';
import { rdText, writeRd } from '../rd.js';
import type { EthernetSegmentRoute, RouteBodyCodec } from '../types.js';
import { copyBytes, requireString, writeAddress, trailingAddressLength, trailingAddressOk } from './fields.js';

function check(buf: Buffer, start: number, end: number): 4 | 16 {
  return trailingAddressLength(buf, start, end, 18, 'Ethernet Segment route');
}

export const ethernetSegment = {
  routeType: EvpnRouteType.ethernetSegment,
  name: 'Ethernet Segment Route',
  encodingLength(r: EthernetSegmentRoute): number {
    return 19 + addressLength(requireString(r.originator, 'originator'));
  },
  encode(r: EthernetSegmentRoute, buf: Buffer, offset: number): number {
    writeRd(r.rd, buf, offset);
    writeEsi(r.esi, buf, offset + 8);
    const n = addressLength(r.originator);
    buf[offset + 18] = n * 8;
    return writeAddress(r.originator, n, 'originator', buf, offset + 19);
  },
  decode(buf: Buffer, start: number, end: number): EthernetSegmentRoute {
    const n = check(buf, start, end);
    return {
      routeType: 4,
      rd: rdText(buf, start),
      esi: esiText(buf, start + 8),
      originator: readAddress(buf, start + 19, n),
    };
  },
  keyInto(buf: Buffer, start: number, end: number, out: Buffer, offset: number): number {
    check(buf, start, end);
    // RD, ESI, IP length, originator IP: the whole body is the key.
    return copyBytes(buf, start, end, out, offset);
  },
  check,
  valid: (buf: Buffer, start: number, end: number): boolean => trailingAddressOk(buf, start, end, 18),
} as const satisfies RouteBodyCodec<EthernetSegmentRoute>;
