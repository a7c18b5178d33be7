/**
 * Issue 11, reflection that never throws (real TCP on loopback): a route reflector whose copy of
 * a client's route does not fit in one UPDATE for another client skips it for that client
 * (exportSkipped, a counter, the earlier advertisement withdrawn) instead of dying in its flush.
 * Both cases of the issue: a 4.9 kB Type-2 from a client with extended messages (RFC 8654) towards
 * one without, and a 65,535-byte UPDATE that ORIGINATOR_ID + CLUSTER_LIST push over the limit.
 * The process is alive 2 s later and a new client still reaches Established.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker, type RibRoute } from '../../src/bgp/speaker.js';
import { encodeUpdateRaw } from '../../src/bgp/codec.js';
import type { Family, PathAttribute } from '../../src/bgp/types.js';
import { encodeEvpnRoute, macIpRoute, type MacIpRoute } from '../../src/evpn/index.js';
import { evpn, mac, macsOf } from '../bgp/fabric-helpers.js';

const AS = 65000;
const RR = '127.0.0.20';
const A = '127.0.0.21';
const B = '127.0.0.22';
const D = '127.0.0.23';
const C = '127.0.0.24';

const uncaught: unknown[] = [];
const onUncaught = (e: unknown): void => {
  uncaught.push(e);
};
beforeAll(() => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterAll(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
});

const speakers: BgpSpeaker[] = [];
afterEach(async () => {
  await Promise.all(speakers.splice(0).map((s) => s.stop()));
});

async function waitUntil(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (uncaught.length > 0) throw new Error(`uncaught exception while waiting for ${what}: ${String(uncaught[0])}`);
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function client(address: string, port: number, extendedMessage: boolean): BgpSpeaker {
  const s = new BgpSpeaker({ asn: AS, routerId: address, listen: false });
  s.addPeer({ address: RR, port, asn: AS, families: [evpn], localAddress: address, extendedMessage, connectRetryTime: 1, idleHoldTime: 1 });
  speakers.push(s);
  return s;
}

/** Type-2 number `i` of client A with 600 route targets: 4.8 kB of extended communities. */
function bigRoute(i: number) {
  const routeTargets = Array.from({ length: 600 }, (_, k) => `65000:${k + 1}`);
  const h = i.toString(16).padStart(2, '0');
  return macIpRoute({ rd: `${A}:100`, mac: `02:00:00:00:00:${h}`, ip: `198.51.100.${i + 1}`, vni: 100, nextHop: A, routeTargets });
}

/** An UPDATE of exactly 65,535 bytes holding Type-2 number `i` (padded with an unknown optional transitive attribute). */
function maxSizeUpdate(i: number, sendOptions: Parameters<typeof encodeUpdateRaw>[1]): Buffer {
  const r = mac(i, A);
  const base = r.attributes.filter((a) => a.type !== 'mp-reach');
  const nlri = [encodeEvpnRoute(r.nlri as MacIpRoute)];
  const withPad = (n: number): PathAttribute[] => [...base, { type: 'unknown', typeCode: 255, flags: 0xc0, value: Buffer.alloc(n, 0xab) }];
  const probe = encodeUpdateRaw({ attributes: withPad(1000), afi: 25, safi: 70, nextHops: [A], nlri }, sendOptions);
  const [msg] = encodeUpdateRaw({ attributes: withPad(1000 + 65535 - probe[0]!.length), afi: 25, safi: 70, nextHops: [A], nlri }, sendOptions);
  return msg!;
}

