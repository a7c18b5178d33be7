import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it, afterAll } from 'vitest';
import {
  BufferPool, DecapResult, DecapStatus, Endpoint, PcapWriter, EtherType, FullUnderlay, Icmp6Type, UdpUnderlay, VirtualHost, VxlanEngine,
  decapFull, decodeArp, decodeEthernet, decodeNeighborMessage, encodeEthernetHeader, encodeIpv6Header, formatIp, icmp6ChecksumValid,
  macBytes, parseIp, setIcmp6Checksum, vxlanHeader, type LocalMacEvent,
} from '../../src/dataplane/index.js';

const macA = '02:00:00:00:00:0a';
const macB = '02:00:00:00:00:0b';

/** Two engines joined back to back by full-mode underlays (whole outer packets in memory). */
function fabric(options: { pool?: BufferPool } = {}) {
  const wire: Buffer[] = [];
  const ends: FullUnderlay[] = [];
  const mk = (local: string, peer: () => FullUnderlay | undefined, pool?: BufferPool) => new FullUnderlay({
    localIp4: local, localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02', ...(pool ? { pool } : {}),
    sink: (buf, s, e) => {
      wire.push(Buffer.from(buf.subarray(s, e)));
      peer()?.receive(buf, s, e);
    },
  });
  const ua = mk('198.18.1.1', () => ends[1], options.pool);
  const ub = mk('198.18.1.2', () => ends[0]);
  ends.push(ua, ub);
  const a = new VxlanEngine({ underlay: ua });
  const b = new VxlanEngine({ underlay: ub });
  for (const [e, peer] of [[a, '198.18.1.2'], [b, '198.18.1.1']] as const) {
    e.addVni(101);
    e.setFloodList(101, [peer]);
  }
  const ha = new VirtualHost({ name: 'ha', mac: macA, ipv4: '10.0.0.1', ipv6: 'fd00::1' });
  const hb = new VirtualHost({ name: 'hb', mac: macB, ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  a.attachPort(101, ha);
  b.attachPort(101, hb);
  return { a, b, ua, ub, ha, hb, wire };
}

/** An NS from `srcMac`/`srcIp` for `target`, with or without the source link-layer option. */
function neighborSolicitation(srcMac: string, srcIp: string, target: string, withOption: boolean): Buffer {
  const icmpLen = withOption ? 32 : 24;
  const f = Buffer.alloc(14 + 40 + icmpLen);
  const tgt = parseIp(target).bytes;
  // solicited-node multicast 33:33:ff:xx:xx:xx
  const dst = Buffer.from([0x33, 0x33, 0xff, tgt[13]!, tgt[14]!, tgt[15]!]);
  let off = encodeEthernetHeader({ dst, src: macBytes(srcMac), etherType: EtherType.ipv6 }, f, 0);
  const snm = Buffer.from('ff0200000000000000000001ff000000', 'hex');
  tgt.copy(snm, 13, 13);
  off = encodeIpv6Header({ src: parseIp(srcIp).bytes, dst: snm, nextHeader: 58, payloadLength: icmpLen, hopLimit: 255 }, f, off);
  f[off] = Icmp6Type.neighborSolicitation;
  tgt.copy(f, off + 8);
  if (withOption) {
    f[off + 24] = 1;
    f[off + 25] = 1;
    macBytes(srcMac).copy(f, off + 26);
  }
  setIcmp6Checksum(f, 14);
  return f;
}

describe('VxlanEngine forwarding', () => {
  it('two engines carry ping both ways; every packet on the wire decapsulates', async () => {
    const { a, b, ha, hb, wire } = fabric();
    expect(await ha.ping('10.0.0.2', { count: 3, timeoutMs: 200 })).toMatchObject({ transmitted: 3, received: 3 });
    expect(await hb.ping('10.0.0.1', { count: 2, timeoutMs: 200 })).toMatchObject({ transmitted: 2, received: 2 });
    expect(hb.counters.echoRepliesSent).toBe(3);
    expect(ha.counters.echoRepliesSent).toBe(2);
    const ca = a.vniCounters(101)!;
    const cb = b.vniCounters(101)!;
    expect(ca.encapFrames).toBe(cb.decapFrames);
    expect(cb.encapFrames).toBe(ca.decapFrames);
    expect(ca.arpFlooded).toBe(1); // the first ARP request: unknown target, flooded
    const r = new DecapResult();
    for (const p of wire) {
      expect(decapFull(p, 0, p.length, r)).toBe(DecapStatus.ok);
      expect(r.vni).toBe(101);
      expect(r.srcPort).toBeGreaterThanOrEqual(49152);
    }
    expect(wire.length).toBe(ca.encapFrames + cb.encapFrames);
  });

  it('two engines carry IPv6 ping (NS/NA resolution, ICMPv6 echo) both ways', async () => {
    const { a, ha, hb } = fabric();
    expect(await ha.ping('fd00::2', { count: 3, timeoutMs: 200 })).toMatchObject({ transmitted: 3, received: 3 });
    expect(await hb.ping('fd00::1', { count: 2, timeoutMs: 200 })).toMatchObject({ transmitted: 2, received: 2 });
    expect(ha.neighbors6.size).toBe(1);
    expect(hb.counters.naSent).toBe(1);
    expect(a.vniCounters(101)!.ndFlooded).toBe(1);
    expect(await ha.ping('fd00::99', { count: 1, timeoutMs: 20 })).toMatchObject({ transmitted: 0, received: 0 });
    expect(ha.ipv6).toBe('fd00::1');
  });

  it('a VNI sized with expectedMacs holds what an unsized one holds, beyond the hint too', () => {
    const e = new VxlanEngine();
    e.addVni(5, { expectedMacs: 1000 });
    e.addVni(6);
    const mac = (i: number) => `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    const ip = (i: number) => `10.0.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < 3000; i++) {
      for (const v of [5, 6]) {
        e.setRemoteMac(v, mac(i), `198.18.0.${1 + (i % 7)}`);
        e.setArpEntry(v, ip(i), mac(i));
      }
    }
    for (let i = 0; i < 3000; i += 2) for (const v of [5, 6]) e.removeArpEntry(v, ip(i));
    const a = e.snapshot(5)!;
    const b = e.snapshot(6)!;
    expect(a.remoteMacs).toHaveLength(3000);
    expect(a.arpEntries).toHaveLength(1500);
    expect(new Set(a.remoteMacs.map((m) => `${m.mac} ${m.vtep}`))).toEqual(new Set(b.remoteMacs.map((m) => `${m.mac} ${m.vtep}`)));
    expect(new Set(a.arpEntries.map((x) => `${x.ip} ${x.mac}`))).toEqual(new Set(b.arpEntries.map((x) => `${x.ip} ${x.mac}`)));
    expect(a.arpEntries).toContainEqual({ ip: ip(2999), mac: mac(2999) });
    // an IPv4 address spelt with blanks still lands in the IPv4 table (and leaves it the same way)
    e.setArpEntry(5, ' 10.9.9.9 ', mac(1));
    expect(e.snapshot(5)!.arpEntries).toContainEqual({ ip: '10.9.9.9', mac: mac(1) });
    e.removeArpEntry(5, '10.9.9.9');
    expect(e.snapshot(5)!.arpEntries).toHaveLength(1500);
  });

  it('reports local MACs: learned, moved, removed', () => {
    const e = new VxlanEngine();
    e.addVni(7);
    const events: string[] = [];
    const off = e.onLocalMac((vni, mac, port, ev: LocalMacEvent) => events.push(`${vni} ${mac} ${port} ${ev}`));
    const p1 = new Endpoint('p1');
    const p2 = new Endpoint('p2');
    e.attachPort(7, p1);
    e.attachPort(7, p2);
    const f = Buffer.alloc(60);
    macBytes('ff:ff:ff:ff:ff:ff').copy(f, 0);
    macBytes('02:00:00:00:00:99').copy(f, 6);
    f.writeUInt16BE(0x88b5, 12);
    p1.send(f);
    p1.send(f); // no second report
    p2.send(f);
    e.detachPort(p2);
    off();
    p1.send(f);
    expect(events).toEqual([
      '7 02:00:00:00:00:99 p1 learned',
      '7 02:00:00:00:00:99 p2 moved',
      '7 02:00:00:00:00:99 p2 removed',
    ]);
    // relearned on p1 after the unsubscribe: in the table, but no event
    expect(e.snapshot(7)!.localMacs).toEqual([{ mac: '02:00:00:00:00:99', port: 'p1' }]);
  });

  it('ages out local MACs that stay silent for two sweeps', () => {
    const e = new VxlanEngine();
    e.addVni(7);
    const events: string[] = [];
    e.onLocalMac((vni, mac, port, ev) => events.push(`${mac} ${ev}`));
    const p = new Endpoint('p');
    e.attachPort(7, p);
    const frame = (src: string) => {
      const f = Buffer.alloc(60);
      f.fill(0xff, 0, 6);
      macBytes(src).copy(f, 6);
      return f;
    };
    p.send(frame('02:00:00:00:00:01'));
    p.send(frame('02:00:00:00:00:02'));
    expect(e.ageLocalMacs()).toBe(0); // both were active
    p.send(frame('02:00:00:00:00:01'));
    expect(e.ageLocalMacs()).toBe(1); // :02 was silent since the last sweep
    expect(events).toEqual(['02:00:00:00:00:01 learned', '02:00:00:00:00:02 learned', '02:00:00:00:00:02 removed']);
    expect(e.snapshot(7)!.localMacs.map((m) => m.mac)).toEqual(['02:00:00:00:00:01']);
    expect(e.ageLocalMacs()).toBe(1);
    expect(e.snapshot(7)!.localMacs).toEqual([]);
    p.send(frame('02:00:00:00:00:02'));
    expect(events.at(-1)).toBe('02:00:00:00:00:02 learned');
  });

  it('switches between local ports, floods unknown unicast, never sends underlay frames back (split horizon)', () => {
    const sent: Buffer[] = [];
    const u = new FullUnderlay({ localIp4: '198.18.1.1', localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02', sink: (b, s, e) => { sent.push(Buffer.from(b.subarray(s, e))); } });
    const e = new VxlanEngine({ underlay: u });
    e.addVni(9);
    e.setFloodList(9, ['198.18.1.2', '198.18.1.3', '198.18.1.2']);
    expect(e.snapshot(9)!.floodList).toEqual(['198.18.1.2', '198.18.1.3']);
    const got: Record<string, number> = { p1: 0, p2: 0 };
    const p1 = new Endpoint('p1', () => { got.p1!++; });
    const p2 = new Endpoint('p2', () => { got.p2!++; });
    e.attachPort(9, p1);
    e.attachPort(9, p2);
    const f = Buffer.alloc(64);
    macBytes('02:00:00:00:00:02').copy(f, 0);
    macBytes('02:00:00:00:00:01').copy(f, 6);
    f.writeUInt16BE(0x0800, 12);
    // unknown unicast: to p2 and to both VTEPs
    expect(p1.send(f)).toBe(true);
    expect(got).toEqual({ p1: 0, p2: 1 });
    expect(sent.length).toBe(2);
    expect(e.vniCounters(9)!.unknownUnicast).toBe(1);
    expect(e.vniCounters(9)!.floodReplicas).toBe(2);
    // p2 answers: 02..01 is known on p1 now, switched locally
    const g = Buffer.alloc(64);
    macBytes('02:00:00:00:00:01').copy(g, 0);
    macBytes('02:00:00:00:00:02').copy(g, 6);
    expect(p2.send(g)).toBe(true);
    expect(got).toEqual({ p1: 1, p2: 1 });
    expect(sent.length).toBe(2);
    expect(e.vniCounters(9)!.localSwitched).toBe(1);
    // a broadcast from the underlay reaches both ports and nothing goes back out
    const pkt = Buffer.alloc(50 + 64);
    f.copy(pkt, 50);
    macBytes('ff:ff:ff:ff:ff:ff').copy(pkt, 50);
    const t = new FullUnderlay({ localIp4: '198.18.1.2', localMac: '02:ff:00:00:00:02', gatewayMac: '02:ff:00:00:00:01', sink: (b, s, en) => u.receive(b, s, en) });
    const other = new VxlanEngine({ underlay: t });
    other.addVni(9);
    other.setFloodList(9, ['198.18.1.1']);
    const src = new Endpoint('src');
    other.attachPort(9, src);
    src.send(pkt, 50, pkt.length);
    expect(got).toEqual({ p1: 2, p2: 2 });
    expect(sent.length).toBe(2);
    // a remote MAC goes to its VTEP only
    e.setRemoteMac(9, '02:00:00:00:00:77', '198.18.1.3');
    macBytes('02:00:00:00:00:77').copy(f, 0);
    expect(p1.send(f)).toBe(true);
    expect(sent.length).toBe(3);
    expect(formatIp(sent[2]!.subarray(30, 34))).toBe('198.18.1.3');
    expect(e.remoteVtep('198.18.1.3')!.txPackets).toBe(2);
    e.removeRemoteMac(9, '02:00:00:00:00:77');
    expect(e.snapshot(9)!.remoteMacs).toEqual([]);
    // the control plane moves 02..01 (learned on p1) behind a remote VTEP: frames for it follow
    e.setRemoteMac(9, '02:00:00:00:00:01', '198.18.1.2');
    const before = { ...got };
    expect(p2.send(g)).toBe(true);
    expect(got).toEqual(before);
    expect(sent.length).toBe(4);
    expect(formatIp(sent[3]!.subarray(30, 34))).toBe('198.18.1.2');
  });

  it('drops frames too big for the underlay MTU and counts them (inner 1450 + 14 over IPv4)', () => {
    const sent: number[] = [];
    const u = new FullUnderlay({ localIp4: '198.18.1.1', localIp6: 'fd00::1', localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02', sink: (_b, s, e) => { sent.push(e - s); } });
    const e = new VxlanEngine({ underlay: u, underlayMtu: 1500 });
    e.addVni(5);
    e.setRemoteMac(5, '02:00:00:00:00:02', '198.18.1.2');
    e.setRemoteMac(5, '02:00:00:00:00:06', 'fd00::2');
    const p = new Endpoint('p');
    e.attachPort(5, p);
    const frame = (len: number, dst: string) => {
      const f = Buffer.alloc(len);
      macBytes(dst).copy(f, 0);
      macBytes('02:00:00:00:00:01').copy(f, 6);
      f.writeUInt16BE(0x0800, 12);
      return f;
    };
    expect(p.send(frame(1464, '02:00:00:00:00:02'))).toBe(true);
    expect(p.send(frame(1465, '02:00:00:00:00:02'))).toBe(false);
    expect(p.send(frame(1444, '02:00:00:00:00:06'))).toBe(true);
    expect(p.send(frame(1445, '02:00:00:00:00:06'))).toBe(false);
    expect(sent).toEqual([1464 + 50, 1444 + 70]);
    expect(e.vniCounters(5)!.mtuDrops).toBe(2);
    expect(e.portCounters(p)!.drops).toBe(2);
  });

  it('replicates a BUM frame from the pool without copying it; a foreign frame is copied once per flood', () => {
    const pool = new BufferPool({ slots: 8, frameSize: 2048 });
    const seen: { ip: string; frame: string; mem: boolean }[] = [];
    const u = new FullUnderlay({
      localIp4: '198.18.1.1', localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02', pool,
      sink: (b, s, e) => { seen.push({ ip: formatIp(b.subarray(s + 30, s + 34)), frame: b.subarray(s + 50, e).toString('hex'), mem: b === pool.memory }); },
    });
    const e = new VxlanEngine({ underlay: u });
    e.addVni(3);
    e.setFloodList(3, ['198.18.1.2', '198.18.1.3', '198.18.1.4']);
    const p = new Endpoint('p');
    e.attachPort(3, p);
    const f = pool.alloc(100)!;
    f.fill(0x5a);
    macBytes('ff:ff:ff:ff:ff:ff').copy(f, 0);
    macBytes('02:00:00:00:00:01').copy(f, 6);
    expect(p.send(f)).toBe(true);
    expect(seen.map((s) => s.ip)).toEqual(['198.18.1.2', '198.18.1.3', '198.18.1.4']);
    expect(new Set(seen.map((s) => s.frame)).size).toBe(1);
    expect(seen.every((s) => s.mem)).toBe(true);
    expect(u.counters.copies).toBe(0);
    expect(pool.available).toBe(6); // the frame and the underlay's staging slot
    pool.free(f);
    const g = Buffer.from(f);
    expect(p.send(g)).toBe(true);
    expect(u.counters.copies).toBe(1);
    expect(seen.length).toBe(6);
    expect(seen.slice(3).map((s) => s.frame)).toEqual(seen.slice(0, 3).map((s) => s.frame));
    g[20] = g[20]! ^ 0xff; // the same buffer, changed: the next flood stages it again
    expect(p.send(g)).toBe(true);
    expect(u.counters.copies).toBe(2);
    expect(seen[6]!.frame).not.toBe(seen[0]!.frame);
    expect(pool.available).toBe(7);
  });

  it('counts unknown VNIs and decapsulation errors from the underlay', () => {
    const sink: Buffer[] = [];
    const u = new FullUnderlay({ localIp4: '198.18.1.1', localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02', sink: (b, s, e) => { sink.push(Buffer.from(b.subarray(s, e))); } });
    const e = new VxlanEngine({ underlay: u });
    e.addVni(1);
    e.setFloodList(1, ['198.18.1.2']);
    const p = new Endpoint('p');
    e.attachPort(1, p);
    const f = Buffer.alloc(60, 1);
    macBytes('ff:ff:ff:ff:ff:ff').copy(f, 0);
    p.send(f);
    const pkt = sink[0]!;
    pkt.writeUInt32BE(0x00000200, 46); // VNI 2
    u.receive(pkt);
    expect(e.counters.unknownVni).toBe(1);
    pkt[42] = 0; // flags without I
    u.receive(pkt);
    u.receive(Buffer.alloc(10));
    expect(e.counters.decapErrors).toEqual({ badFlags: 1, tooShort: 1 });
  });
});

describe('ARP/ND suppression', () => {
  it('answers an ARP request for a known IP in place; floods unknown targets', async () => {
    const { a, ha } = fabric();
    a.setArpEntry(101, '10.0.0.99', '02:00:00:00:00:99');
    const mac = await ha.resolve('10.0.0.99', { timeoutMs: 100 });
    expect(mac?.toString('hex')).toBe('020000000099');
    const c = a.vniCounters(101)!;
    expect(c).toMatchObject({ arpAnswered: 1, arpSuppressed: 1, arpFlooded: 0, encapFrames: 0 });
    expect(await ha.resolve('10.0.0.98', { timeoutMs: 20, tries: 1 })).toBeUndefined();
    expect(c).toMatchObject({ arpAnswered: 1, arpFlooded: 1, encapFrames: 1 });
    a.removeArpEntry(101, '10.0.0.99');
    expect(a.snapshot(101)!.arpEntries).toEqual([]);
  });

  it('uses the lookup hook when the table has no entry', () => {
    const e = new VxlanEngine();
    e.addVni(4);
    const asked: string[] = [];
    e.setArpLookup(4, (r) => { asked.push(`${r.family} ${r.senderIp}>${r.targetIp} ${r.senderMac}`); return r.targetIp === '10.1.1.1' ? '02:00:00:00:01:01' : undefined; });
    const replies: Buffer[] = [];
    const p = new Endpoint('p', (b, s, en) => replies.push(Buffer.from(b.subarray(s, en))));
    e.attachPort(4, p);
    const req = Buffer.from('ffffffffffff02000000000108060001080006040001020000000001' + '0a010102' + '000000000000' + '0a010101', 'hex');
    expect(p.send(req)).toBe(true);
    expect(asked).toEqual(['4 10.1.1.2>10.1.1.1 02:00:00:00:00:01']);
    const eth = decodeEthernet(replies[0]!, 0, replies[0]!.length)!;
    expect(eth.dst.toString('hex')).toBe('020000000001');
    expect(eth.src.toString('hex')).toBe('020000000101');
    const arp = decodeArp(eth.payload, 0, eth.payload.length)!;
    expect(arp.op).toBe(2);
    expect(arp.senderMac.toString('hex')).toBe('020000000101');
    expect(formatIp(arp.senderIp)).toBe('10.1.1.1');
    expect(formatIp(arp.targetIp)).toBe('10.1.1.2');
  });

  it('consults the hook even when the table knows the target, so the sender\'s binding is learned (RFC 9161 3.1)', () => {
    const e = new VxlanEngine();
    e.addVni(4);
    e.setArpEntry(4, '10.1.1.1', '02:00:00:00:01:01');
    const senders: string[] = [];
    e.setArpLookup(4, (r) => { senders.push(`${r.senderIp} ${r.senderMac}`); return undefined; });
    const replies: Buffer[] = [];
    const p = new Endpoint('p', (b, s, en) => replies.push(Buffer.from(b.subarray(s, en))));
    e.attachPort(4, p);
    // a request answered from the table...
    expect(p.send(Buffer.from('ffffffffffff02000000000108060001080006040001020000000001' + '0a010102' + '000000000000' + '0a010101', 'hex'))).toBe(true);
    expect(replies).toHaveLength(1);
    expect(e.vniCounters(4)).toMatchObject({ arpAnswered: 1, arpFlooded: 0 });
    // ...and a gratuitous ARP (never answered) both tell the hook who sent them
    p.send(Buffer.from('ffffffffffff02000000000308060001080006040001020000000003' + '0a010103' + '000000000000' + '0a010103', 'hex'));
    expect(senders).toEqual(['10.1.1.2 02:00:00:00:00:01', '10.1.1.3 02:00:00:00:00:03']);
    expect(replies).toHaveLength(1);
  });

  it('answers an 802.1Q-tagged ARP request in place and keeps the tag', () => {
    const e = new VxlanEngine();
    e.addVni(4);
    e.setArpEntry(4, '10.1.1.1', '02:00:00:00:01:01');
    const replies: Buffer[] = [];
    const p = new Endpoint('p', (b, s, en) => replies.push(Buffer.from(b.subarray(s, en))));
    e.attachPort(4, p);
    // padded to 64 bytes like a real tagged frame
    const req = Buffer.from('ffffffffffff020000000001' + '81002064' + '08060001080006040001020000000001' + '0a010102' + '000000000000' + '0a010101' + '00'.repeat(18), 'hex');
    expect(p.send(req)).toBe(true);
    const r = replies[0]!;
    expect(r.length).toBe(64);
    const eth = decodeEthernet(r, 0, r.length)!;
    expect([eth.vlan, eth.pcp, eth.etherType]).toEqual([100, 1, EtherType.arp]);
    const arp = decodeArp(r, eth.payloadOffset, r.length)!;
    expect([arp.op, formatIp(arp.senderIp), arp.senderMac.toString('hex'), formatIp(arp.targetIp)]).toEqual([2, '10.1.1.1', '020000000101', '10.1.1.2']);
  });

  it('never answers gratuitous ARP or probes; a known announcement is kept off the overlay', () => {
    const sent: number[] = [];
    const u = new FullUnderlay({ localIp4: '198.18.1.1', localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02', sink: () => { sent.push(1); } });
    const e = new VxlanEngine({ underlay: u });
    e.addVni(4);
    e.setFloodList(4, ['198.18.1.2']);
    e.setArpEntry(4, '10.1.1.2', '02:00:00:00:00:01');
    const p = new Endpoint('p');
    e.attachPort(4, p);
    const garp = Buffer.from('ffffffffffff02000000000108060001080006040001020000000001' + '0a010102' + '000000000000' + '0a010102', 'hex');
    p.send(garp);
    const probe = Buffer.from('ffffffffffff02000000000108060001080006040001020000000001' + '00000000' + '000000000000' + '0a010103', 'hex');
    p.send(probe);
    expect(e.vniCounters(4)).toMatchObject({ arpAnswered: 0, arpSuppressed: 1 });
    expect(sent.length).toBe(1); // only the probe went out
  });

  for (const withOption of [true, false]) {
    it(`answers a Neighbor Solicitation ${withOption ? 'with' : 'without'} a source link-layer option with a valid NA`, () => {
      const e = new VxlanEngine();
      e.addVni(6);
      e.setArpEntry(6, 'fd00::99', '02:00:00:00:00:99');
      const replies: Buffer[] = [];
      const p = new Endpoint('p', (b, s, en) => replies.push(Buffer.from(b.subarray(s, en))));
      e.attachPort(6, p);
      p.send(neighborSolicitation('02:00:00:00:00:01', 'fd00::1', 'fd00::99', withOption));
      p.send(neighborSolicitation('02:00:00:00:00:01', 'fd00::1', 'fd00::98', withOption));
      expect(e.vniCounters(6)).toMatchObject({ ndAnswered: 1, ndFlooded: 1 });
      expect(replies.length).toBe(1);
      const na = replies[0]!;
      expect(na.subarray(0, 12).toString('hex')).toBe('020000000001020000000099');
      expect(icmp6ChecksumValid(na, 14)).toBe(true);
      expect(na[14 + 7]).toBe(255);
      expect(formatIp(na.subarray(22, 38))).toBe('fd00::99');
      expect(formatIp(na.subarray(38, 54))).toBe('fd00::1');
      const m = decodeNeighborMessage(na, 54, na.length)!;
      expect(m.type).toBe(136);
      expect(m.flags >>> 0).toBe(0x60000000); // solicited + override
      expect(formatIp(m.target)).toBe('fd00::99');
      expect(m.linkLayer!.toString('hex')).toBe('020000000099');
    });
  }

  it('a virtual host answers NS and ICMPv6 echo for its own address', () => {
    const e = new VxlanEngine();
    e.addVni(6, { suppressArp: false });
    const h = new VirtualHost({ mac: '02:00:00:00:00:66', ipv6: 'fd00::66' });
    const replies: Buffer[] = [];
    const p = new Endpoint('p', (b, s, en) => replies.push(Buffer.from(b.subarray(s, en))));
    e.attachPort(6, h);
    e.attachPort(6, p);
    p.send(neighborSolicitation('02:00:00:00:00:01', 'fd00::1', 'fd00::66', true));
    expect(h.counters.naSent).toBe(1);
    const na = replies[0]!;
    expect(icmp6ChecksumValid(na, 14)).toBe(true);
    expect(decodeNeighborMessage(na, 54, 54 + na.readUInt16BE(18))!.linkLayer!.toString('hex')).toBe('020000000066');
    // echo request fd00::1 -> fd00::66
    const echo = Buffer.alloc(14 + 40 + 16);
    let off = encodeEthernetHeader({ dst: macBytes('02:00:00:00:00:66'), src: macBytes('02:00:00:00:00:01'), etherType: EtherType.ipv6 }, echo, 0);
    off = encodeIpv6Header({ src: parseIp('fd00::1').bytes, dst: parseIp('fd00::66').bytes, nextHeader: 58, payloadLength: 16 }, echo, off);
    echo[off] = Icmp6Type.echoRequest;
    echo.writeUInt16BE(0x1234, off + 4);
    echo.write('payload!', off + 8);
    setIcmp6Checksum(echo, 14);
    p.send(echo);
    const rep = replies[1]!;
    expect(rep[54]).toBe(Icmp6Type.echoReply);
    expect(icmp6ChecksumValid(rep, 14)).toBe(true);
    expect(formatIp(rep.subarray(22, 38))).toBe('fd00::66');
    expect(rep.subarray(62, 70).toString()).toBe('payload!');
  });
});

describe('UDP underlay over loopback', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => { for (const c of closers) await c(); });

  it('two engines ping each other through node:dgram with entropy source ports', async () => {
    const net = `127.${77 + (process.pid % 100)}.${(process.pid >> 8) % 250}`;
    const ua = await UdpUnderlay.open({ address4: `${net}.1`, sourcePorts: 2 });
    const ub = await UdpUnderlay.open({ address4: `${net}.2`, sourcePorts: 2 });
    const a = new VxlanEngine({ underlay: ua });
    const b = new VxlanEngine({ underlay: ub });
    closers.push(() => a.close(), () => b.close());
    for (const [e, peer] of [[a, `${net}.2`], [b, `${net}.1`]] as const) {
      e.addVni(101);
      e.setFloodList(101, [peer]);
    }
    const ha = new VirtualHost({ mac: macA, ipv4: '10.0.0.1' });
    const hb = new VirtualHost({ mac: macB, ipv4: '10.0.0.2' });
    a.attachPort(101, ha);
    b.attachPort(101, hb);
    for (const p of ua.sourcePorts(4)) expect(p).toBeGreaterThanOrEqual(49152);
    expect(new Set(ua.sourcePorts(4)).size).toBe(2);
    expect(await ha.ping('10.0.0.2', { count: 3, timeoutMs: 1000 })).toMatchObject({ transmitted: 3, received: 3 });
    expect(ub.counters.rxPackets).toBeGreaterThanOrEqual(4);
    expect(b.vniCounters(101)!.decapFrames).toBe(ub.counters.rxPackets);
    // a datagram without the I flag is rejected and counted
    const bad = Buffer.concat([Buffer.alloc(8), Buffer.alloc(60)]);
    const { createSocket } = await import('node:dgram');
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.send(bad, 4789, `${net}.2`, () => r()));
    s.close();
    const hdr = vxlanHeader(101);
    expect(hdr[0]).toBe(8);
    for (let i = 0; i < 50 && b.counters.decapErrors.badFlags === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    expect(b.counters.decapErrors).toEqual({ badFlags: 1 });
    expect(ua.counters.sourceSockets).toBeGreaterThanOrEqual(1);
    expect(ua.counters.sourceSockets).toBeLessThanOrEqual(2);
  });

  it('a frame Buffer may be reused as soon as send returns', async () => {
    const net = `127.${77 + (process.pid % 100)}.${(process.pid >> 8) % 250}`;
    const ua = await UdpUnderlay.open({ address4: `${net}.3`, sourcePorts: 3 });
    const ub = await UdpUnderlay.open({ address4: `${net}.4`, sourcePorts: 1 });
    const a = new VxlanEngine({ underlay: ua });
    const b = new VxlanEngine({ underlay: ub });
    closers.push(() => a.close(), () => b.close());
    a.addVni(5);
    b.addVni(5);
    a.setRemoteMac(5, '02:00:00:00:00:02', `${net}.4`);
    const got: number[] = [];
    const rx = new Endpoint('rx', (buf, s) => got.push(buf[s + 20]!));
    b.attachPort(5, rx);
    const tx = new Endpoint('tx');
    a.attachPort(5, tx);
    const tracePath = `/tmp/dptrace${process.pid}.pcap`;
    const writer = new PcapWriter(tracePath);
    ua.trace(writer);
    const frame = Buffer.alloc(64);
    macBytes('02:00:00:00:00:02').copy(frame, 0);
    macBytes('02:00:00:00:00:01').copy(frame, 6);
    for (let i = 0; i < 20; i++) {
      frame[20] = i;
      expect(tx.send(frame)).toBe(true);
    }
    for (let i = 0; i < 100 && got.length < 20; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([...Array(20).keys()]);
    expect(ua.counters.sendErrors + ua.counters.bindErrors).toBe(0);
    expect(ua.counters.txPackets).toBe(20);
    // the trace holds the 20 datagrams as whole packets that decapsulate to the frames sent
    ua.trace(undefined);
    writer.close();
    const f = readFileSync(tracePath);
    rmSync(tracePath);
    const r = new DecapResult();
    let off = 24;
    const seen: number[] = [];
    while (off < f.length) {
      const len = f.readUInt32LE(off + 8);
      const pkt = f.subarray(off + 16, off + 16 + len);
      expect(decapFull(pkt, 0, pkt.length, r)).toBe(DecapStatus.ok);
      expect(r.vni).toBe(5);
      expect(r.srcPort).toBeGreaterThanOrEqual(49152);
      seen.push(pkt[r.frameStart + 20]!);
      off += 16 + len;
    }
    expect(seen).toEqual([...Array(20).keys()]);
  });
});
