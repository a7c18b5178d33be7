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

// ---------------------------------------------------------------- a MAC as a 48-bit number
// Tables (the dataplane's MAC table, the VTEP manager's indexes) key MACs by number: no string
// or object per entry, and a lookup allocates nothing.

const twoTo32 = 4294967296;

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * A MAC as a 48-bit number: `aa:bb:cc:dd:ee:ff`, `aa-bb-…`, `aabb.ccdd.eeff` or `aabbccddeeff`
 * (any case). Throws a TypeError on anything else: this is the API edge, not a wire decoder.
 */
export function macToNumber(text: string): number {
  let v = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 || c === 45 || c === 46) continue;
    const n = hexNibble(c);
    if (n < 0 || digits === 12) throw new TypeError(`not a MAC address: ${JSON.stringify(text)}`);
    v = v * 16 + n;
    digits++;
  }
  if (digits !== 12) throw new TypeError(`not a MAC address: ${JSON.stringify(text)}`);
  return v;
}

const scratch6 = Buffer.alloc(6);

/** A 48-bit number as `aa:bb:cc:dd:ee:ff`. */
export function macToString(mac: number): string {
  writeMacNumber(mac, scratch6, 0);
  return macText(scratch6, 0);
}

/** The six bytes at `offset` as a 48-bit number (caller checked bounds). */
export function readMacNumber(buf: Uint8Array, offset: number): number {
  return (
    (buf[offset]! * 256 + buf[offset + 1]!) * twoTo32 +
    ((buf[offset + 2]! << 24) >>> 0) +
    (buf[offset + 3]! << 16) +
    (buf[offset + 4]! << 8) +
    buf[offset + 5]!
  );
}

/** Write a 48-bit MAC as six bytes at `offset`; return the offset after it. */
export function writeMacNumber(mac: number, buf: Uint8Array, offset: number): number {
  const hi = Math.floor(mac / twoTo32);
  const lo = mac >>> 0;
  buf[offset] = hi >>> 8;
  buf[offset + 1] = hi & 0xff;
  buf[offset + 2] = lo >>> 24;
  buf[offset + 3] = (lo >>> 16) & 0xff;
  buf[offset + 4] = (lo >>> 8) & 0xff;
  buf[offset + 5] = lo & 0xff;
  return offset + 6;
}
