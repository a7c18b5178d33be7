/**
 * IPv4 unicast NLRI (RFC 4271 4.3, RFC 4760 for MP_REACH, RFC 7911 ADD-PATH path identifiers).
 *
 * ```
 * +---------------------------+
 * | Path Identifier (4, ADD-PATH only)
 * +---------------------------+
 * | Length (1 octet, in bits) |
 * +---------------------------+
 * | Prefix (ceil(Length/8))   |
 * +---------------------------+
 * ```
 * The same codec reads the UPDATE's own Withdrawn Routes and NLRI fields.
 */
import { octetText, parseIpv4 } from '../../net/ip.js';

const slashText: readonly string[] = Array.from({ length: 33 }, (_, i) => `/${i}`);
import { UpdateMessageError } from '../errors.js';
import { registerFamily, type NlriCodec } from '../families.js';
import { Afi, Safi, UpdateSubcode } from '../iana.js';
import type { Prefix } from '../types.js';

function invalidNetwork(what: string, buf: Buffer, start: number, end: number): UpdateMessageError {
  // RFC 4271 6.3: a syntactically incorrect NLRI field is Invalid Network Field;
  // RFC 7606 5.3: NLRI that cannot be parsed leaves no choice but session-reset.
  return new UpdateMessageError(UpdateSubcode.invalidNetworkField, `IPv4 NLRI: ${what}`, {
    data: buf.subarray(start, Math.min(end, start + 64)),
    action: 'session-reset',
  });
}

/** The end of the prefix starting at `start`; throws Invalid Network Field if it does not fit. */
function nextBoundary(buf: Buffer, start: number, end: number, addPath: boolean): number {
  let p = start;
  if (addPath) p += 4;
  if (p >= end) throw invalidNetwork('truncated prefix', buf, start, end);
  const bits = buf[p]!;
  // RFC 4271 4.3 / 6.3: an IPv4 prefix is at most 32 bits
  if (bits > 32) throw invalidNetwork(`prefix length ${bits} > 32`, buf, start, end);
  p += 1 + ((bits + 7) >>> 3);
  if (p > end) throw invalidNetwork('truncated prefix', buf, start, end);
  return p;
}

/** The length after the slash of `a.b.c.d/len` (32 without a slash), or -1 if malformed. */
function bitsOf(text: string, slash: number): number {
  if (slash < 0) return 32;
  const n = text.length - slash - 1;
  if (n < 1 || n > 2) return -1;
  const d1 = text.charCodeAt(slash + 1) - 48;
  if (d1 < 0 || d1 > 9) return -1;
  if (n === 1) return d1;
  const d2 = text.charCodeAt(slash + 2) - 48;
  if (d2 < 0 || d2 > 9 || d1 === 0) return -1;
  const v = d1 * 10 + d2;
  return v <= 32 ? v : -1;
}

/** Parse `a.b.c.d/len` to [address, length]; TypeError if malformed. */
export function parseIpv4Prefix(text: string): [address: number, length: number] {
  const slash = text.indexOf('/');
  const addr = parseIpv4(text, slash < 0 ? text.length : slash);
  const len = bitsOf(text, slash);
  if (addr < 0 || len < 0) throw new TypeError(`not an IPv4 prefix: ${text}`);
  return [addr, len];
}

function prefixBits(text: string): number {
  const len = bitsOf(text, text.indexOf('/'));
  if (len < 0) throw new TypeError(`not an IPv4 prefix: ${text}`);
  return len;
}

function decodeOne(buf: Buffer, p: number, bits: number): string {
  const n = (bits + 7) >>> 3;
  // mask bits beyond the prefix length (RFC 4271 4.3: trailing bits are irrelevant)
  const maskLast = bits & 7 ? (0xff << (8 - (bits & 7))) & 0xff : 0xff;
  const a = n > 0 ? (n === 1 ? buf[p]! & maskLast : buf[p]!) : 0;
  const b = n > 1 ? (n === 2 ? buf[p + 1]! & maskLast : buf[p + 1]!) : 0;
  const c = n > 2 ? (n === 3 ? buf[p + 2]! & maskLast : buf[p + 2]!) : 0;
  const d = n > 3 ? buf[p + 3]! & maskLast : 0;
  return octetText[a]! + '.' + octetText[b]! + '.' + octetText[c]! + '.' + octetText[d]! + slashText[bits]!;
}

