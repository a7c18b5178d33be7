/**
 * IP addresses at the API edge: text in, 4- or 16-byte Buffers (and a 32-bit number for IPv4)
 * inside. Parsing is done once, when a table entry or a VTEP is configured.
 */
import { AddressError } from '../net/address-key.js';
import { ipv4NumberToText, parseIpv4, readIpv4, readIpv6, tryWriteIpv6 } from '../net/ip.js';

/** Dotted text of the IPv4 address at `buf[off..off+4)` (the shared formatter of `src/net`). */
export const formatIp4: (buf: Buffer, off: number) => string = readIpv4;
/** RFC 5952 text of the IPv6 address at `buf[off..off+16)` (the shared formatter of `src/net`). */
export const formatIp6: (buf: Buffer, off: number) => string = readIpv6;

/** A parsed IP address. */
export interface IpAddr {
  readonly family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Buffer;
  /** The canonical text (IPv6 compressed, lower case). */
  readonly text: string;
}

/** Parses IPv4 or IPv6 text (the parser of `src/net`). AddressError (a TypeError) on anything else. */
export function parseIp(text: string): IpAddr {
  const t = text.trim();
  const v4 = parseIpv4(t);
  if (v4 >= 0) {
    const bytes = Buffer.allocUnsafe(4);
    bytes.writeUInt32BE(v4, 0);
    return { family: 4, bytes, text: t };
  }
  const bytes = Buffer.alloc(16);
  if (tryWriteIpv6(t, bytes, 0)) return { family: 6, bytes, text: formatIp6(bytes, 0) };
  throw new AddressError(text);
}

/** An IPv4 address as an unsigned 32-bit number. */
export function ip4Number(text: string): number {
  const v4 = parseIpv4(text.trim());
  if (v4 < 0) throw new AddressError(text, 'IPv4');
  return v4;
}

/** Dotted text of an IPv4 number (the shared printer of `src/net`). */
export const ip4NumberToText: (n: number) => string = ipv4NumberToText;

/** Text of a 4- or 16-byte address. */
export function formatIp(bytes: Buffer): string {
  return bytes.length === 4 ? formatIp4(bytes, 0) : formatIp6(bytes, 0);
}
