/**
 * BgpSpeaker against real ExaBGP 4.2 (iBGP) in a network namespace. Our speaker runs in the test
 * process (198.18.0.1, Topology `root: true`) and connects to ExaBGP, which is passive.
 *
 * - Our Type-2 (with ESI, MAC Mobility sticky + sequence, two route targets) and Type-3 (PMSI
 *   ingress replication) as ExaBGP's own decoder reports them (JSON from its API process),
 *   field by field; our withdraws remove them there.
 * - ExaBGP's Type-2/Type-3 in our Loc-RIB, field by field. ExaBGP has no syntax for EVPN, so
 *   they are written here byte by byte from RFC 7432 (not with our encoder) and sent as raw
 *   MP_REACH / extended-community / PMSI attributes on a carrier IPv4 route; then MP_UNREACH.
 * - Stopping our speaker: ExaBGP receives our Cease NOTIFICATION (6/2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, waitFor } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Exabgp } from './harness/exabgp.js';
import { BgpSpeaker, inclusiveMulticastRoute, macIpRoute, type RibRoute } from '../../src/index.js';

const skip = missingReal(['exabgp']);
const AS = 65000;

/** RFC 7432 7.2 / 7.3 NLRI and RFC 4360 / 7432 / 6514 attribute values, written out by hand. */
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ip4 = (a: string) => Buffer.from(a.split('.').map(Number));
const rd1 = (a: string, n: number) => Buffer.concat([hex('0001'), ip4(a), Buffer.from([n >> 8, n & 255])]);
function macIpNlri(rd: string, esi: string, mac: string, ip: string, vni: number): Buffer {
  const body = Buffer.concat([rd1(rd, 100), hex(esi), hex('00000000'), hex('30'), hex(mac.replace(/:/g, '')), hex('20'), ip4(ip), Buffer.from([vni >> 16, (vni >> 8) & 255, vni & 255])]);
  return Buffer.concat([Buffer.from([2, body.length]), body]);
}
function imetNlri(rd: string, originator: string): Buffer {
  const body = Buffer.concat([rd1(rd, 100), hex('00000000'), hex('20'), ip4(originator)]);
  return Buffer.concat([Buffer.from([3, body.length]), body]);
}
const mpReach = (nh: string, nlri: Buffer[]) => ({ code: 0x0e, flags: 0x80, value: Buffer.concat([hex('0019 46 04'), ip4(nh), hex('00'), ...nlri]) });
const mpUnreach = (nlri: Buffer[]) => ({ code: 0x0f, flags: 0x80, value: Buffer.concat([hex('0019 46'), ...nlri]) });
const extComms = (...v: string[]) => ({ code: 0x10, flags: 0xc0, value: hex(v.join('')) });
const rt = (asn: number, n: number) => `0002${asn.toString(16).padStart(4, '0')}${n.toString(16).padStart(8, '0')}`;
const vxlanEncap = '030c000000000008';
const macMobility = (seq: number, sticky: boolean) => `0600${sticky ? '01' : '00'}00${seq.toString(16).padStart(8, '0')}`;
function communities(r: RibRoute): unknown[] {
  return r.attributes.flatMap((a) => (a.type === 'extended-communities' ? a.values : []));
}
const pmsi = (vni: number, endpoint: string) => ({ code: 0x16, flags: 0xc0, value: Buffer.concat([hex('00 06'), Buffer.from([vni >> 16, (vni >> 8) & 255, vni & 255]), ip4(endpoint)]) });

