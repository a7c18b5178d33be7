/**
 * Properties of the decision process and the Loc-RIB (fast-check): the best path does not
 * depend on the order the paths arrived in (MED elimination included), and after any sequence
 * of updates and removals every destination's best is the decision process's choice among the
 * paths it holds, with the change codes telling the truth.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttrTable, ipv4ToNumber, localAttributesKey } from '../../src/bgp/rib/attr-set.js';
import { bestPath, compareRoutes } from '../../src/bgp/rib/decision.js';
import { BestChange, LocRib } from '../../src/bgp/rib/loc-rib.js';
import { addressRank, newRoute, nlriBytes, Route, type RibPeer } from '../../src/bgp/rib/route.js';
import type { ExtendedCommunity, PathAttribute } from '../../src/bgp/types.js';
import { macMobilityPreference } from '../../src/evpn/preference.js';

/** The properties hold with EVPN's own decision step (MAC mobility) in front, as the speaker runs it. */
const evpn = { preference: macMobilityPreference };

const tables = new Map<RibPeer, AttrTable>();
const tableOf = (p: RibPeer): AttrTable => { let t = tables.get(p); if (t === undefined) tables.set(p, (t = new AttrTable(p))); return t; };
const nlri = Buffer.from([24, 10, 1, 2]);

const peers: RibPeer[] = Array.from({ length: 8 }, (_, i) => {
  const address = `10.0.0.${i + 1}`;
  return { address, asn: i % 2 === 0 ? 65000 : 65100 + i, routerId: ipv4ToNumber(`9.9.9.${(i * 5) % 8}`), addressRank: addressRank(address), ibgp: i % 2 === 0, rrClient: false, local: false };
});

const attrsArb = fc.record({
  localPref: fc.option(fc.constantFrom(50, 100, 200), { nil: undefined }),
  neighbor: fc.constantFrom(1, 2),
  pathLen: fc.integer({ min: 0, max: 3 }),
  origin: fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const),
  med: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  clusterLen: fc.integer({ min: 0, max: 2 }),
  seq: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
});
type A = typeof attrsArb extends fc.Arbitrary<infer T> ? T : never;

function attrsOf(a: A): PathAttribute[] {
  const out: PathAttribute[] = [
    { type: 'origin', value: a.origin },
    { type: 'as-path', segments: a.pathLen === 0 ? [] : [{ type: 'sequence', asns: [a.neighbor, ...Array.from({ length: a.pathLen - 1 }, () => 7)] }] },
  ];
  if (a.localPref !== undefined) out.push({ type: 'local-pref', value: a.localPref });
  if (a.med !== undefined) out.push({ type: 'med', value: a.med });
  if (a.clusterLen > 0) out.push({ type: 'cluster-list', values: Array.from({ length: a.clusterLen }, (_, i) => `1.1.1.${i}`) });
  if (a.seq !== undefined) out.push({ type: 'extended-communities', values: [{ kind: 'mac-mobility', sequence: a.seq, sticky: false } as ExtendedCommunity] });
  return out;
}

function routeOf(peer: RibPeer, a: A, key = 'd'): Route {
  const attrs = attrsOf(a);
  return newRoute(nlriBytes(nlri, 0, nlri.length), key, tableOf(peer).intern(localAttributesKey(attrs, []), attrs, []), -1);
}

/** The RFC 4271 9.1.2.2 elimination written out naively, as an oracle. */
function oracle(routes: Route[]): Route {
  const tuple = (r: Route) => {
    const a = r.attrs;
    return [-a.rankFor(macMobilityPreference), -(a.localPref ?? 100), r.peer.local ? 0 : 1, a.asPathLength, a.origin];
  };
  const lexLess = (x: number[], y: number[]) => { for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!; return false; };
  let c = routes.filter((r) => !routes.some((o) => lexLess(tuple(o), tuple(r))));
  c = c.filter((r) => !c.some((o) => o.attrs.neighborAs === r.attrs.neighborAs && o.attrs.med < r.attrs.med));
  const rest = (r: Route) => [r.peer.ibgp ? 1 : 0, r.attrs.originatorId >= 0 ? r.attrs.originatorId : r.peer.routerId, r.attrs.clusterList.length];
  c = c.filter((r) => !c.some((o) => lexLess(rest(o), rest(r))));
  return c.reduce((m, r) => (r.peer.addressRank < m.peer.addressRank ? r : m));
}

describe('decision process properties', () => {
  it('the best path does not depend on arrival order (MED groups included)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: peers.length - 1 }), { minLength: 1, maxLength: 6 }).chain((idx) =>
          fc.tuple(fc.constant(idx), fc.array(attrsArb, { minLength: idx.length, maxLength: idx.length }), fc.infiniteStream(fc.nat())),
        ),
        ([idx, attrs, rnd]) => {
          const routes = idx.map((p, i) => routeOf(peers[p]!, attrs[i]!));
          const best = bestPath(routes, evpn)!;
          expect(best).toBe(oracle(routes));
          // a random permutation
          const shuffled = [...routes];
          const it = rnd[Symbol.iterator]();
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = it.next().value! % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          expect(bestPath(shuffled, evpn)).toBe(best);
          expect(bestPath([...routes].reverse(), evpn)).toBe(best);
          // with two paths it is exactly the pairwise comparison, and that is antisymmetric
          if (routes.length >= 2) {
            const [x, y] = routes as [Route, Route];
            expect(Math.sign(compareRoutes(x, y, evpn))).toBe(-Math.sign(compareRoutes(y, x, evpn)));
            expect(bestPath([x, y], evpn)).toBe(compareRoutes(x, y, evpn) < 0 ? x : y);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Loc-RIB: after any updates and removals each best is the choice among its paths', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('update' as const), peer: fc.integer({ min: 0, max: 5 }), key: fc.constantFrom('a', 'b', 'c'), attrs: attrsArb }),
      fc.record({ kind: fc.constant('remove' as const), peer: fc.integer({ min: 0, max: 5 }), key: fc.constantFrom('a', 'b', 'c') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const rib = new LocRib(evpn);
        const model = new Map<string, Map<RibPeer, Route>>();
        for (const o of ops) {
          const peer = peers[o.peer]!;
          const paths = model.get(o.key) ?? new Map<RibPeer, Route>();
          model.set(o.key, paths);
          const before = bestPath([...paths.values()], evpn);
          let change: BestChange;
          if (o.kind === 'update') {
            const r = routeOf(peer, o.attrs, o.key);
            change = rib.update(r);
            paths.set(peer, r);
          } else {
            change = rib.removePath(o.key, peer, -1);
            expect(rib.removed).toBe(paths.get(peer));
            paths.delete(peer);
          }
          const after = bestPath([...paths.values()], evpn);
          expect(rib.best(o.key)).toBe(after);
          const expected = before === after ? BestChange.none : before === undefined ? BestChange.added : after === undefined ? BestChange.withdrawn : BestChange.replaced;
          expect(change).toBe(expected);
          expect(new Set(rib.paths(o.key))).toEqual(new Set(paths.values()));
        }
        expect(rib.size).toBe([...model.values()].filter((m) => m.size > 0).length);
      }),
      { numRuns: 300 },
    );
  });
});
