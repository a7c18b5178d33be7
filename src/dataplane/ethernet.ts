/**
 * Ethernet II frames with optional IEEE 802.1Q / 802.1ad tags, as views.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Destination MAC (6)                          |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     Source MAC (6)            +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | [TPID 0x8100 | PCP DEI VID]  (0..2 tags)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          EtherType            |  payload ...
 * ```
 * Decoders never throw: a frame too short for what it claims returns undefined.
 */
import { u16, w16 } from './bytes.js';

/** EtherType code points (IEEE 802.3 / IANA). */
export const EtherType = {
  ipv4: 0x0800,
  arp: 0x0806,
  /** IEEE 802.1Q customer tag. */
  vlan: 0x8100,
  /** IEEE 802.1ad service tag. */
  qinq: 0x88a8,
  ipv6: 0x86dd,
} as const;

/** Destination + source + EtherType. */
export const ethernetHeaderLength = 14;
/** Bytes of one VLAN tag. */
export const vlanTagLength = 4;
/** The longest header we accept: two stacked tags. */
const maxTags = 2;

/** A decoded Ethernet frame; every Buffer is a view into the input. */
export interface EthernetFrame {
  readonly dst: Buffer;
  readonly src: Buffer;
  /** The innermost VLAN ID (12 bits), or undefined when the frame is untagged. */
  readonly vlan: number | undefined;
  /** The innermost priority code point, 0 when untagged. */
  readonly pcp: number;
  readonly etherType: number;
  /** Offset of the payload in the input buffer. */
  readonly payloadOffset: number;
  readonly payload: Buffer;
}

/**
 * The offset of the payload of the frame at `buf[start..end)` (after any VLAN tags), or -1
 * when the frame is too short. The EtherType is the 16-bit word just before that offset.
 * This is the allocation-free form the engine uses.
 */
export function ethernetPayloadOffset(buf: Buffer, start: number, end: number): number {
  let off = start + 12;
  if (start < 0 || end > buf.length) return -1;
  for (let tags = 0; ; tags++) {
    if (off + 2 > end) return -1;
    const t = u16(buf, off);
    if ((t !== EtherType.vlan && t !== EtherType.qinq) || tags === maxTags) return off + 2;
    off += vlanTagLength;
  }
}

/** Decodes the Ethernet frame at `buf[start..end)`, or undefined when it is malformed. */
export function decodeEthernet(buf: Buffer, start: number, end: number): EthernetFrame | undefined {
  const p = ethernetPayloadOffset(buf, start, end);
  if (p < 0) return undefined;
  let vlan: number | undefined;
  let pcp = 0;
  if (p > start + ethernetHeaderLength) {
    const tci = u16(buf, p - 4);
    vlan = tci & 0x0fff;
    pcp = tci >>> 13;
  }
  return {
    dst: buf.subarray(start, start + 6),
    src: buf.subarray(start + 6, start + 12),
    vlan,
    pcp,
    etherType: u16(buf, p - 2),
    payloadOffset: p,
    payload: buf.subarray(p, end),
  };
}

/** What an Ethernet header is built from. */
export interface EthernetHeader {
  readonly dst: Buffer;
  readonly src: Buffer;
  readonly etherType: number;
  /** One 802.1Q tag with this VID when set. */
  readonly vlan?: number;
  readonly pcp?: number;
}

/** Bytes the header takes. */
export function ethernetHeaderEncodingLength(h: EthernetHeader): number {
  return h.vlan === undefined ? ethernetHeaderLength : ethernetHeaderLength + vlanTagLength;
}

/** Writes the header at `offset`; returns the offset of the payload. */
export function encodeEthernetHeader(h: EthernetHeader, buf: Buffer, offset: number): number {
  h.dst.copy(buf, offset, 0, 6);
  h.src.copy(buf, offset + 6, 0, 6);
  let off = offset + 12;
  if (h.vlan !== undefined) {
    w16(buf, off, EtherType.vlan);
    w16(buf, off + 2, (((h.pcp ?? 0) & 7) << 13) | (h.vlan & 0x0fff));
    off += 4;
  }
  w16(buf, off, h.etherType);
  return off + 2;
}
