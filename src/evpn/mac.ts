/**
 * MAC addresses: 6 bytes on the wire, `aa:bb:cc:dd:ee:ff` (lower case) as text.
 * Both directions are table lookups and char codes: this runs once per Type-2 route.
 */
import { hex2 } from './address.js';
import { EvpnInputError } from './errors.js';

/** `aa:bb:cc:dd:ee:ff` of the 6 bytes at `offset` (caller checked bounds). */
export function macText(buf: Buffer, offset: number): string {
  return (
    hex2[buf[offset]!]! +
    ':' +
    hex2[buf[offset + 1]!]! +
    ':' +
    hex2[buf[offset + 2]!]! +
    ':' +
    hex2[buf[offset + 3]!]! +
    ':' +
    hex2[buf[offset + 4]!]! +
    ':' +
    hex2[buf[offset + 5]!]!
  );
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parse `n` colon- (or dash-) separated hex bytes (`aa:bb:..`) into `buf` at `offset`.
 * Returns false, having written nothing reliable, when the text is not exactly that.
 */
export function writeHexBytes(text: string, n: number, buf: Buffer, offset: number): boolean {
  if (text.length !== n * 3 - 1) return false;
  const sep = n > 1 ? text.charCodeAt(2) : 58;
  if (sep !== 58 && sep !== 45) return false;
  for (let i = 0; i < n; i++) {
    const p = i * 3;
    if (i > 0 && text.charCodeAt(p - 1) !== sep) return false;
    const hi = nibble(text.charCodeAt(p));
    const lo = nibble(text.charCodeAt(p + 1));
    if (hi < 0 || lo < 0) return false;
    buf[offset + i] = (hi << 4) | lo;
  }
  return true;
}

/** Write a MAC given as text; throws EvpnInputError if it is not `aa:bb:cc:dd:ee:ff`/`aa-bb-..`. */
export function writeMac(text: string, buf: Buffer, offset: number): void {
  if (typeof text !== 'string' || !writeHexBytes(text, 6, buf, offset)) {
    throw new EvpnInputError('mac', text, 'expected six hex bytes like aa:bb:cc:dd:ee:ff');
  }
}

const scratch = Buffer.alloc(6);

/** True when `text` is a MAC in colon or dash form. */
export function isMac(text: unknown): text is string {
  return typeof text === 'string' && writeHexBytes(text, 6, scratch, 0);
}

/** The canonical (lower-case, colon) form of a MAC; throws EvpnInputError if it is not one. */
export function normalizeMac(text: string): string {
  writeMac(text, scratch, 0);
  return macText(scratch, 0);
}

/** RFC 7432 / IEEE 802: the group (multicast) bit is the low bit of the first octet. */
export function isMulticastMac(text: string): boolean {
  writeMac(text, scratch, 0);
  return (scratch[0]! & 1) === 1;
}
