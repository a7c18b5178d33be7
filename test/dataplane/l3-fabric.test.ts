import { describe, expect, it } from 'vitest';
import { DecapResult, DecapStatus, VirtualHost, decapFull, macKeyToText } from '../../src/dataplane/index.js';
import { gw100, gw200, gwMac, l3vni, rmacA, rmacB, twoEngines } from './l3-helpers.js';

/** The decapsulated packets on the wire: VNI and inner MACs. */
function onWire(wire: Buffer[]): { vni: number; dst: string; src: string; ttl: number }[] {
  const r = new DecapResult();
  return wire.map((p) => {
    expect(decapFull(p, 0, p.length, r)).toBe(DecapStatus.ok);
    const f = p.subarray(r.frameStart, r.frameEnd);
    return { vni: r.vni, dst: macKeyToText(f.readUIntBE(0, 6)), src: macKeyToText(f.readUIntBE(6, 6)), ttl: f.readUInt16BE(12) === 0x0800 ? f[22]! : f[21]! };
  });
}

describe('routing between two engines', () => {
  it('symmetric IRB: host routes over the L3VNI, inner MACs are the router MACs (IPv4 and IPv6)', async () => {
    const { a, b, wire, ipA, ipB } = twoEngines();
    a.addVni(100);
    b.addVni(200);
    a.l3.addVrf('blue', { l3vni, routerMac: rmacA });
    b.l3.addVrf('blue', { l3vni, routerMac: rmacB });
    a.l3.setGateway(100, gw100);
    b.l3.setGateway(200, gw200);
    // what the control plane installs from Type-2 (host routes) and Type-5 (a prefix)
    a.l3.setRoute('blue', '10.2.0.2/32', { kind: 'vtep', vtep: ipB, routerMac: rmacB });
    a.l3.setRoute('blue', '2001:db8:2::/48', { kind: 'vtep', vtep: ipB, routerMac: rmacB });
    b.l3.setRoute('blue', '10.1.0.0/16', { kind: 'vtep', vtep: ipA, routerMac: rmacA });
    b.l3.setRoute('blue', '2001:db8:1::10/128', { kind: 'vtep', vtep: ipA, routerMac: rmacA });
    const h1 = new VirtualHost({ name: 'h1', mac: '02:00:00:00:01:01', ipv4: '10.1.0.1/24', gateway4: '10.1.0.254', ipv6: '2001:db8:1::10/64', gateway6: '2001:db8:1::1' });
    const h2 = new VirtualHost({ name: 'h2', mac: '02:00:00:00:02:02', ipv4: '10.2.0.2/24', gateway4: '10.2.0.254', ipv6: '2001:db8:2::20/64', gateway6: '2001:db8:2::1' });
    a.attachPort(100, h1);
    b.attachPort(200, h2);
    await h2.resolve('10.2.0.254', { timeoutMs: 100 });
    await h2.resolve6('2001:db8:2::1', { timeoutMs: 100 });
    expect(wire).toEqual([]); // the gateway answered locally
    expect(await h1.ping('10.2.0.2', { count: 3, timeoutMs: 200 })).toMatchObject({ received: 3 });
    expect(await h1.ping('2001:db8:2::20', { count: 2, timeoutMs: 200 })).toMatchObject({ received: 2 });
    const seen = onWire(wire);
    expect(seen.length).toBe(10);
    for (const s of seen) {
      expect(s.vni).toBe(l3vni);
      // A → B carries A's router MAC as source and B's as destination, and back
      expect([`${rmacA}>${rmacB}`, `${rmacB}>${rmacA}`]).toContain(`${s.src}>${s.dst}`);
      // requests routed once at A (64 → 63); the virtual host echoes the TTL it got (62), B routes it (61)
      expect(s.ttl).toBe(s.src === rmacA ? 63 : 61);
    }
    expect(seen.filter((s) => s.src === rmacA).length).toBe(5);
    expect(a.l3.counters('blue')).toMatchObject({ routed: 10, encapFrames: 5, decapFrames: 5, splitHorizon: 0 });
    expect(b.l3.counters('blue')).toMatchObject({ routed: 10, encapFrames: 5, decapFrames: 5 });
    expect(a.vniCounters(100)!.encapFrames).toBe(0);
    // TTL 2: routed at A (→ 1), expires at B: Time Exceeded comes back from B's gateway over the L3VNI
    expect(await h1.ping('10.2.0.2', { count: 1, ttl: 2, timeoutMs: 100 })).toMatchObject({ received: 0 });
    expect(b.l3.counters('blue')).toMatchObject({ ttlExceeded: 1, icmpErrorsSent: 1 });
    expect(h1.counters.timeExceededReceived).toBe(1);
  });

  it('asymmetric IRB: routed at ingress into the destination L2VNI, bridged to the remote VTEP; a `vni` next hop', async () => {
    const { a, b, wire, ipA, ipB } = twoEngines();
    const h1mac = '02:00:00:00:01:01';
    const h2mac = '02:00:00:00:02:02';
    for (const [e, peer] of [[a, ipB], [b, ipA]] as const) {
      e.addVni(100);
      e.addVni(200);
      e.setFloodList(100, [peer]);
      e.setFloodList(200, [peer]);
      e.l3.addVrf('blue', { l3vni, routerMac: e === a ? rmacA : rmacB });
      e.l3.setGateway(100, gw100);
      e.l3.setGateway(200, gw200);
    }
    // what Type-2 MAC/IP routes program on each side
    a.setRemoteMac(200, h2mac, ipB);
    a.setArpEntry(200, '10.2.0.2', h2mac);
    b.setRemoteMac(100, h1mac, ipA);
    b.setArpEntry(100, '10.1.0.1', h1mac);
    b.l3.setRoute('blue', '10.1.0.1/32', { kind: 'vni', vni: 100 });
    const h1 = new VirtualHost({ name: 'h1', mac: h1mac, ipv4: '10.1.0.1/24', gateway4: '10.1.0.254' });
    const h2 = new VirtualHost({ name: 'h2', mac: h2mac, ipv4: '10.2.0.2/24', gateway4: '10.2.0.254' });
    a.attachPort(100, h1);
    b.attachPort(200, h2);
    expect(await h1.ping('10.2.0.2', { count: 2, timeoutMs: 200 })).toMatchObject({ received: 2 });
    const seen = onWire(wire);
    expect(seen.length).toBe(4);
    for (const s of seen) {
      expect(s.src).toBe(gwMac); // routed frames leave the gateway with its anycast MAC
      if (s.vni === 200) expect(s.dst).toBe(h2mac);
      else expect(s).toMatchObject({ vni: 100, dst: h1mac });
    }
    expect(seen.filter((s) => s.vni === 200).length).toBe(2);
    expect(a.l3.counters('blue')!.encapFrames).toBe(0); // nothing on the L3VNI
  });

  it('split horizon: a frame from the L3VNI whose route leads back into the overlay is dropped', () => {
    const { a, ipB } = twoEngines();
    a.l3.addVrf('blue', { l3vni, routerMac: rmacA });
    a.l3.setRoute('blue', '0.0.0.0/0', { kind: 'vtep', vtep: ipB, routerMac: rmacB });
    const f = Buffer.alloc(60);
    Buffer.from(rmacA.replace(/:/g, ''), 'hex').copy(f, 0);
    Buffer.from(rmacB.replace(/:/g, ''), 'hex').copy(f, 6);
    f.writeUInt16BE(0x0800, 12);
    Buffer.from('4500002e00004000400100000a0200020a010001', 'hex').copy(f, 14);
    // header checksum
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += f.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    f.writeUInt16BE(~sum & 0xffff, 24);
    a.receive(l3vni, f, 0, 60);
    expect(a.l3.counters('blue')).toMatchObject({ decapFrames: 1, splitHorizon: 1, routed: 0, encapFrames: 0 });
  });
});