describe('oversized reflection (RFC 8654, RFC 4456): the reflector skips, withdraws and lives', () => {
  it('a 4.9 kB Type-2 towards a client without extended message, and a 65,535-byte UPDATE plus ORIGINATOR_ID/CLUSTER_LIST', async () => {
    const rr = new BgpSpeaker({ asn: AS, routerId: RR, listen: { address: RR, port: 0 } });
    speakers.push(rr);
    for (const address of [A, B, D, C]) rr.addPeer({ address, asn: AS, families: [evpn], passive: true, routeReflectorClient: true });
    const skipped: [string, Family, string, string][] = [];
    rr.on('exportSkipped', (peer, family, reason, route: RibRoute) => skipped.push([peer, family, reason, (route.nlri as { mac: string }).mac]));
    const internal: unknown[] = [];
    rr.on('internalError', (_p, e) => internal.push(e));
    await rr.start();
    const port = rr.listenAddress!.port;
    const a = client(A, port, true);
    const b = client(B, port, false);
    const d = client(D, port, true);
    await Promise.all([a.start(), b.start(), d.start()]);
    await waitUntil('clients up', () => [a, b, d].every((s) => s.peerState(RR) === 'Established'));

    // route 2 first fits everywhere: B is told about it
    a.announce(mac(1, A));
    a.announce(mac(2, A));
    await waitUntil('B and D have routes 1 and 2', () => macsOf(b).length === 2 && macsOf(d).length === 2);

    // case 2 (first: it needs nothing new of the clients' configuration): a 65,535-byte UPDATE
    // from A; the reflected copy adds ORIGINATOR_ID + CLUSTER_LIST (14 bytes)
    const msg = maxSizeUpdate(3, a.peer(RR)!.negotiated!.sendOptions);
    expect(msg.length).toBe(65535);
    expect(a.peer(RR)!.session.send(msg)).toBe(true);
    await waitUntil('the reflector holds route 3', () => macsOf(rr).includes('02:00:00:00:00:03'));
    await waitUntil('route 3 skipped for B and D', () => skipped.filter(([, , , m]) => m === '02:00:00:00:00:03').length === 2);
    expect(skipped.filter(([, , , m]) => m === '02:00:00:00:00:03').map(([p]) => p).sort()).toEqual([B, D]);

    // case 1: route 2 grows to 600 route targets (a 4.9 kB UPDATE): D still gets it, B (configured
    // without extended message) loses it
    expect(b.peer(RR)!.negotiated!.extendedMessage).toBe(false);
    expect(d.peer(RR)!.negotiated!.extendedMessage).toBe(true);
    const big = bigRoute(2);
    a.announce(big);
    const rtCount = (s: BgpSpeaker) => {
      const r = [...s.routes(evpn)].find((x) => (x.nlri as { mac: string }).mac === '02:00:00:00:00:02');
      const ec = r?.attributes.find((x) => x.type === 'extended-communities') as { values: unknown[] } | undefined;
      return ec?.values.length ?? 0;
    };
    await waitUntil('D has the big route 2', () => rtCount(d) > 600);
    await waitUntil('route 2 withdrawn from B', () => macsOf(b).length === 1);
    expect(macsOf(b)).toEqual(['02:00:00:00:00:01']);
    expect(skipped).toContainEqual([B, { afi: 25, safi: 70 }, 'too-large', '02:00:00:00:00:02']);
    expect(skipped.some(([p, , , m]) => p === D && m === '02:00:00:00:00:02')).toBe(false);

    // alive 2 s later: no exception reached the process, every session is still up
    await new Promise((r) => setTimeout(r, 2000));
    expect(uncaught).toEqual([]);
    expect(internal).toEqual([]);
    for (const p of [A, B, D]) expect(rr.peerState(p)).toBe('Established');
    expect(macsOf(d)).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02']);
    expect(macsOf(b)).toEqual(['02:00:00:00:00:01']);
    expect(rr.peerCounters(B)).toMatchObject({ exportTooLarge: 2, internalErrors: 0 });
    expect(rr.peerCounters(D)).toMatchObject({ exportTooLarge: 1, internalErrors: 0 });

    // a new client (no extended message) reaches Established and gets what fits
    const c = client(C, port, false);
    await c.start();
    await waitUntil('new client up', () => c.peerState(RR) === 'Established' && rr.peerState(C) === 'Established');
    await waitUntil('new client has route 1', () => macsOf(c).length === 1);
    expect(macsOf(c)).toEqual(['02:00:00:00:00:01']);
    expect(rr.peerCounters(C)!.exportTooLarge).toBe(2);
    expect(uncaught).toEqual([]);
  }, 20_000);
});
