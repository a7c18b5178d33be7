/**
 * The in-process fabric of issue 5: three VTEPs and a route reflector (BgpSpeakers over the
 * MemoryNetwork with a VirtualClock), each VTEP with a VtepManager and a real VxlanEngine whose
 * underlay is an in-memory wire between the engines. Hosts are the dataplane's VirtualHosts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric } from '../bgp/fabric-helpers.js';
import { VxlanEngine } from '../../src/dataplane/engine.js';
import { VirtualHost } from '../../src/dataplane/index.js';
import type { RemoteVtep, Underlay, UnderlayReceiver, VniTx } from '../../src/dataplane/types.js';
import { VtepManager, type VtepManagerEvents } from '../../src/vtep/index.js';

const RR = '10.0.0.100';
const VTEPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'] as const;
const AS = 65000;
const VNI = 100;
const H1 = { mac: '02:00:00:00:01:01', ipv4: '192.0.2.1', ipv6: '2001:db8:100::1' };
const H3 = { mac: '02:00:00:00:03:03', ipv4: '192.0.2.3', ipv6: '2001:db8:100::3' };

/** VXLAN between engines in one process: a copy of the frame, delivered on a later turn. */
class MemoryUnderlay implements Underlay {
  private receiver: UnderlayReceiver | undefined;
  sent = 0;
  constructor(readonly address: string, private readonly wire: Map<string, MemoryUnderlay>) {
    wire.set(address, this);
  }
  attach(receiver: UnderlayReceiver): void {
    this.receiver = receiver;
  }
  send(remote: RemoteVtep, vni: VniTx, buf: Buffer, start: number, end: number): boolean {
    const to = this.wire.get(remote.address);
    if (to === undefined) return false;
    const copy = Buffer.from(buf.subarray(start, end));
    this.sent++;
    setImmediate(() => to.receiver?.receive(vni.vni, copy, 0, copy.length));
    return true;
  }
  overhead(family: 4 | 6): number {
    return family === 4 ? 36 : 56;
  }
  async close(): Promise<void> {
    this.wire.delete(this.address);
  }
}

interface Vtep {
  address: string;
  engine: VxlanEngine;
  manager: VtepManager;
  events: { [K in keyof VtepManagerEvents]: VtepManagerEvents[K][0][] };
}

let fabric: Fabric;
let vteps: Vtep[] = [];
afterEach(async () => {
  for (const v of vteps) v.manager.close();
  vteps = [];
  await fabric?.stopAll();
});

async function build(): Promise<Vtep[]> {
  fabric = new Fabric();
  const wire = new Map<string, MemoryUnderlay>();
  const rr = fabric.speaker(RR, AS, VTEPS.map((a) => ({ address: a, asn: AS, routeReflectorClient: true, passive: true })));
  await rr.start();
  for (const address of VTEPS) {
    const speaker = fabric.speaker(address, AS, [{ address: RR, asn: AS }]);
    await speaker.start();
    const engine = new VxlanEngine({ underlay: new MemoryUnderlay(address, wire) });
    const manager = new VtepManager({ speaker, dataplane: engine, vtepAddress: address, vnis: [{ vni: VNI }] });
    const events = {} as Vtep['events'];
    for (const k of ['macLearned', 'macMoved', 'macRemoved', 'macDuplicate', 'learnRefused', 'floodListChanged', 'arpEntryInstalled', 'arpEntryRemoved', 'routeOriginated', 'routeWithdrawn'] as const) {
      events[k] = [];
      (manager.on as (k: string, fn: (e: unknown) => void) => void)(k, (e) => void (events[k] as unknown[]).push(e));
    }
    vteps.push({ address, engine, manager, events });
  }
  await fabric.settle('sessions up and flood lists full', () =>
    vteps.every((v) => v.manager.floodList(VNI).length === 2),
  );
  return vteps;
}

/**
 * A host appears on a VTEP: it sends an ARP request for `target`, so the engine sees its MAC
 * (a local learn) and the request its IP (snooped). The answer does not matter here.
 */
