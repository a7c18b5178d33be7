/**
 * OvsDataplane against real Open vSwitch 3.1 (userspace `netdev` datapath, one ovsdb-server +
 * ovs-vswitchd per namespace, harness/ovs.ts) — issue 15, the OVS half:
 * (a) our VtepManager + OvsDataplane on one side, FRR (kernel VXLAN, advertise-all-vni) on the
 *     other, iBGP from our in-process speaker: hosts ping both ways, FRR's MAC becomes our flow,
 *     our host (learned by OVS's learn() action) becomes a Type-2 FRR installs, the ARP
 *     responder answers, withdrawals both ways, stop leaves no flow of our cookie;
 * (b) the classic two-host tutorial (VNI 101, internal ports at MTU 1450, 10.0.0.10 ↔
 *     10.0.0.11) with the tunnels built by EVPN between two OVS instances (two speakers over
 *     loopback) instead of a static `remote_ip`;
 * (c) OVS as a plain VXLAN peer (static `remote_ip`, NORMAL switching) of our userspace engine
 *     with a VirtualHost as host B.
 * Octets: (a) is root-attached at 35..36, (c) root-attached at 123, (b) 121..122 (no root).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, nsExec, sh, waitFor } from '../helpers/netns.js';
import { setSysctl, Topology } from './harness/topology.js';
import { Frr } from './harness/frr.js';
import { Ovs } from './harness/ovs.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { registerEvpn } from '../../src/evpn/index.js';
import { OvsDataplane, OvsDataplaneError, UdpUnderlay, VirtualHost, VxlanEngine } from '../../src/dataplane/index.js';
import { VtepManager } from '../../src/vtep/index.js';

registerEvpn();
const execFileAsync = promisify(execFile);
const skip = missingReal(['bgpd', 'zebra', 'vtysh', 'bridge', 'ping', 'ethtool', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl', 'ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd']);
const AS = 65000;
const ours = (dp: OvsDataplane) => `cookie=0x${dp.pipeline.cookie.toString(16)}/0xffffffffffffff00`;

/** Pings from a namespace without blocking the event loop (our speaker and engine run in it). */
async function pingFrom(ns: string, ip: string, count = 3): Promise<number> {
  const r = await execFileAsync('ip', ['netns', 'exec', ns, 'ping', '-c', String(count), '-i', '0.2', '-W', '2', ip], { timeout: 15_000 })
    .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
}

