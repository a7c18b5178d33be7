/**
 * The runtime peer API a daemon needs, over the in-memory network with the virtual clock: peer
 * groups, dynamic-neighbor ranges with a limit, updatePeer (live vs reset), and peerStatus
 * (messages by type, routes per family, uptime, flaps, last error).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, evpn, mac, macsOf } from './fabric-helpers.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';

const RR = '10.0.4.1';
const C = ['10.0.4.11', '10.0.4.12', '10.0.4.13'];

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
  expect(fabric.net.openTransports).toBe(0);
  expect(fabric.clock.pending).toBe(0);
});

/** A route reflector with a listen range for the clients, and `n` clients pointed at it. */
async function rrWithRange(limit: number, n: number): Promise<{ rr: BgpSpeaker; clients: BgpSpeaker[] }> {
  fabric = new Fabric();
  const rr = fabric.speaker(RR, 65000, []);
  rr.addPeerGroup('clients', { asn: 65000, families: [evpn], routeReflectorClient: true, holdTime: 30 });
  rr.addDynamicNeighbors({ prefix: '10.0.4.0/24', peerGroup: 'clients', limit });
  const clients = C.slice(0, n).map((a) => fabric.speaker(a, 65000, [{ address: RR, asn: 65000 }]));
  await rr.start();
  for (const c of clients) await c.start();
  return { rr, clients };
}

describe('peer groups', () => {
  it('a peer takes its group settings, its own win; unknown group or missing AS is a PeerConfigError', () => {
    fabric = new Fabric();
    const s = new BgpSpeaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
    s.addPeerGroup('g', { asn: 65001, families: [evpn], holdTime: 9 });
    s.addPeer({ address: '10.0.0.2', peerGroup: 'g', holdTime: 30 });
    expect(s.peer('10.0.0.2')!.config).toMatchObject({ asn: 65001, holdTime: 30, families: [evpn] });
    expect(s.peerStatus('10.0.0.2')).toMatchObject({ peerGroup: 'g', dynamic: false, state: 'Idle', uptime: 0 });
    expect(() => s.addPeer({ address: '10.0.0.3', peerGroup: 'nope' })).toThrow(/peerGroup: peer 10.0.0.3: unknown peer group \(got "nope"\)/);
    s.addPeerGroup('bare', { holdTime: 9 });
    expect(() => s.addPeer({ address: '10.0.0.3', peerGroup: 'bare' })).toThrow(/asn: peer 10.0.0.3: neither the peer nor group bare sets one/);
    expect(() => s.addDynamicNeighbors({ prefix: '10.0.0.0/33', peerGroup: 'g' })).toThrow(/prefix/);
    expect(() => s.addDynamicNeighbors({ prefix: '10.0.0.0/24', peerGroup: 'x' })).toThrow(/unknown peer group/);
    s.addDynamicNeighbors({ prefix: '10.0.0.0/24', peerGroup: 'g' });
    expect(() => s.removePeerGroup('g')).toThrow(/dynamic-neighbor/);
  });
});

