import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../../src/bgp/session/clock.js';
import { MemoryNetwork, memoryTransportPair } from '../../src/bgp/session/memory-network.js';
import { buildOpen, negotiate, routerIdToNumber, validateOpen } from '../../src/bgp/session/negotiate.js';
import { collisionLoser, survivingDirection } from '../../src/bgp/session/collision.js';
import { notificationMessage, routeRefreshMessage, shutdownData } from '../../src/bgp/session/wire.js';
import { encodeEndOfRib, endOfRibFamily } from '../../src/bgp/messages/end-of-rib.js';
import { BgpError } from '../../src/bgp/errors.js';
import { familyKey } from '../../src/bgp/families.js';
import type { OpenMessage } from '../../src/bgp/types.js';
import type { SessionConfig } from '../../src/bgp/session/types.js';

const settle = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('VirtualClock', () => {
  it('fires due timers in order, ties in insertion order, with now() at the due time', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.setTimeout(() => log.push(`b@${c.now()}`), 20);
    c.setTimeout(() => log.push(`a@${c.now()}`), 10);
    c.setTimeout(() => log.push(`c@${c.now()}`), 20);
    const gone = c.setTimeout(() => log.push('never'), 15);
    c.clearTimeout(gone);
    expect(c.pending).toBe(3);
    expect(c.advance(15)).toBe(1);
    expect(log).toEqual(['a@10']);
    // a timer set while advancing fires in the same advance when it falls due
    c.setTimeout(() => c.setTimeout(() => log.push(`d@${c.now()}`), 1), 0);
    c.advance(10);
    expect(log).toEqual(['a@10', 'd@16', 'b@20', 'c@20']);
    expect(c.pending).toBe(0);
    expect(c.now()).toBe(25);
  });

  it('property: timers fire exactly once, sorted by due time', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { maxLength: 50 }), fc.array(fc.nat(300), { minLength: 1, maxLength: 10 }), (delays, steps) => {
        const c = new VirtualClock();
        const fired: number[] = [];
        for (const d of delays) c.setTimeout(() => fired.push(d), d);
        for (const s of steps) c.advance(s);
        c.advance(1000);
        expect(fired).toEqual([...delays].sort((a, b) => a - b));
        expect(c.pending).toBe(0);
      }),
    );
  });
});

describe('memory transports', () => {
  it('deliver asynchronously and in order', async () => {
    const [a, b] = memoryTransportPair();
    const got: string[] = [];
    b.on('data', (d) => got.push(d.toString()));
    a.write(Buffer.from('x'));
    a.write(Buffer.from('y'));
    expect(got).toEqual([]);
    await settle();
    expect(got).toEqual(['x', 'y']);
  });

  it('backpressure is real: a paused reader makes write return false, drain follows resume', async () => {
    const [a, b] = memoryTransportPair({ highWaterMark: 100 });
    b.pause();
    let writes = 0;
    while (a.write(Buffer.alloc(30))) writes++;
    expect(writes).toBe(3);
    expect(a.bufferedAmount).toBe(120);
    let drained = false;
    a.on('drain', () => (drained = true));
    await settle();
    expect(drained).toBe(false);
    expect(a.bufferedAmount).toBe(120);
    let received = 0;
    b.on('data', (d) => (received += d.length));
    b.resume();
    await settle();
    expect(received).toBe(120);
    expect(drained).toBe(true);
    expect(a.bufferedAmount).toBe(0);
  });

  it('end flushes then closes both ends; destroy drops queued data', async () => {
    const [a, b] = memoryTransportPair();
    let got = 0;
    const closed: string[] = [];
    b.on('data', (d) => (got += d.length));
    a.on('close', () => closed.push('a'));
    b.on('close', () => closed.push('b'));
    a.write(Buffer.alloc(10));
    a.end();
    await settle();
    expect(got).toBe(10);
    expect(closed.sort()).toEqual(['a', 'b']);
    expect(a.write(Buffer.alloc(1))).toBe(false);

    const [c, d] = memoryTransportPair();
    let got2 = 0;
    d.on('data', (x) => (got2 += x.length));
    c.write(Buffer.alloc(10));
    c.destroy();
    await settle();
    expect(got2).toBe(0);
    expect(d.closed).toBe(true);
  });

  it('MemoryNetwork: listeners by address:port, refusals, host views, leak counters', async () => {
    const net = new MemoryNetwork();
    const seen: string[] = [];
    const srv = await net.host('10.0.0.2').listen('0.0.0.0', 179, (t) => seen.push(`${t.remoteAddress}->${t.localAddress}:${t.localPort}`));
    const t = await net.host('10.0.0.1').connect('10.0.0.2', 179);
    expect(t.remoteAddress).toBe('10.0.0.2');
    expect(t.localAddress).toBe('10.0.0.1');
    expect(seen).toEqual(['10.0.0.1->10.0.0.2:179']);
    await expect(net.connect('10.0.0.3', 179)).rejects.toThrow(/ECONNREFUSED/);
    expect(net.openTransports).toBe(2);
    t.destroy();
    await settle();
    expect(net.openTransports).toBe(0);
    await srv.close();
    expect(net.listenerCount).toBe(0);
    const ac = new AbortController();
    ac.abort();
    await expect(net.connect('10.0.0.2', 179, undefined, { signal: ac.signal })).rejects.toThrow(/abort/);
  });
});

