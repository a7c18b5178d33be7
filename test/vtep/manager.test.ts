/**
 * VtepManager against a real BgpSpeaker (one peer that injects routes, MemoryNetwork +
 * VirtualClock) and the recording fake dataplane.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, evpn } from '../bgp/fabric-helpers.js';
import { autoRouteTarget, inclusiveMulticastRoute, macIpRoute } from '../../src/evpn/index.js';
import type { BgpSpeaker } from '../../src/bgp/speaker.js';
import { VtepManager, type VtepManagerEvents } from '../../src/vtep/index.js';
import { FakeDataplane } from './fakes.js';

const US = '10.0.0.2';
const PEER = '10.0.0.1';
const AS = 65000;
const MAC = '02:00:00:00:00:aa';
const rt = autoRouteTarget(AS, 100);

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
  expect(fabric.clock.pending).toBe(0);
});

type Events = { [K in keyof VtepManagerEvents]?: VtepManagerEvents[K][0][] };

async function build(opts: { mobility?: { duplicateMoves?: number; duplicateWindowMs?: number }; macAgeMs?: number } = {}) {
  fabric = new Fabric();
  const [us, peer] = await fabric.pair(US, PEER, AS);
  const dp = new FakeDataplane();
  const m = new VtepManager({ speaker: us, dataplane: dp, vtepAddress: US, vnis: [{ vni: 100 }], ...opts });
  const events: Events = {};
  for (const k of ['macLearned', 'macMoved', 'macRemoved', 'macDuplicate', 'learnRefused', 'floodListChanged', 'arpEntryInstalled', 'arpEntryRemoved', 'routeOriginated', 'routeWithdrawn'] as const) {
    (m.on as (k: string, fn: (e: unknown) => void) => void)(k, (e) => void ((events[k] ??= []) as unknown[]).push(e));
  }
  return { us, peer, dp, m, events };
}

function remoteMac(opts: { mac?: string; ip?: string; seq?: number; sticky?: boolean; rts?: unknown[] } = {}) {
  return macIpRoute({
    rd: `${PEER}:100`,
    mac: opts.mac ?? MAC,
    ...(opts.ip === undefined ? {} : { ip: opts.ip }),
    vni: 100,
    nextHop: PEER,
    routeTargets: (opts.rts ?? [rt]) as never,
    ...(opts.seq === undefined && !opts.sticky ? {} : { mobility: { sequence: opts.seq ?? 0, sticky: opts.sticky === true } }),
  });
}

function ours(peer: BgpSpeaker, routeType: number) {
  return [...peer.routes(evpn)].filter((r) => (r.nlri as { routeType: number }).routeType === routeType && r.nextHops[0] === US);
}

describe('VtepManager', () => {
  it('originates a Type-3 per VNI with PMSI ingress replication and the auto-derived RT (RFC 8365)', async () => {
    const { peer, dp, m, events } = await build();
    expect(dp.vnis.has(100)).toBe(true);
    await fabric.settle('type-3 at the peer', () => ours(peer, 3).length === 1);
    const r = ours(peer, 3)[0]!;
    expect(r.nlri).toMatchObject({ routeType: 3, rd: `${US}:100`, originator: US });
    expect(r.attributes).toContainEqual(expect.objectContaining({ type: 'pmsi-tunnel', tunnelType: 6, label: 100, tunnelId: US }));
    const ext = r.attributes.find((a) => a.type === 'extended-communities') as unknown as { values: unknown[] };
    expect(ext.values).toContainEqual(rt);
    // a VNI added later originates its own Type-3 (with its own RD and RT)
    m.addVni({ vni: 200, rd: `${US}:7`, routeTargets: ['65000:200'], expectedMacs: 5000 });
    expect(events.routeOriginated).toHaveLength(1);
    expect(dp.vnis.get(200)).toEqual({ suppressArp: true, expectedMacs: 5000 }); // the sizing hint reaches the dataplane
    expect(dp.vnis.get(100)).toEqual({ suppressArp: true });
    await fabric.settle('second type-3', () => ours(peer, 3).length === 2);
    expect(ours(peer, 3).map((x) => (x.nlri as { rd: string }).rd).sort()).toEqual([`${US}:100`, `${US}:7`]);
  });

  it('imports remote Type-2 and Type-3 routes whose RT matches, ignores others, uninstalls on withdraw', async () => {
    const { peer, dp, m, events } = await build();
    const r = remoteMac({ ip: '192.0.2.10' });
    peer.announce(r);
    peer.announce(remoteMac({ mac: '02:00:00:00:00:bb', rts: ['65000:999'] }));
    peer.announce(remoteMac({ ip: '2001:db8::10' }));
    peer.announce(inclusiveMulticastRoute({ rd: `${PEER}:100`, originator: PEER, vni: 100, nextHop: PEER, routeTargets: [rt] }));
    await fabric.settle('imported', () => dp.remoteMacs.size === 1 && dp.floodLists.get(100)?.length === 1);
    expect(dp.remoteMacs.get(`100/${MAC}`)).toBe(PEER);
    expect(dp.arp.get('100/192.0.2.10')).toBe(MAC);
    expect(dp.floodLists.get(100)).toEqual([PEER]);
    expect(m.lookupMac(100, MAC)).toMatchObject({ location: PEER, seq: 0, frozen: false });
    expect(m.lookupMac(100, '02:00:00:00:00:bb')).toBeUndefined();
    expect(m.resolveIp(100, '192.0.2.10')).toBe(MAC);
    await fabric.settle('ND binding', () => m.resolveIp(100, '2001:db8::10') === MAC);
    expect(dp.arp.get('100/2001:db8::10')).toBe(MAC);
    expect(m.floodList(100)).toEqual([PEER]);
    expect(events.arpEntryInstalled).toContainEqual({ vni: 100, ip: '192.0.2.10', mac: MAC });
    expect(events.floodListChanged).toEqual([{ vni: 100, vteps: [PEER] }]);
    // ARP for the remote host's IP is answered from the table, nothing flooded
    expect(dp.arpRequest(100, '02:00:00:00:00:01', '192.0.2.1', '192.0.2.10')).toBe(MAC);
    expect(dp.counters).toEqual({ answered: 1, flooded: 0 });
    peer.withdraw(r);
    await fabric.settle('IPv4 binding withdrawn', () => !dp.arp.has('100/192.0.2.10'));
    expect(dp.remoteMacs.size).toBe(1); // the MAC/IPv6 route still holds the MAC
    peer.withdraw(remoteMac({ ip: '2001:db8::10' }));
    await fabric.settle('withdrawn', () => dp.remoteMacs.size === 0);
    expect(dp.arp.size).toBe(0);
    expect(m.lookupMac(100, MAC)).toBeUndefined();
    expect(events.macRemoved).toEqual([{ vni: 100, mac: MAC, from: PEER }]);
  });

  it('a local MAC learned on a port originates Type-2 routes; an ARP request teaches its IP', async () => {
    const { peer, dp, m, events } = await build();
    dp.local(100, MAC, 'port1');
    expect(events.macLearned).toEqual([{ vni: 100, mac: MAC, port: 'port1', seq: 0 }]);
    // ARP snooping: the host asks for an unknown IP; we learn its own binding and flood the request
    expect(dp.arpRequest(100, MAC, '192.0.2.20', '192.0.2.99')).toBeUndefined();
    expect(dp.counters.flooded).toBe(1);
    expect(m.resolveIp(100, '192.0.2.20')).toBe(MAC);
    await fabric.settle('type-2 at the peer', () => ours(peer, 2).length === 2);
    const nlris = ours(peer, 2).map((r) => r.nlri as { mac: string; ip?: string });
    expect(nlris.map((n) => n.ip ?? '').sort()).toEqual(['', '192.0.2.20']);
    // a new MAC: no MAC Mobility community (sequence 0)
    for (const r of ours(peer, 2)) {
      const ext = r.attributes.find((a) => a.type === 'extended-communities') as unknown as { values: { kind: string }[] };
      expect(ext.values.some((c) => c.kind === 'mac-mobility')).toBe(false);
    }
    // the port goes away: routes withdrawn
    dp.local(100, MAC, 'port1', 'removed');
    await fabric.settle('withdrawn at the peer', () => ours(peer, 2).length === 0);
    expect(m.lookupMac(100, MAC)).toBeUndefined();
    expect(events.routeWithdrawn).toHaveLength(2);
  });

  it('mobility: a local learn of a remote MAC advertises sequence + 1; a higher remote sequence evicts it', async () => {
    const { peer, dp, m, events } = await build();
    peer.announce(remoteMac({ seq: 3 }));
    await fabric.settle('remote', () => dp.remoteMacs.size === 1);
    dp.local(100, MAC, 'port1');
    expect(m.lookupMac(100, MAC)).toMatchObject({ location: 'local', seq: 4, port: 'port1' });
    expect(dp.remoteMacs.size).toBe(0);
    expect(events.macMoved).toEqual([{ vni: 100, mac: MAC, from: PEER, to: 'local', seq: 4 }]);
    await fabric.settle('our seq 4 at the peer', () => ours(peer, 2).length === 1);
    const ext = ours(peer, 2)[0]!.attributes.find((a) => a.type === 'extended-communities') as unknown as { values: unknown[] };
    expect(ext.values).toContainEqual({ kind: 'mac-mobility', sequence: 4, sticky: false });
    // the host moves back behind the peer, which advertises sequence 5
    peer.announce(remoteMac({ seq: 5 }));
    await fabric.settle('evicted', () => dp.remoteMacs.get(`100/${MAC}`) === PEER);
    expect(m.lookupMac(100, MAC)).toMatchObject({ location: PEER, seq: 5 });
    expect(events.macMoved?.at(-1)).toEqual({ vni: 100, mac: MAC, from: 'local', to: PEER, seq: 5 });
    await fabric.settle('our route withdrawn', () => ours(peer, 2).length === 0);
  });

  it('sticky remote MACs are not learned locally; the dataplane entry is put back', async () => {
    const { peer, dp, m, events } = await build();
    peer.announce(remoteMac({ sticky: true }));
    await fabric.settle('remote', () => dp.remoteMacs.size === 1);
    dp.calls.length = 0;
    dp.local(100, MAC, 'port1');
    expect(events.learnRefused).toEqual([{ vni: 100, mac: MAC, port: 'port1', reason: 'sticky' }]);
    expect(dp.calls).toEqual([`setRemoteMac 100 ${MAC} ${PEER}`]);
    expect(m.lookupMac(100, MAC)?.location).toBe(PEER);
  });

  it('duplicate detection on the injected clock: N moves in M ms freeze the MAC (configurable)', async () => {
    const { peer, dp, m, events } = await build({ mobility: { duplicateMoves: 3, duplicateWindowMs: 10_000 } });
    let seq = 1;
    peer.announce(remoteMac({ seq }));
    await fabric.settle('remote', () => dp.remoteMacs.size === 1);
    for (let i = 0; i < 3; i++) {
      if (i % 2 === 0) dp.local(100, MAC, 'port1');
      else {
        seq += 2;
        peer.announce(remoteMac({ seq }));
        await fabric.settle('moved away', () => m.lookupMac(100, MAC)?.location === PEER);
      }
    }
    expect(events.macDuplicate).toEqual([{ vni: 100, mac: MAC, at: 'local', seq: seq + 1 }]);
    expect(m.lookupMac(100, MAC)?.frozen).toBe(true);
    peer.announce(remoteMac({ seq: 100 }));
    await fabric.idle(10);
    expect(m.lookupMac(100, MAC)?.location).toBe('local');
    expect(m.clearDuplicate(100, MAC)).toBe(true);
    expect(m.lookupMac(100, MAC)).toMatchObject({ location: PEER, seq: 100, frozen: false });
  });

  it('ages out local MACs not refreshed within macAgeMs (injected clock); static MACs stay', async () => {
    const { peer, m, events } = await build({ macAgeMs: 60_000 });
    m.addLocalMac(100, MAC);
    m.addLocalMac(100, '02:00:00:00:00:cc', { static: true });
    await fabric.settle('2 type-2 at the peer', () => ours(peer, 2).length === 2);
    fabric.clock.advance(40_000);
    expect(m.touchLocalMac(100, MAC)).toBe(true);
    fabric.clock.advance(40_000);
    expect(m.lookupMac(100, MAC)?.location).toBe('local');
    fabric.clock.advance(70_000);
    expect(m.lookupMac(100, MAC)).toBeUndefined();
    expect(m.lookupMac(100, '02:00:00:00:00:cc')?.location).toBe('local');
    expect(events.macRemoved).toEqual([{ vni: 100, mac: MAC, from: 'local' }]);
    await fabric.settle('aged MAC withdrawn at the peer', () => ours(peer, 2).length === 1);
    m.close();
  });

  it('removeVni withdraws everything it originated; close detaches', async () => {
    const { peer, dp, m } = await build();
    m.addLocalMac(100, MAC, { ips: ['192.0.2.30', '2001:db8::30'], static: true });
    await fabric.settle('3 type-2 + 1 type-3 at the peer', () => ours(peer, 2).length === 3 && ours(peer, 3).length === 1);
    const ext = ours(peer, 2)[0]!.attributes.find((a) => a.type === 'extended-communities') as unknown as { values: unknown[] };
    expect(ext.values).toContainEqual({ kind: 'mac-mobility', sequence: 0, sticky: true });
    expect(m.removeVni(100)).toBe(true);
    await fabric.settle('all withdrawn', () => ours(peer, 2).length === 0 && ours(peer, 3).length === 0);
    expect(dp.vnis.has(100)).toBe(false);
    m.close();
    expect(dp.listenerCount).toBe(0);
  });
});