describe('dynamic neighbors', () => {
  it('accepts clients from a range up to its limit, reflects between them, removes a peer when its session ends', async () => {
    const { rr, clients } = await rrWithRange(2, 3);
    const [a, b, c] = clients as [BgpSpeaker, BgpSpeaker, BgpSpeaker];
    const rejected: string[] = [];
    rr.on('connectionRejected', (addr, why) => rejected.push(`${addr} ${why}`));
    const removed: string[] = [];
    rr.on('dynamicPeerRemoved', (addr, prefix) => removed.push(`${addr} ${prefix}`));
    await fabric.settle('two up', () => a.peerState(RR) === 'Established' && b.peerState(RR) === 'Established');
    expect(rr.peerAddresses().sort()).toEqual([C[0], C[1]]);
    expect(rr.dynamicNeighbors()).toEqual([{ prefix: '10.0.4.0/24', peerGroup: 'clients', limit: 2, active: 2 }]);
    expect(rr.peerStatus(C[0]!)).toMatchObject({ dynamic: true, peerGroup: undefined, state: 'Established' });
    // the third is over the limit: Cease / connection rejected (RFC 4486 subcode 5)
    const cNotes: string[] = [];
    c.on('notificationReceived', (_p, m) => cNotes.push(`${m.code}/${m.subcode}`));
    await fabric.settle('third refused', () => cNotes.length > 0);
    expect(cNotes[0]).toBe('6/5');
    expect(rejected[0]).toBe(`${C[2]} range-limit`);
    // reflection between dynamic clients
    a.announce(mac(1, C[0]!));
    await fabric.settle('reflected', () => macsOf(b).length === 1);
    // a client leaves: the dynamic peer is gone, its slot frees, the third gets in
    await a.stop();
    await fabric.settle('removed', () => removed.length === 1);
    expect(removed).toEqual([`${C[0]} 10.0.4.0/24`]);
    await fabric.settle('withdrawn at b', () => macsOf(b).length === 0);
    await fabric.settle('third up', () => c.peerState(RR) === 'Established', 800);
    expect(rr.dynamicNeighbors()[0]!.active).toBe(2);
  });

  it('a dynamic peer that restarts (graceful restart: new connection while Established) is kept', async () => {
    fabric = new Fabric();
    const gr = { gracefulRestart: { restartTime: 30 } };
    const rr = fabric.speaker(RR, 65000, []);
    rr.addPeerGroup('clients', { asn: 65000, families: [evpn], routeReflectorClient: true, holdTime: 30, ...gr });
    rr.addDynamicNeighbors({ prefix: '10.0.4.0/24', peerGroup: 'clients' });
    const old = fabric.speaker(C[0]!, 65000, [{ address: RR, asn: 65000, ...gr }], { listen: false });
    await rr.start();
    await old.start();
    await fabric.settle('up', () => old.peerState(RR) === 'Established');
    old.announce(mac(1, C[0]!));
    await fabric.settle('route at rr', () => macsOf(rr).length === 1);
    const removed: string[] = [];
    rr.on('dynamicPeerRemoved', (a) => removed.push(a));
    // the same VTEP comes back (a new process) while the reflector still has the old session
    const again = fabric.speaker(C[0]!, 65000, [{ address: RR, asn: 65000, ...gr }], { listen: false });
    await again.start();
    await fabric.settle('new session up', () => again.peerState(RR) === 'Established' && rr.peerStatus(C[0]!)?.establishedCount === 2);
    await fabric.idle(10);
    expect(removed).toEqual([]);
    expect(rr.peerStatus(C[0]!)).toMatchObject({ dynamic: true, state: 'Established' });
    expect(rr.dynamicNeighbors()[0]!.active).toBe(1);
  });

  it('an address outside every range is refused as before', async () => {
    fabric = new Fabric();
    const rr = fabric.speaker(RR, 65000, []);
    rr.addPeerGroup('clients', { asn: 65000, families: [evpn] });
    rr.addDynamicNeighbors({ prefix: '10.0.5.0/24', peerGroup: 'clients' });
    const x = fabric.speaker(C[0]!, 65000, [{ address: RR, asn: 65000 }]);
    const why: string[] = [];
    rr.on('connectionRejected', (addr, r) => why.push(`${addr} ${r}`));
    await rr.start();
    await x.start();
    await fabric.settle('refused', () => why.length > 0);
    expect(why[0]).toBe(`${C[0]} unknown-peer`);
    expect(rr.peerAddresses()).toEqual([]);
  });
});

