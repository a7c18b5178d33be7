/**
 * ICMP for IPv4 (RFC 792): echo request/reply as views, and the in-place echo reply.
 *
 * ```
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * |           Identifier          |        Sequence Number        |
 * |     Data ...
 * ```
 */
import { checksum, updateChecksum } from './checksum.js';
import { u16, w16 } from './bytes.js';

/** ICMP types (IANA icmp-parameters). */
export const IcmpType = { echoReply: 0, destinationUnreachable: 3, echoRequest: 8, timeExceeded: 11 } as const;

export const icmpHeaderLength = 8;

/** A decoded ICMP message. For echo messages `id` and `seq` are the identifier and sequence. */
export interface IcmpMessage {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** The checksum over the whole message verifies (RFC 792). */
  readonly checksumValid: boolean;
  readonly id: number;
  readonly seq: number;
  readonly data: Buffer;
}

/** Decodes the ICMP message at `buf[start..end)`, or undefined when shorter than 8 bytes. */
export function decodeIcmp(buf: Buffer, start: number, end: number): IcmpMessage | undefined {
  if (start < 0 || end > buf.length || end - start < icmpHeaderLength) return undefined;
  return {
    type: buf[start]!,
    code: buf[start + 1]!,
    checksum: u16(buf, start + 2),
    checksumValid: checksum(buf, start, end) === 0,
    id: u16(buf, start + 4),
    seq: u16(buf, start + 6),
    data: buf.subarray(start + icmpHeaderLength, end),
  };
}

/** Writes an echo message (request or reply) with its checksum; returns the next offset. */
export function encodeIcmpEcho(type: number, id: number, seq: number, data: Buffer, buf: Buffer, offset: number): number {
  buf[offset] = type;
  buf[offset + 1] = 0;
  w16(buf, offset + 2, 0);
  w16(buf, offset + 4, id);
  w16(buf, offset + 6, seq);
  data.copy(buf, offset + icmpHeaderLength);
  const end = offset + icmpHeaderLength + data.length;
  w16(buf, offset + 2, checksum(buf, offset, end));
  return end;
}

/**
 * Turns an echo request at `icmpOff` into an echo reply in place: type 8 → 0 and the checksum
 * updated incrementally (RFC 1624), so the data is never read again.
 */
export function icmpEchoReplyInPlace(buf: Buffer, icmpOff: number): void {
  const oldWord = u16(buf, icmpOff);
  const newWord = (IcmpType.echoReply << 8) | (oldWord & 0xff);
  w16(buf, icmpOff, newWord);
  w16(buf, icmpOff + 2, updateChecksum(buf.readUInt16BE(icmpOff + 2), oldWord, newWord));
}
