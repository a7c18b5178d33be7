/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * words. Sums are kept unfolded in a plain number (safe: 2^53 / 2^16 words is far beyond any
 * frame) and folded once at the end. Incremental update follows RFC 1624.
 */

/**
 * The unfolded sum of `buf[start..end)` as 16-bit big-endian words, plus `initial`.
 * An odd trailing byte is padded with zero (RFC 1071 section 4.1).
 */
export function sum16(buf: Buffer, start: number, end: number, initial = 0): number {
  let s = initial;
  let i = start;
  // eight bytes (four words) per step, composed from indexed loads (see bytes.ts)
  for (const last = end - 7; i < last; i += 8) {
    s += ((buf[i]! << 8) | buf[i + 1]!) + ((buf[i + 2]! << 8) | buf[i + 3]!) +
      ((buf[i + 4]! << 8) | buf[i + 5]!) + ((buf[i + 6]! << 8) | buf[i + 7]!);
  }
  for (; i + 1 < end; i += 2) s += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) s += buf[i]! << 8;
  return s;
}

/** Folds an unfolded sum to 16 bits (end-around carry). */
export function fold(sum: number): number {
  let s = sum;
  if (s <= 0xffffffff) {
    // the common case (any frame under 128 KiB): two integer folds, no division
    s = (s & 0xffff) + (s >>> 16);
    return (s & 0xffff) + (s >>> 16);
  }
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value for an unfolded sum: ~fold(sum). */
export function finish(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** The checksum of `buf[start..end)` (with the checksum field itself zeroed or skipped by the caller). */
export function checksum(buf: Buffer, start: number, end: number, initial = 0): number {
  return finish(sum16(buf, start, end, initial));
}

/**
 * RFC 1624 eqn. 3: the new checksum after a 16-bit word changes from `oldWord` to `newWord`:
 * HC' = ~(~HC + ~m + m').
 */
export function updateChecksum(oldChecksum: number, oldWord: number, newWord: number): number {
  return finish((~oldChecksum & 0xffff) + (~oldWord & 0xffff) + newWord);
}

/** The unfolded IPv4 pseudo-header sum (RFC 768): addresses, protocol, length. */
export function pseudoSum4(buf: Buffer, srcOff: number, dstOff: number, protocol: number, length: number): number {
  return sum16(buf, srcOff, srcOff + 4) + sum16(buf, dstOff, dstOff + 4) + protocol + length;
}

/** The unfolded IPv6 pseudo-header sum (RFC 8200 section 8.1): addresses, upper-layer length, next header. */
export function pseudoSum6(buf: Buffer, srcOff: number, dstOff: number, protocol: number, length: number): number {
  return sum16(buf, srcOff, srcOff + 16) + sum16(buf, dstOff, dstOff + 16) + Math.floor(length / 0x10000) + (length & 0xffff) + protocol;
}
