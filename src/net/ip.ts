/**
 * Fast IPv4/IPv6 text <-> bytes, shared by every layer (bgp, evpn, dataplane). They work on
 * Buffers at an offset and allocate nothing but the returned string. `ip-address` stays at the
 * API edge; these are for hot paths (every NEXT_HOP, every prefix, every EVPN route).
 * Text is canonical: dotted quad, and RFC 5952 for IPv6 (lower case, longest zero run
 * compressed, IPv4-mapped addresses in mixed notation).
 *
 * `write*` throw a TypeError for bad text (a programming error: text comes from the user, never
 * from the wire); `tryWrite*` return false instead, for validating input at the API edge.
 */

/** Decimal text of 0..255, so printing an address is four lookups and three joins. */
export const octetText: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Dotted quad of the 4 bytes at `offset`. */
export function readIpv4(buf: Buffer, offset: number): string {
  return octetText[buf[offset]!]! + '.' + octetText[buf[offset + 1]!]! + '.' + octetText[buf[offset + 2]!]! + '.' + octetText[buf[offset + 3]!]!;
}

/** Dotted quad of an unsigned 32-bit number. */
export function ipv4NumberToText(n: number): string {
  return octetText[n >>> 24]! + '.' + octetText[(n >>> 16) & 255]! + '.' + octetText[(n >>> 8) & 255]! + '.' + octetText[n & 255]!;
}

/** Dotted quad of the first `len` bytes at `offset` padded with zeros (prefixes). */
export function readIpv4Prefix(buf: Buffer, offset: number, len: number): string {
  const a = len > 0 ? buf[offset]! : 0;
  const b = len > 1 ? buf[offset + 1]! : 0;
  const c = len > 2 ? buf[offset + 2]! : 0;
  const d = len > 3 ? buf[offset + 3]! : 0;
  return `${a}.${b}.${c}.${d}`;
}

/** Parse a dotted quad in `text[0, end)` to a 32-bit unsigned number, or -1 if it is not one. */
export function parseIpv4(text: string, end: number = text.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || parts === 3) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // no leading zeros ("01" is octal to some parsers; refuse it)
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || parts !== 3) return -1;
  return value * 256 + part;
}

/** True when `text` is a dotted quad. */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) >= 0;
}

/** Parse a dotted quad into 4 bytes at `offset`; false (nothing written) if it is not one. */
export function tryWriteIpv4(text: string, buf: Buffer, offset: number): boolean {
  const v = parseIpv4(text);
  if (v < 0) return false;
  buf.writeUInt32BE(v, offset);
  return true;
}

/** Write a dotted quad as 4 bytes at `offset`; return the offset after it. */
export function writeIpv4(text: string, buf: Buffer, offset: number): number {
  const v = parseIpv4(text);
  if (v < 0) throw new TypeError(`not an IPv4 address: ${text}`);
  buf.writeUInt32BE(v, offset);
  return offset + 4;
}

const hex4 = (v: number): string => v.toString(16);

/** RFC 5952 text of the 16 bytes at `offset` (lower case, longest zero run compressed). */
export function readIpv6(buf: Buffer, offset: number): string {
  // find the longest run of zero groups (length >= 2)
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = buf[offset + 2 * g] === 0 && buf[offset + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const len = g - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  // RFC 5952 5: IPv4-mapped addresses keep the dotted quad
  if (bestStart === 0 && bestLen === 5 && buf[offset + 10] === 0xff && buf[offset + 11] === 0xff) {
    return `::ffff:${readIpv4(buf, offset + 12)}`;
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += g === 0 ? '::' : ':';
      g += bestLen - 1;
      continue;
    }
    out += hex4(buf.readUInt16BE(offset + 2 * g));
    if (g < 7) out += ':';
  }
  return out;
}

/** Write IPv6 text as 16 bytes at `offset`; return the offset after it. TypeError if invalid. */
export function writeIpv6(text: string, buf: Buffer, offset: number): number {
  if (!parseIpv6Into(text, buf, offset)) throw new TypeError(`not an IPv6 address: ${text}`);
  return offset + 16;
}

/** Parse IPv6 text (RFC 4291 2.2) into 16 bytes at `offset`; false if it is not IPv6. */
export function tryWriteIpv6(text: string, buf: Buffer, offset: number): boolean {
  return parseIpv6Into(text, buf, offset);
}

/** Parse an IPv4 or IPv6 address into `buf`; the byte length written, or 0 if it is neither. */
export function tryWriteIp(text: string, buf: Buffer, offset: number): 0 | 4 | 16 {
  if (text.includes(':')) return parseIpv6Into(text, buf, offset) ? 16 : 0;
  return tryWriteIpv4(text, buf, offset) ? 4 : 0;
}

/** True when `text` is IPv6 text. */
export function isIpv6(text: string): boolean {
  return parseIpv6Into(text, scratch16, 0);
}

const scratch16 = Buffer.alloc(16);

function parseGroups(text: string, out: number[]): boolean {
  if (text === '') return true;
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 < 0) return false;
      out.push(Math.floor(v4 / 65536), v4 & 0xffff);
      continue;
    }
    if (p.length === 0 || p.length > 4 || !/^[0-9a-fA-F]+$/.test(p)) return false;
    out.push(parseInt(p, 16));
  }
  return true;
}

function parseIpv6Into(text: string, buf: Buffer, offset: number): boolean {
  const dc = text.indexOf('::');
  const head: number[] = [];
  const tail: number[] = [];
  if (dc >= 0) {
    if (text.indexOf('::', dc + 1) >= 0) return false;
    if (!parseGroups(text.slice(0, dc), head) || !parseGroups(text.slice(dc + 2), tail)) return false;
    if (head.length + tail.length > 7) return false;
  } else {
    if (!parseGroups(text, head) || head.length !== 8) return false;
  }
  buf.fill(0, offset, offset + 16);
  for (let i = 0; i < head.length; i++) buf.writeUInt16BE(head[i]!, offset + 2 * i);
  for (let i = 0; i < tail.length; i++) buf.writeUInt16BE(tail[i]!, offset + 16 - 2 * (tail.length - i));
  return true;
}

/** Bytes of an address given as text (4 for IPv4, 16 for IPv6). TypeError if neither. */
export function addressBytes(text: string): Buffer {
  if (text.includes(':')) {
    const b = Buffer.allocUnsafe(16);
    writeIpv6(text, b, 0);
    return b;
  }
  const b = Buffer.allocUnsafe(4);
  writeIpv4(text, b, 0);
  return b;
}

/** Length in bytes of an address given as text (4 or 16). */
export function addressLength(text: string): 4 | 16 {
  return text.includes(':') ? 16 : 4;
}

/** Write an address given as text (IPv4 or IPv6); return the offset after it. */
export function writeAddress(text: string, buf: Buffer, offset: number): number {
  return text.includes(':') ? writeIpv6(text, buf, offset) : writeIpv4(text, buf, offset);
}

/** Text of a 4- or 16-byte address at offset. */
export function readAddress(buf: Buffer, offset: number, len: 4 | 16): string {
  return len === 4 ? readIpv4(buf, offset) : readIpv6(buf, offset);
}
