/**
 * Field writers shared by the route codecs. They validate what a caller handed in (an encode
 * of a hand-made route must not put garbage on the wire) and throw EvpnInputError.
 */
import { tryWriteIp } from '../../net/ip.js';
import { badEvpnField, EvpnInputError, type EvpnInputField } from '../errors.js';

/** Write a 4-byte Ethernet tag (RFC 7432 7: 0..2^32-1). */
export function writeTag(tag: number, buf: Buffer, offset: number): number {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) {
    throw new EvpnInputError('ethernet-tag', tag, 'an Ethernet tag is an integer 0..4294967295');
  }
  buf.writeUInt32BE(tag, offset);
  return offset + 4;
}

/** Write a raw 3-byte label field (0..2^24-1). */
export function writeLabel(raw: number, buf: Buffer, offset: number): number {
  if (!Number.isInteger(raw) || raw < 0 || raw > 0xffffff) {
    throw new EvpnInputError('label', raw, 'a label field is 24 bits (0..16777215)');
  }
  buf[offset] = raw >>> 16;
  buf[offset + 1] = (raw >>> 8) & 0xff;
  buf[offset + 2] = raw & 0xff;
  return offset + 3;
}

/**
 * Copy `[start, end)` of `src` into `dst` at `offset` (caller checked bounds); returns the offset
 * after it. A plain loop: for the 10-40 bytes of a route key it is cheaper than the native call
 * behind `Buffer#copy`.
 */
export function copyBytes(src: Buffer, start: number, end: number, dst: Buffer, offset: number): number {
  for (let i = start; i < end; i++) dst[offset++] = src[i]!;
  return offset;
}

/** Read a 3-byte label field (caller checked bounds). */
export function readLabel(buf: Buffer, offset: number): number {
  return (buf[offset]! << 16) | (buf[offset + 1]! << 8) | buf[offset + 2]!;
}

/** Write an address of the expected length (4/16) or throw. */
export function writeAddress(text: string, length: 4 | 16, field: EvpnInputField, buf: Buffer, offset: number): number {
  if (typeof text !== 'string' || tryWriteIp(text, buf, offset) !== length) {
    throw new EvpnInputError(field, text, length === 4 ? 'expected an IPv4 address' : 'expected an IPv6 address');
  }
  return offset + length;
}

/** Throw unless a string field is present (hand-made routes). */
export function requireString(v: unknown, field: EvpnInputField): string {
  if (typeof v !== 'string') throw new EvpnInputError(field, v, 'expected a string');
  return v;
}

/**
 * A route body that ends in `IP length (bits, 1 byte) + IPv4|IPv6 address` after `fixed` bytes
 * (Type-3 after RD+tag, Type-4 after RD+ESI): checks the body length and that the IP length
 * matches the address that follows (RFC 7432 7.3 / 7.4); returns the address length.
 */
export function trailingAddressLength(buf: Buffer, start: number, end: number, fixed: number, what: string): 4 | 16 {
  const len = end - start;
  const n = len - fixed - 1;
  if (n !== 4 && n !== 16) throw badEvpnField(`${what} length ${len}, expected ${fixed + 5} or ${fixed + 17}`, buf.subarray(start, end));
  const bits = buf[start + fixed]!;
  if (bits !== n * 8) throw badEvpnField(`${what} IP length ${bits} in a ${len}-byte route`, buf.subarray(start, end));
  return n;
}

/** Whether `trailingAddressLength` would accept the body (no Error built). */
export function trailingAddressOk(buf: Buffer, start: number, end: number, fixed: number): boolean {
  const n = end - start - fixed - 1;
  return (n === 4 || n === 16) && buf[start + fixed] === n * 8;
}
