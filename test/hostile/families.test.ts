/**
 * Issue 11, families (in memory): routes of an AFI/SAFI the session did not negotiate are ignored
 * and counted (RFC 4760 8) — never stored, reflected or handed to a VTEP manager — and a family
 * disabled by an RFC 7606 AFI/SAFI-disable error stays disabled until the session resets
 * (RFC 4760 7).
 */
import { describe, expect, it } from 'vitest';
import { CeaseError } from '../../src/bgp/errors.js';
import { Fabric, evpn, mac, macsOf } from '../bgp/fabric-helpers.js';
import { AS, evpnRoute, ibgpAttrs, ipv4Route, sendHex, sendRaw, stopFabricAfterEach, v4, v4AndEvpn } from './helpers.js';

const X = '10.0.3.1';
const Y = '10.0.3.2';
const Z = '10.0.3.3';

let fabric: Fabric;
stopFabricAfterEach(() => fabric);

const prefixes = (s: { routes(f: typeof v4): Iterable<{ nlri: unknown }> }) => [...s.routes(v4)].map((r) => (r.nlri as { prefix: string }).prefix).sort();

describe('only negotiated families are accepted', () => {
  it('an EVPN Type-2 and 40 routes of AFI 999 on an IPv4-only session: ignored, counted, not reflected', async () => {
    fabric = new Fabric();
    // Y reflects for X (which offers only IPv4 unicast) and Z (EVPN)
    const y = fabric.speaker(Y, AS, [
      { address: X, asn: AS, passive: true, routeReflectorClient: true, families: [...v4AndEvpn, { afi: 999, safi: 1 }] },
      { address: Z, asn: AS, passive: true, routeReflectorClient: true },
    ]);
    const x = fabric.speaker(X, AS, [{ address: Y, asn: AS, families: [v4] }]);
    const z = fabric.speaker(Z, AS, [{ address: Y, asn: AS }]);
    const added: unknown[] = [];
    y.on('routeAdded', (f) => added.push(f));
    for (const s of [y, x, z]) await s.start();
    await fabric.settle('up', () => y.peerState(X) === 'Established' && y.peerState(Z) === 'Established');
    expect(y.peer(X)!.negotiated!.families).toEqual([{ afi: 1, safi: 1 }]);

    sendRaw(x, Y, evpnRoute(1, X, X));
    const nlri999 = Array.from({ length: 40 }, (_, i) => Buffer.from([32, 10, 0, 0, i]));
    sendRaw(x, Y, { attributes: ibgpAttrs, afi: 999, safi: 1, nextHops: [X], nlri: nlri999 });
    // a negotiated route after them: once it is in, the two before were handled
    sendRaw(x, Y, ipv4Route(10, 9, X));
    await fabric.settle('IPv4 route at Y', () => y.routeCount(v4) === 1);
    await fabric.idle(10);
    expect(y.routeCount(evpn)).toBe(0);
    expect(y.routeCount({ afi: 999, safi: 1 })).toBe(0);
    expect([...y.adjRibIn(X, evpn)]).toEqual([]);
    expect(macsOf(z)).toEqual([]);
    expect(added).toEqual([{ afi: 1, safi: 1 }]);
    expect(y.peerCounters(X)).toMatchObject({ unnegotiatedFamily: 2, disabledFamily: 0 });
    expect(y.peerState(X)).toBe('Established');

    // a withdrawal of an unnegotiated family is ignored too (and counted)
    sendRaw(x, Y, { attributes: [], afi: 25, safi: 70, nextHops: [], nlri: [], withdrawn: evpnRoute(1, X, X).nlri });
    sendRaw(x, Y, ipv4Route(10, 8, X));
    await fabric.settle('second IPv4 route at Y', () => y.routeCount(v4) === 2);
    expect(y.peerCounters(X)!.unnegotiatedFamily).toBe(3);
  });

  it('a family disabled by an AFI/SAFI-disable error stays disabled until the session resets', async () => {
    fabric = new Fabric();
    const y = fabric.speaker(Y, AS, [{ address: X, asn: AS, passive: true, families: v4AndEvpn }]);
    const x = fabric.speaker(X, AS, [{ address: Y, asn: AS, families: v4AndEvpn }]);
    const errors: { action?: string }[] = [];
    y.on('updateError', (_p, e) => errors.push(e as { action?: string }));
    await y.start();
    await x.start();
    await fabric.settle('up', () => y.peerState(X) === 'Established' && x.peerState(Y) === 'Established');
    sendRaw(x, Y, ipv4Route(10, 1, X));
    await fabric.settle('10.1/16 at Y', () => y.routeCount(v4) === 1);

    // MP_REACH for IPv4 unicast with a 5-byte next hop: RFC 7606 AFI/SAFI disable
    const attrs = '40010100' + '400200' + '40050400000064' + '800e0d 0001 01 05 0a00000101 00 100a02';
    const body = '0000' + (attrs.replace(/\s+/g, '').length / 2).toString(16).padStart(4, '0') + attrs;
    sendHex(x, Y, 'ff'.repeat(16) + (19 + body.replace(/\s+/g, '').length / 2).toString(16).padStart(4, '0') + '02' + body);
    await fabric.settle('AFI/SAFI disable reported', () => errors.length === 1);
    expect(errors[0]!.action).toBe('afi-safi-disable');
    expect(y.routeCount(v4)).toBe(0);

    // the next IPv4 UPDATE does not bring the family back; EVPN is not affected
    sendRaw(x, Y, ipv4Route(10, 2, X));
    x.announce(mac(1, X));
    await fabric.settle('EVPN route at Y', () => macsOf(y).length === 1);
    expect(y.routeCount(v4)).toBe(0);
    expect(y.peerCounters(X)!.disabledFamily).toBe(1);
    expect(y.peerState(X)).toBe('Established');

    // a new session: the family is exchanged again
    y.peer(X)!.session.reset(new CeaseError(4, 'test reset'));
    await fabric.settle('down', () => y.peerState(X) !== 'Established');
    await fabric.settle('up again', () => y.peerState(X) === 'Established' && x.peerState(Y) === 'Established');
    sendRaw(x, Y, ipv4Route(10, 2, X));
    await fabric.settle('10.2/16 at Y', () => y.routeCount(v4) === 1);
    expect(prefixes(y)).toEqual(['10.2.0.0/16']);
    expect(y.peerCounters(X)!.disabledFamily).toBe(1);
  });
});
