/** RouteImporter and RouteExporter alone, with hand-made Loc-RIB routes and a recording sink. */
import { describe, expect, it } from 'vitest';
import { registerEvpn, macIpRoute, inclusiveMulticastRoute, parseEvpnRouteTarget } from '../../src/evpn/index.js';
import type { RibRoute } from '../../src/bgp/rib/view.js';
import type { PathAttribute } from '../../src/bgp/types.js';
import { RouteImporter, RouteExporter, rtKey, VtepTables, quietObserver, resolveMobility, macToNumber, ipToKey } from '../../src/vtep/index.js';

registerEvpn();

const US = '10.0.0.9';
const family = { afi: 25, safi: 70 };

/** A built route as the Loc-RIB shows it (MP_REACH split into nextHops). */
function rib(built: { nlri: object; attributes: PathAttribute[] }, peer = '10.0.0.100', drop: string[] = []): RibRoute {
  const mp = built.attributes.find((a) => a.type === 'mp-reach') as unknown as { nextHops: string[] };
  return {
    family,
    nlri: built.nlri as RibRoute['nlri'],
    attributes: built.attributes.filter((a) => a.type !== 'mp-reach' && !drop.includes(a.type)),
    nextHops: mp.nextHops,
    peer,
    best: true,
    stale: false,
  };
}

function setup() {
  const tables = new VtepTables(US, resolveMobility(undefined), quietObserver, () => 0);
  const imp = new RouteImporter(tables);
  const a = tables.addVni(100);
  const b = tables.addVni(200);
  const shared = parseEvpnRouteTarget('65000:1');
  imp.index(a, [rtKey(parseEvpnRouteTarget('65000:100')), rtKey(shared)]);
  imp.index(b, [rtKey(parseEvpnRouteTarget('65000:200')), rtKey(shared)]);
  return { tables, imp, a, b };
}

const mac = (o: { vni?: number; rts?: string[]; nh?: string; ip?: string; seq?: number; rd?: string } = {}) =>
  macIpRoute({ rd: o.rd ?? '10.0.0.1:1', mac: '02:00:00:00:00:01', ...(o.ip ? { ip: o.ip } : {}), vni: o.vni ?? 100, nextHop: o.nh ?? '10.0.0.1', routeTargets: o.rts ?? ['65000:100'], ...(o.seq === undefined ? {} : { mobility: o.seq }) });
const M = macToNumber('02:00:00:00:00:01');

