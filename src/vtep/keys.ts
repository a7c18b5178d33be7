/**
 * Compact keys for the VTEP tables: a MAC is a 48-bit number, an IPv4 address a 32-bit number,
 * an IPv6 address a 16-character binary (latin1) string. Text forms exist only at the API edge.
 */

const twoTo32 = 4294967296;

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * `aa:bb:cc:dd:ee:ff` (also `-` or `.`-less `aabbccddeeff`) as a 48-bit number.
 * Throws TypeError on anything else: this is the API edge, not a wire decoder.
 */
export function macToNumber(mac: string): number {
  let v = 0;
  let digits = 0;
  for (let i = 0; i < mac.length; i++) {
    const c = mac.charCodeAt(i);
    if (c === 58 || c === 45 || c === 46) continue;
    const n = hexNibble(c);
    if (n < 0 || digits === 12) throw new TypeError(`not a MAC address: ${mac}`);
    v = v * 16 + n;
    digits++;
  }
  if (digits !== 12) throw new TypeError(`not a MAC address: ${mac}`);
  return v;
}

/** A 48-bit number as `aa:bb:cc:dd:ee:ff`. */
export function macToString(mac: number): string {
  const s = mac.toString(16).padStart(12, '0');
  return `${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}:${s.slice(6, 8)}:${s.slice(8, 10)}:${s.slice(10, 12)}`;
}

/** Six bytes at `offset` as a 48-bit number. */
export function macFromBytes(buf: Uint8Array, offset: number): number {
  return (
    (buf[offset]! * 256 + buf[offset + 1]!) * twoTo32 +
    ((buf[offset + 2]! << 24) >>> 0) +
    (buf[offset + 3]! << 16) +
    (buf[offset + 4]! << 8) +
    buf[offset + 5]!
  );
}

/** Write a 48-bit MAC as six bytes at `offset`. */
export function macToBytes(mac: number, buf: Uint8Array, offset: number): void {
  const hi = Math.floor(mac / twoTo32);
  const lo = mac >>> 0;
  buf[offset] = hi >>> 8;
  buf[offset + 1] = hi & 0xff;
  buf[offset + 2] = lo >>> 24;
  buf[offset + 3] = (lo >>> 16) & 0xff;
  buf[offset + 4] = (lo >>> 8) & 0xff;
  buf[offset + 5] = lo & 0xff;
}

/** Dotted quad as an unsigned 32-bit number, or -1 when it is not one. */
export function ipv4ToNumber(ip: string): number {
  let v = 0;
  let part = -1;
  let parts = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (part < 0 || parts === 3) return -1;
      v = v * 256 + part;
      part = -1;
      parts++;
    } else if (c >= 48 && c <= 57) {
      part = part < 0 ? c - 48 : part * 10 + (c - 48);
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (part < 0 || parts !== 3) return -1;
  return v * 256 + part;
}

export function ipv4ToString(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** An IPv6 address (text) as its 16 bytes in a latin1 string, or undefined when not IPv6. */
export function ipv6ToKey(ip: string): string | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const groups = s.split(':');
    for (let g = 0; g < groups.length; g++) {
      const grp = groups[g]!;
      if (grp.includes('.') && g === groups.length - 1) {
        const v4 = ipv4ToNumber(grp);
        if (v4 < 0) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(grp)) return undefined;
        out.push(parseInt(grp, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const words = [...head, ...new Array<number>(fill).fill(0), ...tail];
  let s = '';
  for (const w of words) s += String.fromCharCode(w >>> 8, w & 0xff);
  return s;
}

/** The 16-byte key back to text (RFC 5952 short form). */
export function ipv6KeyToString(key: string): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((key.charCodeAt(i) << 8) | key.charCodeAt(i + 1));
  // RFC 5952 4.2.3: the longest run of zero words (at least two) becomes '::'
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/** An IP binding key: an IPv4 address as a number, an IPv6 address as a 16-byte string. */
export type IpKey = number | string;

/** Parse an address at the API edge into its key; throws TypeError when it is neither family. */
export function ipToKey(ip: string): IpKey {
  const v4 = ipv4ToNumber(ip);
  if (v4 >= 0) return v4;
  const v6 = ipv6ToKey(ip);
  if (v6 === undefined) throw new TypeError(`not an IP address: ${ip}`);
  return v6;
}

export function ipKeyToString(key: IpKey): string {
  return typeof key === 'number' ? ipv4ToString(key) : ipv6KeyToString(key);
}

/**
 * A string that sorts like the address (4 or 16 bytes, IPv4 before IPv6), used for the
 * RFC 7432 15.1 tie-break "the lowest IP address wins".
 */
export function ipOrderKey(ip: string): string {
  const v4 = ipv4ToNumber(ip);
  if (v4 >= 0) return String.fromCharCode(4, v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255);
  const v6 = ipv6ToKey(ip);
  if (v6 === undefined) throw new TypeError(`not an IP address: ${ip}`);
  return String.fromCharCode(16) + v6;
}
