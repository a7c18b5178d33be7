/**
 * BgpSpeaker against real GoBGP (iBGP) and real FRRouting (eBGP, 4-octet AS) in network
 * namespaces. Our speaker runs in the test process, attached to the lab switch as 198.18.0.1
 * (Topology `root: true`; host routes only), and connects actively to both peers.
 *
 * EVPN Type-2 and Type-3 routes flow both ways, withdraws remove them, route refresh works, and
 * killing a peer process and starting it again brings the session back with a correct RIB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, waitFor } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Gobgp } from './harness/gobgp.js';
import { Frr } from './harness/frr.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import type { RawUpdate } from '../../src/bgp/codec.js';
import { registerEvpn, macIpRoute, inclusiveMulticastRoute } from '../../src/evpn/index.js';

registerEvpn();

const skip = missingReal(['gobgpd', 'gobgp', 'bgpd', 'vtysh']);
const OUR_AS = 65000;
const FRR_AS = 4200000002;

describe.skipIf(skip !== undefined)('BgpSpeaker interop with GoBGP and FRR', () => {
  let topo: Topology;
  let gobgp: Gobgp;
  let frr: Frr;
  let us: BgpSpeaker;
  let me: string;
  let gIp: string;
  let fIp: string;

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 2, root: true, firstOctet: 47, prefix: 'sp' });
    me = topo.rootIp!;
    gIp = topo.node(0).ip;
    fIp = topo.node(1).ip;
    gobgp = await Gobgp.start(topo.lab, {
      ns: topo.node(0).ns, asn: OUR_AS, routerId: topo.node(0).vtep, listen: gIp,
      neighbors: [{ address: me, asn: OUR_AS, passive: true, holdTime: 9 }],
    });
    frr = await Frr.start(topo.lab, {
      ns: topo.node(1).ns, asn: FRR_AS, routerId: topo.node(1).vtep, octet: topo.node(1).octet, vnis: [100],
      neighbors: [{ address: me, asn: OUR_AS, passive: true, holdTime: 9 }],
    });
    us = new BgpSpeaker({ asn: OUR_AS, routerId: '198.18.0.1', listen: false });
    us.addPeer({ address: gIp, asn: OUR_AS, families: ['l2vpn-evpn'], localAddress: me, holdTime: 9, connectRetryTime: 1, idleHoldTime: 1 });
    us.addPeer({ address: fIp, asn: FRR_AS, families: ['l2vpn-evpn'], localAddress: me, holdTime: 9, connectRetryTime: 1, idleHoldTime: 1 });
    await us.start();
    await waitFor('sessions established', 40_000, () => us.peerState(gIp) === 'Established' && us.peerState(fIp) === 'Established');
  }, 120_000);

  afterAll(async () => {
    await us?.stop();
    await topo?.destroy();
  });

  const ourMac = (i: number) => macIpRoute({ rd: '198.18.0.1:100', mac: `02:aa:00:00:00:${i.toString(16).padStart(2, '0')}`, ip: `198.51.100.${100 + i}`, vni: 100, nextHop: '198.18.0.1', routeTargets: ['65000:100'] });
  const ourImet = () => inclusiveMulticastRoute({ rd: '198.18.0.1:100', originator: '198.18.0.1', vni: 100, nextHop: '198.18.0.1', routeTargets: ['65000:100'] });

  function gobgpMacs(): string[] {
    return Object.values(gobgp.rib('evpn')).flat().map((p) => JSON.stringify(p)).filter((s) => s.includes('02:aa:00:00:00'));
  }
  function frrHas(mac: string): boolean {
    return JSON.stringify(frr.evpnRib()).includes(mac);
  }
  function ourMacs(): string[] {
    const out: string[] = [];
    for (const r of us.routes('l2vpn-evpn')) {
      const n = r.nlri as { routeType: number; mac?: string };
      if (n.routeType === 2) out.push(`${n.mac}@${r.peer}`);
    }
    return out.sort();
  }

  it('our Type-2 and Type-3 routes reach GoBGP (iBGP) and FRR (eBGP, 4-octet AS); withdraws remove them', async () => {
    us.announce(ourMac(1));
    us.announce(ourMac(2));
    us.announce(ourImet());
    await waitFor('GoBGP has our MACs', 20_000, () => gobgpMacs().length === 2);
    const multicast = JSON.stringify(gobgp.rib('evpn'));
    expect(multicast).toContain('198.18.0.1'); // Type-3 originator / next hop
    await waitFor('FRR has our MACs', 20_000, () => frrHas('02:aa:00:00:00:01') && frrHas('02:aa:00:00:00:02'));
    us.withdraw(ourMac(2));
    await waitFor('withdrawn at GoBGP', 20_000, () => gobgpMacs().length === 1);
    await waitFor('withdrawn at FRR', 20_000, () => !frrHas('02:aa:00:00:00:02') && frrHas('02:aa:00:00:00:01'));
  }, 60_000);

  it("GoBGP's routes land in our Loc-RIB and are passed on to FRR; withdraws remove them", async () => {
    const r = { type: 'macadv' as const, mac: '02:bb:00:00:00:01', ip: '198.51.100.201', labels: [100] as [number], rd: '198.19.0.47:100', rt: ['65000:100'], encap: 'vxlan' as const, nexthop: '198.19.0.47' };
    gobgp.addEvpn(r);
    gobgp.addEvpn({ type: 'multicast', ip: '198.19.0.47', rd: '198.19.0.47:100', rt: ['65000:100'], encap: 'vxlan', nexthop: '198.19.0.47', pmsi: { label: 100, tunnelId: '198.19.0.47' } });
    await waitFor('in our Loc-RIB', 20_000, () => ourMacs().includes(`02:bb:00:00:00:01@${gIp}`));
    const routes = [...us.routes('l2vpn-evpn')].filter((x) => x.peer === gIp);
    expect(routes.map((x) => (x.nlri as { routeType: number }).routeType).sort()).toEqual([2, 3]);
    expect(routes.every((x) => x.nextHops[0] === '198.19.0.47')).toBe(true);
    // iBGP-learned, sent to our eBGP peer FRR
    await waitFor('at FRR', 20_000, () => frrHas('02:bb:00:00:00:01'));
    gobgp.delEvpn(r);
    await waitFor('gone from our Loc-RIB', 20_000, () => !ourMacs().includes(`02:bb:00:00:00:01@${gIp}`));
    await waitFor('gone at FRR', 20_000, () => !frrHas('02:bb:00:00:00:01'));
  }, 60_000);

  it('route refresh: asking GoBGP to re-send gives the same table', async () => {
    gobgp.addEvpn({ type: 'macadv', mac: '02:bb:00:00:00:02', labels: [100], rd: '198.19.0.47:100', rt: ['65000:100'], encap: 'vxlan', nexthop: '198.19.0.47' });
    await waitFor('in our Loc-RIB', 20_000, () => ourMacs().includes(`02:bb:00:00:00:02@${gIp}`));
    const before = [...us.adjRibIn(gIp, 'l2vpn-evpn')].length;
    let updates = 0;
    const onAny = () => { updates++; };
    us.on('routeReplaced', onAny);
    let received = 0;
    // the speaker's sessions hand NLRI over as offsets ('bounds' mode) or as views: count either
    const onUpdate = (_m: Buffer, u: RawUpdate) => { for (const a of u.announced) received += a.bounds === undefined ? a.nlri.length : a.bounds.length / 2; };
    const session = us.peer(gIp)!.session;
    session.on('update', onUpdate);
    expect(us.refresh(gIp, 'l2vpn-evpn')).toBe(true);
    // GoBGP re-sends its table; identical re-advertisements change nothing and nothing is lost
    await waitFor('GoBGP re-sent its routes', 10_000, () => received >= before);
    await new Promise((r) => setTimeout(r, 500));
    session.off('update', onUpdate);
    us.off('routeReplaced', onAny);
    expect([...us.adjRibIn(gIp, 'l2vpn-evpn')].length).toBe(before);
    expect(updates).toBe(0);
    expect(us.peerState(gIp)).toBe('Established');
  }, 30_000);

  it("FRR's own Type-3 (and SVI Type-2) routes land in our Loc-RIB and reach GoBGP", async () => {
    const fromFrr = () => [...us.routes('l2vpn-evpn')].filter((r) => r.peer === fIp);
    await waitFor('a Type-3 from FRR', 30_000, () => fromFrr().some((r) => (r.nlri as { routeType: number }).routeType === 3));
    const t3 = fromFrr().find((r) => (r.nlri as { routeType: number }).routeType === 3)!;
    expect(t3.nextHops).toEqual([topo.node(1).vtep]);
    expect(t3.attributes).toContainEqual(expect.objectContaining({ type: 'pmsi-tunnel', tunnelType: 6, label: 100 }));
    expect(t3.attributes).toContainEqual(expect.objectContaining({ type: 'as-path', segments: [{ type: 'sequence', asns: [FRR_AS] }] }));
    await waitFor('at GoBGP', 20_000, () => JSON.stringify(gobgp.rib('evpn')).includes(topo.node(1).vtep));
  }, 60_000);

  it('killing FRR and starting it again brings the session back with a correct RIB', async () => {
    expect(frrHas('02:aa:00:00:00:01')).toBe(true);
    await frr.stop();
    await waitFor('session down', 20_000, () => us.peerState(fIp) !== 'Established');
    await frr.restart();
    await waitFor('session back', 40_000, () => us.peerState(fIp) === 'Established');
    await waitFor('FRR has our routes again', 20_000, () => frrHas('02:aa:00:00:00:01'));
    expect(frrHas('02:aa:00:00:00:02')).toBe(false);
    // GoBGP's route still reaches FRR through us
    await waitFor('GoBGP route at FRR again', 20_000, () => frrHas('02:bb:00:00:00:02'));
  }, 90_000);

  it('killing GoBGP and starting it again: its routes leave and come back', async () => {
    await gobgp.stop();
    await waitFor('GoBGP routes gone', 30_000, () => !ourMacs().some((m) => m.endsWith(`@${gIp}`)));
    await gobgp.restart();
    await waitFor('session back', 40_000, () => us.peerState(gIp) === 'Established');
    // GoBGP's injected routes died with the process; ours are sent again
    await waitFor('GoBGP has our routes again', 20_000, () => gobgpMacs().length === 1);
  }, 90_000);
});
