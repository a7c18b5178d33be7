/**
 * Compact keys for the VTEP tables: a MAC is a 48-bit number, an IPv4 address a 32-bit number,
 * an IPv6 address a 16-character binary (latin1) string. Text forms exist only at the API edge.
 */

import { ipv4NumberToText as ipv4ToString, parseIpv4 as ipv4ToNumber } from '../net/ip.js';
import { writeMacNumber } from '../net/mac.js';

// MACs as 48-bit numbers: the shared implementation of `src/net/mac.ts`
export { macToNumber, macToString, readMacNumber as macFromBytes } from '../net/mac.js';

/** Write a 48-bit MAC as six bytes at `offset`. */
export function macToBytes(mac: number, buf: Uint8Array, offset: number): void {
  writeMacNumber(mac, buf, offset);
}

// IPv4 as a 32-bit number: the shared parser and printer of `src/net/ip.ts` (-1 when not one)
export { ipv4ToNumber, ipv4ToString };

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
