/**
 * The decision process: RFC 4271 9.1 (with RFC 4456 9 for reflected routes), after a family's
 * own first step where its codec has one (EVPN registers RFC 7432 15 MAC mobility).
 *
 * Order (lower step decides first):
 *  0. The family's `PathPreference`: the higher rank wins (EVPN: sticky MAC, then MAC Mobility
 *     sequence). Families without one skip it.
 *  1. RFC 4271 9.1.1: higher LOCAL_PREF (absent = `defaultLocalPref`).
 *  2. A route we originate over a learned one (common practice; RFC 4271 leaves it to policy).
 *  3. RFC 4271 9.1.2.2 a: shorter AS_PATH (AS_SET counts 1, confederation segments 0).
 *  4. 9.1.2.2 b: lower ORIGIN.
 *  5. 9.1.2.2 c: lower MED, only among routes from the same neighbour AS unless always-compare.
 *  6. 9.1.2.2 d: eBGP over iBGP.  (e: IGP cost is skipped: no IGP here.)
 *  7. 9.1.2.2 f / RFC 4456 9: lower BGP identifier, ORIGINATOR_ID standing in for it.
 *  8. RFC 4456 9: shorter CLUSTER_LIST.
 *  9. 9.1.2.2 g: lower peer address.  (Then the lower path id, for a total order.)
 */
import type { PathPreference } from '../families.js';
import type { Route } from './route.js';

export interface DecisionOptions {
  /** RFC 4271 5.1.5 default when LOCAL_PREF is absent. Default 100. */
  readonly defaultLocalPref?: number;
  /** Compare MED between routes from different neighbour ASes. Default false. */
  readonly alwaysCompareMed?: boolean;
  /**
   * Step 0, the family's own preference. The speaker sets it per Loc-RIB from the family's
   * codec (`NlriCodec.preference`); pass it yourself when calling `bestPath` directly.
   */
  readonly preference?: PathPreference;
}

const defaults: DecisionOptions = { defaultLocalPref: 100, alwaysCompareMed: false };

/**
 * Compare two paths to the same destination on every step but MED-across-groups:
 * negative when `a` is better, positive when `b` is, 0 only for the same path.
 * For two paths this is exactly the RFC (MED is compared when the neighbour AS matches).
 */
export function compareRoutes(a: Route, b: Route, options: DecisionOptions = defaults): number {
  const d = beforeMed(a, b, options);
  if (d !== 0) return d;
  const x = a.attrs;
  const y = b.attrs;
  // RFC 4271 9.1.2.2 c
  if ((options.alwaysCompareMed ?? false) || x.neighborAs === y.neighborAs) {
    if (x.med !== y.med) return x.med < y.med ? -1 : 1;
  }
  return afterMed(a, b);
}

/** Steps 0-4. */
function beforeMed(a: Route, b: Route, options: DecisionOptions): number {
  const x = a.attrs;
  const y = b.attrs;
  if (x !== y) {
    const pref = options.preference;
    if (pref !== undefined) {
      const rx = x.rankFor(pref);
      const ry = y.rankFor(pref);
      if (rx !== ry) return rx > ry ? -1 : 1;
    }
    const dl = options.defaultLocalPref ?? 100;
    const lx = x.localPref ?? dl;
    const ly = y.localPref ?? dl;
    if (lx !== ly) return lx > ly ? -1 : 1;
  }
  if (a.peer.local !== b.peer.local) return a.peer.local ? -1 : 1;
  if (x !== y) {
    if (x.asPathLength !== y.asPathLength) return x.asPathLength < y.asPathLength ? -1 : 1;
    if (x.origin !== y.origin) return x.origin < y.origin ? -1 : 1;
  }
  return 0;
}

/** Steps 6-9 (a total order). */
function afterMed(a: Route, b: Route): number {
  const pa = a.peer;
  const pb = b.peer;
  // RFC 4271 9.1.2.2 d
  if (pa.ibgp !== pb.ibgp) return pa.ibgp ? 1 : -1;
  // RFC 4456 9: ORIGINATOR_ID is treated as the BGP identifier.
  const ia = a.attrs.originatorId >= 0 ? a.attrs.originatorId : pa.routerId;
  const ib = b.attrs.originatorId >= 0 ? b.attrs.originatorId : pb.routerId;
  if (ia !== ib) return ia < ib ? -1 : 1;
  // RFC 4456 9: shorter CLUSTER_LIST.
  const ca = a.attrs.clusterList.length;
  const cb = b.attrs.clusterList.length;
  if (ca !== cb) return ca < cb ? -1 : 1;
  // RFC 4271 9.1.2.2 g
  if (pa.addressRank !== pb.addressRank) return pa.addressRank < pb.addressRank ? -1 : 1;
  return a.pathId - b.pathId;
}

/**
 * The best of several paths to one destination. With three or more paths MED is applied as
 * RFC 4271 9.1.2.2 c says (per neighbour AS group, by elimination), which no pairwise
 * comparison can do because MED is not transitive.
 */
export function bestPath(paths: readonly Route[], options: DecisionOptions = defaults): Route | undefined {
  const n = paths.length;
  if (n <= 1) return paths[0];
  if (n === 2) return compareRoutes(paths[0]!, paths[1]!, options) <= 0 ? paths[0] : paths[1];
  // steps 0-4: keep everything that ties with the best so far
  let cands: Route[] = [paths[0]!];
  for (let i = 1; i < n; i++) {
    const p = paths[i]!;
    const d = beforeMed(p, cands[0]!, options);
    if (d < 0) cands = [p];
    else if (d === 0) cands.push(p);
  }
  // step 5: remove any route whose MED is higher than another's in the same neighbour AS group
  if (cands.length > 1) {
    const always = options.alwaysCompareMed ?? false;
    cands = cands.filter((r) => !cands.some((o) => o !== r && (always || o.attrs.neighborAs === r.attrs.neighborAs) && o.attrs.med < r.attrs.med));
  }
  // steps 6-9
  let best = cands[0]!;
  for (let i = 1; i < cands.length; i++) if (afterMed(cands[i]!, best) < 0) best = cands[i]!;
  return best;
}
