/**
 * RFC 6793 between our own speakers over real TCP on loopback: A (AS 4200000010) -- B (AS 65020,
 * `fourOctetAs: false` on both its sessions: it talks to A and C as a 2-octet speaker would) --
 * C (AS 65030, 4-octet capable). The regression: A used to die with "AS_PATH: AS 4200000010
 * needs 4 octets" thrown from the flush in a setImmediate as soon as it sent B an UPDATE.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/bgp/codec.js';
import { AS_TRANS } from '../../src/bgp/iana.js';
import { BgpSpeaker, type PeerConfig } from '../../src/bgp/speaker.js';
import type { PathAttribute, UpdateMessage } from '../../src/bgp/types.js';
import { waitFor } from '../helpers/netns.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const waitUntil = (what: string, cond: () => boolean): Promise<true> => waitFor(what, 8000, () => cond() || undefined, 10);

const A = { ip: '127.0.0.41', asn: 4200000010 };
const B = { ip: '127.0.0.42', asn: 65020 };
const C = { ip: '127.0.0.43', asn: 65030 };
const unicast = 'ipv4-unicast' as const;

async function speaker(n: { ip: string; asn: number }): Promise<BgpSpeaker> {
  const s = new BgpSpeaker({ asn: n.asn, routerId: n.ip.replace('127.0.0.', '10.0.0.'), listen: { address: n.ip, port: 0 } });
  await s.start();
  cleanups.push(() => s.stop());
  return s;
}

/** `x` waits for `y` to connect (no collision), `y` connects from its own address. */
function link(x: BgpSpeaker, y: BgpSpeaker, xSide: Partial<PeerConfig> & { asn: number }, ySide: Partial<PeerConfig> & { asn: number }): void {
  const common = { families: [unicast], holdTime: 30, idleHoldTime: 1, connectRetryTime: 1 };
  x.addPeer({ ...common, address: y.routerId.replace('10.0.0.', '127.0.0.'), localAddress: x.routerId.replace('10.0.0.', '127.0.0.'), passive: true, ...xSide });
  y.addPeer({ ...common, address: x.routerId.replace('10.0.0.', '127.0.0.'), localAddress: y.routerId.replace('10.0.0.', '127.0.0.'), port: x.listenAddress!.port, ...ySide });
}

const pathOf = (attrs: readonly PathAttribute[], t: 'as-path' | 'as4-path'): number[] | undefined => {
  const a = attrs.find((x) => x.type === t) as { segments: { asns: number[] }[] } | undefined;
  return a?.segments.flatMap((s) => s.asns);
};
const routeTo = (s: BgpSpeaker, prefix: string) => [...s.routes(unicast)].find((r) => (r.nlri as { prefix?: string }).prefix === prefix);

