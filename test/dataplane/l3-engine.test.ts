import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Endpoint, VxlanEngine, checksum, decodeNeighborMessage, formatIp, icmp6ChecksumValid, macBytes, macKeyToText,
} from '../../src/dataplane/index.js';
import { gw100, gwMac, ipv4Frame, ipv6Frame, l3vni, nsFrame, oneEngine, rmacA } from './l3-helpers.js';

const vrf = (e: VxlanEngine) => e.l3.counters('blue')!;

describe('anycast gateway: ARP and NS answered locally', () => {
  it('answers ARP for the gateway with the anycast MAC, floods nothing, learns the sender and tells the lookup hook', async () => {
    const { e, h1 } = oneEngine();
    const seen: string[] = [];
    e.setArpLookup(100, (r) => { seen.push(`${r.senderIp}>${r.targetIp}`); return undefined; });
    const spy: Buffer[] = [];
    e.attachPort(100, new Endpoint('spy', (b, s, en) => spy.push(Buffer.from(b.subarray(s, en)))));
    const mac = await h1.resolve('10.1.0.254', { timeoutMs: 100 });
    expect(mac?.equals(macBytes(gwMac))).toBe(true);
    expect(vrf(e).gatewayArpAnswered).toBe(1);
    expect(e.vniCounters(100)).toMatchObject({ arpFlooded: 0, floodReplicas: 0 });
    expect(spy).toEqual([]); // the other port of the VNI never saw the request
    expect(seen).toEqual(['10.1.0.1>10.1.0.254']);
    expect(e.l3.snapshot('blue')!.learned).toEqual([{ vni: 100, ip: '10.1.0.1', mac: '02:00:00:00:01:01' }]);
    // a request for another address in the subnet is not the gateway's to answer
    expect(await h1.resolve('10.1.0.77', { timeoutMs: 20, tries: 1 })).toBeUndefined();
    expect(e.vniCounters(100)!.arpFlooded).toBe(1);
    expect(spy.length).toBe(1);
  });

  it('answers NS for the gateway address with an NA (router flag, anycast MAC), floods nothing', async () => {
    const { e, h1 } = oneEngine();
    const spy: Buffer[] = [];
    e.attachPort(100, new Endpoint('spy', (b, s, en) => spy.push(Buffer.from(b.subarray(s, en)))));
    const got: Buffer[] = [];
    const probe = new Endpoint('probe', (b, s, en) => got.push(Buffer.from(b.subarray(s, en))));
    e.attachPort(100, probe);
    expect((await h1.resolve6('2001:db8:1::1', { timeoutMs: 100 }))?.equals(macBytes(gwMac))).toBe(true);
    expect(vrf(e).gatewayNdAnswered).toBe(1);
    expect(e.vniCounters(100)).toMatchObject({ ndFlooded: 0, floodReplicas: 0 });
    expect(spy).toEqual([]);
    // the NA itself: router + solicited + override, target link-layer = anycast MAC, valid checksum
    const full = nsFrame('02:00:00:00:01:09', '2001:db8:1::9', '2001:db8:1::1');
    probe.send(full);
    expect(got.length).toBe(1);
    const na = decodeNeighborMessage(got[0]!, 54, got[0]!.length)!;
    expect(na.type).toBe(136);
    expect(na.flags >>> 0).toBe(0xe0000000);
    expect(macKeyToText(na.linkLayer!.readUIntBE(0, 6))).toBe(gwMac);
    expect(icmp6ChecksumValid(got[0]!, 14)).toBe(true);
    expect(e.l3.snapshot('blue')!.learned.map((l) => l.ip).sort()).toEqual(['2001:db8:1::10', '2001:db8:1::9']);
  });

  it('stops answering once the gateway is detached (the request floods like any other)', async () => {
    const { e, h1 } = oneEngine();
    e.l3.setGateway(100, undefined);
    expect(await h1.resolve('10.1.0.254', { timeoutMs: 20, tries: 1 })).toBeUndefined();
    expect(e.vniCounters(100)!.arpFlooded).toBe(1);
    expect(e.l3.snapshot('blue')!.routes.map((r) => r.prefix).sort()).toEqual(['10.2.0.0/24', '10.2.0.254/32', '2001:db8:2::/64', '2001:db8:2::1/128']);
  });
});

