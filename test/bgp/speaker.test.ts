/**
 * BgpSpeaker behaviour over the in-memory network with the virtual clock: events, graceful
 * restart (receiving side), route refresh (normal and enhanced), max-prefix, filters, eBGP loop
 * detection, End-of-RIB, removePeer and stop().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, evpn, imet, mac, macsOf } from './fabric-helpers.js';
import type { BgpSpeaker, PeerConfig } from '../../src/bgp/speaker.js';
import { macIpRoute } from '../../src/evpn/builders.js';

const X = '10.0.3.1';
const Y = '10.0.3.2';

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
  expect(fabric.net.openTransports).toBe(0);
  expect(fabric.net.listenerCount).toBe(0);
  expect(fabric.clock.pending).toBe(0);
});

async function pair(o: { xAs?: number; yAs?: number; x?: Partial<PeerConfig>; y?: Partial<PeerConfig> } = {}): Promise<{ x: BgpSpeaker; y: BgpSpeaker }> {
  fabric = new Fabric();
  const x = fabric.speaker(X, o.xAs ?? 65000, [{ address: Y, asn: o.yAs ?? 65000, ...o.x }]);
  const y = fabric.speaker(Y, o.yAs ?? 65000, [{ address: X, asn: o.xAs ?? 65000, passive: true, ...o.y }]);
  await y.start();
  await x.start();
  await fabric.settle('up', () => x.peerState(Y) === 'Established' && y.peerState(X) === 'Established');
  return { x, y };
}

/** Cut the connection between the two (both ends see the TCP connection fail). */
function cut(): void {
  for (const t of fabric.net.transports) if (!t.closed) t.destroy();
}