/** n_packets of our flows matching `filter` (e.g. `arp,arp_tpa=10.0.0.11`). */
function packets(ovs: Ovs, dp: OvsDataplane, filter: string): number {
  const out = ovs.ofctl('dump-flows', 'br-int', `${ours(dp)},${filter}`);
  return [...out.matchAll(/n_packets=(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
}

/** Runs clean-up steps in order; one failing does not keep the rest (and the namespaces) from going. */
async function cleanUp(...steps: (() => unknown)[]): Promise<void> {
  for (const step of steps) {
    try { await step(); } catch (e) { console.error(`clean-up step failed: ${String(e)}`); }
  }
}

function txOff(ns: string, dev: string): void {
  nsExec(ns, 'ethtool', ['-K', dev, 'tx', 'off']);
}

describe.skipIf(skip !== undefined)('OvsDataplane with real Open vSwitch', () => {
  describe('(a) VtepManager + OvsDataplane against FRR (kernel VXLAN, advertise-all-vni)', () => {
    const VNI = 100;
    const OUR_MAC = '02:aa:bb:00:00:35';
    const OUR_IP = '198.51.100.77';
    let topo: Topology;
    let frr: Frr;
    let ovs: Ovs;
    let dp: OvsDataplane;
    let speaker: BgpSpeaker;
    let manager: VtepManager;
    let hostNs: string;
    let ourVtep: string;
    let frrVtep: string;

    beforeAll(async () => {
      topo = await Topology.create({ nodes: 2, root: true, firstOctet: 35, prefix: 'oa' });
      const [o, f] = [topo.node(0), topo.node(1)];
      ourVtep = o.ip;
      frrVtep = f.vtep;
      frr = await Frr.start(topo.lab, { ns: f.ns, asn: AS, routerId: f.vtep, octet: f.octet, vnis: [VNI],
        neighbors: [{ address: topo.rootIp!, asn: AS, passive: true, holdTime: 9 }] });
      ovs = await Ovs.start(topo.lab, { ns: o.ns });
      // FRR's VXLAN source is its loopback VTEP: OVS routes to it through br-phy
      ovs.tunnelBridge({ underlayCidr: `${o.ip}/24`, routes: [[`${f.vtep}/32`, f.ip], [`${topo.rootIp!}/32`, o.ip]] });
      txOff(f.ns, 'eth0');
      for (const p of ['p0', 'p1']) txOff(topo.sw, p);
      hostNs = topo.addNamespace('oah');
      ovs.internalHost('br-int', 'vm0', hostNs, `${OUR_IP}/25`, OUR_MAC, 1450);
      dp = await OvsDataplane.open({ bridge: 'br-int', tunnelPort: 'vxlan0', rundir: ovs.rundir });
      speaker = new BgpSpeaker({ asn: AS, routerId: topo.rootIp!, listen: false });
      speaker.addPeer({ address: f.ip, asn: AS, families: ['l2vpn-evpn'], localAddress: topo.rootIp!, holdTime: 9, connectRetryTime: 1, idleHoldTime: 1 });
      manager = new VtepManager({ speaker, dataplane: dp, vtepAddress: ourVtep, vnis: [{ vni: VNI }], autoRouteTarget: { style: 'as-vni' } });
      await dp.attachOvsPort(VNI, 'vm0');
      await speaker.start();
      await waitFor('session with FRR', 40_000, () => speaker.peerState(f.ip) === 'Established');
    }, 90_000);

    afterAll(() => cleanUp(() => manager?.close(), () => speaker?.stop(), () => dp?.stop(), () => ovs?.cleanup(), () => frr?.cleanup(), () => topo?.destroy()));

    const fdb = () => nsExec(frr.ns, 'bridge', ['fdb', 'show', 'dev', `vxlan${VNI}`]);

    it("FRR's MAC becomes our flow; OVS learns our host, FRR installs it; the hosts ping both ways", async () => {
      const v = frr.vnis[0]!;
      frr.tenantPing(VNI);
      await waitFor("FRR's host as our flow", 30_000, () => ovs.ofctl('dump-flows', 'br-int', `${ours(dp)},dl_dst=${v.hostMac}`).includes(`set_field:${frrVtep}->tun_dst`));
      expect(dp.snapshot(VNI)!.floodList).toEqual([frrVtep]);
      expect(ovs.ofctl('dump-groups', 'br-int')).toContain(`set_field:${frrVtep}->tun_dst`);
      // our host speaks first: OVS's learn() flow -> onLocalMac -> Type-2 -> FRR's kernel FDB
      expect(await pingFrom(hostNs, v.hostIp)).toBeGreaterThanOrEqual(2);
      expect(manager.lookupMac(VNI, OUR_MAC)).toMatchObject({ location: 'local', port: 'vm0' });
      const lines = await frr.waitFor('our host in the kernel FDB', 20_000, () => (fdb().includes(`${OUR_MAC} dst ${ourVtep}`) ? fdb() : undefined));
      expect(lines).toMatch(new RegExp(`^${OUR_MAC} dst ${ourVtep.replace(/\./g, '\\.')} self extern_learn`, 'm'));
      expect(lines).toContain(`00:00:00:00:00:00 dst ${ourVtep}`);
      const back = await execFileAsync('ip', ['netns', 'exec', v.hostNs, 'ping', '-c', '3', '-i', '0.2', '-W', '2', OUR_IP], { timeout: 15_000 })
        .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
      expect(Number(/(\d+) received/.exec(back.stdout)?.[1] ?? 0)).toBeGreaterThanOrEqual(2);
    }, 60_000);

    it("OVS's ARP responder answers for FRR's host from its MAC/IP route", async () => {
      const v = frr.vnis[0]!;
      await waitFor('responder flow', 20_000, () => ovs.ofctl('dump-flows', 'br-int', `${ours(dp)},arp`).includes(`arp_tpa=${v.hostIp}`));
      nsExec(hostNs, 'ip', ['neigh', 'flush', 'all']);
      const before = packets(ovs, dp, `arp,arp_tpa=${v.hostIp}`);
      expect(await pingFrom(hostNs, v.hostIp, 2)).toBe(2);
      // flow statistics follow the datapath's by the revalidator (about every 500 ms)
      await waitFor('the responder flow counted the request', 5_000, () => packets(ovs, dp, `arp,arp_tpa=${v.hostIp}`) > before);
      expect(nsExec(hostNs, 'ip', ['neigh', 'show', v.hostIp])).toContain(v.hostMac);
    }, 30_000);

    it('withdrawals both ways; stop leaves no flow of our cookie and no group', async () => {
      const v = frr.vnis[0]!;
      dp.detachOvsPort('vm0');
      expect(manager.lookupMac(VNI, OUR_MAC)).toBeUndefined();
      await frr.waitFor('our MAC gone from the kernel FDB', 30_000, () => !fdb().includes(OUR_MAC));
      nsExec(frr.ns, 'ip', ['link', 'set', `h${VNI}`, 'down']);
      await waitFor("FRR's host withdrawn from our flows", 30_000, () => !ovs.ofctl('dump-flows', 'br-int', ours(dp)).includes(`dl_dst=${v.hostMac}`));
      expect(manager.lookupMac(VNI, v.hostMac)).toBeUndefined();
      manager.close();
      await dp.stop();
      expect(ovs.ofctl('dump-flows', 'br-int', ours(dp))).not.toMatch(/cookie=/);
      expect(ovs.ofctl('dump-groups', 'br-int')).not.toMatch(/group_id/);
    }, 60_000);
  });

  describe('(c) OVS as a plain VXLAN peer (static remote_ip, NORMAL) of our userspace engine', () => {
    const VNI = 101;
    const PORT = 4790; // not 4789: another root-attached test may hold 198.18.0.1:4789
    let topo: Topology;
    let ovs: Ovs;
    let underlay: UdpUnderlay;
    let engine: VxlanEngine;
    let vh: VirtualHost;
    let hostNs: string;

    beforeAll(async () => {
      topo = await Topology.create({ nodes: 1, root: true, firstOctet: 123, prefix: 'oc' });
      const node = topo.node(0);
      ovs = await Ovs.start(topo.lab, { ns: node.ns });
      ovs.tunnelBridge({ underlayCidr: `${node.ip}/24`, tunnelOptions: [`options:remote_ip=${topo.rootIp!}`, `options:key=${VNI}`, `options:dst_port=${PORT}`] });
      // the root side's kernel sends our VXLAN to OVS: no checksum offload on that veth
      const dev = /dev (\S+)/.exec(sh('ip', ['route', 'get', node.ip]))![1]!;
      sh('ethtool', ['-K', dev, 'tx', 'off']);
      hostNs = topo.addNamespace('och');
      ovs.internalHost('br-int', 'vm0', hostNs, '10.0.0.10/24', '02:0a:00:00:01:10', 1450);
      underlay = await UdpUnderlay.open({ address4: topo.rootIp!, port: PORT, remotePort: PORT, sourcePorts: 16 });
      engine = new VxlanEngine({ underlay });
      engine.addVni(VNI);
      engine.setFloodList(VNI, [node.ip]);
      vh = new VirtualHost({ mac: '02:0a:00:00:01:11', ipv4: '10.0.0.11', name: 'hostB' });
      engine.attachPort(VNI, vh);
    }, 60_000);

    afterAll(() => cleanUp(() => underlay?.close(), () => ovs?.cleanup(), () => topo?.destroy()));

    it('pings both ways; OVS learned host B behind our VTEP', async () => {
      expect(await pingFrom(hostNs, '10.0.0.11')).toBeGreaterThanOrEqual(2);
      const r = await vh.ping('10.0.0.10', { count: 3, timeoutMs: 2000 });
      expect(r.received).toBeGreaterThanOrEqual(2);
      expect(engine.vniCounters(VNI)!.decapFrames).toBeGreaterThanOrEqual(3);
      expect(ovs.appctl('fdb/show', 'br-int')).toContain('02:0a:00:00:01:11');
    }, 30_000);
  });
  describe('(b) the two-host tutorial (VNI 101, MTU 1450) built by EVPN between two OVS instances', () => {
    const VNI = 101;
    const hosts: readonly { ip: string; mac: string }[] = [{ ip: '10.0.0.10', mac: '02:0a:00:00:00:10' }, { ip: '10.0.0.11', mac: '02:0a:00:00:00:11' }];
    const host = (i: number) => hosts[i]!;
    let topo: Topology;
    const side: { ovs: Ovs; dp: OvsDataplane; speaker: BgpSpeaker; manager: VtepManager; hostNs: string; vtep: string }[] = [];

    beforeAll(async () => {
      topo = await Topology.create({ nodes: 2, firstOctet: 121, prefix: 'ob' });
      const loop = ['127.0.0.121', '127.0.0.122'];
      for (let i = 0; i < 2; i++) {
        const node = topo.node(i);
        const ovs = await Ovs.start(topo.lab, { ns: node.ns });
        ovs.tunnelBridge({ underlayCidr: `${node.ip}/24` });
        txOff(node.ns, 'eth0');
        txOff(topo.sw, `p${i}`);
        const hostNs = topo.addNamespace(`obh${i}`);
        // no IPv6 chatter (MLD, router solicitations) in the flood counters of the ARP test
        for (const k of ['all', 'default']) setSysctl(hostNs, `net.ipv6.conf.${k}.disable_ipv6`, 1);
        ovs.internalHost('br-int', `vm${i}`, hostNs, `${host(i).ip}/24`, host(i).mac, 1450);
        const dp = await OvsDataplane.open({ bridge: 'br-int', tunnelPort: 'vxlan0', rundir: ovs.rundir });
        const speaker = new BgpSpeaker({ asn: AS, routerId: node.ip, listen: i === 0 ? { address: loop[0], port: 0 } : false });
        const manager = new VtepManager({ speaker, dataplane: dp, vtepAddress: node.ip, vnis: [{ vni: VNI }] });
        side.push({ ovs, dp, speaker, manager, hostNs, vtep: node.ip });
      }
      side[0]!.speaker.addPeer({ address: loop[1]!, asn: AS, families: ['l2vpn-evpn'], passive: true });
      await side[0]!.speaker.start();
      side[1]!.speaker.addPeer({ address: loop[0]!, asn: AS, families: ['l2vpn-evpn'], localAddress: loop[1], port: side[0]!.speaker.listenAddress!.port, connectRetryTime: 1 });
      await side[1]!.speaker.start();
      await waitFor('speakers established', 20_000, () => side[0]!.speaker.peerState(loop[1]!) === 'Established');
      for (let i = 0; i < 2; i++) await side[i]!.dp.attachOvsPort(VNI, `vm${i}`);
    }, 60_000);

    afterAll(() => cleanUp(...side.flatMap((s) => [() => s.manager.close(), () => s.speaker.stop(), () => s.dp.stop(), () => s.ovs.cleanup()]), () => topo?.destroy()));

    it('Type-3 routes become flood groups; the hosts ping both ways; OVS-learned MACs become remote flows', async () => {
      await waitFor('flood groups from Type-3', 10_000, () => side.every((s, i) => s.ovs.ofctl('dump-groups', 'br-int').includes(`set_field:${side[1 - i]!.vtep}->tun_dst`)));
      expect(side[0]!.dp.snapshot(VNI)!.floodList).toEqual([side[1]!.vtep]);
      expect(await pingFrom(side[0]!.hostNs, host(1).ip)).toBeGreaterThanOrEqual(2);
      expect(await pingFrom(side[1]!.hostNs, host(0).ip)).toBeGreaterThanOrEqual(2);
      // each OVS learned its host (learn() + monitor), the manager advertised it, the other side has a flow
      for (let i = 0; i < 2; i++) {
        const other = side[1 - i]!;
        await waitFor(`host ${i} as a remote flow`, 10_000, () => other.ovs.ofctl('dump-flows', 'br-int', `${ours(other.dp)},dl_dst=${host(i).mac}`).includes(`set_field:${side[i]!.vtep}->tun_dst`));
        expect(side[i]!.manager.lookupMac(VNI, host(i).mac)).toMatchObject({ location: 'local', port: `vm${i}` });
        expect(other.manager.lookupMac(VNI, host(i).mac)?.location).toBe(side[i]!.vtep);
      }
      const flows = side[0]!.ovs.ofctl('dump-flows', 'br-int', ours(side[0]!.dp));
      expect(flows).toMatch(new RegExp(`priority=100,reg0=0,tun_id=0x65,dl_dst=${host(1).mac} actions=set_field:${side[1]!.vtep}->tun_dst,output:1`));
      expect(flows).toMatch(/priority=100,tun_id=0x65,in_port=1 actions=set_field:0x1->reg0/);
      expect(flows).toMatch(/learn\(table=42/);
    }, 30_000);

    it('the ARP responder answers from a MAC/IP route: no ARP request crosses the tunnel', async () => {
      // host 1's binding comes from the API (as l2population's does): a MAC+IP Type-2
      expect(side[1]!.manager.addLocalIp(VNI, host(1).mac, host(1).ip)).toBe(true);
      await waitFor('ARP responder flow', 10_000, () => side[0]!.ovs.ofctl('dump-flows', 'br-int', `${ours(side[0]!.dp)},arp`).includes(`arp_tpa=${host(1).ip}`));
      nsExec(side[0]!.hostNs, 'ip', ['neigh', 'flush', 'all']);
      await new Promise((r) => setTimeout(r, 1200)); // the statistics of the previous test settle
      const floodedBefore = packets(side[1]!.ovs, side[1]!.dp, 'reg0=1,tun_id=101');
      expect(await pingFrom(side[0]!.hostNs, host(1).ip, 2)).toBe(2);
      await waitFor('the responder flow counted the request', 5_000, () => packets(side[0]!.ovs, side[0]!.dp, `arp,arp_tpa=${host(1).ip}`) >= 1);
      expect(nsExec(side[0]!.hostNs, 'ip', ['neigh', 'show', host(1).ip])).toContain(host(1).mac);
      // the far side's local-flood lookup saw no frame (the request was answered at the near
      // edge); its statistics are given a revalidator round (500 ms) and more to catch up
      await new Promise((r) => setTimeout(r, 1200));
      expect(packets(side[1]!.ovs, side[1]!.dp, 'reg0=1,tun_id=101')).toBe(floodedBefore);
    }, 20_000);

    it('stop removes exactly our cookie\'s flows and our groups', async () => {
      const s = side[0]!;
      s.ovs.ofctl('add-flow', 'br-int', 'table=7,priority=5,cookie=0x1234,actions=drop');
      await s.dp.stop();
      expect(s.ovs.ofctl('dump-flows', 'br-int', ours(s.dp))).not.toMatch(/cookie=/);
      expect(s.ovs.ofctl('dump-groups', 'br-int')).not.toMatch(/group_id/);
      const left = s.ovs.ofctl('dump-flows', 'br-int');
      expect(left).toContain('cookie=0x1234');
      expect(left).toMatch(/priority=0 actions=NORMAL/);
      expect(() => s.dp.setRemoteMac(VNI, host(1).mac, side[1]!.vtep)).toThrow();
    }, 20_000);
  });
});

