/**
 * MAC addresses: 6 bytes on the wire, `aa:bb:cc:dd:ee:ff` (lower case) as text. Shared by every
 * layer. Both directions are table lookups and char codes: this runs once per Type-2 route.
 */

/** Two lower-case hex digits for every byte value. */
export const hex2: readonly string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** `aa:bb:cc:dd:ee:ff` of the 6 bytes at `offset` (caller checked bounds). */
export function macText(buf: Buffer, offset: number): string {
  return (
    hex2[buf[offset]!]! + ':' + hex2[buf[offset + 1]!]! + ':' + hex2[buf[offset + 2]!]! + ':' +
    hex2[buf[offset + 3]!]! + ':' + hex2[buf[offset + 4]!]! + ':' + hex2[buf[offset + 5]!]!
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

/** Parse a MAC (`aa:bb:cc:dd:ee:ff` or `aa-bb-..`) into 6 bytes at `offset`; false if it is not one. */
export function tryWriteMac(text: string, buf: Buffer, offset: number): boolean {
  return typeof text === 'string' && writeHexBytes(text, 6, buf, offset);
}

const scratch = Buffer.alloc(6);

/** True when `text` is a MAC in colon or dash form. */
export function isMac(text: unknown): text is string {
  return typeof text === 'string' && writeHexBytes(text, 6, scratch, 0);
}
