/**
 * The power-of-two sizing rule of the ARP directory. (The tables' hash is `hash53` in
 * src/net/hash.ts, shared with the dataplane; the MAC index sizes itself to any capacity.)
 */

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
