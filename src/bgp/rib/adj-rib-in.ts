/**
 * Adj-RIB-In of one peer (RFC 4271 3.2), after import policy: per family, path key -> Route.
 * Also the stale marks of graceful restart (RFC 4724 4.2).
 */
import { pathKey, type Route } from './route.js';

export class AdjRibIn {
  private readonly tables = new Map<number, Map<string, Route>>();

  /** The table of a family (created on first use). */
  table(family: number): Map<string, Route> {
    let t = this.tables.get(family);
    if (t === undefined) {
      t = new Map();
      this.tables.set(family, t);
    }
    return t;
  }

  /** Families that have a table. */
  families(): IterableIterator<number> {
    return this.tables.keys();
  }

  get(family: number, key: string, pathId: number): Route | undefined {
    return this.tables.get(family)?.get(pathKey(key, pathId));
  }

  /** Store a route; returns the one it replaces. */
  set(family: number, route: Route): Route | undefined {
    const t = this.table(family);
    const k = pathKey(route.key, route.pathId);
    const old = t.get(k);
    t.set(k, route);
    return old;
  }

  /** Remove a route by key; returns it. */
  delete(family: number, key: string, pathId: number): Route | undefined {
    const t = this.tables.get(family);
    if (t === undefined) return undefined;
    const k = pathKey(key, pathId);
    const old = t.get(k);
    if (old !== undefined) t.delete(k);
    return old;
  }

  /** Routes of one family, or of every family. */
  count(family?: number): number {
    if (family !== undefined) return this.tables.get(family)?.size ?? 0;
    let n = 0;
    for (const t of this.tables.values()) n += t.size;
    return n;
  }

  /** RFC 4724 4.2: mark every route of the families as stale; returns how many. */
  markStale(families?: Iterable<number>): number {
    let n = 0;
    for (const f of families ?? [...this.tables.keys()]) {
      const t = this.tables.get(f);
      if (t === undefined) continue;
      for (const r of t.values()) {
        r.stale = true;
        n++;
      }
    }
    return n;
  }

  /** Remove and return the routes of a family still marked stale (End-of-RIB or restart timer). */
  sweepStale(family: number): Route[] {
    const t = this.tables.get(family);
    const out: Route[] = [];
    if (t === undefined) return out;
    for (const [k, r] of t) {
      if (r.stale) {
        t.delete(k);
        out.push(r);
      }
    }
    return out;
  }

  /** Remove and return every route of a family (or of all families). */
  clear(family?: number): Route[] {
    const out: Route[] = [];
    for (const [f, t] of this.tables) {
      if (family !== undefined && f !== family) continue;
      for (const r of t.values()) out.push(r);
      t.clear();
    }
    return out;
  }
}