describe('routing between two L2VNIs of one engine', () => {
  it('pings across subnets (IPv4 and IPv6) once both hosts know their gateway', async () => {
    const { e, h1, h2 } = oneEngine();
    await h2.resolve('10.2.0.254', { timeoutMs: 100 });
    await h2.resolve6('2001:db8:2::1', { timeoutMs: 100 });
    expect(await h1.ping('10.2.0.2', { count: 3, timeoutMs: 200 })).toMatchObject({ transmitted: 3, received: 3 });
    expect(await h1.ping('2001:db8:2::20', { count: 2, timeoutMs: 200 })).toMatchObject({ transmitted: 2, received: 2 });
    expect(await h2.ping('10.1.0.1', { count: 1, timeoutMs: 200 })).toMatchObject({ received: 1 });
    expect(vrf(e)).toMatchObject({ routed: 2 * 3 + 2 * 2 + 2, noRoute: 0, unresolved: 0, malformed: 0 });
    expect(e.vniCounters(100)).toMatchObject({ arpFlooded: 0, ndFlooded: 0, unknownUnicast: 0 });
  });

  it('gleans an unknown destination (ARP from the gateway), drops that packet, then routes', async () => {
    const { e, h1, h2 } = oneEngine();
    const r = await h1.ping('10.2.0.2', { count: 2, timeoutMs: 100 });
    expect(r).toMatchObject({ transmitted: 2, received: 1 });
    expect(vrf(e)).toMatchObject({ unresolved: 1, gleans: 1 });
    expect(h2.counters.arpRequestsAnswered).toBe(1);
    const r6 = await h1.ping('2001:db8:2::20', { count: 2, timeoutMs: 100 });
    expect(r6).toMatchObject({ received: 1 });
    expect(vrf(e)).toMatchObject({ unresolved: 2, gleans: 2 });
    expect(h2.counters.naSent).toBe(1);
  });

  it('answers ping to the gateway address itself', async () => {
    const { e, h1 } = oneEngine();
    expect(await h1.ping('10.1.0.254', { count: 2, timeoutMs: 100 })).toMatchObject({ received: 2 });
    expect(await h1.ping('2001:db8:1::1', { count: 1, timeoutMs: 100 })).toMatchObject({ received: 1 });
    expect(vrf(e).gatewayEchoAnswered).toBe(3);
  });

  it('routes by the control plane\'s ARP table, and counts no route', () => {
    const { e } = oneEngine();
    const got: Buffer[] = [];
    const r = new Endpoint('r', (b, s, en) => got.push(Buffer.from(b.subarray(s, en))));
    e.attachPort(200, r);
    r.send(ipv4Frame({ srcMac: '02:00:00:00:02:09', dstMac: '02:00:00:00:02:08', src: '10.2.0.9', dst: '10.2.0.8' })); // learn its MAC
    e.setArpEntry(200, '10.2.0.9', '02:00:00:00:02:09');
    const s = new Endpoint('s');
    e.attachPort(100, s);
    expect(s.send(ipv4Frame({ srcMac: '02:00:00:00:01:09', dstMac: gwMac, src: '10.1.0.9', dst: '10.2.0.9', ttl: 9 }))).toBe(true);
    expect(got.length).toBe(1);
    const f = got[0]!;
    expect(macKeyToText(f.readUIntBE(0, 6))).toBe('02:00:00:00:02:09');
    expect(macKeyToText(f.readUIntBE(6, 6))).toBe(gwMac);
    expect(f[14 + 8]).toBe(8);
    expect(checksum(f, 14, 34)).toBe(0);
    expect(s.send(ipv4Frame({ srcMac: '02:00:00:00:01:09', dstMac: gwMac, src: '10.1.0.9', dst: '192.0.2.1' }))).toBe(false);
    expect(vrf(e).noRoute).toBe(1);
  });
});

