import { describe, expect, it } from 'vitest';
import { AttrTable, localAttributesKey, pathLength } from '../../src/bgp/rib/attr-set.js';
import { bestPath, compareRoutes } from '../../src/bgp/rib/decision.js';
import { BestChange, LocRib } from '../../src/bgp/rib/loc-rib.js';
import { AdjRibIn } from '../../src/bgp/rib/adj-rib-in.js';
import { addressRank, newRoute, nlriBytes, Route, type RibPeer } from '../../src/bgp/rib/route.js';
import { asPathContains, exportAttributes, loopCheck, mayAdvertise } from '../../src/bgp/rib/reflection.js';
import { ipv4ToNumber } from '../../src/bgp/rib/attr-set.js';
import type { PathAttribute } from '../../src/bgp/types.js';
import { macMobilityPreference } from '../../src/evpn/preference.js';

const tables = new Map<RibPeer, AttrTable>();
const tableOf = (p: RibPeer): AttrTable => { let t = tables.get(p); if (t === undefined) tables.set(p, (t = new AttrTable(p))); return t; };

function peer(address: string, o: Partial<Omit<RibPeer, 'address' | 'addressRank'>> = {}): RibPeer {
  return {
    address,
    asn: o.asn ?? 65001,
    routerId: o.routerId ?? ipv4ToNumber(address),
    addressRank: addressRank(address),
    ibgp: o.ibgp ?? true,
    rrClient: o.rrClient ?? false,
    local: o.local ?? false,
  };
}

function route(p: RibPeer, attrs: PathAttribute[], o: { key?: string; pathId?: number; nh?: string[] } = {}): Route {
  const nh = o.nh ?? [];
  const set = tableOf(p).intern(localAttributesKey(attrs, nh), attrs, nh);
  const nlri = Buffer.from([24, 10, 0, 0]);
  return newRoute(nlriBytes(nlri, 0, nlri.length), o.key ?? 'k', set, o.pathId ?? -1);
}

const seq = (...asns: number[]) => ({ type: 'as-path' as const, segments: [{ type: 'sequence' as const, asns }] });
const a = peer('10.0.0.1');
const b = peer('10.0.0.2');
const mm = (sequence: number, sticky = false) => ({ type: 'extended-communities' as const, values: [{ kind: 'mac-mobility', sequence, sticky }] });

/** The speaker ranks EVPN paths with the family's own step; the others ignore it (no community). */
const evpn = { preference: macMobilityPreference };

function winner(x: Route, y: Route): Route {
  const c = compareRoutes(x, y, evpn);
  expect(Math.sign(compareRoutes(y, x, evpn))).toBe(-Math.sign(c));
  expect(bestPath([x, y], evpn)).toBe(c < 0 ? x : y);
  return c < 0 ? x : y;
}

