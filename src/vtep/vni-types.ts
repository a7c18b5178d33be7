/**
 * What a `VniTable` reports and returns: the observer it calls as it changes, the outcome of a
 * local learn, and a MAC entry as the API shows it.
 */
import type { IpKey } from './keys.js';
import type { MacLimitScope } from './mac-limit.js';
import type { VniTable } from './vni.js';

/** What the tables report, synchronously, as they change. */
export interface VniObserver {
  /** The winning location or sequence of a MAC changed (`from`/`to`: -1 none, 0 local, >= 1 VTEP). */
  macChanged(table: VniTable, mac: number, from: number, to: number, seq: number): void;
  /** N moves in M seconds (RFC 7432 15.1): the MAC is frozen where it is (`at`). */
  macDuplicate(table: VniTable, mac: number, at: number, seq: number): void;
  /** An IP now resolves to `mac` (-1: no longer resolves); `previous` is the old MAC or -1. */
  bindingChanged(table: VniTable, ip: IpKey, mac: number, previous: number): void;
  /** The set of remote VTEPs in the flood list changed. */
  floodChanged(table: VniTable): void;
  /** A local MAC was seen on another local port of this VTEP (no BGP change: 15.1 is about PEs). */
  localPortChanged(table: VniTable, mac: number, port: number): void;
  /** A local learn on `port` was refused by a MAC limit, the first time since that count was under it. */
  macLimitReached?(table: VniTable, port: number, scope: MacLimitScope, limit: number): void;
}

/** An observer that ignores everything (benchmarks, tests of the tables alone). */
export const quietObserver: VniObserver = {
  macChanged() {},
  macDuplicate() {},
  bindingChanged() {},
  floodChanged() {},
  localPortChanged() {},
};

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
