/**
 * The speaker's management surface (used by the GoBGP API): peerInfo, disablePeer / enablePeer,
 * resetPeer and destinations (every path of a destination, best first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { macIpRoute } from '../../src/evpn/index.js';
import { Fabric } from './fabric-helpers.js';

const X = '10.0.4.1';
const Y = '10.0.4.2';

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
  expect(fabric.clock.pending).toBe(0);
});

describe('BgpSpeaker management', () => {
  it('peerInfo, disablePeer / enablePeer, resetPeer, destinations', async () => {
    fabric = new Fabric();
    const x = fabric.speaker(X, 65000, [{ address: Y, asn: 65001, families: ['l2vpn-evpn'] }]);
    const y = fabric.speaker(Y, 65001, [{ address: X, asn: 65000, families: ['l2vpn-evpn'], passive: true }]);
    await y.start();
    await x.start();
    await fabric.settle('up', () => x.peerState(Y) === 'Established');
    // the same route from both: x has two paths to it, its own first (shorter AS path)
    const route = (nextHop: string) => macIpRoute({ rd: '65000:100', mac: '02:00:00:00:00:01', vni: 100, nextHop, routeTargets: ['65000:100'] });
    x.announce(route(X));
    y.announce(route(Y));
    await fabric.settle('routes', () => x.peerInfo(Y)!.routesReceived('l2vpn-evpn') === 1);
    const info = x.peerInfo(Y)!;
    expect(info.state).toBe('Established');
    expect(info.negotiated?.peerRouterId).toBe(Y);
    expect(info.disabled).toBe(false);
    expect(x.peerInfo('10.9.9.9')).toBeUndefined();
    const dests = [...x.destinations('l2vpn-evpn')];
    expect(dests).toHaveLength(1);
    expect(dests[0]!.map((r) => [r.peer, r.best])).toEqual([['local', true], [Y, false]]);

    await x.disablePeer(Y);
    expect(x.peerInfo(Y)!.disabled).toBe(true);
    await fabric.settle('down', () => x.peerState(Y) === 'Idle' && y.peerState(X) !== 'Established');
    expect(x.peerInfo(Y)!.routesReceived('l2vpn-evpn')).toBe(0);
    fabric.clock.advance(10_000);
    expect(x.peerState(Y)).toBe('Idle'); // stays down until enabled
    x.enablePeer(Y);
    await fabric.settle('up again', () => x.peerState(Y) === 'Established');
    expect(x.peerInfo(Y)!.disabled).toBe(false);

    const notes: number[] = [];
    y.on('notificationReceived', (_p, m) => notes.push(m.subcode));
    x.resetPeer(Y);
    await fabric.settle('reset', () => notes.length === 1);
    expect(notes).toEqual([4]); // Cease / administrative reset (RFC 4486)
    await expect(x.disablePeer('10.9.9.9')).rejects.toThrow(/no peer/);
  });
});