describe('decision process (RFC 4271 9.1, RFC 4456 9, RFC 7432 15)', () => {
  it('MAC mobility: the higher sequence wins before LOCAL_PREF; a missing community is 0', () => {
    const lo = route(b, [seq(), { type: 'local-pref', value: 500 }, mm(1)]);
    const hi = route(a, [seq(), { type: 'local-pref', value: 100 }, mm(2)]);
    expect(winner(lo, hi)).toBe(hi);
    const none = route(a, [seq(), { type: 'local-pref', value: 500 }]);
    expect(winner(none, route(b, [seq(), mm(1)]))).not.toBe(none);
    // sequence 0 equals "no community": falls through to LOCAL_PREF
    expect(winner(none, route(b, [seq(), mm(0)]))).toBe(none);
  });
  it('MAC mobility: a sticky MAC beats a higher sequence', () => {
    const sticky = route(b, [seq(), mm(1, true)]);
    expect(winner(route(a, [seq(), mm(9)]), sticky)).toBe(sticky);
  });
  it('MAC mobility is EVPN\'s own step: without the family preference LOCAL_PREF decides', () => {
    const lo = route(b, [seq(), { type: 'local-pref', value: 500 }, mm(1)]);
    const hi = route(a, [seq(), { type: 'local-pref', value: 100 }, mm(2)]);
    expect(compareRoutes(lo, hi)).toBeLessThan(0);
    expect(bestPath([lo, hi])).toBe(lo);
    expect(bestPath([lo, hi], evpn)).toBe(hi);
  });
  it('higher LOCAL_PREF wins; absent counts as 100', () => {
    const x = route(b, [seq(1, 2, 3), { type: 'local-pref', value: 200 }]);
    const y = route(a, [seq()]);
    expect(winner(x, y)).toBe(x);
    const z = route(b, [seq(), { type: 'local-pref', value: 99 }]);
    expect(winner(y, z)).toBe(y);
  });
  it('a locally originated route wins over a learned one after LOCAL_PREF', () => {
    const mine = route(peer('0.0.0.0', { local: true }), [seq(1, 2)]);
    expect(winner(route(a, [seq()]), mine)).toBe(mine);
  });
  it('shorter AS_PATH wins; AS_SET counts 1, confederation segments 0', () => {
    expect(pathLength([{ type: 'sequence', asns: [1, 2] }, { type: 'set', asns: [3, 4, 5] }, { type: 'confed-sequence', asns: [7, 8] }])).toBe(3);
    const short = route(b, [{ type: 'as-path', segments: [{ type: 'sequence', asns: [1] }, { type: 'set', asns: [2, 3, 4] }, { type: 'confed-sequence', asns: [9, 9, 9] }] }]);
    const long = route(a, [seq(1, 2, 3)]);
    expect(winner(short, long)).toBe(short);
  });
  it('lower ORIGIN wins', () => {
    const igp = route(b, [seq(1), { type: 'origin', value: 'igp' }]);
    const egp = route(a, [seq(1), { type: 'origin', value: 'egp' }]);
    const inc = route(a, [seq(1), { type: 'origin', value: 'incomplete' }]);
    expect(winner(igp, egp)).toBe(igp);
    expect(winner(inc, egp)).toBe(egp);
  });
  it('lower MED wins only within the same neighbour AS (unless always-compare)', () => {
    const m10 = route(b, [seq(7, 1), { type: 'med', value: 10 }]);
    const m5 = route(a, [seq(7, 2), { type: 'med', value: 5 }]);
    expect(winner(m10, m5)).toBe(m5);
    // different neighbour AS: MED ignored, router id decides (a < b)
    const other = route(b, [seq(8, 1), { type: 'med', value: 1 }]);
    const lowId = route(a, [seq(7, 1), { type: 'med', value: 50 }]);
    expect(winner(other, lowId)).toBe(lowId);
    expect(compareRoutes(other, lowId, { alwaysCompareMed: true })).toBeLessThan(0);
  });
  it('MED elimination per neighbour AS group with three paths (non-transitive case)', () => {
    const ebgp = (addr: string) => peer(addr, { ibgp: false, asn: 1 });
    // r1 (AS 7, MED 10, id .3), r2 (AS 7, MED 5, id .9), r3 (AS 8, MED 0, id .5):
    // RFC: r1 is eliminated by r2 (same AS, higher MED); of r2 and r3 the lower router id wins: r3.
    const r1 = route(ebgp('10.0.0.3'), [seq(7), { type: 'med', value: 10 }]);
    const r2 = route(ebgp('10.0.0.9'), [seq(7), { type: 'med', value: 5 }]);
    const r3 = route(ebgp('10.0.0.5'), [seq(8), { type: 'med', value: 0 }]);
    for (const order of [[r1, r2, r3], [r3, r2, r1], [r2, r1, r3], [r1, r3, r2]]) expect(bestPath(order)).toBe(r3);
    // pairwise r1 vs r3 would pick r1 (lower id): the elimination matters
    expect(compareRoutes(r1, r3)).toBeLessThan(0);
  });
  it('eBGP wins over iBGP', () => {
    const e = route(peer('10.0.0.9', { ibgp: false, asn: 2 }), [seq(2)]);
    const i = route(a, [seq(2)]);
    expect(winner(e, i)).toBe(e);
  });
  it('lower router id wins; ORIGINATOR_ID stands in for it (RFC 4456 9)', () => {
    const x = route(peer('10.0.0.7', { routerId: ipv4ToNumber('1.1.1.1') }), [seq()]);
    const y = route(peer('10.0.0.6', { routerId: ipv4ToNumber('2.2.2.2') }), [seq()]);
    expect(winner(x, y)).toBe(x);
    const reflected = route(peer('10.0.0.6', { routerId: ipv4ToNumber('2.2.2.2') }), [seq(), { type: 'originator-id', value: '0.0.0.9' }]);
    expect(winner(x, reflected)).toBe(reflected);
  });
  it('shorter CLUSTER_LIST wins, then the lower peer address', () => {
    const p1 = peer('10.0.0.8', { routerId: 5 });
    const p2 = peer('10.0.0.4', { routerId: 5 });
    const long = route(p2, [seq(), { type: 'cluster-list', values: ['1.1.1.1', '2.2.2.2'] }]);
    const short = route(p1, [seq(), { type: 'cluster-list', values: ['3.3.3.3'] }]);
    expect(winner(long, short)).toBe(short);
    expect(winner(route(p1, [seq()]), route(p2, [seq()])).peer).toBe(p2);
    expect(addressRank('10.0.0.4') < addressRank('10.0.0.8')).toBe(true);
    expect(addressRank('9.255.0.0') < addressRank('10.0.0.0')).toBe(true);
    expect(addressRank('10.0.0.0') < addressRank('::1')).toBe(true);
  });
});

