/**
 * The hash of the tables keyed by numbers (the VTEP manager's MAC index and ARP directory, the
 * dataplane's ARP table).
 */

const twoToMinus32 = 2.3283064365386963e-10; // exact: scaling by a power of two rounds nothing

/** A key below 2^53 (a 48-bit MAC, an IPv4 address or block) spread over 32 bits: murmur3's finaliser on hi ^ lo. Signed int32. */
export function hash53(key: number): number {
  const lo = key >>> 0;
  const hi = (key * twoToMinus32) | 0; // a multiply, not a division: the hash is on the path to the cache miss
  let h = lo ^ Math.imul(hi, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