const base: SessionConfig = { localAsn: 4200000001, routerId: '1.1.1.1', peerAddress: '10.0.0.2', peerAsn: 4200000002 };
const peerOpen = (over: Partial<OpenMessage> = {}): OpenMessage => ({
  type: 'open',
  version: 4,
  myAs: 23456,
  holdTime: 30,
  routerId: '2.2.2.2',
  capabilities: [
    { type: 'multiprotocol', afi: 25, safi: 70 },
    { type: 'multiprotocol', afi: 1, safi: 1 },
    { type: 'four-octet-as', asn: 4200000002 },
    { type: 'route-refresh-cisco' },
    { type: 'add-path', families: [{ afi: 25, safi: 70, mode: 'send' }] },
    { type: 'graceful-restart', restarting: true, notification: false, restartTime: 90, families: [{ afi: 25, safi: 70, forwardingPreserved: true }] },
  ],
  ...over,
});

describe('negotiation (RFC 5492, 4271 4.2, 6793, 7911, 4724)', () => {
  const cfg: SessionConfig = { ...base, families: [{ afi: 25, safi: 70 }, { afi: 2, safi: 1 }], holdTime: 90, addPath: [{ afi: 25, safi: 70, mode: 'both' }] };

  it('our OPEN puts AS_TRANS in the 2-byte field and the real AS in the capability', () => {
    const o = buildOpen(cfg);
    expect(o.myAs).toBe(23456);
    expect(o.capabilities).toContainEqual({ type: 'four-octet-as', asn: 4200000001 });
    expect(o.capabilities).toContainEqual({ type: 'multiprotocol', afi: 25, safi: 70 });
    expect(buildOpen({ ...base, localAsn: 65001 }).myAs).toBe(65001);
  });

  it('intersects families, takes the smaller hold time, derives codec options', () => {
    const n = negotiate(buildOpen(cfg), peerOpen(), cfg);
    expect(n.families).toEqual([{ afi: 25, safi: 70 }]);
    expect(n.holdTime).toBe(30);
    expect(n.keepaliveTime).toBe(10);
    expect(n.fourOctetAs).toBe(true);
    expect(n.extendedMessage).toBe(false);
    expect(n.routeRefresh).toBe(true);
    expect(n.enhancedRouteRefresh).toBe(false);
    expect(n.peerAsn).toBe(4200000002);
    expect(n.ibgp).toBe(false);
    expect([...n.addPath.receive]).toEqual([familyKey(25, 70)]);
    expect([...n.addPath.send]).toEqual([]);
    expect(n.receiveOptions.addPath?.has(familyKey(25, 70))).toBe(true);
    expect(n.gracefulRestart).toEqual({ restartTime: 90, restarting: true, notification: false, families: [{ afi: 25, safi: 70, forwardingPreserved: true }] });
  });

  it('hold time 0 means no keepalives; no MP capability means IPv4 unicast', () => {
    const n = negotiate(buildOpen({ ...base }), peerOpen({ holdTime: 0, capabilities: [{ type: 'four-octet-as', asn: 4200000002 }] }), base);
    expect(n.holdTime).toBe(0);
    expect(n.keepaliveTime).toBe(0);
    expect(n.families).toEqual([{ afi: 1, safi: 1 }]);
  });

  const code = (f: () => void): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(BgpError);
      return `${(e as BgpError).code}/${(e as BgpError).subcode}`;
    }
    return 'ok';
  };

  it('refuses what RFC 4271 6.2 refuses', () => {
    expect(code(() => validateOpen(peerOpen(), cfg))).toBe('ok');
    expect(code(() => validateOpen(peerOpen({ version: 3 }), cfg))).toBe('2/1');
    expect(code(() => validateOpen(peerOpen({ capabilities: [{ type: 'four-octet-as', asn: 65099 }] }), cfg))).toBe('2/2');
    // a 2-octet speaker cannot be the configured 4-octet AS
    expect(code(() => validateOpen(peerOpen({ capabilities: [] }), cfg))).toBe('2/2');
    expect(code(() => validateOpen(peerOpen({ holdTime: 1 }), cfg))).toBe('2/6');
    expect(code(() => validateOpen(peerOpen({ holdTime: 2 }), cfg))).toBe('2/6');
    expect(code(() => validateOpen(peerOpen({ routerId: '0.0.0.0' }), cfg))).toBe('2/3');
    // RFC 4271 6.2: an optional parameter other than capabilities is refused
    expect(code(() => validateOpen(peerOpen({ otherParameters: [{ type: 1, value: Buffer.from([0, 1]) }] }), cfg))).toBe('2/4');
    const ibgp = { ...cfg, peerAsn: 4200000001 };
    expect(code(() => validateOpen(peerOpen({ routerId: '1.1.1.1', capabilities: [{ type: 'four-octet-as', asn: 4200000001 }] }), ibgp))).toBe('2/3');
    // eBGP may share an identifier (RFC 6286)
    expect(code(() => validateOpen(peerOpen({ routerId: '1.1.1.1' }), cfg))).toBe('ok');
  });
});