describe('interning', () => {
  it('10k routes with one attribute set share one object; the set is freed with the last route', () => {
    const t = new AttrTable();
    const attrs: PathAttribute[] = [{ type: 'origin', value: 'igp' }, seq(65000)];
    const sets = new Set<object>();
    const held = [];
    for (let i = 0; i < 10_000; i++) {
      // a fresh, equal attribute array per route, as a decoder would produce
      const s = t.intern('wire-key-1', structuredClone(attrs), ['192.0.2.1']);
      sets.add(s);
      held.push(s);
    }
    expect(sets.size).toBe(1);
    expect(t.size).toBe(1);
    const s = held[0]!;
    expect(s.refs).toBe(10_000);
    for (const h of held.slice(1)) t.release(h);
    expect(t.size).toBe(1);
    t.release(s);
    expect(t.size).toBe(0);
    expect(t.peek('wire-key-1')).toBeUndefined();
    // a new route with the same key gets a new set
    expect(t.intern('wire-key-1', attrs, [])).not.toBe(s);
  });
  it('local keys: equal attributes give equal keys, different next hops do not', () => {
    const x: PathAttribute[] = [seq(1), { type: 'unknown', typeCode: 99, flags: 0xc0, value: Buffer.from([1, 2]) }];
    expect(localAttributesKey(x, ['1.1.1.1'])).toBe(localAttributesKey(structuredClone(x).map((v) => v.type === 'unknown' ? { ...v, value: Buffer.from([1, 2]) } : v), ['1.1.1.1']));
    expect(localAttributesKey(x, ['1.1.1.1'])).not.toBe(localAttributesKey(x, ['1.1.1.2']));
    expect(localAttributesKey(x, [])).not.toBe(localAttributesKey([seq(1), { type: 'unknown', typeCode: 99, flags: 0xc0, value: Buffer.from([1, 3]) }], []));
  });
  it('a route copies its NLRI out of the source buffer (nothing shared outlives it)', () => {
    const src = Buffer.from([1, 2, 3, 4, 5, 0xff]);
    const r = newRoute(nlriBytes(src, 1, 6), 'k', new AttrTable().intern('a', [], []), -1);
    src.fill(0);
    expect(r.length).toBe(5);
    expect([...r.nlri]).toEqual([2, 3, 4, 5, 0xff]);
    expect(r.sameNlri(Buffer.from([9, 2, 3, 4, 5, 0xff]), 1, 6)).toBe(true);
    expect(r.sameNlri(Buffer.from([2, 3, 4, 5, 0xfe]), 0, 5)).toBe(false);
    expect(r.sameNlri(Buffer.from([2, 3, 4, 5]), 0, 4)).toBe(false);
  });
});

