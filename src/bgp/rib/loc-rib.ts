/**
 * Loc-RIB of one family (RFC 4271 3.2): per destination every candidate path and the best one.
 * A destination with a single path is stored as that Route itself (no wrapper object): at a
 * million routes from one peer this is the common case and saves a Dest and an array each.
 */
import { bestPath, type DecisionOptions } from './decision.js';
import { Route, type RibPeer } from './route.js';

/** A destination with two or more paths. */
export class Dest {
  constructor(
    public paths: Route[],
    public best: Route,
  ) {}
}

/** What an update of the Loc-RIB did to the best path of a destination. */
export const BestChange = {
  none: 0,
  /** A destination that had no best now has one. */
  added: 1,
  /** The best path of the destination is another one now (or its attributes changed). */
  replaced: 2,
  /** The destination has no path left. */
  withdrawn: 3,
} as const;
export type BestChange = (typeof BestChange)[keyof typeof BestChange];

export class LocRib {
  private readonly dests = new Map<string, Route | Dest>();
  private lastKey: string | undefined;
  private lastDest: Route | Dest | undefined;
  /** The path that the last `removePath` took out, or undefined. */
  removed: Route | undefined;
  /** The path of the same peer and path id that the last `update` replaced, or undefined. */
  replaced: Route | undefined;
  /** The best path before the last `update`/`remove` (for `replaced` and `withdrawn`). */
  previous: Route | undefined;
  /** The best path after the last `update`/`remove` (for `added` and `replaced`). */
  current: Route | undefined;

  constructor(private readonly options: DecisionOptions = {}) {}

  /** Number of destinations. */
  get size(): number {
    return this.dests.size;
  }

  /** The best path to a destination. */
  best(key: string): Route | undefined {
    const d = this.dests.get(key);
    return d === undefined ? undefined : d instanceof Route ? d : d.best;
  }

  /** Every path to a destination (best first is not guaranteed). */
  paths(key: string): readonly Route[] {
    const d = this.dests.get(key);
    return d === undefined ? [] : d instanceof Route ? [d] : d.paths;
  }

  /** The path of one peer (and path id) to a destination. */
  path(key: string, peer: RibPeer, pathId: number): Route | undefined {
    const d = this.dests.get(key);
    // remembered for an `update` of the same key right after (one hash lookup instead of two)
    this.lastKey = key;
    this.lastDest = d;
    if (d === undefined) return undefined;
    if (d instanceof Route) return d.peer === peer && d.pathId === pathId ? d : undefined;
    for (const p of d.paths) if (p.peer === peer && p.pathId === pathId) return p;
    return undefined;
  }

  /** Every path of one peer (a scan of the table: for peer-down, stale sweeps and views). */
  *pathsOf(peer: RibPeer): IterableIterator<Route> {
    for (const d of this.dests.values()) {
      if (d instanceof Route) {
        if (d.peer === peer) yield d;
      } else {
        for (const p of d.paths) if (p.peer === peer) yield p;
      }
    }
  }

  /** Iterate the best path of every destination. */
  *bests(): IterableIterator<Route> {
    for (const d of this.dests.values()) yield d instanceof Route ? d : d.best;
  }

  /** Destination keys. */
  keys(): IterableIterator<string> {
    return this.dests.keys();
  }

  /**
   * Add a path, or replace the path with the same peer and path id. Returns what happened to
   * the best path; `previous` and `current` hold the paths involved.
   */
  update(route: Route): BestChange {
    const key = route.key;
    const d = key === this.lastKey ? this.lastDest : this.dests.get(key);
    this.lastKey = undefined;
    this.lastDest = undefined;
    this.replaced = undefined;
    if (d === undefined) {
      this.dests.set(key, route);
      this.previous = undefined;
      this.current = route;
      return BestChange.added;
    }
    if (d instanceof Route) {
      this.previous = d;
      if (d.peer === route.peer && d.pathId === route.pathId) {
        this.replaced = d;
        this.dests.set(key, route);
        this.current = route;
        return BestChange.replaced;
      }
      const both = [d, route];
      const best = bestPath(both, this.options)!;
      this.dests.set(key, new Dest(both, best));
      this.current = best;
      return best === d ? BestChange.none : BestChange.replaced;
    }
    const paths = d.paths;
    let i = 0;
    while (i < paths.length && !(paths[i]!.peer === route.peer && paths[i]!.pathId === route.pathId)) i++;
    this.replaced = paths[i];
    paths[i] = route;
    return this.reselect(d);
  }

  /** Remove the path of `route`'s peer and path id. Returns what happened to the best path. */
  remove(route: Route): BestChange {
    return this.removePath(route.key, route.peer, route.pathId);
  }

  /**
   * Remove the path of a peer (and path id) to a destination; `removed` holds it afterwards
   * (undefined when there was none). Returns what happened to the best path.
   */
  removePath(key: string, peer: RibPeer, pathId: number): BestChange {
    const d = this.dests.get(key);
    this.lastKey = undefined;
    this.lastDest = undefined;
    this.previous = undefined;
    this.current = undefined;
    this.removed = undefined;
    if (d === undefined) return BestChange.none;
    if (d instanceof Route) {
      if (d.peer !== peer || d.pathId !== pathId) {
        this.current = d;
        return BestChange.none;
      }
      this.dests.delete(key);
      this.previous = d;
      this.removed = d;
      return BestChange.withdrawn;
    }
    const paths = d.paths;
    let i = 0;
    while (i < paths.length && !(paths[i]!.peer === peer && paths[i]!.pathId === pathId)) i++;
    if (i === paths.length) {
      this.current = d.best;
      return BestChange.none;
    }
    this.removed = paths[i];
    paths.splice(i, 1);
    if (paths.length === 1) {
      const only = paths[0]!;
      this.dests.set(key, only);
      this.previous = d.best;
      this.current = only;
      return only === d.best ? BestChange.none : BestChange.replaced;
    }
    return this.reselect(d);
  }

  private reselect(d: Dest): BestChange {
    const old = d.best;
    const best = bestPath(d.paths, this.options)!;
    d.best = best;
    this.previous = old;
    this.current = best;
    // a path replaced by a newer version of itself is a replacement too (attributes changed)
    if (best !== old) return BestChange.replaced;
    return BestChange.none;
  }
}