/** Decode every prefix in `[start, end)`. Throws Invalid Network Field (session-reset). */
export function decodeIpv4Prefixes(buf: Buffer, start: number, end: number, addPath: boolean): Prefix[] {
  const out: Prefix[] = [];
  let p = start;
  while (p < end) {
    const next = nextBoundary(buf, p, end, addPath);
    if (addPath) {
      out.push({ pathId: buf.readUInt32BE(p), prefix: decodeOne(buf, p + 5, buf[p + 4]!) });
    } else {
      out.push({ prefix: decodeOne(buf, p + 1, buf[p]!) });
    }
    p = next;
  }
  return out;
}

/** Bytes one prefix takes on the wire. */
export function ipv4PrefixLength(nlri: Prefix, addPath: boolean): number {
  return (addPath ? 5 : 1) + ((prefixBits(nlri.prefix) + 7) >>> 3);
}

/** Write one prefix at `offset`; return the offset after it. */
export function encodeIpv4Prefix(nlri: Prefix, buf: Buffer, offset: number, addPath: boolean): number {
  const text = nlri.prefix;
  const slash = text.indexOf('/');
  const addr = parseIpv4(text, slash < 0 ? text.length : slash);
  const bits = bitsOf(text, slash);
  if (addr < 0 || bits < 0) throw new TypeError(`not an IPv4 prefix: ${text}`);
  let p = offset;
  if (addPath) {
    buf.writeUInt32BE((nlri.pathId ?? 0) >>> 0, p);
    p += 4;
  }
  buf[p++] = bits;
  const n = (bits + 7) >>> 3;
  for (let i = 0; i < n; i++) buf[p + i] = (addr >>> (24 - 8 * i)) & 0xff;
  if (bits & 7) buf[p + n - 1]! &= (0xff << (8 - (bits & 7))) & 0xff;
  return p + n;
}

/** Bytes of a list of prefixes. */
export function ipv4PrefixesLength(list: readonly Prefix[], addPath: boolean): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) n += ipv4PrefixLength(list[i]!, addPath);
  return n;
}

/** Write a list of prefixes; return the offset after them. */
export function encodeIpv4Prefixes(list: readonly Prefix[], buf: Buffer, offset: number, addPath: boolean): number {
  let p = offset;
  for (let i = 0; i < list.length; i++) p = encodeIpv4Prefix(list[i]!, buf, p, addPath);
  return p;
}

function routeKey(buf: Buffer, start: number, end: number, addPath: boolean): string {
  const lenAt = addPath ? start + 4 : start;
  const bits = buf[lenAt];
  if (bits === undefined || end > buf.length) throw invalidNetwork('truncated prefix', buf, start, end);
  // canonical key even if the sender left bits set beyond the prefix length
  if ((bits & 7) !== 0 && end > lenAt + 1) {
    const last = buf[end - 1]!;
    const masked = last & ((0xff << (8 - (bits & 7))) & 0xff);
    if (masked !== last) return buf.toString('latin1', start, end - 1) + String.fromCharCode(masked);
  }
  return buf.toString('latin1', start, end);
}

/** The IPv4 unicast family (AFI 1, SAFI 1). Registered on import. */
export const ipv4Unicast = {
  name: 'ipv4-unicast',
  afi: Afi.ipv4,
  safi: Safi.unicast,
  decode: decodeIpv4Prefixes,
  encodingLength: ipv4PrefixLength,
  encode: encodeIpv4Prefix,
  nextBoundary,
  routeKey,
  checkNextHop(length: number) {
    // RFC 4760 3 and RFC 8950: IPv4 (4) or IPv6 global (16) / global + link-local (32)
    if (length === 4 || length === 16 || length === 32) return undefined;
    return new UpdateMessageError(UpdateSubcode.optionalAttributeError, `MP_REACH next hop length ${length} for IPv4 unicast`, {
      action: 'afi-safi-disable',
    });
  },
} satisfies NlriCodec<Prefix>;

registerFamily(ipv4Unicast);