describe('TTL and checksum', () => {
  it('TTL 1 → ICMP Time Exceeded from the ingress gateway address, quoting the header', async () => {
    const { e, h1, h2 } = oneEngine();
    await h2.resolve('10.2.0.254', { timeoutMs: 100 });
    expect(await h1.ping('10.2.0.2', { count: 1, ttl: 1, timeoutMs: 50 })).toMatchObject({ received: 0 });
    expect(h1.counters.timeExceededReceived).toBe(1);
    expect(vrf(e)).toMatchObject({ ttlExceeded: 1, icmpErrorsSent: 1 });
    // the same by hand, to read the message
    const got: Buffer[] = [];
    const p = new Endpoint('p', (b, s, en) => got.push(Buffer.from(b.subarray(s, en))));
    e.attachPort(100, p);
    e.setArpEntry(100, '10.1.0.50', '02:00:00:00:01:50');
    const sent = ipv4Frame({ srcMac: '02:00:00:00:01:50', dstMac: gwMac, src: '10.1.0.50', dst: '10.2.0.2', ttl: 1 });
    expect(p.send(sent)).toBe(false);
    const te = got.find((f) => f[14 + 9] === 1 && f[34] === 11)!;
    expect(formatIp(te.subarray(26, 30))).toBe('10.1.0.254');
    expect(formatIp(te.subarray(30, 34))).toBe('10.1.0.50');
    expect(macKeyToText(te.readUIntBE(6, 6))).toBe(gwMac);
    expect(checksum(te, 14, 34)).toBe(0);
    const icmpEnd = 14 + te.readUInt16BE(16);
    expect(checksum(te, 34, icmpEnd)).toBe(0);
    expect(te.subarray(42, 42 + 28).equals(sent.subarray(14, 14 + 28))).toBe(true);
  });

  it('hop limit 1 → ICMPv6 Time Exceeded from the gateway address', async () => {
    const { e, h1, h2 } = oneEngine();
    await h2.resolve6('2001:db8:2::1', { timeoutMs: 100 });
    expect(await h1.ping('2001:db8:2::20', { count: 1, ttl: 1, timeoutMs: 50 })).toMatchObject({ received: 0 });
    expect(h1.counters.timeExceededReceived).toBe(1);
    expect(vrf(e)).toMatchObject({ ttlExceeded: 1, icmpErrorsSent: 1 });
  });

  it('the incrementally updated IPv4 checksum equals a full recompute (property)', () => {
    const { e } = oneEngine();
    let out: Buffer | undefined;
    const r = new Endpoint('r', (b, s, en) => { out = Buffer.from(b.subarray(s, en)); });
    e.attachPort(200, r);
    e.setArpEntry(200, '10.2.0.9', '02:00:00:00:02:09');
    const s = new Endpoint('s');
    e.attachPort(100, s);
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 255 }), fc.boolean(), fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 253 }), fc.uint8Array({ minLength: 0, maxLength: 64 }),
      (ttl, id, tos, df, proto, lastOctet, data) => {
        out = undefined;
        const f = ipv4Frame({ srcMac: '02:00:00:00:01:09', dstMac: gwMac, src: `10.1.${lastOctet}.${255 - lastOctet}`, dst: '10.2.0.9', ttl, id, tos, df, protocol: proto, payload: Buffer.from(data) });
        expect(s.send(f)).toBe(true);
        const hdr = Buffer.from(out!.subarray(14, 34));
        expect(hdr[8]).toBe(ttl - 1);
        const routed = hdr.readUInt16BE(10);
        hdr.writeUInt16BE(0, 10);
        expect(routed).toBe(checksum(hdr, 0, 20));
      },
    ), { numRuns: 400 });
  });
});

