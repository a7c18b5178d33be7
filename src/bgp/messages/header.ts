/**
 * The message header (RFC 4271 4.1):
 * ```
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Marker (16 octets of 1s)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Length               |      Type     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * `checkHeader` validates the 19 bytes alone, so the framer can refuse a bad length before it
 * waits for the body (RFC 4271 6.1).
 */
import { MessageHeaderError } from '../errors.js';
import { Header, HeaderSubcode, MessageType } from '../iana.js';

/** Smallest length of each message type (RFC 4271 4.2-4.4 and 6.1, RFC 2918). */
const minLength: readonly number[] = [0, 29, 23, 21, 19, 19];

/**
 * Check the header at `offset` (19 bytes must be there) and return the message length.
 * Throws MessageHeaderError: 1/1 bad marker, 1/2 bad length (data = the length field),
 * 1/3 bad type (data = the type byte).
 */
export function checkHeader(buf: Buffer, offset: number, extendedMessage: boolean): number {
  // RFC 4271 6.1: the marker must be all ones
  if (buf.readUInt32BE(offset) !== 0xffffffff || buf.readUInt32BE(offset + 4) !== 0xffffffff ||
      buf.readUInt32BE(offset + 8) !== 0xffffffff || buf.readUInt32BE(offset + 12) !== 0xffffffff) {
    throw new MessageHeaderError(HeaderSubcode.connectionNotSynchronized, 'marker is not all ones');
  }
  const length = buf.readUInt16BE(offset + 16);
  const type = buf[offset + 18]!;
  const min = minLength[type];
  // RFC 4271 6.1: an unrecognized type is Bad Message Type with the type as data
  if (min === undefined || type === 0) {
    throw new MessageHeaderError(HeaderSubcode.badMessageType, `unknown message type ${type}`, buf.subarray(offset + 18, offset + 19));
  }
  // RFC 8654 4: the extended size never applies to OPEN (nor KEEPALIVE, fixed at 19)
  const max = extendedMessage && type !== MessageType.open ? Header.maxExtendedLength : Header.maxLength;
  // RFC 4271 6.1: length out of range, or wrong for the type: Bad Message Length with the length as data
  if (length < min || length > max || (type === MessageType.keepalive && length !== Header.length)) {
    throw new MessageHeaderError(HeaderSubcode.badMessageLength, `bad length ${length} for message type ${type}`, buf.subarray(offset + 16, offset + 18));
  }
  return length;
}

/** Write the header at `offset`; return the offset of the body. */
export function writeHeader(buf: Buffer, offset: number, length: number, type: number): number {
  buf.fill(0xff, offset, offset + 16);
  buf.writeUInt16BE(length, offset + 16);
  buf[offset + 18] = type;
  return offset + Header.length;
}