describe.skipIf(skip !== undefined)('BgpSpeaker interop with ExaBGP 4.2', () => {
  let topo: Topology;
  let exa: Exabgp;
  let us: BgpSpeaker;
  let me: string;
  let xIp: string;

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 1, root: true, firstOctet: 111, prefix: 'xb' });
    me = topo.rootIp!;
    xIp = topo.node(0).ip;
    exa = await Exabgp.start(topo.lab, { ns: topo.node(0).ns, asn: AS, routerId: topo.node(0).vtep, localAddress: xIp, peer: { address: me, asn: AS }, holdTime: 9 });
    us = new BgpSpeaker({ asn: AS, routerId: me, listen: false });
    us.addPeer({ address: xIp, asn: AS, families: ['l2vpn-evpn', 'ipv4-unicast'], localAddress: me, holdTime: 9, connectRetryTime: 1, idleHoldTime: 1 });
    await us.start();
    await exa.wait('session with ExaBGP', 30_000, () => us.peerState(xIp) === 'Established');
  }, 60_000);

  afterAll(async () => {
    await us?.stop();
    await topo?.destroy();
  });

  /** EVPN NLRI ExaBGP reported as announced (with the UPDATE's attributes) or withdrawn by us. */
  type ExaNlri = Record<string, unknown> & { code: number; attributes: Record<string, unknown> };
  function exaEvpn(kind: 'announce' | 'withdraw'): ExaNlri[] {
    const out: ExaNlri[] = [];
    for (const m of exa.messages()) {
      const u = (m.neighbor?.message as { update?: Record<string, Record<string, unknown>> } | undefined)?.update;
      const fam = u?.[kind]?.['l2vpn evpn'] as Record<string, ExaNlri[]> | ExaNlri[] | undefined;
      if (fam === undefined) continue;
      // announce: { nextHop: [nlri] }; withdraw: [nlri]
      const lists = Array.isArray(fam) ? [fam] : Object.entries(fam).map(([nh, l]) => l.map((n) => ({ ...n, nextHop: nh })));
      for (const l of lists) for (const n of l) out.push({ ...n, attributes: (u!.attribute ?? {}) as Record<string, unknown> });
    }
    return out;
  }
  const exaMacs = () => exaEvpn('announce').filter((n) => n.code === 2).map((n) => String(n.mac).toLowerCase());

  it('our Type-2 (ESI, MAC Mobility, two route targets) and Type-3 (PMSI) as ExaBGP decodes them, field by field; withdraws', async () => {
    const t2 = macIpRoute({ rd: `${me}:100`, mac: '02:aa:00:00:00:01', ip: '198.51.100.11', vni: 100, nextHop: me, esi: '00:11:22:33:44:55:66:77:88:99', mobility: { sequence: 5, sticky: true }, routeTargets: ['65000:100', '65000:200'] });
    const t3 = inclusiveMulticastRoute({ rd: `${me}:100`, originator: me, vni: 100, nextHop: me, routeTargets: ['65000:100'] });
    us.announce(t2);
    us.announce(t3);
    const [a2] = await exa.wait('our Type-2 at ExaBGP', 20_000, () => { const l = exaEvpn('announce').filter((n) => n.code === 2); return l.length > 0 && l; });
    expect(a2).toMatchObject({ name: 'MAC/IP advertisement', nextHop: me, rd: `${me}:100`, esi: '00:11:22:33:44:55:66:77:88:99', 'ethernet-tag': 0, mac: '02:AA:00:00:00:01', ip: '198.51.100.11' });
    // ExaBGP prints a label as [label >> 4, the 24 bits]: the VNI is in all 24 bits (RFC 8365 5.1.3)
    expect(a2!.label).toEqual([[6, 100]]);
    expect(a2!.attributes).toMatchObject({ origin: 'igp', 'local-preference': 100 });
    expect((a2!.attributes['extended-community'] as { string: string }[]).map((c) => c.string).sort()).toEqual(['encap:VXLAN', 'mac-mobility:5:sticky', 'target:65000:100', 'target:65000:200']);
    const [a3] = await exa.wait('our Type-3 at ExaBGP', 20_000, () => { const l = exaEvpn('announce').filter((n) => n.code === 3); return l.length > 0 && l; });
    expect(a3).toMatchObject({ name: 'Inclusive Multicast Ethernet Tag', nextHop: me, rd: `${me}:100`, 'ethernet-tag': 0, ip: me });
    // PMSI: flags 0, ingress replication, label 100 (the VNI), tunnel endpoint = our address
    expect(a3!.attributes.pmsi).toBe(`pmsi:ingressreplication:0:6(100):${me}`);
    expect((a3!.attributes['extended-community'] as { string: string }[]).map((c) => c.string).sort()).toEqual(['encap:VXLAN', 'target:65000:100']);

    us.withdraw(t2);
    const [w2] = await exa.wait('our Type-2 withdrawn at ExaBGP', 20_000, () => { const l = exaEvpn('withdraw').filter((n) => n.code === 2); return l.length > 0 && l; });
    expect(w2).toMatchObject({ rd: `${me}:100`, mac: '02:AA:00:00:00:01', ip: '198.51.100.11' });
    us.withdraw(t3);
    const [w3] = await exa.wait('our Type-3 withdrawn at ExaBGP', 20_000, () => { const l = exaEvpn('withdraw').filter((n) => n.code === 3); return l.length > 0 && l; });
    expect(w3).toMatchObject({ rd: `${me}:100`, ip: me });
    expect(exaMacs()).toEqual(['02:aa:00:00:00:01']);
  }, 60_000);

  it("ExaBGP's Type-2 and Type-3 (written byte by byte, sent through its API) in our Loc-RIB, field by field; MP_UNREACH removes them", async () => {
    const vtep = topo.node(0).vtep;
    const t2 = macIpNlri(vtep, '00ffeeddccbbaa998877', '02:bb:00:00:00:01', '198.51.100.21', 100);
    const t3 = imetNlri(vtep, vtep);
    exa.announceRaw(vtep, [mpReach(vtep, [t2]), extComms(rt(65000, 100), rt(65001, 300), vxlanEncap, macMobility(7, true))]);
    exa.announceRaw(vtep, [mpReach(vtep, [t3]), extComms(rt(65000, 100), vxlanEncap), pmsi(100, vtep)]);
    const fromExa = (type: number) => [...us.routes('l2vpn-evpn')].filter((r) => r.peer === xIp && (r.nlri as { routeType: number }).routeType === type);
    const [r2] = await waitFor('Type-2 from ExaBGP', 20_000, () => fromExa(2).length > 0 && fromExa(2));
    expect(r2!.nlri).toEqual({ routeType: 2, rd: `${vtep}:100`, esi: '00:ff:ee:dd:cc:bb:aa:99:88:77', ethernetTag: 0, mac: '02:bb:00:00:00:01', ip: '198.51.100.21', label1: 100 });
    expect(r2!.nextHops).toEqual([vtep]);
    expect(communities(r2!)).toEqual([
      { kind: 'route-target', global: '65000', local: 100, format: 'as2' },
      { kind: 'route-target', global: '65001', local: 300, format: 'as2' },
      { kind: 'encapsulation', tunnelType: 8 },
      { kind: 'mac-mobility', sequence: 7, sticky: true },
    ]);
    const [r3] = await waitFor('Type-3 from ExaBGP', 20_000, () => fromExa(3).length > 0 && fromExa(3));
    expect(r3!.nlri).toEqual({ routeType: 3, rd: `${vtep}:100`, ethernetTag: 0, originator: vtep });
    expect(r3!.attributes).toContainEqual({ type: 'pmsi-tunnel', tunnelFlags: 0, tunnelType: 6, label: 100, tunnelId: vtep });
    expect(communities(r3!)).toEqual([{ kind: 'route-target', global: '65000', local: 100, format: 'as2' }, { kind: 'encapsulation', tunnelType: 8 }]);

    exa.announceRaw(vtep, [mpUnreach([t2])]);
    await waitFor('Type-2 withdrawn', 20_000, () => fromExa(2).length === 0);
    expect(fromExa(3)).toHaveLength(1);
    exa.announceRaw(vtep, [mpUnreach([t3])]);
    await waitFor('Type-3 withdrawn', 20_000, () => fromExa(3).length === 0);
    expect(us.peerState(xIp)).toBe('Established');
  }, 60_000);

  it('stopping our speaker: ExaBGP receives our Cease NOTIFICATION', async () => {
    await us.stop();
    const n = await exa.wait('a NOTIFICATION at ExaBGP', 20_000, () => exa.messages().find((m) => m.type === 'notification'));
    // Cease (6) / administrative shutdown (2, RFC 4486), no shutdown message
    expect(n.neighbor).toMatchObject({ address: { local: xIp, peer: me }, direction: 'receive', notification: { code: 6, subcode: 2, data: '0x' } });
  }, 30_000);
});