describe('Loc-RIB', () => {
  it('reports added, replaced, none and withdrawn', () => {
    const rib = new LocRib();
    const x = route(a, [seq(1, 2)], { key: 'd' });
    const y = route(b, [seq(1)], { key: 'd' });
    expect(rib.update(x)).toBe(BestChange.added);
    expect(rib.update(y)).toBe(BestChange.replaced);
    expect(rib.previous).toBe(x);
    expect(rib.best('d')).toBe(y);
    // a worse path from a third peer: no change
    const z = route(peer('10.0.0.3'), [seq(1, 2, 3)], { key: 'd' });
    expect(rib.update(z)).toBe(BestChange.none);
    expect(rib.paths('d')).toHaveLength(3);
    // the best withdrawn: next best takes over
    expect(rib.remove(y)).toBe(BestChange.replaced);
    expect(rib.best('d')).toBe(x);
    expect(rib.remove(z)).toBe(BestChange.none);
    // the same peer re-announcing replaces its own path
    const x2 = route(a, [seq(5)], { key: 'd' });
    expect(rib.update(x2)).toBe(BestChange.replaced);
    expect(rib.paths('d')).toEqual([x2]);
    expect(rib.remove(x2)).toBe(BestChange.withdrawn);
    expect(rib.size).toBe(0);
    expect(rib.remove(x2)).toBe(BestChange.none);
  });
  it('ADD-PATH: paths from one peer with different path ids coexist', () => {
    const rib = new LocRib();
    const p1 = route(a, [seq(1, 2)], { key: 'e', pathId: 1 });
    const p2 = route(a, [seq(1)], { key: 'e', pathId: 2 });
    rib.update(p1);
    expect(rib.update(p2)).toBe(BestChange.replaced);
    expect(rib.paths('e')).toHaveLength(2);
    expect([...rib.bests()]).toEqual([p2]);
  });
});

describe('Adj-RIB-In (a per-peer view of the Loc-RIB)', () => {
  it('lookups, counts, stale marking and collection (graceful restart)', () => {
    const f = 25 * 256 + 70;
    const rib = new LocRib();
    const inA = new AdjRibIn(a, (x) => (x === f ? rib : undefined));
    const r1 = route(a, [seq()], { key: 'x' });
    const r2 = route(a, [seq()], { key: 'y' });
    const other = route(b, [seq(1)], { key: 'y' });
    for (const r of [r1, r2]) { rib.update(r); inA.adjust(f, 1); }
    rib.update(other);
    expect(inA.count(f)).toBe(2);
    expect([...inA.routes(f)].sort((p, q) => p.key.localeCompare(q.key))).toEqual([r1, r2]);
    expect(inA.markStale()).toBe(2);
    expect(inA.isStale(r1)).toBe(true);
    expect(inA.isStale(other)).toBe(false);
    const r1b = route(a, [seq(1)], { key: 'x' });
    rib.update(r1b);
    expect(rib.replaced).toBe(r1);
    inA.unstale(r1);
    expect(inA.stale(f)).toEqual([r2]);
    expect(inA.hasStale()).toBe(true);
    expect(rib.removePath('y', a, -1)).toBe(BestChange.replaced);
    expect(rib.removed).toBe(r2);
    inA.unstale(r2);
    inA.adjust(f, -1);
    expect(inA.hasStale()).toBe(false);
    expect(inA.get(f, 'x', -1)).toBe(r1b);
    expect(inA.get(f, 'y', -1)).toBeUndefined();
    expect(inA.count()).toBe(1);
  });
});

