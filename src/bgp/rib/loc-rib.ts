/**
 * Loc-RIB of one family (RFC 4271 3.2): per destination every candidate path and the best one.
 * A destination with a single path is stored as that Route itself (no wrapper object): at a
 * million routes from one peer this is the common case and saves a Dest and an array each.
 *
 * The table is a Map keyed by a 30-bit hash of the route key (a small integer), not by the key
 * string: a lookup of a string in a million-entry Map reads the stored key strings of its hash
 * chain (a cache miss each) even when the key is absent, an integer key is compared in place.
 * The destination found is then checked against the full key; destinations whose keys share a
 * hash (a few hundred pairs in a million) are kept together in a `Collided` list.
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

type Entry = Route | Dest;

/** Destinations whose keys have the same hash. */
class Collided {
  constructor(readonly entries: Entry[]) {}
}

function keyOf(e: Entry): string {
  return e instanceof Route ? e.key : e.best.key;
}

/**
 * A 30-bit hash of a route key (FNV-1a over its char codes, then a murmur3-style finish), so
 * that it is a V8 small integer. Exported for tests that need two keys with one hash.
 */
export function keyHash(key: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x3fffffff;
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
  private readonly dests = new Map<number, Entry | Collided>();
  private count = 0;
  /** What the last `path` lookup found (for an `update` of the same key right after). */
  private lastKey: string | undefined;
  private lastHash = 0;
  private lastDest: Entry | undefined;
  private lastFound: Entry | Collided | undefined;
  private found: Entry | Collided | undefined;
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
    return this.count;
  }

  /** The destination of a key with that key's hash; `found` holds what the Map had for the hash. */
  private find(key: string, h: number): Entry | undefined {
    const e = this.dests.get(h);
    this.found = e;
    if (e === undefined) return undefined;
    if (!(e instanceof Collided)) return keyOf(e) === key ? e : undefined;
    for (const x of e.entries) if (keyOf(x) === key) return x;
    return undefined;
  }

  /** Store `e` as the destination of `key` (replacing the one there, or adding). */
  private put(key: string, h: number, e: Entry): void {
    const cur = this.dests.get(h);
    if (cur === undefined) {
      this.dests.set(h, e);
      this.count++;
    } else if (cur instanceof Collided) {
      const list = cur.entries;
      let i = 0;
      while (i < list.length && keyOf(list[i]!) !== key) i++;
      if (i === list.length) this.count++;
      list[i] = e;
    } else if (keyOf(cur) === key) {
      this.dests.set(h, e);
    } else {
      this.dests.set(h, new Collided([cur, e]));
      this.count++;
    }
  }

  /** Remove the destination of `key`. */
  private drop(key: string, h: number): void {
    const cur = this.dests.get(h);
    if (cur === undefined) return;
    if (!(cur instanceof Collided)) {
      if (keyOf(cur) !== key) return;
      this.dests.delete(h);
      this.count--;
      return;
    }
    const list = cur.entries;
    const i = list.findIndex((x) => keyOf(x) === key);
    if (i < 0) return;
    list.splice(i, 1);
    this.count--;
    if (list.length === 1) this.dests.set(h, list[0]!);
  }

  /** The best path to a destination. */
  best(key: string): Route | undefined {
    const d = this.find(key, keyHash(key));
    return d === undefined ? undefined : d instanceof Route ? d : d.best;
  }

  /** Every path to a destination (best first is not guaranteed). */
  paths(key: string): readonly Route[] {
    const d = this.find(key, keyHash(key));
    return d === undefined ? [] : d instanceof Route ? [d] : d.paths;
  }

  /** The path of one peer (and path id) to a destination. */
  path(key: string, peer: RibPeer, pathId: number): Route | undefined {
    const h = keyHash(key);
    const d = this.find(key, h);
    // remembered for an `update` of the same key right after (one hash lookup instead of two)
    this.lastKey = key;
    this.lastHash = h;
    this.lastDest = d;
    this.lastFound = this.found;
    if (d === undefined) return undefined;
    if (d instanceof Route) return d.peer === peer && d.pathId === pathId ? d : undefined;
    for (const p of d.paths) if (p.peer === peer && p.pathId === pathId) return p;
    return undefined;
  }

  /** Every destination, in the order their hashes were first stored. */
  private *entries(): IterableIterator<Entry> {
    for (const e of this.dests.values()) {
      // a copy: a list changed during a lazy walk must not skip an entry
      if (e instanceof Collided) yield* e.entries.slice();
      else yield e;
    }
  }

  /** Every path of one peer (a scan of the table: for peer-down, stale sweeps and views). */
  *pathsOf(peer: RibPeer): IterableIterator<Route> {
    for (const d of this.entries()) {
      if (d instanceof Route) {
        if (d.peer === peer) yield d;
      } else {
        for (const p of d.paths) if (p.peer === peer) yield p;
      }
    }
  }

  /** Every destination's paths, best first (the array is a copy only when there are several). */
  *destinations(): IterableIterator<readonly Route[]> {
    for (const d of this.entries()) {
      if (d instanceof Route) yield [d];
      else yield [d.best, ...d.paths.filter((p) => p !== d.best)];
    }
  }

  /** Iterate the best path of every destination. */
  *bests(): IterableIterator<Route> {
    for (const d of this.entries()) yield d instanceof Route ? d : d.best;
  }

  /** Destination keys. */
  *keys(): IterableIterator<string> {
    for (const d of this.entries()) yield keyOf(d);
  }

  /**
   * Add a path, or replace the path with the same peer and path id. Returns what happened to
   * the best path; `previous` and `current` hold the paths involved.
   */
  update(route: Route): BestChange {
    const key = route.key;
    const same = key === this.lastKey;
    const h = same ? this.lastHash : keyHash(key);
    const d = same ? this.lastDest : this.find(key, h);
    const found = same ? this.lastFound : this.found;
    this.lastKey = undefined;
    this.lastDest = undefined;
    this.lastFound = undefined;
    this.found = undefined;
    this.replaced = undefined;
    if (d === undefined) {
      // a new destination: nothing stored under its hash is the common case (no second lookup)
      if (found === undefined) {
        this.dests.set(h, route);
        this.count++;
      } else this.put(key, h, route);
      this.previous = undefined;
      this.current = route;
      return BestChange.added;
    }
    if (d instanceof Route) {
      this.previous = d;
      if (d.peer === route.peer && d.pathId === route.pathId) {
        this.replaced = d;
        this.put(key, h, route);
        this.current = route;
        return BestChange.replaced;
      }
      const both = [d, route];
      const best = bestPath(both, this.options)!;
      this.put(key, h, new Dest(both, best));
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
    const h = keyHash(key);
    const d = this.find(key, h);
    this.found = undefined;
    this.lastKey = undefined;
    this.lastDest = undefined;
    this.lastFound = undefined;
    this.previous = undefined;
    this.current = undefined;
    this.removed = undefined;
    if (d === undefined) return BestChange.none;
    if (d instanceof Route) {
      if (d.peer !== peer || d.pathId !== pathId) {
        this.current = d;
        return BestChange.none;
      }
      this.drop(key, h);
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
      this.put(key, h, only);
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