describe('4-octet AS towards a 2-octet speaker over TCP (RFC 6793)', () => {
  it('A (AS 4200000010) survives sending to B without the capability; C behind B sees the merged path', async () => {
    const [a, b, c] = [await speaker(A), await speaker(B), await speaker(C)];
    // B is an OLD speaker towards both: it knows A by its OPEN's My AS, AS_TRANS
    link(b, a, { asn: AS_TRANS, fourOctetAs: false }, { asn: B.asn });
    link(c, b, { asn: B.asn }, { asn: C.asn, fourOctetAs: false });
    const wireAtB: UpdateMessage[] = [];
    b.peer(A.ip)!.session.on('update', (msg) => wireAtB.push(decodeMessage(msg, { fourOctetAs: false }) as UpdateMessage));
    const wireAtC: UpdateMessage[] = [];
    c.peer(B.ip)!.session.on('update', (msg) => wireAtC.push(decodeMessage(msg, { fourOctetAs: false }) as UpdateMessage));
    const errors: unknown[] = [];
    for (const s of [a, b, c]) s.on('updateError', (_p, e) => errors.push(e));
    await waitUntil('sessions up', () => a.peerState(B.ip) === 'Established' && c.peerState(B.ip) === 'Established');
    expect(b.peer(A.ip)!.session.negotiated).toMatchObject({ fourOctetAs: false, peerAsn: AS_TRANS });
    expect(a.peer(B.ip)!.session.negotiated).toMatchObject({ fourOctetAs: false, peerAsn: B.asn });

    a.announce({ family: { afi: 1, safi: 1 }, nlri: { prefix: '198.51.100.0/24' }, nextHops: [A.ip], attributes: [
      { type: 'origin', value: 'igp' },
      { type: 'aggregator', asn: A.asn, address: '10.0.0.41' },
    ] });
    await waitUntil('route at C', () => routeTo(c, '198.51.100.0/24') !== undefined);

    // what B got on the wire: AS_TRANS, the real AS in AS4_PATH / AS4_AGGREGATOR
    const u = wireAtB.find((m) => m.nlri.length > 0)!;
    expect(pathOf(u.attributes, 'as-path')).toEqual([AS_TRANS]);
    expect(pathOf(u.attributes, 'as4-path')).toEqual([A.asn]);
    expect(u.attributes).toContainEqual({ type: 'aggregator', asn: AS_TRANS, address: '10.0.0.41' });
    expect(u.attributes).toContainEqual({ type: 'as4-aggregator', asn: A.asn, address: '10.0.0.41' });
    // what C got from B (2-octet session again) and its merged view
    const v = wireAtC.find((m) => m.nlri.length > 0)!;
    expect(pathOf(v.attributes, 'as-path')).toEqual([B.asn, AS_TRANS]);
    expect(pathOf(v.attributes, 'as4-path')).toEqual([B.asn, A.asn]);
    const atC = routeTo(c, '198.51.100.0/24')!;
    expect(pathOf(atC.attributes, 'as-path')).toEqual([B.asn, A.asn]);
    expect(atC.attributes).toContainEqual({ type: 'aggregator', asn: A.asn, address: '10.0.0.41' });
    expect(atC.attributes.some((x) => x.type === 'as4-path' || x.type === 'as4-aggregator')).toBe(false);

    // a path through A's own AS comes back to A only as AS_TRANS in AS_PATH: the merge lets A's
    // loop check (RFC 4271 9.1.2, RFC 6793 4.2.3) see it
    c.announce({ family: { afi: 1, safi: 1 }, nlri: { prefix: '192.0.2.0/24' }, nextHops: [C.ip], attributes: [
      { type: 'origin', value: 'igp' },
      { type: 'as-path', segments: [{ type: 'sequence', asns: [A.asn] }] },
    ] });
    await waitUntil('looped route at B', () => routeTo(b, '192.0.2.0/24') !== undefined);
    expect(pathOf(routeTo(b, '192.0.2.0/24')!.attributes, 'as-path')).toEqual([C.asn, A.asn]);
    // the other way: C originates a path holding a 4-octet AS; A sees it whole
    c.announce({ family: { afi: 1, safi: 1 }, nlri: { prefix: '203.0.113.0/24' }, nextHops: [C.ip], attributes: [
      { type: 'origin', value: 'igp' },
      { type: 'as-path', segments: [{ type: 'sequence', asns: [4200000099] }] },
    ] });
    await waitUntil('route at A', () => routeTo(a, '203.0.113.0/24') !== undefined);
    expect(pathOf(routeTo(a, '203.0.113.0/24')!.attributes, 'as-path')).toEqual([B.asn, C.asn, 4200000099]);
    // sent to A before that one: dropped by the loop check
    expect(routeTo(a, '192.0.2.0/24')).toBeUndefined();
    expect(b.peer(A.ip)!.out!.announced).toBeGreaterThanOrEqual(2);

    // alive a while later, sessions still up, nothing malformed on any side
    await new Promise((r) => setTimeout(r, 300));
    expect([a.peerState(B.ip), b.peerState(A.ip), b.peerState(C.ip), c.peerState(B.ip)]).toEqual(['Established', 'Established', 'Established', 'Established']);
    expect(errors).toEqual([]);
  });

  it('a speaker with a 4-octet AS refuses fourOctetAs: false (an OLD speaker has a 2-octet AS)', () => {
    const s = new BgpSpeaker({ asn: A.asn, routerId: '10.0.0.41', listen: false });
    expect(() => s.addPeer({ address: B.ip, asn: B.asn, families: [unicast], fourOctetAs: false })).toThrow(/fourOctetAs: false needs a 2-octet local AS/);
    expect(s.peerAddresses()).toEqual([]);
  });
});
