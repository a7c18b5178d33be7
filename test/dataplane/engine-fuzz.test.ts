/**
 * The engine sees frames from hosts and packets from the network: random and near-valid input
 * through every entry point must never throw, and every frame is accounted for.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Endpoint, FullUnderlay, VirtualHost, VxlanEngine, macBytes } from '../../src/dataplane/index.js';

function setup() {
  const out: number[] = [];
  const u = new FullUnderlay({ localIp4: '198.18.3.1', localIp6: 'fd00::1', localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02', sink: (_b, s, e) => { out.push(e - s); } });
  const e = new VxlanEngine({ underlay: u });
  e.addVni(1);
  e.addVni(2, { suppressArp: false });
  e.setFloodList(1, ['198.18.3.2', 'fd00::2']);
  e.setArpEntry(1, '10.0.0.5', '02:00:00:00:00:05');
  e.setArpEntry(1, 'fd00::5', '02:00:00:00:00:05');
  e.setArpLookup(1, (r) => (r.targetIp.endsWith('.6') ? '02:00:00:00:00:06' : undefined));
  const p = new Endpoint('p');
  const h = new VirtualHost({ mac: '02:00:00:00:00:0a', ipv4: '10.0.0.10', ipv6: 'fd00::a' });
  e.attachPort(1, p);
  e.attachPort(1, h);
  e.attachPort(2, new Endpoint('q'));
  return { e, u, p, h, out };
}

/** A frame that starts like something the engine looks into (ARP, IPv4/ICMP, IPv6/NS) and then goes random. */
const nearValid = fc.tuple(
  fc.constantFrom('ffffffffffff', '02000000000a', '333300000001', '020000000099'),
  fc.constantFrom('0806' + '0001080006040001', '0800' + '45000054000040004001', '86dd' + '6000000000203aff', '8100' + '00650806'),
  fc.uint8Array({ maxLength: 120 }),
).map(([dst, head, tail]) => Buffer.concat([Buffer.from(dst + '020000000001' + head, 'hex'), Buffer.from(tail)]));

describe('engine never throws on hostile input (property)', () => {
  it('frames from a local port', () => {
    const { e, p } = setup();
    let sent = 0;
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), nearValid), (f) => {
      const r = p.send(f);
      expect(typeof r).toBe('boolean');
      sent++;
    }), { numRuns: 3000 });
    expect(e.portCounters(p)!.rxFrames).toBe(sent);
  });

  it('packets from the underlay, valid VXLAN around random frames and random bytes', () => {
    const { e, u } = setup();
    const vx = new FullUnderlay({ localIp4: '198.18.3.2', localMac: '02:ff:00:00:00:02', gatewayMac: '02:ff:00:00:00:01', sink: (b, s, en) => u.receive(b, s, en) });
    const peer = new VxlanEngine({ underlay: vx });
    peer.addVni(1);
    peer.setFloodList(1, ['198.18.3.1']);
    const src = new Endpoint('src');
    peer.attachPort(1, src);
    fc.assert(fc.property(fc.oneof(nearValid, fc.uint8Array({ minLength: 14, maxLength: 200 }).map((a) => Buffer.from(a))), fc.uint8Array({ maxLength: 120 }), (f, junk) => {
      // force a broadcast so the peer floods it to us whatever the frame says
      macBytes('ff:ff:ff:ff:ff:ff').copy(f, 0);
      src.send(f);
      u.receive(Buffer.from(junk));
    }), { numRuns: 2000 });
    const c = e.vniCounters(1)!;
    expect(c.decapFrames).toBeGreaterThan(1900);
    expect(Object.values(e.counters.decapErrors).reduce((a, b) => a + b, 0)).toBeGreaterThan(1900);
  });
});
