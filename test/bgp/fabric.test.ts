/**
 * Three speakers and a route reflector in one process (MemoryNetwork + VirtualClock):
 * reflection client->client and client->non-client, non-client->clients, withdraw propagation,
 * flaps, and connection collision.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, evpn, imet, mac, macsOf } from './fabric-helpers.js';
import type { BgpSpeaker } from '../../src/bgp/speaker.js';

const RR = '10.0.0.100';
const A = '10.0.0.1';
const B = '10.0.0.2';
const C = '10.0.0.3';
const AS = 65000;

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
  expect(fabric.net.openTransports).toBe(0);
  expect(fabric.net.listenerCount).toBe(0);
  expect(fabric.clock.pending).toBe(0);
});

async function build(): Promise<{ rr: BgpSpeaker; a: BgpSpeaker; b: BgpSpeaker; c: BgpSpeaker }> {
  fabric = new Fabric();
  const rr = fabric.speaker(RR, AS, [
    { address: A, asn: AS, routeReflectorClient: true, passive: true },
    { address: B, asn: AS, routeReflectorClient: true, passive: true },
    { address: C, asn: AS, passive: true },
  ]);
  const a = fabric.speaker(A, AS, [{ address: RR, asn: AS }]);
  const b = fabric.speaker(B, AS, [{ address: RR, asn: AS }]);
  const c = fabric.speaker(C, AS, [{ address: RR, asn: AS }]);
  for (const s of [rr, a, b, c]) await s.start();
  await fabric.settle('all sessions up', () => [A, B, C].every((p) => rr.peerState(p) === 'Established') && [a, b, c].every((s) => s.peerState(RR) === 'Established'));
  return { rr, a, b, c };
}

describe('fabric: route reflector with two clients and a non-client', () => {
  it('reflects client routes to clients and non-clients with ORIGINATOR_ID and CLUSTER_LIST', async () => {
    const { rr, a, b, c } = await build();
    a.announce(mac(1, A));
    a.announce(imet(A));
    await fabric.settle('A routes everywhere', () => macsOf(b).length === 1 && macsOf(c).length === 1 && b.routeCount(evpn) === 2);
    expect(macsOf(rr)).toEqual(['02:00:00:00:00:01']);
    for (const s of [b, c]) {
      const routes = [...s.routes(evpn)];
      expect(routes).toHaveLength(2);
      for (const r of routes) {
        expect(r.peer).toBe(RR);
        expect(r.nextHops).toEqual([A]);
        expect(r.attributes).toContainEqual(expect.objectContaining({ type: 'originator-id', value: A }));
        expect(r.attributes).toContainEqual(expect.objectContaining({ type: 'cluster-list', values: [RR] }));
      }
      // Type-3 keeps its PMSI tunnel attribute through the reflector
      expect(routes.find((r) => (r.nlri as { routeType: number }).routeType === 3)!.attributes.some((x) => x.type === 'pmsi-tunnel')).toBe(true);
    }
    // A does not get its own route back (RFC 4456 8: it would drop it on ORIGINATOR_ID anyway)
    expect([...a.adjRibIn(RR, evpn)]).toHaveLength(0);
  });

  it('reflects a non-client route to clients only; withdraws propagate', async () => {
    const { rr, a, b, c } = await build();
    c.announce(mac(7, C));
    await fabric.settle('C route at A and B', () => macsOf(a).length === 1 && macsOf(b).length === 1);
    expect(macsOf(rr)).toEqual(['02:00:00:00:00:07']);
    b.announce(mac(8, B));
    await fabric.settle('B route at A and C', () => macsOf(a).length === 2 && macsOf(c).length === 2);
    c.withdraw(mac(7, C));
    await fabric.settle('C route gone', () => macsOf(a).length === 1 && macsOf(b).length === 1 && macsOf(rr).length === 1);
    expect(macsOf(a)).toEqual(['02:00:00:00:00:08']);
    expect(macsOf(c)).toEqual(['02:00:00:00:00:08']);
    b.withdraw(mac(8, B));
    await fabric.settle('all gone', () => [rr, a, b, c].every((s) => s.routeCount(evpn) === 0));
  });

  it('a flap: routes of a dead session disappear everywhere and come back after re-establish', async () => {
    const { rr, a, b, c } = await build();
    for (let i = 0; i < 50; i++) a.announce(mac(i, A));
    b.announce(mac(100, B));
    await fabric.settle('51 routes at C', () => macsOf(c).length === 51);
    const events: string[] = [];
    c.on('routeWithdrawn', () => events.push('w'));
    await a.stop();
    await fabric.settle('A routes gone', () => macsOf(c).length === 1 && macsOf(b).length === 1 && macsOf(rr).length === 1);
    expect(events).toHaveLength(50);
    expect(rr.peerState(A)).not.toBe('Established');
    await a.start();
    await fabric.settle('A back', () => rr.peerState(A) === 'Established' && macsOf(c).length === 51 && macsOf(b).length === 51);
    expect(macsOf(a)).toHaveLength(51);
  });

  it('a better path replaces the reflected one (MAC mobility sequence)', async () => {
    const { a, b, c } = await build();
    // the same MAC, same RD (one route key) from A and then with a higher sequence from B
    a.announce(mac(5, '10.0.0.1'));
    await fabric.settle('at C', () => macsOf(c).length === 1);
    const replaced: unknown[] = [];
    c.on('routeReplaced', (_f, r) => replaced.push(r.nextHops));
    b.announce({ ...mac(5, '10.0.0.1', { mobility: 3 }), attributes: mac(5, '10.0.0.1', { mobility: 3 }).attributes.map((x) => x.type === 'mp-reach' ? { ...x, nextHops: [B] } : x) });
    await fabric.settle('moved to B', () => [...c.routes(evpn)][0]?.nextHops[0] === B);
    expect(replaced).toContainEqual([B]);
  });
});

describe('fabric: connection collision (RFC 4271 6.8)', () => {
  it('both sides connect at once: exactly one session survives', async () => {
    fabric = new Fabric();
    const x = fabric.speaker('10.0.1.1', AS, [{ address: '10.0.1.2', asn: AS }]);
    const y = fabric.speaker('10.0.1.2', AS, [{ address: '10.0.1.1', asn: AS }]);
    const notes: number[] = [];
    x.on('notificationSent', (_p, m) => notes.push(m.subcode));
    y.on('notificationSent', (_p, m) => notes.push(m.subcode));
    await Promise.all([x.start(), y.start()]);
    await fabric.settle('up', () => x.peerState('10.0.1.2') === 'Established' && y.peerState('10.0.1.1') === 'Established');
    await fabric.idle(10);
    expect(fabric.net.openTransports).toBe(2); // one connection, two ends
    x.announce(mac(1, '10.0.1.1'));
    await fabric.settle('route over the survivor', () => macsOf(y).length === 1);
    expect(x.peerState('10.0.1.2')).toBe('Established');
    // if both connections got as far as OPEN, the loser was closed with Cease/7
    expect(notes.every((s) => s === 7)).toBe(true);
  });
});
