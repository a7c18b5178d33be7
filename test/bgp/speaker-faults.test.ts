/**
 * Faults at the speaker level (in-memory): an UPDATE with a malformed attribute is
 * treat-as-withdraw and the session stays up (RFC 7606); a peer that stops reading while we send
 * a million routes does not make our memory grow (lazy Adj-RIB-Out + Session.send backpressure).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, evpn, mac, macsOf } from './fabric-helpers.js';
import { encodeUpdateRaw, parseUpdateRaw } from '../../src/bgp/codec.js';
import { encodeEvpnRoute } from '../../src/evpn/index.js';
import type { MacIpRoute } from '../../src/evpn/index.js';
import type { PathAttribute } from '../../src/bgp/types.js';
import type { MemoryTransport } from '../../src/bgp/session/memory-network.js';

const X = '10.0.2.1';
const Y = '10.0.2.2';
const AS = 65000;

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
  expect(fabric.net.openTransports).toBe(0);
  expect(fabric.clock.pending).toBe(0);
});

async function pair(highWaterMark?: number) {
  fabric = new Fabric(highWaterMark);
  const x = fabric.speaker(X, AS, [{ address: Y, asn: AS }]);
  const y = fabric.speaker(Y, AS, [{ address: X, asn: AS, passive: true }]);
  await y.start();
  await x.start();
  return { x, y };
}

describe('speaker faults', () => {
  it('an UPDATE with a malformed attribute is treat-as-withdraw; the session stays up', async () => {
    const { x, y } = await pair();
    await fabric.settle('up', () => x.peerState(Y) === 'Established' && y.peerState(X) === 'Established');
    const r1 = mac(1, X);
    const r2 = mac(2, X);
    x.announce(r1);
    x.announce(r2);
    await fabric.settle('routes at Y', () => macsOf(y).length === 2);
    const errors: Error[] = [];
    y.on('updateError', (_p, e) => errors.push(e));
    // re-announce route 1 with ORIGIN = 5: RFC 7606 7.1 says treat-as-withdraw
    const attrs: PathAttribute[] = [{ type: 'origin', value: 'igp' }, { type: 'as-path', segments: [] }, { type: 'local-pref', value: 100 }];
    const [msg] = encodeUpdateRaw({ attributes: attrs, afi: 25, safi: 70, nextHops: [X], nlri: [encodeEvpnRoute(r1.nlri as MacIpRoute)] }, x.peer(Y)!.negotiated!.sendOptions);
    const at = msg!.indexOf(Buffer.from([0x40, 0x01, 0x01, 0x00]));
    expect(at).toBeGreaterThan(0);
    msg![at + 3] = 5;
    expect(x.peer(Y)!.session.send(msg!)).toBe(true);
    await fabric.settle('route 1 withdrawn at Y', () => macsOf(y).length === 1);
    expect(macsOf(y)).toEqual(['02:00:00:00:00:02']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as { action?: string }).action).toBe('treat-as-withdraw');
    await fabric.idle(10);
    expect(y.peerState(X)).toBe('Established');
    expect(x.peerState(Y)).toBe('Established');
  });

  it('an NLRI with a malformed field: treat-as-withdraw (RFC 7606 5.3), nothing of that UPDATE is installed, the session stays up', async () => {
    const { x, y } = await pair();
    await fabric.settle('up', () => x.peerState(Y) === 'Established' && y.peerState(X) === 'Established');
    const errors: Error[] = [];
    y.on('updateError', (_p, e) => errors.push(e));
    const good = encodeEvpnRoute(mac(1, X).nlri as MacIpRoute);
    const bad = Buffer.from(encodeEvpnRoute(mac(2, X).nlri as MacIpRoute));
    bad[2 + 8 + 10 + 4] = 47; // MAC length in bits must be 48 (RFC 7432 7.2)
    const attrs = mac(1, X).attributes.filter((a) => a.type !== 'mp-reach');
    for (const m of encodeUpdateRaw({ attributes: attrs, afi: 25, safi: 70, nextHops: [X], nlri: [good, bad] }, x.peer(Y)!.negotiated!.sendOptions)) x.peer(Y)!.session.send(m);
    await fabric.settle('error reported', () => errors.length > 0);
    await fabric.idle(10);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/MAC length 47/);
    // the well-formed route of the same UPDATE is not installed either
    expect(macsOf(y)).toEqual([]);
    expect(y.peerState(X)).toBe('Established');
    // the RIB's own guard: a malformed NLRI met while learning withdraws its whole set
    const peer = y.peer(X)!;
    const opts = peer.negotiated!.receiveOptions;
    const [msg] = encodeUpdateRaw({ attributes: attrs, afi: 25, safi: 70, nextHops: [X], nlri: [good] }, opts);
    const u = parseUpdateRaw(msg!, opts);
    peer.onUpdate(u);
    expect(macsOf(y)).toEqual(['02:00:00:00:00:01']);
    peer.onUpdate({ ...u, announced: [{ ...u.announced[0]!, nlri: [good, bad] }] });
    expect(macsOf(y)).toEqual([]);
    expect(errors).toHaveLength(2);
  });

  it('treat-as-withdraw withdraws a route installed earlier when its new UPDATE has a sibling NLRI with a bad field (RFC 7606 2)', async () => {
    const { x, y } = await pair();
    await fabric.settle('up', () => x.peerState(Y) === 'Established' && y.peerState(X) === 'Established');
    x.announce(mac(1, X));
    x.announce(mac(3, X));
    await fabric.settle('routes at Y', () => macsOf(y).length === 2);
    const errors: Error[] = [];
    y.on('updateError', (_p, e) => errors.push(e));
    const good = encodeEvpnRoute(mac(1, X).nlri as MacIpRoute);
    const bad = Buffer.from(encodeEvpnRoute(mac(2, X).nlri as MacIpRoute));
    bad[2 + 8 + 10 + 4] = 47; // MAC length in bits must be 48 (RFC 7432 7.2)
    const attrs = mac(1, X).attributes.filter((a) => a.type !== 'mp-reach');
    const opts = x.peer(Y)!.negotiated!.sendOptions;
    const [msg] = encodeUpdateRaw({ attributes: attrs, afi: 25, safi: 70, nextHops: [X], nlri: [good, bad] }, opts);
    // the codec hands the well-formed NLRI over as withdrawn...
    const parsed = parseUpdateRaw(msg!, opts);
    expect(parsed.error?.action).toBe('treat-as-withdraw');
    expect(parsed.announced.filter((set) => set.afi === 25)).toEqual([]);
    expect(parsed.withdrawn.map((set) => [set.afi, set.safi, set.nlri.map((b) => b.toString('hex'))])).toEqual([[25, 70, [good.toString('hex')]]]);
    // ...so the route installed before is gone at Y, the unrelated one stays, the session stays up
    expect(x.peer(Y)!.session.send(msg!)).toBe(true);
    await fabric.settle('route 1 withdrawn at Y', () => macsOf(y).length === 1);
    expect(macsOf(y)).toEqual(['02:00:00:00:00:03']);
    expect(errors).toHaveLength(1);
    await fabric.idle(10);
    expect(y.peerState(X)).toBe('Established');
  });

  it("UPDATEs parsed in 'bounds' mode (no Buffer per NLRI) are learned the same way", async () => {
    const { x, y } = await pair();
    await fabric.settle('up', () => x.peerState(Y) === 'Established' && y.peerState(X) === 'Established');
    const nlri = [1, 2, 3].map((i) => encodeEvpnRoute(mac(i, X).nlri as MacIpRoute));
    const attrs = mac(1, X).attributes.filter((a) => a.type !== 'mp-reach');
    const peer = y.peer(X)!;
    const opts = peer.negotiated!.receiveOptions;
    for (const m of encodeUpdateRaw({ attributes: attrs, afi: 25, safi: 70, nextHops: [X], nlri }, opts)) peer.onUpdate(parseUpdateRaw(m, opts, 'bounds'));
    expect(macsOf(y)).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03']);
    for (const m of encodeUpdateRaw({ attributes: [], afi: 25, safi: 70, nextHops: [], nlri: [], withdrawn: nlri.slice(1) }, opts)) peer.onUpdate(parseUpdateRaw(m, opts, 'bounds'));
    expect(macsOf(y)).toEqual(['02:00:00:00:00:01']);
  });

  it('a peer that stops reading while we send 1M routes: memory stays bounded, then it all arrives', async () => {
    const N = 1_000_000;
    const { x, y } = await pair(64 * 1024);
    // one million Type-2 routes into X's Loc-RIB, built as bytes in chunks (one attribute set)
    const template = encodeEvpnRoute(mac(0, X).nlri as MacIpRoute);
    const macAt = template.indexOf(Buffer.from([0x02, 0, 0, 0, 0, 0]), 2 + 8 + 10 + 4 + 1);
    expect(macAt).toBeGreaterThan(0);
    const attrs = mac(0, X).attributes;
    const chunk = 10_000;
    const t0 = performance.now();
    for (let base = 0; base < N; base += chunk) {
      const buf = Buffer.allocUnsafe(template.length * chunk);
      const nlri: Buffer[] = [];
      for (let i = 0; i < chunk; i++) {
        const o = i * template.length;
        template.copy(buf, o);
        buf.writeUInt32BE(base + i, o + macAt + 2);
        nlri.push(buf.subarray(o, o + template.length));
      }
      x.announce({ nlri, attributes: attrs });
    }
    expect(x.routeCount(evpn)).toBe(N);
    const t1 = performance.now();
    // Y stops reading as soon as X's session is up
    let paused: MemoryTransport | undefined;
    x.once('established', () => {
      paused = fabric.net.transports.find((t) => t.localAddress === Y && !t.closed);
      paused!.pause();
    });
    const before = process.memoryUsage();
    await fabric.settle('X established', () => x.peerState(Y) === 'Established' && paused !== undefined);
    await fabric.idle(200);
    const after = process.memoryUsage();
    const out = x.peer(Y)!.out!;
    const grown = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
    // production stopped after the high-water mark (at most one batch of 2048 destinations)
    expect(out.announced).toBeLessThanOrEqual(2 * 2048);
    expect(out.busy).toBe(true);
    // the bytes waiting in the transport are bounded by the high-water mark plus one batch
    const peerEnd = fabric.net.transports.find((t) => t.localAddress === X && !t.closed)!;
    expect(peerEnd.bufferedAmount).toBeLessThan(64 * 1024 + 2048 * 64);
    // encoding everything would hold >= 1M * 40 bytes of NLRI plus message buffers; we hold keys
    expect(grown).toBeLessThan(16);
    console.log(`paused reader: heap+arrayBuffers grew ${grown.toFixed(1)} MiB with ${N - out.announced} destinations still to send`);
    // the reader resumes: everything arrives
    const t2 = performance.now();
    paused!.resume();
    await fabric.settle('all routes at Y', () => y.routeCount(evpn) === N, 4000);
    console.log(`1M: originate ${(t1 - t0).toFixed(0)} ms, transfer after resume ${(performance.now() - t2).toFixed(0)} ms`);
    expect(out.busy).toBe(false);
    expect(out.announced).toBe(N);
  }, 120_000);
});