describe('BgpSpeaker', () => {
  it('emits routeAdded / routeReplaced / routeWithdrawn and End-of-RIB; builders work as is', async () => {
    fabric = new Fabric();
    const x = fabric.speaker(X, 65000, [{ address: Y, asn: 65000 }]);
    const y = fabric.speaker(Y, 65000, [{ address: X, asn: 65000, passive: true }]);
    x.announce(mac(1, X)); // before the session: part of the initial table
    const events: string[] = [];
    const eor: string[] = [];
    y.on('routeAdded', (f, r) => events.push(`add ${f.afi}/${f.safi} ${(r.nlri as { mac?: string }).mac}`));
    y.on('routeReplaced', (_f, r, prev) => events.push(`replace ${r.attributes.length} ${prev.attributes.length}`));
    y.on('routeWithdrawn', (_f, r) => events.push(`withdraw ${(r.nlri as { mac?: string }).mac}`));
    y.on('endOfRib', (p, f) => eor.push(`${p} ${f.afi}/${f.safi}`));
    await y.start();
    await x.start();
    await fabric.settle('EoR', () => eor.length === 1);
    expect(eor).toEqual([`${X} 25/70`]);
    expect(events).toEqual(['add 25/70 02:00:00:00:00:01']);
    x.announce(mac(1, X, { mobility: 1 }));
    await fabric.settle('replace', () => events.length === 2);
    expect(events[1]).toMatch(/^replace /);
    x.announce(imet(X));
    x.withdraw(mac(1, X));
    await fabric.settle('withdraw', () => events.length === 4);
    // one batch: the withdraw is packed first, then the announcement
    expect(events.slice(2).sort()).toEqual(['add 25/70 undefined', 'withdraw 02:00:00:00:00:01']);
    const [r] = [...y.routes(evpn)];
    expect(r).toMatchObject({ family: { afi: 25, safi: 70 }, peer: X, best: true, stale: false, nextHops: [X], nlri: { routeType: 3, originator: X } });
    expect(JSON.parse(JSON.stringify(r))).toMatchObject({ peer: X });
  });

  it('EVPN decides MAC mobility first (its family step): a learned higher sequence beats our own route', async () => {
    const { x, y } = await pair();
    // the same route (same RD, MAC, IP) from both: ours without a MAC Mobility community
    const same = (vtep: string, mobility?: number) => macIpRoute({ rd: '10.0.3.9:100', mac: '02:00:00:00:00:01', ip: '198.51.100.1', vni: 100, nextHop: vtep, routeTargets: ['65000:100'], ...(mobility === undefined ? {} : { mobility }) });
    y.announce(same(Y));
    x.announce(same(X, 3));
    // without EVPN's step our own route would stay best (step 2, after LOCAL_PREF)
    const bestPeer = () => [...y.routes(evpn)].filter((r) => r.best).map((r) => r.peer);
    await fabric.settle('learned wins', () => bestPeer()[0] === X);
    expect(bestPeer()).toEqual([X]);
    y.announce(same(Y, 4));
    await fabric.settle('ours again', () => bestPeer()[0] === 'local');
    expect(bestPeer()).toEqual(['local']);
  });

  it('graceful restart: routes of a restarting peer stay as stale, End-of-RIB purges what was not re-sent', async () => {
    const gr = { gracefulRestart: { restartTime: 30, families: [{ afi: 25, safi: 70, forwardingPreserved: true }] } };
    const { x, y } = await pair({ x: gr, y: gr });
    y.announce(mac(1, Y));
    y.announce(mac(2, Y));
    await fabric.settle('at X', () => macsOf(x).length === 2);
    const withdrawn: string[] = [];
    x.on('routeWithdrawn', (_f, r) => withdrawn.push((r.nlri as { mac: string }).mac));
    cut();
    await fabric.settle('down', () => x.peerState(Y) !== 'Established');
    // still there, marked stale
    expect(macsOf(x)).toHaveLength(2);
    expect([...x.routes(evpn)].every((r) => r.stale)).toBe(true);
    y.withdraw(mac(2, Y)); // gone while the session is down: never re-sent
    await fabric.settle('back with End-of-RIB', () => x.peerState(Y) === 'Established' && macsOf(x).length === 1);
    expect(macsOf(x)).toEqual(['02:00:00:00:00:01']);
    expect([...x.routes(evpn)][0]!.stale).toBe(false);
    expect(withdrawn).toEqual(['02:00:00:00:00:02']);
  });

  it('graceful restart: the restart timer purges stale routes of a peer that does not come back', async () => {
    const { x, y } = await pair({ x: { gracefulRestart: true }, y: { gracefulRestart: { restartTime: 5 } } });
    y.announce(mac(1, Y));
    await fabric.settle('at X', () => macsOf(x).length === 1);
    cut();
    await y.stop();
    await fabric.settle('down', () => x.peerState(Y) !== 'Established');
    fabric.clock.advance(4000);
    expect(macsOf(x)).toHaveLength(1);
    await fabric.settle('purged after the restart time', () => macsOf(x).length === 0, 100);
  });

  it('without graceful restart a dead session takes its routes at once', async () => {
    const { x, y } = await pair();
    y.announce(mac(1, Y));
    await fabric.settle('at X', () => macsOf(x).length === 1);
    cut();
    await fabric.settle('gone', () => macsOf(x).length === 0);
  });

  it('route refresh: a normal refresh re-sends the table; an enhanced one purges what the peer no longer has', async () => {
    const { x, y } = await pair();
    y.announce(mac(1, Y));
    y.announce(mac(2, Y));
    await fabric.settle('at X', () => macsOf(x).length === 2);
    const sent = y.peer(X)!.out!;
    const before = sent.announced;
    expect(x.refresh(Y, evpn)).toBe(true);
    await fabric.settle('re-sent', () => sent.announced === before + 2);
    expect(macsOf(x)).toHaveLength(2);
    expect(x.peer(Y)!.negotiated!.enhancedRouteRefresh).toBe(true);
    // simulate a lost withdraw: Y drops route 2 but its Adj-RIB-Out forgets the change, so X
    // keeps it; an enhanced refresh (BoRR ... EoRR) must clean it up at X
    const ribOut = y.peer(X)!.out!;
    y.withdraw(mac(2, Y));
    (ribOut as unknown as { pending: Map<number, Map<string, unknown>> }).pending.clear();
    await fabric.idle(5);
    expect(macsOf(x)).toHaveLength(2); // the withdraw was lost
    x.refresh(Y, evpn);
    await fabric.settle('stale route purged at EoRR', () => macsOf(x).length === 1);
    expect(macsOf(x)).toEqual(['02:00:00:00:00:01']);
  });

  it('max-prefix: warn once, or tear down with Cease/1', async () => {
    const { x, y } = await pair({ x: { maxPrefixes: { limit: 2, action: 'warn' } } });
    const warns: number[] = [];
    x.on('maxPrefix', (_p, n, limit, action) => { expect(action).toBe('warn'); expect(limit).toBe(2); warns.push(n); });
    for (let i = 0; i < 4; i++) y.announce(mac(i, Y));
    await fabric.settle('all 4 at X', () => macsOf(x).length === 4);
    expect(warns).toHaveLength(1);
    expect(x.peerState(Y)).toBe('Established');
    await fabric.stopAll();

    const p2 = await pair({ x: { maxPrefixes: { limit: 2, action: 'teardown' } } });
    const got: number[][] = [];
    p2.y.on('notificationReceived', (_p, m) => got.push([m.code, m.subcode]));
    for (let i = 0; i < 3; i++) p2.y.announce(mac(i, Y));
    await fabric.settle('Cease/1 at Y', () => got.length > 0);
    expect(got[0]).toEqual([6, 1]);
    await fabric.settle('routes gone', () => macsOf(p2.x).length === 0);
  });

  it('import and export filters: drop, or rewrite attributes', async () => {
    const { x, y } = await pair({
      x: { importFilter: (r) => ((r.nlri as { mac?: string }).mac === '02:00:00:00:00:02' ? false : true) },
      y: {
        exportFilter: (r) => ((r.nlri as { mac?: string }).mac === '02:00:00:00:00:03'
          ? [...r.attributes.filter((a) => a.type !== 'local-pref'), { type: 'local-pref', value: 333 }]
          : (r.nlri as { mac?: string }).mac !== '02:00:00:00:00:04'),
      },
    });
    for (let i = 1; i <= 4; i++) y.announce(mac(i, Y));
    await fabric.settle('filtered at X', () => macsOf(x).length === 2);
    await fabric.idle(10);
    expect(macsOf(x)).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:03']);
    const r3 = [...x.routes(evpn)].find((r) => (r.nlri as { mac?: string }).mac === '02:00:00:00:00:03')!;
    expect(r3.attributes).toContainEqual(expect.objectContaining({ type: 'local-pref', value: 333 }));
  });

  it('eBGP: our AS prepended outbound; a path with our own AS is refused inbound', async () => {
    fabric = new Fabric();
    // X (65001) - Y (65002) - Z (65001): Z's routes reach Y, and X drops them on its own AS
    const Z = '10.0.3.3';
    const x = fabric.speaker(X, 65001, [{ address: Y, asn: 65002 }]);
    const y = fabric.speaker(Y, 65002, [{ address: X, asn: 65001, passive: true }, { address: Z, asn: 65001, passive: true }]);
    const z = fabric.speaker(Z, 65001, [{ address: Y, asn: 65002 }]);
    for (const s of [y, x, z]) await s.start();
    await fabric.settle('up', () => y.peerState(X) === 'Established' && y.peerState(Z) === 'Established');
    z.announce(mac(9, Z));
    x.announce(mac(8, X));
    await fabric.settle('at Y', () => macsOf(y).length === 2);
    const fromZ = [...y.routes(evpn)].find((r) => r.peer === Z)!;
    expect(fromZ.attributes).toContainEqual({ type: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] });
    await fabric.idle(20);
    // X got nothing from Z (AS 65001 loop) and nothing of its own back
    expect(macsOf(x)).toEqual(['02:00:00:00:00:08']);
    expect([...x.adjRibIn(Y, evpn)]).toHaveLength(0);
    expect([...z.adjRibIn(Y, evpn)]).toHaveLength(0);
  });

  it('removePeer sends Cease/3 and withdraws its routes; stop() closes everything', async () => {
    const { x, y } = await pair();
    y.announce(mac(1, Y));
    await fabric.settle('at X', () => macsOf(x).length === 1);
    const got: number[][] = [];
    y.on('notificationReceived', (_p, m) => got.push([m.code, m.subcode]));
    await x.removePeer(Y);
    await fabric.settle('Cease at Y', () => got.length === 1);
    expect(got[0]).toEqual([6, 3]);
    expect(macsOf(x)).toHaveLength(0);
    expect(x.peerAddresses()).toEqual([]);
  });

  it('IPv4 unicast over eBGP: classic NLRI field, NEXT_HOP set to us, AS prepended', async () => {
    const v4 = { families: ['ipv4-unicast'] as PeerConfig['families'] };
    const { x, y } = await pair({ xAs: 65001, yAs: 65002, x: v4, y: v4 });
    y.announce({ family: { afi: 1, safi: 1 }, nlri: { prefix: '198.51.100.0/24' }, attributes: [{ type: 'origin', value: 'igp' }], nextHops: ['192.0.2.99'] });
    await fabric.settle('at X', () => x.routeCount('ipv4-unicast') === 1);
    const [r] = [...x.routes('ipv4-unicast')];
    expect(r!.nlri).toMatchObject({ prefix: '198.51.100.0/24' });
    expect(r!.nextHops).toEqual([Y]); // eBGP: next hop self (our router id stands in for the address)
    expect(r!.attributes).toContainEqual({ type: 'as-path', segments: [{ type: 'sequence', asns: [65002] }] });
    y.withdraw({ family: { afi: 1, safi: 1 }, nlri: { prefix: '198.51.100.0/24' } });
    await fabric.settle('withdrawn', () => x.routeCount('ipv4-unicast') === 0);
  });

  it('ADD-PATH (RFC 7911): path identifiers on the wire both ways', async () => {
    const ap = { addPath: [{ afi: 25, safi: 70, mode: 'both' as const }] };
    const { x, y } = await pair({ x: ap, y: ap });
    expect(x.peer(Y)!.negotiated!.addPath.receive.size).toBe(1);
    y.announce(mac(1, Y));
    await fabric.settle('at X', () => macsOf(x).length === 1);
    const [r] = [...x.routes(evpn)];
    expect(r!.nlri).toMatchObject({ pathId: 1, mac: '02:00:00:00:00:01' });
    y.withdraw(mac(1, Y));
    await fabric.settle('withdrawn', () => macsOf(x).length === 0);
  });

  it('the listener refuses a connection from an unconfigured address with Cease/5', async () => {
    await pair();
    const t = await fabric.net.host('10.0.3.99').connect(X, 179);
    const got: Buffer[] = [];
    t.on('data', (d) => got.push(d));
    await fabric.settle('closed', () => t.closed);
    const b = Buffer.concat(got);
    expect(b.length).toBe(21);
    expect([b[18], b[19], b[20]]).toEqual([3, 6, 5]); // NOTIFICATION, Cease, connection rejected
  });

  it('IPv6 transport: peers addressed by IPv6', async () => {
    fabric = new Fabric();
    const A6 = '2001:db8:3::1';
    const B6 = '2001:db8:3::2';
    const a = fabric.speaker(A6, 65000, [{ address: B6, asn: 65000 }], { routerId: '10.0.6.1' });
    const b = fabric.speaker(B6, 65000, [{ address: A6, asn: 65000, passive: true }], { routerId: '10.0.6.2' });
    await b.start();
    await a.start();
    await fabric.settle('up', () => a.peerState(B6) === 'Established' && b.peerState(A6) === 'Established');
    a.announce(mac(1, '10.0.6.1'));
    await fabric.settle('at B', () => macsOf(b).length === 1);
    expect([...b.routes(evpn)][0]!.peer).toBe(A6);
  });
});
