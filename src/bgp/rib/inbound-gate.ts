/**
 * What a peer's UPDATEs must pass before their routes reach the RIB, beyond the codec's own
 * checks: the family was negotiated on this session (RFC 4760 8) and not disabled by an earlier
 * RFC 7606 AFI/SAFI-disable error (RFC 4760 7), and the next hop is usable (RFC 4271 6.3).
 * Whatever is refused is counted in the peer's counters.
 */
import type { RawNlriSet } from '../codec.js';
import { familyKey } from '../families.js';
import type { Family } from '../types.js';
import { canonicalAddress, nextHopProblem } from './next-hop-check.js';
import { newPeerCounters, nlriCount, type PeerCounters } from './peer-counters.js';

export class InboundGate {
  /** What hostile or broken input cost this peer (BgpSpeaker.peerCounters). */
  readonly counters: PeerCounters = newPeerCounters();
  /** Families the session negotiated (familyKey). */
  private accepted: ReadonlySet<number> = new Set();
  /** Families disabled until the session resets. */
  private readonly disabled = new Set<number>();
  /** Our address on the session, as next hops are printed. */
  private localAddress: string | undefined;

  /** A new session: its families and our address on it; nothing is disabled any more. */
  established(families: readonly Family[], localAddress: string | undefined): ReadonlySet<number> {
    this.accepted = new Set(families.map((f) => familyKey(f.afi, f.safi)));
    this.disabled.clear();
    this.localAddress = canonicalAddress(localAddress);
    return this.accepted;
  }

  /**
   * Whether routes of this set's family are taken at all. Only negotiated families are (RFC 4760
   * 8: a family the peer did not see in our OPEN is not ours to store or reflect), and not one
   * disabled earlier in this session (RFC 4760 7). The others are ignored and counted (as most
   * implementations do); the session stays up.
   */
  admits(set: RawNlriSet): boolean {
    const fk = familyKey(set.afi, set.safi);
    if (!this.accepted.has(fk)) this.counters.unnegotiatedFamily += nlriCount(set);
    else if (this.disabled.has(fk)) this.counters.disabledFamily += nlriCount(set);
    else return true;
    return false;
  }

  /** RFC 4760 7 / RFC 7606 2: ignore the family's routes for the rest of the session. */
  disable(family: Family): number {
    const fk = familyKey(family.afi, family.safi);
    this.disabled.add(fk);
    return fk;
  }

  /**
   * RFC 4271 6.3: why this announced set's next hop cannot be used (its routes are then
   * counted and must not be installed), or undefined.
   */
  badNextHop(set: RawNlriSet): string | undefined {
    const problem = nextHopProblem(set.nextHops, this.localAddress);
    if (problem === undefined) return undefined;
    this.counters.invalidNextHop += nlriCount(set);
    return `next hop ${set.nextHops![0]} (${problem}) of AFI ${set.afi} SAFI ${set.safi}`;
  }
}

/**
 * Call `fn` for every item; when some throw (a listener of an event it emits), the others still
 * run and the first error is thrown at the end: the RIB is left consistent for containment.
 */
export function eachThenThrow<T>(items: Iterable<T>, fn: (item: T) => void): void {
  let fault: { error: unknown } | undefined;
  for (const item of items) {
    try {
      fn(item);
    } catch (error) {
      fault ??= { error };
    }
  }
  if (fault !== undefined) throw fault.error;
}
