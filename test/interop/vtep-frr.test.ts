/**
 * VtepManager against FRRouting as a real EVPN VTEP (issue 5). FRR runs zebra + bgpd in a
 * namespace with a kernel VXLAN device and a bridge per VNI (`advertise-all-vni`, harness
 * frr.ts); our speaker runs in the test process on the lab veth 198.18.0.1 (Topology
 * `root: true`), iBGP, with a VtepManager programming a real VxlanEngine whose UDP underlay is
 * bound to 198.18.0.1:4789 (on the lab veth; a /32 route to FRR's VTEP via its underlay
 * address is added on that veth and goes away with it).
 *
 * - FRR installs our Type-2/Type-3 routes in its kernel: `bridge fdb show` lists our VTEP as
 *   `dst` (the all-zeros flood entry and our MAC), `ip neigh` lists our MAC/IP.
 * - Our tables hold the MACs, IPs and flood entry that FRR learned from its kernel.
 * - The data path: FRR's tenant host (kernel bridge + VXLAN) pings a VirtualHost behind our
 *   engine, and back; ARP is answered from the EVPN tables on both sides.
 * - Both directions follow withdrawals.
 * Route targets: FRR's default auto-RT is AS:VNI, which our manager derives with
 * `autoRouteTarget: { style: 'as-vni' }` (RFC 8365 style is the other option).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, nsExec, sh, waitFor } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Frr } from './harness/frr.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { registerEvpn } from '../../src/evpn/index.js';
import { VxlanEngine } from '../../src/dataplane/engine.js';
import { UdpUnderlay } from '../../src/dataplane/underlay.js';
import { VirtualHost } from '../../src/dataplane/index.js';
import { VtepManager } from '../../src/vtep/index.js';

registerEvpn();

const execFileAsync = promisify(execFile);

const skip = missingReal(['bgpd', 'zebra', 'vtysh', 'bridge']);
const AS = 65000;
const VNI = 100;
const OUR_MAC = '02:aa:bb:00:00:01';
const OUR_IP = '198.51.100.77';

describe.skipIf(skip !== undefined)('VtepManager interop with FRRouting (kernel VXLAN + bridge, advertise-all-vni)', () => {
  let topo: Topology;
  let frr: Frr;
  let speaker: BgpSpeaker;
  let engine: VxlanEngine;
  let underlay: UdpUnderlay;
  let routeAdded = false;
  let manager: VtepManager;
  let me: string;
  let peerIp: string;
  let frrVtep: string;

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 1, root: true, firstOctet: 41, prefix: 'vf' });
    me = topo.rootIp!;
    const node = topo.node(0);
    peerIp = node.ip;
    frrVtep = node.vtep;
    frr = await Frr.start(topo.lab, {
      ns: node.ns, asn: AS, routerId: node.vtep, octet: node.octet, vnis: [VNI],
      neighbors: [{ address: me, asn: AS, passive: true, holdTime: 9 }],
    });
    speaker = new BgpSpeaker({ asn: AS, routerId: me, listen: false });
    speaker.addPeer({ address: peerIp, asn: AS, families: ['l2vpn-evpn'], localAddress: me, holdTime: 9, connectRetryTime: 1, idleHoldTime: 1 });
    underlay = await UdpUnderlay.open({ address4: me });
    engine = new VxlanEngine({ underlay });
    manager = new VtepManager({ speaker, dataplane: engine, vtepAddress: me, vnis: [{ vni: VNI }], autoRouteTarget: { style: 'as-vni' } });
    await speaker.start();
    await waitFor('session established', 40_000, () => speaker.peerState(peerIp) === 'Established');
  }, 120_000);

  afterAll(async () => {
    manager?.close();
    await speaker?.stop();
    await underlay?.close();
    if (routeAdded) {
      try { sh('ip', ['route', 'del', `${frrVtep}/32`]); } catch { /* gone with the veth */ }
    }
    await frr?.cleanup();
    await topo?.destroy();
  });

  const fdb = () => nsExec(frr.ns, 'bridge', ['fdb', 'show', 'dev', `vxlan${VNI}`]);
  const neigh = () => nsExec(frr.ns, 'ip', ['neigh', 'show', 'dev', `br${VNI}`]);

  it('FRR installs our Type-3 and Type-2 routes in the kernel: bridge fdb dst = our VTEP, ip neigh = our MAC/IP', async () => {
    manager.addLocalMac(VNI, OUR_MAC, { ips: [OUR_IP] });
    const lines = await frr.waitFor('our VTEP in the kernel FDB', 30_000, () => {
      const out = fdb();
      return out.includes(`00:00:00:00:00:00 dst ${me}`) && out.includes(`${OUR_MAC} dst ${me}`) ? out : undefined;
    });
    expect(lines).toMatch(new RegExp(`^00:00:00:00:00:00 dst ${me.replace(/\./g, '\\.')} self permanent`, 'm'));
    expect(lines).toMatch(new RegExp(`^${OUR_MAC} dst ${me.replace(/\./g, '\\.')} self extern_learn`, 'm'));
    const n = await frr.waitFor('our MAC/IP in the kernel neighbour table', 20_000, () => {
      const out = neigh();
      return out.includes(`${OUR_IP} lladdr ${OUR_MAC}`) ? out : undefined;
    });
    expect(n).toMatch(new RegExp(`${OUR_IP.replace(/\./g, '\\.')} lladdr ${OUR_MAC}.*extern_learn`));
  }, 60_000);

  it('our tables hold the MACs, IPs and flood entry FRR learned from its kernel', async () => {
    const v = frr.vnis[0]!;
    frr.tenantPing(VNI);
    await waitFor('FRR routes in our tables', 30_000, () =>
      manager.lookupMac(VNI, v.hostMac)?.location === frrVtep &&
      manager.resolveIp(VNI, v.hostIp) === v.hostMac &&
      manager.resolveIp(VNI, v.sviIp) === v.sviMac &&
      manager.floodList(VNI).includes(frrVtep),
    );
    expect(manager.floodList(VNI)).toEqual([frrVtep]);
    expect(manager.lookupMac(VNI, v.sviMac)).toMatchObject({ location: frrVtep, frozen: false });
    // and the dataplane was programmed with them
    const snap = engine.snapshot(VNI)!;
    expect(snap.floodList).toEqual([frrVtep]);
    expect(snap.remoteMacs).toContainEqual({ mac: v.hostMac, vtep: frrVtep });
    expect(snap.arpEntries).toContainEqual({ ip: v.hostIp, mac: v.hostMac });
  }, 60_000);

  it('data path: FRR\'s tenant host and our VirtualHost ping each other over VXLAN, ARP answered from EVPN tables', async () => {
    const v = frr.vnis[0]!;
    // our VXLAN packets to FRR's VTEP leave on the lab veth (the route goes away with the veth)
    const dev = /dev (\S+)/.exec(sh('ip', ['route', 'get', peerIp]))?.[1];
    expect(dev).toBeDefined();
    sh('ip', ['route', 'replace', `${frrVtep}/32`, 'via', peerIp, 'dev', dev!]);
    routeAdded = true;
    const vh = new VirtualHost({ mac: OUR_MAC, ipv4: OUR_IP, name: 'vh' });
    engine.attachPort(VNI, vh);
    // FRR side: the bridge answers ARP for our IP from the neighbour entry our route made
    // (neigh_suppress), then the kernel VXLAN device sends the echo to our VTEP
    // asynchronously: our engine answers from this event loop
    const out = (await execFileAsync('ip', ['netns', 'exec', v.hostNs, 'ping', '-c', '3', '-i', '0.2', '-W', '1', OUR_IP], { timeout: 10_000 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))).stdout;
    const received = Number(/(\d+) received/.exec(out)?.[1] ?? 0);
    expect(received).toBeGreaterThanOrEqual(2);
    expect(vh.counters.echoRepliesSent).toBeGreaterThanOrEqual(2);
    const c = engine.vniCounters(VNI)!;
    expect(c.decapFrames).toBeGreaterThanOrEqual(2);
    expect(c.encapFrames).toBeGreaterThanOrEqual(2);
    // our side: ARP for the tenant host is answered by our engine from FRR's Type-2, never flooded
    const before = { ...c };
    const r = await vh.ping(v.hostIp, { count: 2, timeoutMs: 1000 });
    expect(r.received).toBe(2);
    const after = engine.vniCounters(VNI)!;
    expect(after.arpAnswered).toBe(before.arpAnswered + 1);
    expect(after.arpFlooded).toBe(before.arpFlooded);
    expect(after.floodReplicas).toBe(before.floodReplicas);
    // the host goes away: the engine reports its MAC removed, the manager withdraws it
    engine.detachPort(vh);
    expect(manager.lookupMac(VNI, OUR_MAC)).toBeUndefined();
  }, 60_000);

  it("withdrawals follow both ways: FRR's kernel forgets our MAC, our tables forget FRR's host", async () => {
    await frr.waitFor('our MAC gone from the kernel', 30_000, () => !fdb().includes(OUR_MAC) && !neigh().includes(OUR_IP));
    // the flood entry stays while the VNI is configured
    expect(fdb()).toContain(`00:00:00:00:00:00 dst ${me}`);
    // FRR's tenant port goes down: the bridge flushes the host's MAC, FRR withdraws its Type-2
    const v = frr.vnis[0]!;
    nsExec(frr.ns, 'ip', ['link', 'set', `h${VNI}`, 'down']);
    await waitFor('FRR host withdrawn from our tables', 30_000, () => manager.lookupMac(VNI, v.hostMac) === undefined);
    expect(engine.snapshot(VNI)!.remoteMacs.some((r) => r.mac === v.hostMac)).toBe(false);
    // the SVI's route stays
    expect(manager.lookupMac(VNI, v.sviMac)?.location).toBe(frrVtep);
    expect(manager.removeVni(VNI)).toBe(true);
    await frr.waitFor('our flood entry gone', 30_000, () => !fdb().includes(`dst ${me}`));
  }, 90_000);
});
