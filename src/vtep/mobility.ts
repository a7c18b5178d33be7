/**
 * MAC mobility (RFC 7432 section 15) as pure decisions over primitive values, so the tables can
 * apply them to their typed-array columns without allocating.
 *
 * - A local move raises the sequence to one more than the highest sequence received (15.1).
 * - Among routes for one MAC the highest sequence wins; on equal sequences the lowest VTEP IP
 *   wins (15.1). A remote winner evicts the local entry, whose route is withdrawn.
 * - Sticky (static) MACs never move (15.2): a sticky route beats any non-sticky one, and a local
 *   learn against a sticky remote route is refused.
 * - N moves within M seconds mark the MAC duplicate (15.1, default 5 in 180 s); it is frozen
 *   until an operator clears it.
 */

/** Duplicate detection settings. */
export interface MobilityOptions {
  /** Moves that make a MAC duplicate (RFC 7432 15.1 "N"). Default 5. */
  readonly duplicateMoves?: number;
  /** Window for those moves, in milliseconds (RFC 7432 15.1 "M"). Default 180 000. */
  readonly duplicateWindowMs?: number;
  /** Freeze a duplicate MAC (stop moving it) rather than only reporting it. Default true. */
  readonly freeze?: boolean;
}

export interface ResolvedMobility {
  readonly duplicateMoves: number;
  readonly duplicateWindowMs: number;
  readonly freeze: boolean;
}

export const defaultMobility: ResolvedMobility = { duplicateMoves: 5, duplicateWindowMs: 180_000, freeze: true };

export function resolveMobility(o: MobilityOptions | undefined): ResolvedMobility {
  const moves = o?.duplicateMoves ?? defaultMobility.duplicateMoves;
  const window = o?.duplicateWindowMs ?? defaultMobility.duplicateWindowMs;
  if (!Number.isInteger(moves) || moves < 1 || moves > 255) throw new RangeError(`duplicateMoves must be 1..255, not ${moves}`);
  if (!(window > 0)) throw new RangeError(`duplicateWindowMs must be positive, not ${window}`);
  return { duplicateMoves: moves, duplicateWindowMs: window, freeze: o?.freeze ?? true };
}

/** The largest MAC Mobility sequence (a 4-octet field, RFC 7432 7.7). */
export const maxSequence = 0xffffffff;

/**
 * Whether candidate A beats candidate B for one MAC (RFC 7432 15.1, 15.2).
 * `order` is the VTEP address as an order key (see `ipOrderKey`).
 */
export function beats(stickyA: boolean, seqA: number, orderA: string, stickyB: boolean, seqB: number, orderB: string): boolean {
  // 15.2: a static MAC never moves, so a sticky route wins whatever the sequence
  if (stickyA !== stickyB) return stickyA;
  // 15.1: the highest sequence wins
  if (seqA !== seqB) return seqA > seqB;
  // 15.1: equal sequences, the lowest IP address wins
  return orderA < orderB;
}

/**
 * The sequence a PE advertises when it learns a MAC locally that `highestRemote` (or -1 for
 * none) was seen with: one more (RFC 7432 15.1), or 0 for a MAC nobody else advertised.
 * The sequence does not wrap (a 32-bit counter at its limit stays there).
 */
export function nextSequence(highestRemote: number): number {
  if (highestRemote < 0) return 0;
  return highestRemote >= maxSequence ? maxSequence : highestRemote + 1;
}

/**
 * Count one move of a MAC in its sliding window; returns true when this move makes it a
 * duplicate (RFC 7432 15.1: N moves within M seconds). Works on the table's columns.
 */
export function recordMove(
  counts: Uint8Array,
  windowStart: Float64Array,
  slot: number,
  now: number,
  opts: ResolvedMobility,
): boolean {
  const start = windowStart[slot]!;
  let n = counts[slot]!;
  if (n === 0 || now - start > opts.duplicateWindowMs) {
    windowStart[slot] = now;
    n = 1;
  } else if (n < 255) {
    n++;
  }
  counts[slot] = n;
  return n >= opts.duplicateMoves;
}
