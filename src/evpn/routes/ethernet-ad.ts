/**
 * Type 1, Ethernet Auto-Discovery route (RFC 7432 7.1). Body, 25 bytes:
 * ```
 * +---------------------------------------+
 * |  Route Distinguisher (RD) (8 octets)  |
 * +---------------------------------------+
 * |Ethernet Segment Identifier (10 octets)|
 * +---------------------------------------+
 * |  Ethernet Tag ID (4 octets)           |
 * +---------------------------------------+
 * |  MPLS Label (3 octets)                |
 * +---------------------------------------+
 * ```
 */
import { badEvpnField } from '../errors.js';
import { esiText, writeEsi } from '../esi.js';
import { EvpnRouteType } from '../iana.js';
import { rdText, writeRd } from '../rd.js';
import type { EthernetAdRoute, RouteBodyCodec } from '../types.js';
import { copyBytes, readLabel, writeLabel, writeTag } from './fields.js';

const length = 25;

export const ethernetAd = {
  routeType: EvpnRouteType.ethernetAd,
  name: 'Ethernet Auto-Discovery',
  encodingLength(): number {
    return length;
  },
  encode(r: EthernetAdRoute, buf: Buffer, offset: number): number {
    writeRd(r.rd, buf, offset);
    writeEsi(r.esi, buf, offset + 8);
    writeTag(r.ethernetTag, buf, offset + 18);
    return writeLabel(r.label, buf, offset + 22);
  },
  decode(buf: Buffer, start: number, end: number): EthernetAdRoute {
    // RFC 7432 7.1: fixed layout; any other length is a malformed (but framed) NLRI.
    if (end - start !== length) throw badEvpnField(`Ethernet A-D route length ${end - start}, expected ${length}`, buf.subarray(start, end));
    return {
      routeType: 1,
      rd: rdText(buf, start),
      esi: esiText(buf, start + 8),
      ethernetTag: buf.readUInt32BE(start + 18),
      label: readLabel(buf, start + 22),
    };
  },
  keyInto(buf: Buffer, start: number, end: number, out: Buffer, offset: number): number {
    if (end - start !== length) throw badEvpnField(`Ethernet A-D route length ${end - start}`);
    // RD, ESI, Ethernet tag: the label is not part of the key.
    return copyBytes(buf, start, start + 22, out, offset);
  },
  check(buf: Buffer, start: number, end: number): void {
    if (end - start !== length) throw badEvpnField(`Ethernet A-D route length ${end - start}, expected ${length}`, buf.subarray(start, end));
  },
  valid(_buf: Buffer, start: number, end: number): boolean {
    return end - start === length;
  },
} as const satisfies RouteBodyCodec<EthernetAdRoute>;
