/**
 * IPv6 fixed headers (RFC 8200 section 3) as views. Extension headers are not walked: the
 * payload starts after the 40-byte header and `nextHeader` says what it is.
 *
 * ```
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                    Source Address (16)                        |
 * |                 Destination Address (16)                      |
 * ```
 */
import { u16, u32, w16, w32 } from './bytes.js';

/** The fixed header length. */
export const ipv6HeaderLength = 40;

/** A decoded IPv6 packet; `payload` is a view bounded by Payload Length. */
export interface Ipv6Packet {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly src: Buffer;
  readonly dst: Buffer;
  readonly payloadOffset: number;
  readonly payload: Buffer;
}

/** True when `buf[start..end)` starts a plausible IPv6 packet (version 6, payload within bounds). */
export function isIpv6At(buf: Buffer, start: number, end: number): boolean {
  return start >= 0 && end <= buf.length && end - start >= ipv6HeaderLength &&
    buf[start]! >>> 4 === 6 && u16(buf, start + 4) <= end - start - ipv6HeaderLength;
}

/** Decodes the IPv6 packet at `buf[start..end)`, or undefined. */
export function decodeIpv6(buf: Buffer, start: number, end: number): Ipv6Packet | undefined {
  if (!isIpv6At(buf, start, end)) return undefined;
  const w = u32(buf, start);
  const len = u16(buf, start + 4);
  return {
    trafficClass: (w >>> 20) & 0xff,
    flowLabel: w & 0xfffff,
    payloadLength: len,
    nextHeader: buf[start + 6]!,
    hopLimit: buf[start + 7]!,
    src: buf.subarray(start + 8, start + 24),
    dst: buf.subarray(start + 24, start + 40),
    payloadOffset: start + ipv6HeaderLength,
    payload: buf.subarray(start + ipv6HeaderLength, start + ipv6HeaderLength + len),
  };
}

/** What an IPv6 fixed header is built from. */
export interface Ipv6Header {
  readonly src: Buffer;
  readonly dst: Buffer;
  readonly nextHeader: number;
  readonly payloadLength: number;
  readonly hopLimit?: number;
  readonly trafficClass?: number;
  readonly flowLabel?: number;
}

/** Writes the 40-byte header at `offset`; returns the payload offset. */
export function encodeIpv6Header(h: Ipv6Header, buf: Buffer, offset: number): number {
  w32(buf, offset, ((6 << 28) | ((h.trafficClass ?? 0) << 20) | ((h.flowLabel ?? 0) & 0xfffff)) >>> 0);
  w16(buf, offset + 4, h.payloadLength);
  buf[offset + 6] = h.nextHeader;
  buf[offset + 7] = h.hopLimit ?? 64;
  h.src.copy(buf, offset + 8, 0, 16);
  h.dst.copy(buf, offset + 24, 0, 16);
  return offset + ipv6HeaderLength;
}
