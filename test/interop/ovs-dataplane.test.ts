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
import { Topology } from './harness/topology.js';
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

function txOff(ns: string, dev: string): void {
  nsExec(ns, 'ethtool', ['-K', dev, 'tx', 'off']);
}

describe.skipIf(skip !== undefined)('OvsDataplane with real Open vSwitch', () => {
  describe('(b) the two-host tutorial (VNI 101, MTU 1450) built by EVPN between two OVS instances', () => {
    const VNI = 101;
    const hosts = [{ ip: '10.0.0.10', mac: '02:0a:00:00:00:10' }, { ip: '10.0.0.11', mac: '02:0a:00:00:00:11' }] as const;
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
        ovs.internalHost('br-int', `vm${i}`, hostNs, `${hosts[i].ip}/24`, hosts[i].mac, 1450);
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

    afterAll(async () => {
      for (const s of side) {
        s.manager.close();
        await s.speaker.stop();
        await s.dp.stop().catch(() => undefined);
        await s.ovs.cleanup();
      }
      await topo?.destroy();
    });

    it('Type-3 routes become flood groups; the hosts ping both ways; OVS-learned MACs become remote flows', async () => {
      await waitFor('flood groups from Type-3', 10_000, () => side.every((s, i) => s.ovs.ofctl('dump-groups', 'br-int').includes(`set_field:${side[1 - i]!.vtep}->tun_dst`)));
      expect(side[0]!.dp.snapshot(VNI)!.floodList).toEqual([side[1]!.vtep]);
      expect(await pingFrom(side[0]!.hostNs, hosts[1].ip)).toBeGreaterThanOrEqual(2);
      expect(await pingFrom(side[1]!.hostNs, hosts[0].ip)).toBeGreaterThanOrEqual(2);
      // each OVS learned its host (learn() + monitor), the manager advertised it, the other side has a flow
      for (let i = 0; i < 2; i++) {
        const other = side[1 - i]!;
        await waitFor(`host ${i} as a remote flow`, 10_000, () => other.ovs.ofctl('dump-flows', 'br-int', `${ours(other.dp)},dl_dst=${hosts[i].mac}`).includes(`set_field:${side[i]!.vtep}->tun_dst`));
        expect(side[i]!.manager.lookupMac(VNI, hosts[i].mac)).toMatchObject({ location: 'local', port: `vm${i}` });
        expect(other.manager.lookupMac(VNI, hosts[i].mac)?.location).toBe(side[i]!.vtep);
      }
      const flows = side[0]!.ovs.ofctl('dump-flows', 'br-int', ours(side[0]!.dp));
      expect(flows).toMatch(new RegExp(`priority=100,reg0=0,tun_id=0x65,dl_dst=${hosts[1].mac} actions=set_field:${side[1]!.vtep}->tun_dst,output:1`));
      expect(flows).toMatch(/priority=100,tun_id=0x65,in_port=1 actions=set_field:0x1->reg0/);
      expect(flows).toMatch(/learn\(table=42/);
    }, 30_000);

    it('the ARP responder answers from a MAC/IP route: no ARP request crosses the tunnel', async () => {
      // host 1's binding comes from the API (as l2population's does): a MAC+IP Type-2
      expect(side[1]!.manager.addLocalIp(VNI, hosts[1].mac, hosts[1].ip)).toBe(true);
      await waitFor('ARP responder flow', 10_000, () => side[0]!.ovs.ofctl('dump-flows', 'br-int', `${ours(side[0]!.dp)},arp`).includes(`arp_tpa=${hosts[1].ip}`));
      nsExec(side[0]!.hostNs, 'ip', ['neigh', 'flush', 'all']);
      const floodedBefore = packets(side[1]!.ovs, side[1]!.dp, 'reg0=1,tun_id=101');
      expect(await pingFrom(side[0]!.hostNs, hosts[1].ip, 2)).toBe(2);
      expect(packets(side[0]!.ovs, side[0]!.dp, `arp,arp_tpa=${hosts[1].ip}`)).toBeGreaterThanOrEqual(1);
      expect(nsExec(side[0]!.hostNs, 'ip', ['neigh', 'show', hosts[1].ip])).toContain(hosts[1].mac);
      // the far side's local-flood lookup saw no frame (the request was answered at the near edge)
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
      expect(() => s.dp.setRemoteMac(VNI, hosts[1].mac, side[1]!.vtep)).toThrow();
    }, 20_000);
  });
});

export { OvsDataplaneError, UdpUnderlay, VirtualHost, VxlanEngine, Frr, sh };
