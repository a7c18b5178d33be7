/**
 * A flood of hostile UPDATEs over real TCP on loopback does not stall the speaker (issue 11):
 * while peer X sends 40 extended-message UPDATEs (65,535 bytes of malformed `02 00` Type-2 NLRI,
 * and 16,000 duplicate ORIGINs around a valid Type-2, alternately), the longest event-loop block
 * is at most 50 ms, and a valid Type-2 that peer Z sends after the flood is in Y's Loc-RIB within
 * 1.5 s. Before: each `02 00` UPDATE blocked the loop for ~1.5 s. One UPDATE of each kind goes
 * first, unmeasured: the very first runs of a code path pay for V8's compilation (~30 ms cold).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { familyKey } from '../../src/bgp/families.js';
import { macIpRoute, registerEvpn } from '../../src/evpn/index.js';
import { waitUntil } from './helpers.js';
import { badNlriFlood, duplicateOrigins } from './messages.js';

registerEvpn();
const Y = '127.0.0.71';
const X = '127.0.0.72';
const Z = '127.0.0.73';
const AS = 65000;

const speakers: BgpSpeaker[] = [];
afterEach(async () => {
  await Promise.all(speakers.splice(0).map((s) => s.stop()));
});

function client(address: string, port: number): BgpSpeaker {
  const s = new BgpSpeaker({ asn: AS, routerId: address, listen: false });
  s.addPeer({ address: Y, port, asn: AS, families: ['l2vpn-evpn'], localAddress: address, connectRetryTime: 1, idleHoldTime: 1 });
  speakers.push(s);
  return s;
}

describe('a flood of hostile UPDATEs on loopback', () => {
  it('40 UPDATEs of 64 KiB: no event-loop block over 50 ms; another session\'s Type-2 sent after them is in the Loc-RIB within 1.5 s', async () => {
    const y = new BgpSpeaker({ asn: AS, routerId: Y, listen: { address: Y, port: 0 } });
    speakers.push(y);
    for (const p of [X, Z]) y.addPeer({ address: p, asn: AS, families: ['l2vpn-evpn'], passive: true, routeReflectorClient: true });
    await y.start();
    const port = y.listenAddress!.port;
    const x = client(X, port);
    const z = client(Z, port);
    await Promise.all([x.start(), z.start()]);
    await waitUntil('both sessions Established', () => y.peerState(X) === 'Established' && y.peerState(Z) === 'Established', 10_000);
    expect(x.peer(Y)!.negotiated!.extendedMessage).toBe(true);

    // count the flood's UPDATEs as Y's session takes them in
    const session = y.peer(X)!.session as unknown as { onUpdate: (c: unknown, m: Buffer) => void };
    const onUpdate = session.onUpdate.bind(session);
    let received = 0;
    session.onUpdate = (c, m) => {
      onUpdate(c, m);
      if (m.length > 60_000) received++;
    };
    const flood = badNlriFlood();
    const dups = duplicateOrigins();
    x.peer(Y)!.session.send(flood);
    x.peer(Y)!.session.send(dups);
    await waitUntil('the warm-up taken in', () => received === 2, 10_000);
    received = 0;
    const count = 40;
    // The longest block: the longest gap between ticks of a 2 ms interval beyond its period, counted
    // only as far as the process used CPU in it (a 2-core box shared with other test runs may
    // deschedule us: that is not the event loop being blocked).
    let longest = 0;
    let last = performance.now();
    let lastCpu = process.cpuUsage();
    const tick = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      longest = Math.max(longest, Math.min(now - last - 2, (cpu.user + cpu.system) / 1000));
      last = now;
      lastCpu = process.cpuUsage();
    }, 2);
    try {
      // one UPDATE per turn: the attacker's own writes are not what is measured
      for (let i = 0; i < count; i++) {
        x.peer(Y)!.session.send(i % 2 === 0 ? flood : dups);
        await new Promise((r) => setImmediate(r));
      }
      const route = macIpRoute({ rd: `${Z}:100`, mac: '02:00:00:00:0c:01', vni: 100, nextHop: Z, routeTargets: ['65000:100'] });
      const sent = performance.now();
      z.announce(route);
      const rib = familyKey(25, 70);
      const fromZ = (): boolean => [...y.routes('l2vpn-evpn')].some((r) => (r.nlri as { mac?: string }).mac === '02:00:00:00:0c:01');
      await waitUntil("Z's Type-2 in Y's Loc-RIB", fromZ, 5_000);
      const latency = performance.now() - sent;
      await waitUntil('the whole flood taken in', () => received === count, 10_000);
      console.log(`flood of ${count}: longest event-loop block ${longest.toFixed(1)} ms, Z's route in the Loc-RIB after ${latency.toFixed(0)} ms`);
      expect(latency, `Z's route took ${latency.toFixed(0)} ms`).toBeLessThanOrEqual(1500);
      expect(longest, `longest event-loop block ${longest.toFixed(1)} ms`).toBeLessThanOrEqual(50);
      expect(y.locRibIfAny(rib)!.size).toBe(2); // X's Type-2 from the duplicate-ORIGIN UPDATEs, and Z's
    } finally {
      clearInterval(tick);
    }
    expect(y.peerState(X)).toBe('Established');
    expect(y.peerState(Z)).toBe('Established');
  }, 30_000);
});
