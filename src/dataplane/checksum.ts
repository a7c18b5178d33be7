/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * words. Sums are kept unfolded in a plain number (safe: 2^53 / 2^16 words is far beyond any
 * frame) and folded once at the end. Incremental update follows RFC 1624.
 */
import { u16, u32 } from './bytes.js';

/**
 * The unfolded sum of `buf[start..end)` as 16-bit big-endian words, plus `initial`.
 * An odd trailing byte is padded with zero (RFC 1071 section 4.1).
 */
export function sum16(buf: Buffer, start: number, end: number, initial = 0): number {
  let s = initial;
  let i = start;
  // four bytes per step: a 32-bit read split into its two words
  for (const last = end - 3; i < last; i += 4) {
    const w = u32(buf, i);
    s += (w >>> 16) + (w & 0xffff);
  }
  if (i + 1 < end) {
    s += u16(buf, i);
    i += 2;
  }
  if (i < end) s += buf[i]! << 8;
  return s;
}

/** Folds an unfolded sum to 16 bits (end-around carry). */
export function fold(sum: number): number {
  let s = sum;
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
