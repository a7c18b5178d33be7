/**
 * UDP headers (RFC 768) as views.
 *
 * ```
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * |            Length             |           Checksum            |
 * ```
 */
import { u16, w16 } from './bytes.js';

export const udpHeaderLength = 8;

/** A decoded UDP datagram; `payload` is a view bounded by the Length field. */
export interface UdpDatagram {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly length: number;
  readonly checksum: number;
  readonly payloadOffset: number;
  readonly payload: Buffer;
}

/** Decodes the UDP datagram at `buf[start..end)`, or undefined when Length is out of bounds. */
export function decodeUdp(buf: Buffer, start: number, end: number): UdpDatagram | undefined {
  if (start < 0 || end > buf.length || end - start < udpHeaderLength) return undefined;
  const length = u16(buf, start + 4);
  if (length < udpHeaderLength || length > end - start) return undefined;
  return {
    srcPort: u16(buf, start),
    dstPort: u16(buf, start + 2),
    length,
    checksum: u16(buf, start + 6),
    payloadOffset: start + udpHeaderLength,
    payload: buf.subarray(start + udpHeaderLength, start + length),
  };
}

/** Writes a UDP header (checksum as given, 0 = none for IPv4) at `offset`; returns the payload offset. */
export function encodeUdpHeader(srcPort: number, dstPort: number, payloadLength: number, checksumValue: number, buf: Buffer, offset: number): number {
  w16(buf, offset, srcPort);
  w16(buf, offset + 2, dstPort);
  w16(buf, offset + 4, udpHeaderLength + payloadLength);
  w16(buf, offset + 6, checksumValue);
  return offset + udpHeaderLength;
}