describe('collision rule (RFC 4271 6.8, RFC 6286 2.3)', () => {
  it('the connection initiated by the higher identifier survives', () => {
    expect(survivingDirection('1.1.1.1', '2.2.2.2', 1, 2)).toBe('inbound');
    expect(survivingDirection('10.0.0.1', '9.255.255.255', 1, 2)).toBe('outbound');
    // compared as unsigned: 200.x is larger than 100.x
    expect(survivingDirection('200.0.0.1', '100.0.0.1', 1, 2)).toBe('outbound');
    expect(survivingDirection('1.1.1.1', '1.1.1.1', 65001, 65002)).toBe('inbound');
    const out: { direction: 'outbound' | 'inbound' } = { direction: 'outbound' };
    const inb: { direction: 'outbound' | 'inbound' } = { direction: 'inbound' };
    expect(collisionLoser(out, inb, '1.1.1.1', '2.2.2.2', 1, 2)).toBe(out);
    expect(collisionLoser(out, inb, '3.3.3.3', '2.2.2.2', 1, 2)).toBe(inb);
    expect(routerIdToNumber('255.255.255.255')).toBe(0xffffffff);
  });

  it('property: both sides pick the same connection', () => {
    const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    fc.assert(
      fc.property(ip, ip, fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }), (a, b, asA, asB) => {
        fc.pre(a !== b || asA !== asB);
        // the A->B connection is outbound for A and inbound for B
        const keptByA = survivingDirection(a, b, asA, asB) === 'outbound' ? 'A->B' : 'B->A';
        const keptByB = survivingDirection(b, a, asB, asA) === 'outbound' ? 'B->A' : 'A->B';
        expect(keptByA).toBe(keptByB);
      }),
    );
  });
});

describe('fixed messages', () => {
  it('NOTIFICATION with an RFC 8203 shutdown message', () => {
    const b = notificationMessage({ code: 6, subcode: 2, shutdownMessage: 'maintenance' });
    expect(b.subarray(0, 16).every((x) => x === 0xff)).toBe(true);
    expect(b.readUInt16BE(16)).toBe(b.length);
    expect([b[18], b[19], b[20], b[21]]).toEqual([3, 6, 2, 11]);
    expect(b.subarray(22).toString()).toBe('maintenance');
    // cut at 255 bytes on a character boundary
    const long = shutdownData('é'.repeat(200));
    expect(long[0]).toBe(254);
    expect(long.subarray(1).toString()).toBe('é'.repeat(127));
  });

  it('End-of-RIB round-trips through the detector for IPv4 and MP families', () => {
    expect(endOfRibFamily(encodeEndOfRib({ afi: 1, safi: 1 }))).toEqual({ afi: 1, safi: 1 });
    expect(endOfRibFamily(encodeEndOfRib({ afi: 25, safi: 70 }))).toEqual({ afi: 25, safi: 70 });
    expect(endOfRibFamily(routeRefreshMessage({ afi: 25, safi: 70 }))).toBeUndefined();
    const rr = routeRefreshMessage({ afi: 25, safi: 70 }, 'borr');
    expect(rr.subarray(19).toString('hex')).toBe('00190146');
  });
});
