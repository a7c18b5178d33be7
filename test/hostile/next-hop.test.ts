/**
 * Issue 11, semantic next-hop checks (in memory): RFC 4271 6.3 — a NEXT_HOP that is our own
 * address on the session is semantically incorrect: the route is ignored (what the peer sent
 * before for that NLRI is withdrawn, RFC 7606 treat-as-withdraw), no NOTIFICATION, the session
 * stays. The EVPN equivalent for the MP_REACH next hop (the VTEP address): 0.0.0.0, ::,
 * multicast, or our own address.
 */
import { describe, expect, it } from 'vitest';
import type { BgpError } from '../../src/bgp/errors.js';
import { Fabric, mac, macsOf } from '../bgp/fabric-helpers.js';
import { AS, evpnRoute, ipv4Route, sendRaw, stopFabricAfterEach, v4, v4AndEvpn } from './helpers.js';

const X = '10.0.4.1';
const Y = '10.0.4.2';

let fabric: Fabric;
stopFabricAfterEach(() => fabric);

async function pair() {
  fabric = new Fabric();
  const y = fabric.speaker(Y, AS, [{ address: X, asn: AS, passive: true, families: v4AndEvpn }]);
  const x = fabric.speaker(X, AS, [{ address: Y, asn: AS, families: v4AndEvpn }]);
  const errors: BgpError[] = [];
  y.on('updateError', (_p, e) => errors.push(e as BgpError));
  const notes: unknown[] = [];
  y.on('notificationSent', (_p, n) => notes.push(n));
  await y.start();
  await x.start();
  await fabric.settle('up', () => y.peerState(X) === 'Established' && x.peerState(Y) === 'Established');
  return { x, y, errors, notes };
}

describe('semantic next-hop checks (RFC 4271 6.3)', () => {
  it('EVPN next hop 0.0.0.0, ::, multicast or our own address: not installed, counted, the session stays', async () => {
    const { x, y, errors, notes } = await pair();
    const bad = [Y, '0.0.0.0', '::', '224.0.0.5', 'ff02::1'];
    bad.forEach((nh, i) => sendRaw(x, Y, evpnRoute(i + 1, X, nh)));
    sendRaw(x, Y, evpnRoute(50, X, X)); // a usable one after them
    await fabric.settle('the good route at Y', () => macsOf(y).length === 1);
    await fabric.idle(5);
    expect(macsOf(y)).toEqual([mac(50, X).nlri.mac]);
    expect(y.peerCounters(X)!.invalidNextHop).toBe(bad.length);
    expect(errors.map((e) => [e.code, e.subcode, e.action])).toEqual(bad.map(() => [3, 8, 'treat-as-withdraw']));
    expect(errors.map((e) => e.message.match(/next hop (\S+) \((\S+)\)/)!.slice(1))).toEqual([
      [Y, 'local-address'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.5', 'multicast'],
      ['ff02::1', 'multicast'],
    ]);
    expect(notes).toEqual([]);
    expect(y.peerState(X)).toBe('Established');
  });

  it('a route re-sent with a bad next hop is withdrawn (treat-as-withdraw), not kept in its old version', async () => {
    const { x, y } = await pair();
    x.announce(mac(7, X));
    await fabric.settle('route 7 at Y', () => macsOf(y).length === 1);
    sendRaw(x, Y, evpnRoute(7, X, '0.0.0.0'));
    await fabric.settle('route 7 gone at Y', () => macsOf(y).length === 0);
    expect(y.peerCounters(X)!.invalidNextHop).toBe(1);
    expect(y.peerState(X)).toBe('Established');
  });

  it('IPv4 unicast NEXT_HOP equal to our address on the session: ignored', async () => {
    const { x, y, notes } = await pair();
    sendRaw(x, Y, ipv4Route(10, 1, Y));
    sendRaw(x, Y, ipv4Route(10, 2, X));
    await fabric.settle('10.2/16 at Y', () => y.routeCount(v4) === 1);
    await fabric.idle(5);
    expect([...y.routes(v4)].map((r) => (r.nlri as { prefix: string }).prefix)).toEqual(['10.2.0.0/16']);
    expect(y.peerCounters(X)!.invalidNextHop).toBe(1);
    expect(notes).toEqual([]);
    expect(y.peerState(X)).toBe('Established');
  });
});
