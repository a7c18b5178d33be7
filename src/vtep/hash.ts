/**
 * What the VTEP tables' open-addressing indexes share: the hash of a key up to 2^53 (the MAC
 * index, the ARP directory) and the power-of-two sizing rule (the ARP directory; the MAC index
 * runs fuller and sizes itself). Each index keeps its own probe loop (different cell layouts; a
 * shared loop would put a call on every probe).
 */

const twoToMinus32 = 2.3283064365386963e-10; // exact: scaling by a power of two rounds nothing

/** A key below 2^53 (a 48-bit MAC, a group of IPv4 addresses) spread over 32 bits: murmur3's finaliser on hi ^ lo. Signed int32. */
export function hash53(key: number): number {
  const lo = key >>> 0;
  const hi = (key * twoToMinus32) | 0; // a multiply, not a division: the hash is on the path to the cache miss
  let h = lo ^ Math.imul(hi, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The `shift` of a table sized for `entries` at most half full (at least 16 cells): it has
 * 2^(32 - shift) cells and the home cell of a hash is `hash >>> shift` (top bits, so cells stay
 * in hash-prefix order and a doubling writes front to back).
 */
export function shiftFor(entries: number): number {
  let cap = 16;
  let shift = 28;
  while (cap < entries * 2) {
    cap *= 2;
    shift--;
  }
  return shift;
}
