/**
 * VtepManager against FRRouting as a real EVPN VTEP (issue 5). FRR runs zebra + bgpd in a
 * namespace with a kernel VXLAN device and a bridge per VNI (`advertise-all-vni`, harness
 * frr.ts); our speaker runs in the test process on the lab veth 198.18.0.1 (Topology
 * `root: true`), iBGP, with a VtepManager programming a real VxlanEngine (no underlay: this
 * test is about the control plane and the tables).
 *
 * - FRR installs our Type-2/Type-3 routes in its kernel: `bridge fdb show` lists our VTEP as
 *   `dst` (the all-zeros flood entry and our MAC), `ip neigh` lists our MAC/IP.
 * - Our tables hold the MACs, IPs and flood entry that FRR learned from its kernel.
 * - Both directions follow withdrawals.
 * Route targets: FRR's default auto-RT is AS:VNI, which our manager derives with
 * `autoRouteTarget: { style: 'as-vni' }` (RFC 8365 style is the other option).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, nsExec, waitFor } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Frr } from './harness/frr.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { registerEvpn } from '../../src/evpn/index.js';
import { VxlanEngine } from '../../src/dataplane/engine.js';
import { VtepManager } from '../../src/vtep/index.js';

registerEvpn();

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
    engine = new VxlanEngine();
    manager = new VtepManager({ speaker, dataplane: engine, vtepAddress: me, vnis: [{ vni: VNI }], autoRouteTarget: { style: 'as-vni' } });
    await speaker.start();
    await waitFor('session established', 40_000, () => speaker.peerState(peerIp) === 'Established');
  }, 120_000);

  afterAll(async () => {
    manager?.close();
    await speaker?.stop();
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

  it('withdrawals follow both ways: our removed MAC leaves the kernel', async () => {
    expect(manager.removeLocalMac(VNI, OUR_MAC)).toBe(true);
    await frr.waitFor('our MAC gone from the kernel', 30_000, () => !fdb().includes(OUR_MAC) && !neigh().includes(OUR_IP));
    // the flood entry stays while the VNI is configured
    expect(fdb()).toContain(`00:00:00:00:00:00 dst ${me}`);
    expect(manager.removeVni(VNI)).toBe(true);
    await frr.waitFor('our flood entry gone', 30_000, () => !fdb().includes(`dst ${me}`));
  }, 60_000);
});
