/**
 * Adj-RIB-In of one peer (RFC 4271 3.2), after import policy.
 *
 * The routes themselves live once, in the Loc-RIB's destinations (every candidate path is kept
 * there anyway for the decision process): a second per-peer Map would cost a hash-table entry
 * per route (about 60 bytes and two more hash operations at a million routes). This class is
 * the per-peer view: route counts per family (max-prefix), lookups, scans for peer-down, and the
 * stale marks of graceful restart (RFC 4724 4.2) and enhanced route refresh (RFC 7313 4).
 */
import type { LocRib } from './loc-rib.js';
import type { RibPeer, Route } from './route.js';

export class AdjRibIn {
  private readonly counts = new Map<number, number>();
  /** Routes of every family (max-prefix reads it once per new route). */
  private total = 0;
  /** Routes marked stale (GR, enhanced refresh): memory only while a restart or refresh runs. */
  private readonly staleRoutes = new Set<Route>();

  constructor(
    private readonly peer: RibPeer,
    private readonly ribs: (family: number) => LocRib | undefined,
  ) {}

  /** Families this peer has (or had) routes in. */
  families(): number[] {
    return [...this.counts.keys()];
  }

  /** Routes of one family, or of every family. */
  count(family?: number): number {
    if (family !== undefined) return this.counts.get(family) ?? 0;
    return this.total;
  }

  /** Note a route added (+1) or removed (-1). */
  adjust(family: number, delta: number): void {
    this.counts.set(family, (this.counts.get(family) ?? 0) + delta);
    this.total += delta;
  }

  /** This peer's path to a destination. */
  get(family: number, key: string, pathId: number): Route | undefined {
    return this.ribs(family)?.path(key, this.peer, pathId);
  }

  /** This peer's routes of a family (a scan of the Loc-RIB). */
  *routes(family: number): IterableIterator<Route> {
    const rib = this.ribs(family);
    if (rib !== undefined && (this.counts.get(family) ?? 0) > 0) yield* rib.pathsOf(this.peer);
  }

  /** RFC 4724 4.2 / RFC 7313 4: mark every route of the families as stale; returns how many. */
  markStale(families?: Iterable<number>): number {
    let n = 0;
    for (const f of families ?? this.families()) {
      for (const r of this.routes(f)) {
        this.staleRoutes.add(r);
        n++;
      }
    }
    return n;
  }

  /** Whether a route is marked stale. */
  isStale(r: Route): boolean {
    return this.staleRoutes.size > 0 && this.staleRoutes.has(r);
  }

  /** The route was re-advertised, replaced or removed: it is not stale any more. */
  unstale(r: Route): void {
    if (this.staleRoutes.size > 0) this.staleRoutes.delete(r);
  }

  /** The routes of a family still marked stale (collected first: the caller removes them). */
  stale(family: number): Route[] {
    const out: Route[] = [];
    for (const r of this.staleRoutes) if (this.ribs(family)?.path(r.key, this.peer, r.pathId) === r) out.push(r);
    return out;
  }

  /** Whether any route is stale. */
  hasStale(): boolean {
    return this.staleRoutes.size > 0;
  }

  /** Every route of a family (collected first: the caller removes them). */
  all(family: number): Route[] {
    return [...this.routes(family)];
  }
}