describe('bad input', () => {
  it('throws typed errors for unknown VRFs/VNIs and malformed text', () => {
    const { e } = oneEngine();
    const l3 = e.l3;
    expect(() => l3.addVrf('red', { l3vni: 100, routerMac: rmacA })).toThrow(RangeError); // an L2VNI
    expect(() => l3.addVrf('red', { l3vni, routerMac: rmacA })).toThrow(RangeError); // blue's
    expect(() => l3.addVrf('red', { l3vni: 0, routerMac: rmacA })).toThrow(RangeError);
    expect(() => l3.addVrf('red', { l3vni: 6000, routerMac: 'zz' })).toThrow(TypeError);
    expect(() => l3.addVrf('', { l3vni: 6000, routerMac: rmacA })).toThrow(TypeError);
    expect(() => e.addVni(l3vni)).toThrow(RangeError);
    expect(() => l3.setGateway(300, gw100)).toThrow(RangeError);
    expect(() => l3.setGateway(100, { ...gw100, vrf: 'nope' })).toThrow(RangeError);
    expect(() => l3.setGateway(100, { ...gw100, addresses: ['10.1.0.254'] })).toThrow(TypeError);
    expect(() => l3.setGateway(100, { ...gw100, mac: '1:2' })).toThrow(TypeError);
    expect(() => l3.setRoute('nope', '10.0.0.0/8', { kind: 'vni', vni: 100 })).toThrow(RangeError);
    expect(() => l3.setRoute('blue', '10.0.0.0/33', { kind: 'vni', vni: 100 })).toThrow(RangeError);
    expect(() => l3.setRoute('blue', 'ten/8', { kind: 'vni', vni: 100 })).toThrow(TypeError);
    expect(() => l3.setRoute('blue', '10.0.0.0/8', { kind: 'vni', vni: 999 })).toThrow(RangeError);
    expect(() => l3.setRoute('blue', '10.0.0.0/8', { kind: 'vtep', vtep: 'x', routerMac: rmacA })).toThrow(TypeError);
    expect(() => l3.setRoute('blue', '10.0.0.0/8', { kind: 'vtep', vtep: '198.18.0.1', routerMac: 'x' })).toThrow(TypeError);
    expect(() => l3.setRoute('blue', '10.0.0.0/8', { kind: 'other' } as never)).toThrow(TypeError);
    expect(() => l3.removeRoute('blue', '10.0.0.0/99')).toThrow(RangeError);
    l3.removeRoute('nope', '10.0.0.0/8'); // unknown: nothing
    l3.removeVrf('nope');
    // the gateway stayed intact through all of it
    expect(l3.snapshot('blue')!.gateways.map((g) => g.vni)).toEqual([100, 200]);
  });

  it('drops malformed frames to the gateway with a counter, never throwing', () => {
    const { e } = oneEngine();
    const s = new Endpoint('s');
    e.attachPort(100, s);
    const bad = ipv4Frame({ srcMac: '02:00:00:00:01:09', dstMac: gwMac, src: '10.1.0.9', dst: '10.2.0.9' });
    bad[14 + 10] = bad[14 + 10]! ^ 0xff; // header checksum
    expect(s.send(bad)).toBe(false);
    expect(s.send(bad.subarray(0, 20))).toBe(false);
    const v6 = ipv6Frame({ srcMac: '02:00:00:00:01:09', dstMac: gwMac, src: '2001:db8:1::9', dst: '2001:db8:2::9' });
    v6.writeUInt16BE(900, 18); // payload length beyond the frame
    expect(s.send(v6)).toBe(false);
    expect(vrf(e).malformed).toBe(3);
    // over the L3VNI, not to our router MAC
    e.receive(l3vni, ipv4Frame({ srcMac: '02:aa:00:00:00:0b', dstMac: '02:aa:00:00:00:99', src: '10.2.0.9', dst: '10.1.0.1' }), 0, 60);
    expect(vrf(e).notRouterMac).toBe(1);
    expect(e.counters.unknownVni).toBe(0);
  });

  it('removing the VRF detaches its gateways and routes; removing a VNI detaches its gateway', () => {
    const { e } = oneEngine();
    e.l3.setRoute('blue', '10.9.0.0/16', { kind: 'vni', vni: 200 });
    e.removeVni(200);
    expect(e.l3.snapshot('blue')!.gateways.map((g) => g.vni)).toEqual([100]);
    e.l3.removeVrf('blue');
    expect(e.l3.snapshot('blue')).toBeUndefined();
    expect(e.l3.vrfNames()).toEqual([]);
    e.addVni(l3vni); // the number is free again
  });
});