async function appear(v: Vtep, host: { mac: string; ipv4: string; ipv6?: string }, target: string, name: string): Promise<VirtualHost> {
  const h = new VirtualHost({ ...host, name });
  v.engine.attachPort(VNI, h);
  const p = h.resolve(target, { tries: 1, timeoutMs: 300 });
  await fabric.settle(`${name} learned on ${v.address}`, () => v.manager.lookupMac(VNI, host.mac)?.location === 'local' && v.manager.resolveIp(VNI, host.ipv4) === host.mac);
  await p;
  return h;
}

function where(v: Vtep, mac: string) {
  const e = v.manager.lookupMac(VNI, mac);
  return e === undefined ? undefined : `${e.location}#${e.seq}`;
}

describe('fabric: three VTEPs and a route reflector', () => {
  it('learn, ARP suppression, a move with a higher sequence, and duplicate detection', async () => {
    const [v1, v2, v3] = await build();
    for (const v of [v1!, v2!, v3!]) {
      expect(v.manager.floodList(VNI).sort()).toEqual(VTEPS.filter((a) => a !== v.address));
      expect(v.engine.snapshot(VNI)!.floodList.slice().sort()).toEqual(VTEPS.filter((a) => a !== v.address));
    }

    // --- a MAC learned on VTEP1 appears in VTEP2's and VTEP3's tables (with its IP)
    // H3 sits on VTEP3 silently; it answers H1's (flooded) ARP request
    v3!.engine.attachPort(VNI, new VirtualHost({ ...H3, name: 'h3' }));
    const h1 = await appear(v1!, H1, H3.ipv4, 'h1');
    await fabric.settle('H1 everywhere', () => where(v2!, H1.mac) === `${v1!.address}#0` && where(v3!, H1.mac) === `${v1!.address}#0` && v3!.manager.resolveIp(VNI, H1.ipv4) === H1.mac);
    expect(where(v1!, H1.mac)).toBe('local#0');
    expect(v1!.events.macLearned).toEqual([{ vni: VNI, mac: H1.mac, port: 'h1', seq: 0 }]);
    for (const v of [v2!, v3!]) {
      const snap = v.engine.snapshot(VNI)!;
      expect(snap.remoteMacs).toContainEqual({ mac: H1.mac, vtep: v1!.address });
      expect(snap.arpEntries).toContainEqual({ ip: H1.ipv4, mac: H1.mac });
    }

    // --- ARP for H1's IP on VTEP3 is answered locally: nothing flooded, nothing sent
    await fabric.idle(5); // frames of the learning step still on the wire
    const c3 = { ...v3!.engine.vniCounters(VNI)! };
    const decap = [v1!, v2!].map((v) => v.engine.vniCounters(VNI)!.decapFrames);
    const asker = new VirtualHost({ mac: '02:00:00:00:03:33', ipv4: '192.0.2.33', ipv6: '2001:db8:100::33', name: 'asker' });
    v3!.engine.attachPort(VNI, asker);
    const answer = await asker.resolve(H1.ipv4, { tries: 1, timeoutMs: 1000 });
    expect(answer?.toString('hex')).toBe(H1.mac.replace(/:/g, ''));
    await fabric.idle(5);
    const after3 = v3!.engine.vniCounters(VNI)!;
    expect(after3.arpAnswered).toBe(c3.arpAnswered + 1);
    expect(after3.arpFlooded).toBe(c3.arpFlooded);
    expect(after3.arpSuppressed).toBe(c3.arpSuppressed + 1);
    expect(after3.floodReplicas).toBe(c3.floodReplicas);
    expect(after3.encapFrames).toBe(c3.encapFrames);
    expect([v1!, v2!].map((v) => v.engine.vniCounters(VNI)!.decapFrames)).toEqual(decap);

    // --- the same for IPv6: H1's Neighbor Solicitation teaches VTEP1 its IPv6 address (snooped),
    // then an NS for it on VTEP3 is answered locally with an NA built in place
    const p6 = h1.resolve6(H3.ipv6, { tries: 1, timeoutMs: 300 });
    await fabric.settle('H1 IPv6 everywhere', () => v3!.manager.resolveIp(VNI, H1.ipv6) === H1.mac && v2!.manager.resolveIp(VNI, H1.ipv6) === H1.mac);
    await p6;
    await fabric.idle(5);
    const n3 = { ...v3!.engine.vniCounters(VNI)! };
    const answer6 = await asker.resolve6(H1.ipv6, { tries: 1, timeoutMs: 1000 });
    expect(answer6?.toString('hex')).toBe(H1.mac.replace(/:/g, ''));
    await fabric.idle(5);
    const after6 = v3!.engine.vniCounters(VNI)!;
    expect(after6.ndAnswered).toBe(n3.ndAnswered + 1);
    expect(after6.ndFlooded).toBe(n3.ndFlooded);
    expect(after6.encapFrames).toBe(n3.encapFrames);

    // --- H1 moves to VTEP2: sequence 1, every table converges, VTEP1 withdraws
    const seen: VirtualHost[] = [h1];
    let at = v1!;
    const moveTo = async (to: Vtep, n: number) => {
      const h = await appear(to, H1, H3.ipv4, `h1-${n}`);
      await fabric.settle(`move ${n} converged`, () => vteps.every((v) => where(v, H1.mac) === `${v === to ? 'local' : to.address}#${n}`));
      at.engine.detachPort(seen.at(-1)!); // the old copy of the host is gone
      seen.push(h);
      at = to;
    };
    await moveTo(v2!, 1);
    for (const v of [v1!, v3!]) expect(v.events.macMoved.at(-1)).toEqual({ vni: VNI, mac: H1.mac, from: v === v1 ? 'local' : v1!.address, to: v2!.address, seq: 1 });
    expect(v2!.events.macMoved.at(-1)).toEqual({ vni: VNI, mac: H1.mac, from: v1!.address, to: 'local', seq: 1 });
    expect(v3!.engine.snapshot(VNI)!.remoteMacs).toContainEqual({ mac: H1.mac, vtep: v2!.address });
    expect(v3!.manager.resolveIp(VNI, H1.ipv4)).toBe(H1.mac);
    await fabric.settle('VTEP1 withdrew its Type-2', () => v1!.events.routeWithdrawn.length >= 2);

    // --- four more fast moves: the fifth within 180 s freezes it everywhere
    expect(vteps.every((v) => v.events.macDuplicate.length === 0)).toBe(true);
    await moveTo(v1!, 2);
    await moveTo(v2!, 3);
    await moveTo(v1!, 4);
    await moveTo(v2!, 5);
    expect(fabric.clock.now()).toBeLessThan(180_000);
    // the two VTEPs the host moves between see every move as local <-> remote: both freeze it
    for (const v of [v1!, v2!]) {
      expect(v.events.macDuplicate).toEqual([{ vni: VNI, mac: H1.mac, at: v === v2 ? 'local' : v2!.address, seq: 5 }]);
      expect(v.manager.lookupMac(VNI, H1.mac)?.frozen).toBe(true);
    }
    // a bystander counts remote -> remote moves too, unless the reflector delivered a withdrawal
    // before the new route (the MAC was briefly unknown there: not a move)
    expect(v3!.events.macDuplicate.length).toBeLessThanOrEqual(1);
    expect(v3!.events.macMoved.length).toBeGreaterThanOrEqual(1);
    // frozen: a sixth appearance on VTEP1 is refused and nothing moves
    const h6 = new VirtualHost({ ...H1, name: 'h1-6' });
    v1!.engine.attachPort(VNI, h6);
    void h6.resolve(H3.ipv4, { tries: 1, timeoutMs: 200 });
    await fabric.idle(20);
    expect(v1!.events.learnRefused.at(-1)).toEqual({ vni: VNI, mac: H1.mac, port: 'h1-6', reason: 'frozen' });
    expect(vteps.map((v) => where(v, H1.mac))).toEqual([`${v2!.address}#5`, 'local#5', `${v2!.address}#5`]);
    expect(v2!.manager.lookupMac(VNI, H1.mac)?.port).toBe('h1-5');
  });
});
