/**
 * What a `VniTable` returns: the outcome of a local learn and a MAC entry as the API shows it.
 * (Its observer, `VniObserver`, is declared beside the table in vni.ts: the two name each other.)
 */

/**
 * Outcome of a local learn. Refused, the MAC stays where it was: `frozen` (a duplicate, RFC 7432
 * 15.1), `sticky` (a static MAC elsewhere, 15.2), `sequence` (a remote route has the largest
 * MAC Mobility sequence, 2^32-1: a local route cannot out-sequence it and 15.1 has no wrap, so
 * the MAC cannot move here), `limit` (a local MAC limit, see mac-limit.ts).
 */
export type LearnResult = 'new' | 'moved' | 'refresh' | 'port-move' | 'frozen' | 'sticky' | 'sequence' | 'limit';

/** A MAC entry as the API shows it. */
export interface MacEntry {
  readonly mac: number;
  /** -1 none, 0 local, >= 1 remote VTEP index. */
  readonly location: number;
  readonly seq: number;
  /** Local port, or -1. */
  readonly port: number;
  readonly static: boolean;
  readonly frozen: boolean;
}
