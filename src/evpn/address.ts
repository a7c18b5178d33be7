/**
 * Fast IPv4/IPv6 text <-> bytes for the EVPN codecs (hot path: no `ip-address`, no regex,
 * no intermediate arrays). Text is the canonical form: dotted quad, and RFC 5952 for IPv6
 * (lower case, longest zero run compressed, IPv4-mapped addresses in mixed notation).
 * Builders validate user input with `ip-address` before it reaches these.
 */

/** Two lower-case hex digits for every byte value. */
export const hex2: readonly string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** Dotted quad of the 4 bytes at `offset` (caller checked bounds). */
export function ipv4Text(buf: Buffer, offset: number): string {
  return `${buf[offset]!}.${buf[offset + 1]!}.${buf[offset + 2]!}.${buf[offset + 3]!}`;
}

/** RFC 5952 text of the 16 bytes at `offset` (caller checked bounds). */
export function ipv6Text(buf: Buffer, offset: number): string {
  // RFC 5952 5: ::ffff:a.b.c.d for IPv4-mapped addresses.
  if (
    buf.readUInt32BE(offset) === 0 &&
    buf.readUInt32BE(offset + 4) === 0 &&
    buf.readUInt16BE(offset + 8) === 0 &&
    buf.readUInt16BE(offset + 10) === 0xffff
  ) {
    return `::ffff:${ipv4Text(buf, offset + 12)}`;
  }
  // RFC 5952 4.2: compress the longest run of (at least two) zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (buf.readUInt16BE(offset + 2 * i) === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += buf.readUInt16BE(offset + 2 * i).toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

/** Text of a 4- or 16-byte address at `offset`. */
export function ipText(buf: Buffer, offset: number, length: 4 | 16): string {
  return length === 4 ? ipv4Text(buf, offset) : ipv6Text(buf, offset);
}

/** 4 for IPv4 text, 16 for IPv6 text (by the presence of a colon); no validation. */
export function ipByteLength(text: string): 4 | 16 {
  return text.includes(':') ? 16 : 4;
}

/** Parse a dotted quad into `buf` at `offset`; false (and nothing reliable written) if invalid. */
export function writeIpv4(text: string, buf: Buffer, offset: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; /* '.' ends the last part */
    if (c === 46) {
      if (digits === 0 || part > 3) return false;
      buf[offset + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // no leading zeros (they read as octal in some parsers), at most 3 digits, at most 255
      if (digits > 0 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return part === 4;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parse IPv6 text (RFC 4291 2.2, incl. `::` and a trailing dotted quad) into 16 bytes at `offset`. */
export function writeIpv6(text: string, buf: Buffer, offset: number): boolean {
  const n = text.length;
  if (n < 2 || n > 45) return false;
  const groups = new Uint16Array(8);
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    if (count >= 8) return false;
    // a trailing dotted quad takes two groups
    let j = i;
    while (j < n && text.charCodeAt(j) !== 58 && text.charCodeAt(j) !== 46) j++;
    if (j < n && text.charCodeAt(j) === 46) {
      if (count > 6) return false;
      const tmp = Buffer.allocUnsafe(4);
      if (!writeIpv4(text.slice(i), tmp, 0)) return false;
      groups[count++] = tmp.readUInt16BE(0);
      groups[count++] = tmp.readUInt16BE(2);
      i = n;
      break;
    }
    if (j === i || j - i > 4) return false;
    let v = 0;
    for (let k = i; k < j; k++) {
      const d = hexDigit(text.charCodeAt(k));
      if (d < 0) return false;
      v = (v << 4) | d;
    }
    groups[count++] = v;
    i = j;
    if (i < n) {
      // at a colon
      i++;
      if (i < n && text.charCodeAt(i) === 58) {
        if (gap >= 0) return false;
        gap = count;
        i++;
      } else if (i === n) {
        return false; // trailing single colon
      }
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const zeros = 8 - count;
  let g = 0;
  for (let k = 0; k < 8; k++) {
    let v: number;
    if (gap >= 0 && k >= gap && k < gap + zeros) v = 0;
    else v = groups[g++]!;
    buf.writeUInt16BE(v, offset + 2 * k);
  }
  return true;
}

/** Parse an IPv4 or IPv6 address into `buf`; returns the byte length written, or 0 if invalid. */
export function writeIp(text: string, buf: Buffer, offset: number): 0 | 4 | 16 {
  if (text.includes(':')) return writeIpv6(text, buf, offset) ? 16 : 0;
  return writeIpv4(text, buf, offset) ? 4 : 0;
}