describe('reflection and loop checks (RFC 4456, RFC 4271 9.1.2)', () => {
  const local = { asn: 65001, routerId: '10.255.0.1', clusterId: '10.255.0.1' };
  const client = peer('10.0.0.11', { rrClient: true });
  const client2 = peer('10.0.0.12', { rrClient: true });
  const nonClient = peer('10.0.0.21');
  const ebgp = peer('10.0.0.31', { ibgp: false, asn: 65100 });
  const me = peer('0.0.0.0', { local: true });

  it('advertisement rules: clients to all, non-clients to clients only, never back', () => {
    expect(mayAdvertise(client, client2)).toBe(true);
    expect(mayAdvertise(client, nonClient)).toBe(true);
    expect(mayAdvertise(nonClient, client)).toBe(true);
    expect(mayAdvertise(nonClient, peer('10.0.0.22'))).toBe(false);
    expect(mayAdvertise(client, client)).toBe(false);
    expect(mayAdvertise(ebgp, nonClient)).toBe(true);
    expect(mayAdvertise(nonClient, ebgp)).toBe(true);
    expect(mayAdvertise(me, nonClient)).toBe(true);
  });
  it('loop checks: own AS in AS_PATH (eBGP), own ORIGINATOR_ID, own CLUSTER_ID', () => {
    const t = new AttrTable();
    const set = (attrs: PathAttribute[]) => t.intern(localAttributesKey(attrs, []), attrs, []);
    expect(loopCheck(set([seq(65100, 65001, 3)]), ebgp, local)).toBe('as-path-loop');
    expect(loopCheck(set([{ type: 'as-path', segments: [{ type: 'set', asns: [65001] }] }]), ebgp, local)).toBe('as-path-loop');
    expect(loopCheck(set([seq(65100, 3)]), ebgp, local)).toBeUndefined();
    expect(loopCheck(set([seq(), { type: 'originator-id', value: '10.255.0.1' }]), client, local)).toBe('originator-id-loop');
    expect(loopCheck(set([seq(), { type: 'cluster-list', values: ['1.1.1.1', '10.255.0.1'] }]), nonClient, local)).toBe('cluster-list-loop');
    expect(loopCheck(set([seq(), { type: 'cluster-list', values: ['1.1.1.1'] }]), nonClient, local)).toBeUndefined();
    expect(asPathContains([{ type: 'confed-sequence', asns: [65001] }], 65001)).toBe(false);
  });
  it('reflected routes get ORIGINATOR_ID and our CLUSTER_ID prepended', () => {
    const out = exportAttributes([seq(), { type: 'local-pref', value: 150 }, { type: 'cluster-list', values: ['9.9.9.9'] }], client, nonClient, local, '10.0.0.11');
    expect(out).toContainEqual({ type: 'originator-id', value: '10.0.0.11' });
    expect(out).toContainEqual({ type: 'cluster-list', values: ['10.255.0.1', '9.9.9.9'] });
    expect(out).toContainEqual({ type: 'local-pref', value: 150 });
    expect(out[0]).toEqual({ type: 'origin', value: 'igp' });
    // an existing ORIGINATOR_ID is kept
    const out2 = exportAttributes([seq(), { type: 'originator-id', value: '7.7.7.7' }], client, client2, local, '10.0.0.11');
    expect(out2.filter((x) => x.type === 'originator-id')).toEqual([{ type: 'originator-id', value: '7.7.7.7' }]);
  });
  it('to eBGP: AS prepended, LOCAL_PREF / ORIGINATOR_ID / CLUSTER_LIST removed, foreign MED dropped', () => {
    const out = exportAttributes(
      [{ type: 'origin', value: 'egp' }, seq(65200), { type: 'local-pref', value: 150 }, { type: 'originator-id', value: '1.1.1.1' }, { type: 'cluster-list', values: ['2.2.2.2'] }, { type: 'med', value: 5 }],
      peer('10.0.0.41', { ibgp: false, asn: 65200 }), ebgp, local, '1.1.1.1',
    );
    expect(out).toEqual([{ type: 'origin', value: 'egp' }, seq(65001, 65200)]);
    // a local route to eBGP: AS_PATH is just our AS; to iBGP: empty path and LOCAL_PREF 100, no reflection attributes
    expect(exportAttributes([], me, ebgp, local, '10.255.0.1')).toEqual([{ type: 'origin', value: 'igp' }, seq(65001)]);
    expect(exportAttributes([], me, nonClient, local, '10.255.0.1')).toEqual([
      { type: 'origin', value: 'igp' }, { type: 'as-path', segments: [] }, { type: 'local-pref', value: 100 },
    ]);
  });
});

import { AdjRibOut, type OutAttributes, type UpdatePacker } from '../../src/bgp/rib/adj-rib-out.js';