describe('peerStatus and updatePeer', () => {
  async function pair(): Promise<{ x: BgpSpeaker; y: BgpSpeaker }> {
    fabric = new Fabric();
    const x = fabric.speaker(RR, 65000, [{ address: C[0]!, asn: 65000, routeReflectorClient: true }]);
    const y = fabric.speaker(C[0]!, 65000, [{ address: RR, asn: 65000, passive: true }]);
    await y.start();
    await x.start();
    await fabric.settle('up', () => x.peerState(C[0]!) === 'Established' && y.peerState(RR) === 'Established');
    return { x, y };
  }

  it('counts messages by type and routes per family, tracks uptime, flaps and the last error', async () => {
    const { x, y } = await pair();
    y.announce(mac(1, C[0]!));
    y.announce(mac(2, C[0]!));
    x.announce(mac(3, RR));
    await fabric.settle('routes', () => macsOf(x).length === 3 && macsOf(y).length === 3);
    const t0 = x.peerStatus(C[0]!)!;
    fabric.clock.advance(5000);
    const s = x.peerStatus(C[0]!)!;
    expect(s.uptime - t0.uptime).toBe(5000);
    expect(s).toMatchObject({ state: 'Established', routerId: C[0], flaps: 0, establishedCount: 1, lastError: undefined });
    expect(s.messages.sent.open).toBe(1);
    expect(s.messages.received.open).toBe(1);
    expect(s.messages.received.keepalive).toBeGreaterThanOrEqual(1);
    // y's two routes (and its End-of-RIB) arrived as UPDATEs; ours went out
    expect(s.messages.received.update).toBeGreaterThanOrEqual(2);
    expect(s.messages.sent.update).toBeGreaterThanOrEqual(2);
    expect(s.messages.received.total).toBe(s.messages.received.open + s.messages.received.update + s.messages.received.keepalive + s.messages.received.notification + s.messages.received.routeRefresh);
    // y sent 2, we send it our own route only (its own are not reflected back)
    expect(s.routes).toEqual([{ family: { afi: 25, safi: 70 }, received: 2, accepted: 2, advertised: 1 }]);
    expect(s.counters).toEqual(x.peerCounters(C[0]!));
    await y.stop();
    await fabric.settle('down', () => x.peerState(C[0]!) !== 'Established');
    const d = x.peerStatus(C[0]!)!;
    expect(d).toMatchObject({ flaps: 1, uptime: 0, establishedAt: undefined });
    expect(d.lastError).toMatchObject({ kind: 'notification-received', code: 6, subcode: 2 });
  });

  it('filters and max-prefix change live (no new OPEN); other settings reset with Cease/6', async () => {
    const { x, y } = await pair();
    y.announce(mac(1, C[0]!));
    y.announce(mac(2, C[0]!));
    x.announce(mac(3, RR));
    x.announce(mac(4, RR));
    await fabric.settle('routes', () => macsOf(x).length === 4 && macsOf(y).length === 4);
    const cfg = x.peer(C[0]!)!.config;
    expect(await x.updatePeer({ ...cfg })).toBe('unchanged');
    expect(await x.updatePeer({ ...cfg, maxPrefixes: { limit: 10, action: 'warn' } })).toBe('updated');
    // export filter: our mac 4 is withdrawn from y, mac 3 stays
    const only3 = (r: { nlri: unknown }): boolean => (r.nlri as { mac?: string }).mac !== '02:00:00:00:00:04';
    expect(await x.updatePeer({ ...cfg, exportFilter: only3 })).toBe('updated');
    await fabric.settle('withdrawn at y', () => macsOf(y).length === 3);
    expect(macsOf(y)).not.toContain('02:00:00:00:00:04');
    // import filter: y's mac 2 leaves our Loc-RIB but counts as received
    const no2 = (r: { nlri: unknown }): boolean => (r.nlri as { mac?: string }).mac !== '02:00:00:00:00:02';
    expect(await x.updatePeer({ ...cfg, exportFilter: only3, importFilter: no2 })).toBe('updated');
    await fabric.settle('refused at x', () => macsOf(x).length === 3 && x.peerStatus(C[0]!)!.routes[0]!.received === 2);
    expect(x.peerStatus(C[0]!)!.routes[0]).toMatchObject({ received: 2, accepted: 1 });
    expect(x.peerStatus(C[0]!)!.messages.received.open).toBe(1);
    expect(x.peerStatus(C[0]!)!.messages.sent.routeRefresh).toBe(1);
    expect(y.peerStatus(RR)!.flaps).toBe(0);
    // hold time goes into the OPEN: a new session
    const yNotes: string[] = [];
    y.on('notificationReceived', (_p, m) => yNotes.push(`${m.code}/${m.subcode}`));
    expect(await x.updatePeer({ ...cfg, holdTime: 60 })).toBe('reset');
    await fabric.settle('back up', () => x.peerState(C[0]!) === 'Established' && y.peerState(RR) === 'Established', 800);
    expect(yNotes).toEqual(['6/6']);
    expect(x.peer(C[0]!)!.config.holdTime).toBe(60);
    await expect(x.updatePeer({ ...cfg, address: '10.9.9.9' })).rejects.toThrow(/does not exist/);
  });
});