describe('RouteImporter', () => {
  it('imports by route target; a shared RT is narrowed by the VNI in the label (RFC 8365 5.1.3)', () => {
    const { imp, a, b } = setup();
    expect(imp.apply(rib(mac()), true)).toBe(1);
    expect(a.location(M)).toBeGreaterThan(0);
    expect(b.location(M)).toBe(-1);
    const { imp: imp2, a: a2, b: b2 } = setup();
    expect(imp2.apply(rib(mac({ vni: 200, rts: ['65000:1'] })), true)).toBe(1);
    expect(a2.location(M)).toBe(-1);
    expect(b2.location(M)).toBeGreaterThan(0);
    // no VNI of that label among the matches: every VNI whose RT matches imports it (RFC 7432 9.2)
    const { imp: imp3, a: a3, b: b3 } = setup();
    expect(imp3.apply(rib(mac({ vni: 300, rts: ['65000:1'] })), true)).toBe(2);
    expect([a3.location(M) > 0, b3.location(M) > 0]).toEqual([true, true]);
  });

  it('ignores routes without a matching RT, our own routes, and routes with our next hop', () => {
    const { imp, a } = setup();
    expect(imp.apply(rib(mac({ rts: ['65000:7'] })), true)).toBe(0);
    expect(imp.apply(rib(mac(), 'local'), true)).toBe(0);
    expect(imp.apply(rib(mac({ nh: US })), true)).toBe(0);
    expect(a.size).toBe(0);
    expect(imp.counters.ignored).toBe(3);
  });

  it('takes the MAC Mobility sequence from the route; withdraw uses the same key', () => {
    const { imp, a, tables } = setup();
    imp.apply(rib(mac({ ip: '192.0.2.1', seq: 7 })), true);
    expect(a.lookup(M)?.seq).toBe(7);
    expect(a.resolve(ipToKey('192.0.2.1'))).toBe(M);
    imp.apply(rib(mac({ ip: '192.0.2.1', seq: 7 })), false);
    expect(a.size).toBe(0);
    expect(tables.rds.indexOf('10.0.0.1:1')).toBeGreaterThan(0);
  });

  it('Type-3: PMSI ingress replication endpoint joins the flood list; without PMSI the route is not used', () => {
    const { imp, a, tables } = setup();
    const imet = inclusiveMulticastRoute({ rd: '10.0.0.1:1', originator: '10.0.0.1', vni: 100, nextHop: '10.0.0.1', routeTargets: ['65000:100'] });
    expect(imp.apply(rib(imet, undefined, ['pmsi-tunnel']), true)).toBe(0);
    expect(a.floodList()).toEqual([]);
    expect(imp.apply(rib(imet), true)).toBe(1);
    expect(a.floodList().map((i) => tables.vteps.address(i))).toEqual(['10.0.0.1']);
    imp.apply(rib(imet), false);
    expect(a.floodList()).toEqual([]);
  });

  it('a replaced best path that changes route targets leaves the VNIs it no longer reaches', () => {
    const { imp, a, b } = setup();
    const first = rib(mac({ rts: ['65000:100'] }));
    imp.apply(first, true);
    const second = rib(mac({ vni: 200, rts: ['65000:200'] }));
    imp.replace(second, first);
    expect(a.location(M)).toBe(-1);
    expect(b.location(M)).toBeGreaterThan(0);
  });
  it('routes sharing one attribute array (as the Loc-RIB interns them) follow VNIs added and removed later', () => {
    const { tables, imp, a } = setup();
    const first = rib(mac({ rts: ['65000:300'] }));
    const second = { ...first, nlri: { ...first.nlri, mac: '02:00:00:00:00:02' } as RibRoute['nlri'] };
    expect(imp.apply(first, true)).toBe(0); // no VNI imports 65000:300 yet (and that answer is cached)
    const c = tables.addVni(300);
    imp.index(c, [rtKey(parseEvpnRouteTarget('65000:300'))]);
    expect(imp.apply(second, true)).toBe(1); // same attribute array: the new VNI is seen
    expect(c.location(macToNumber('02:00:00:00:00:02'))).toBeGreaterThan(0);
    expect(a.location(macToNumber('02:00:00:00:00:02'))).toBe(-1);
    imp.unindex(c);
    expect(imp.apply(first, true)).toBe(0); // and a removed one is forgotten
    expect(imp.targets(second)).toEqual([]);
  });
});

describe('RouteExporter', () => {
  it('announces MAC-only and MAC/IP routes, re-announces on a new sequence, withdraws IPs no longer bound', () => {
    const calls: string[] = [];
    const sink = {
      announce: (r: { nlri?: unknown }) => void calls.push(`+${JSON.stringify((r.nlri as { ip?: string }).ip ?? '')}`),
      withdraw: (r: { nlri?: unknown }) => void calls.push(`-${JSON.stringify((r.nlri as { ip?: string }).ip ?? '')}`),
    };
    const events: string[] = [];
    const ex = new RouteExporter(sink, US, (kind) => void events.push(kind));
    const { a } = setup();
    a.rd = '10.0.0.9:100';
    a.exportRts = [parseEvpnRouteTarget('65000:100')];
    ex.originateMac(a, M, [ipToKey('192.0.2.1')], 0, false);
    expect(calls).toEqual(['+""', '+"192.0.2.1"']);
    calls.length = 0;
    ex.originateMac(a, M, [ipToKey('192.0.2.1')], 0, false); // nothing changed
    expect(calls).toEqual([]);
    ex.originateMac(a, M, [ipToKey('2001:db8::1')], 0, false);
    expect(calls).toEqual(['-"192.0.2.1"', '+"2001:db8::1"']);
    calls.length = 0;
    ex.originateMac(a, M, [ipToKey('2001:db8::1')], 3, false); // moved: everything again with seq 3
    expect(calls).toEqual(['+""', '+"2001:db8::1"']);
    expect(ex.withdrawMac(100, M)).toBe(true);
    expect(ex.withdrawMac(100, M)).toBe(false);
    expect(events.filter((e) => e === 'withdrawn')).toHaveLength(3);
    ex.originateImet(a);
    ex.withdrawVni(100);
    expect(calls.slice(-2)).toEqual(['+""', '-""']);
  });
});