describe('Adj-RIB-Out', () => {
  const fam = 25 * 256 + 70;
  function setup(capacity: number) {
    const rib = new LocRib();
    const sent: { attrs: number; nlri: number; withdrawn: number }[] = [];
    let room = capacity;
    const eor: number[] = [];
    // a packer that puts at most 100 NLRI in one message (one byte per message to measure)
    const pack: UpdatePacker = (u) => {
      const out: Buffer[] = [];
      const all = u.withdrawn ?? u.nlri;
      for (let i = 0; i < all.length; i += 100) {
        const n = Math.min(100, all.length - i);
        sent.push({ attrs: u.attributes.length, nlri: u.withdrawn ? 0 : n, withdrawn: u.withdrawn ? n : 0 });
        out.push(Buffer.alloc(1));
      }
      return out;
    };
    const sink = { send: () => --room > 0 };
    const exports = new Map<object, OutAttributes>();
    const out = new AdjRibOut(
      {
        best: (f, k) => (f === fam ? rib.best(k) : undefined),
        exportRoute: (_f, r) => {
          let o = exports.get(r.attrs);
          if (o === undefined) exports.set(r.attrs, (o = { key: r.attrs.key, attributes: r.attrs.attributes, nextHops: [] }));
          return r.attrs.localPref === 1 ? undefined : o;
        },
      },
      sink, pack, 500,
    );
    const onEor = (f: number) => { eor.push(f); };
    return { rib, sent, out, eor, onEor, setRoom: (n: number) => { room = n; } };
  }

  it('packs NLRI that share attributes, withdraws only what was advertised, sends End-of-RIB after the table', () => {
    const { rib, sent, out, eor, onEor } = setup(1e9);
    const s1 = [seq(1)];
    const s2 = [seq(2), { type: 'med' as const, value: 1 }];
    for (let i = 0; i < 300; i++) rib.update(route(a, i % 3 === 0 ? s2 : s1, { key: `k${i}` }));
    out.markAll(fam, rib.bests(), onEor);
    expect(out.flush()).toBe(true);
    // 200 with s1 -> 2 messages, 100 with s2 -> 1 message (one batch of 500 covers all)
    expect(sent.map((m) => m.nlri).sort()).toEqual([100, 100, 100]);
    expect(out.announced).toBe(300);
    expect(eor).toEqual([fam]);
    sent.length = 0;
    const gone = rib.best('k1')!;
    rib.remove(gone);
    out.mark(fam, 'k1', gone);
    out.mark(fam, 'never-advertised', undefined);
    expect(out.flush()).toBe(true);
    expect(sent).toEqual([{ attrs: 0, nlri: 0, withdrawn: 1 }]);
    // a route the export policy now refuses is withdrawn
    sent.length = 0;
    const was = rib.best('k2');
    rib.update(route(a, [seq(1), { type: 'local-pref', value: 1 }], { key: 'k2' }));
    out.mark(fam, 'k2', was);
    out.flush();
    expect(sent).toEqual([{ attrs: 0, nlri: 0, withdrawn: 1 }]);
    expect(out.withdrawn).toBe(2);
    // only the first previous best since the last write counts (what the peer was told)
    sent.length = 0;
    const k3 = rib.best('k3')!;
    rib.remove(k3);
    out.mark(fam, 'k3', k3);
    out.mark(fam, 'k3', undefined);
    out.flush();
    expect(sent).toEqual([{ attrs: 0, nlri: 0, withdrawn: 1 }]);
  });

  it('stops producing when the sink is full and resumes on drain', () => {
    const { rib, sent, out, setRoom, eor, onEor } = setup(3);
    for (let i = 0; i < 10_000; i++) rib.update(route(a, [seq(1)], { key: `k${i}` }));
    out.markAll(fam, rib.bests(), onEor);
    expect(out.flush()).toBe(false);
    // one batch (500 destinations = 5 messages) was produced, then it stopped
    expect(sent.length).toBe(5);
    expect(out.busy).toBe(true);
    expect(out.announced).toBe(500);
    expect(eor).toEqual([]);
    let rounds = 0;
    while (!out.flush()) { setRoom(3); rounds++; if (rounds > 100) break; }
    expect(rounds).toBe(19); // one batch of 500 per drain
    expect(sent.reduce((n, m) => n + m.nlri, 0)).toBe(10_000);
    expect(eor).toEqual([fam]);
  });

  it('a second full walk during the first keeps both completion callbacks, in order', () => {
    const { rib, out, eor } = setup(1e9);
    for (let i = 0; i < 10; i++) rib.update(route(a, [seq(1)], { key: `k${i}` }));
    const done: string[] = [];
    out.markAll(fam, rib.bests(), () => done.push('eor'));
    out.markAll(fam, rib.bests(), () => done.push('eorr'));
    expect(out.flush()).toBe(true);
    expect(done).toEqual(['eor', 'eorr']);
    expect(eor).toEqual([]);
  });
});
