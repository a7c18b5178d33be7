/**
 * IPv4 headers (RFC 791) as views.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |    DSCP/ECN   |          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options (IHL > 5)                          |
 * ```
 */
import { checksum, sum16 } from './checksum.js';
import { u16, w16 } from './bytes.js';

/** IP protocol numbers (IANA protocol-numbers). */
export const IpProto = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;

/** The header length without options. */
export const ipv4HeaderLength = 20;

/** A decoded IPv4 packet; `payload` is a view bounded by Total Length. */
export interface Ipv4Packet {
  readonly headerLength: number;
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  /** The header checksum verifies (RFC 791 3.1: the sum over the header is all ones). */
  readonly checksumValid: boolean;
  readonly src: Buffer;
  readonly dst: Buffer;
  readonly payloadOffset: number;
  readonly payload: Buffer;
}

/**
 * The IPv4 header length at `buf[start..end)` when it is a plausible IPv4 packet (version 4,
 * IHL >= 5, Total Length within `[IHL*4, end-start]`), or -1. Allocation-free.
 */
export function ipv4HeaderLengthAt(buf: Buffer, start: number, end: number): number {
  if (start < 0 || end > buf.length || end - start < ipv4HeaderLength) return -1;
  const vihl = buf[start]!;
  if (vihl >>> 4 !== 4) return -1;
  const hl = (vihl & 0x0f) * 4;
  const total = u16(buf, start + 2);
  if (hl < ipv4HeaderLength || total < hl || total > end - start) return -1;
  return hl;
}

/** Decodes the IPv4 packet at `buf[start..end)` (trailing link padding is left out), or undefined. */
export function decodeIpv4(buf: Buffer, start: number, end: number): Ipv4Packet | undefined {
  const hl = ipv4HeaderLengthAt(buf, start, end);
  if (hl < 0) return undefined;
  const total = u16(buf, start + 2);
  const frag = u16(buf, start + 6);
  return {
    headerLength: hl,
    tos: buf[start + 1]!,
    totalLength: total,
    id: u16(buf, start + 4),
    dontFragment: (frag & 0x4000) !== 0,
    moreFragments: (frag & 0x2000) !== 0,
    fragmentOffset: (frag & 0x1fff) * 8,
    ttl: buf[start + 8]!,
    protocol: buf[start + 9]!,
    checksum: u16(buf, start + 10),
    checksumValid: checksum(buf, start, start + hl) === 0,
    src: buf.subarray(start + 12, start + 16),
    dst: buf.subarray(start + 16, start + 20),
    payloadOffset: start + hl,
    payload: buf.subarray(start + hl, start + total),
  };
}

/** What an option-less IPv4 header is built from. */
export interface Ipv4Header {
  readonly src: Buffer;
  readonly dst: Buffer;
  readonly protocol: number;
  /** Payload bytes after the 20-byte header. */
  readonly payloadLength: number;
  readonly ttl?: number;
  readonly tos?: number;
  readonly id?: number;
  /** Sets DF (default true: the overlay never fragments, RFC 7348 section 4.3). */
  readonly dontFragment?: boolean;
}

/** Writes a 20-byte header with its checksum at `offset`; returns the payload offset. */
export function encodeIpv4Header(h: Ipv4Header, buf: Buffer, offset: number): number {
  buf[offset] = 0x45;
  buf[offset + 1] = h.tos ?? 0;
  w16(buf, offset + 2, ipv4HeaderLength + h.payloadLength);
  w16(buf, offset + 4, h.id ?? 0);
  w16(buf, offset + 6, h.dontFragment === false ? 0 : 0x4000);
  buf[offset + 8] = h.ttl ?? 64;
  buf[offset + 9] = h.protocol;
  w16(buf, offset + 10, 0);
  h.src.copy(buf, offset + 12, 0, 4);
  h.dst.copy(buf, offset + 16, 0, 4);
  w16(buf, offset + 10, checksum(buf, offset, offset + ipv4HeaderLength));
  return offset + ipv4HeaderLength;
}

/** The unfolded sum of an IPv4 header except its Total Length and checksum words (for templates). */
export function ipv4SumWithoutLength(buf: Buffer, offset: number): number {
  return sum16(buf, offset, offset + 2) + sum16(buf, offset + 4, offset + 10) + sum16(buf, offset + 12, offset + ipv4HeaderLength);
}
