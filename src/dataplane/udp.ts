/**
 * UDP headers (RFC 768) as views.
 *
 * ```
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * |            Length             |           Checksum            |
 * ```
 */

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
  const length = buf.readUInt16BE(start + 4);
  if (length < udpHeaderLength || length > end - start) return undefined;
  return {
    srcPort: buf.readUInt16BE(start),
    dstPort: buf.readUInt16BE(start + 2),
    length,
    checksum: buf.readUInt16BE(start + 6),
    payloadOffset: start + udpHeaderLength,
    payload: buf.subarray(start + udpHeaderLength, start + length),
  };
}

/** Writes a UDP header (checksum as given, 0 = none for IPv4) at `offset`; returns the payload offset. */
export function encodeUdpHeader(srcPort: number, dstPort: number, payloadLength: number, checksumValue: number, buf: Buffer, offset: number): number {
  buf.writeUInt16BE(srcPort, offset);
  buf.writeUInt16BE(dstPort, offset + 2);
  buf.writeUInt16BE(udpHeaderLength + payloadLength, offset + 4);
  buf.writeUInt16BE(checksumValue, offset + 6);
  return offset + udpHeaderLength;
}
