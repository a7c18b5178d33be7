/**
 * Capture BGP test vectors from real GoBGP and FRRouting sessions.
 *
 *   npx tsx scripts/capture-vectors.ts [--out test/vectors/captured] [--raw DIR] [--keep]
 *
 * `--raw DIR` also writes tshark's full trees; `--keep` keeps the pcaps (their directory is
 * printed).
 *
 * Needs root, gobgpd, FRR, tcpdump and tshark. Builds its own network namespaces (see
 * test/interop/harness/topology.ts; nothing outside the lab ranges), runs two sessions and
 * captures them with tcpdump on the GoBGP node's underlay interface:
 *
 * 1. iBGP AS 65000: GoBGP (198.18.0.11) <-> FRR (198.18.0.12) with VNIs 100 and 200,
 *    `advertise-all-vni` + `advertise-svi-ip`, EVPN and IPv4 unicast. FRR originates Type-3
 *    (PMSI) per VNI and Type-2 for its SVIs and tenant hosts (after a bounded ping); GoBGP
 *    injects Type-2 (MAC only, MAC+IPv4 with router-mac and two labels, MAC+IPv6, MAC mobility,
 *    ESI), Type-3 with PMSI, Type-5 (IPv4 and IPv6), Type-1 with ESI label, Type-4, and an IPv4
 *    unicast route with MED, LOCAL_PREF, communities and large communities; then withdraws some.
 * 2. eBGP with 4-octet ASNs: GoBGP AS 4200000001 <-> FRR AS 4200000002 (AS_TRANS in OPEN,
 *    4-octet AS_PATH), a few routes each way, a MAC move (MAC Mobility from FRR), then FRR
 *    shuts the neighbor down with an RFC 8203 shutdown communication.
 * 3. Route reflection and graceful restart: FRR as route reflector (cluster id = its VTEP) for
 *    two GoBGP clients, A with graceful restart (GR capability with families, End-of-RIB both
 *    ways: scenario `gr`, captured on A's link) and C without (reflected routes with
 *    ORIGINATOR_ID and CLUSTER_LIST, FRR's IPv4 aggregate with AGGREGATOR and ATOMIC_AGGREGATE,
 *    FRR's SVI route with the Default Gateway community, a static and a sticky MAC: scenario `rr`,
 *    captured on C's link).
 * 4. IPv6 transport (2001:db8:18::): GoBGP sends a Type-2 with an IPv6 next hop, then Type-3
 *    routes with an IPv6 originator that FRR 8.4 refuses with a NOTIFICATION, once with an IPv6
 *    PMSI tunnel endpoint and once with an IPv4 one (scenario `ipv6`).
 *
 * Reruns give the same messages, except where the peers are not deterministic: GoBGP re-sends
 * its table (and its End-of-RIB markers) in Go map order, and the number of colliding
 * connections in the IPv6 scenario varies; that renumbers a few vectors. The tests check
 * coverage and every message, not a fixed list.
 *
 * Every BGP message is cut from the reassembled TCP stream (exact bytes) and paired with
 * tshark's decode of the same PDU; the selected fields (see test/interop/harness/tshark-fields.ts)
 * are stored with the hex in `gobgp.json` and `frr.json`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { missingReal } from '../test/helpers/netns.js';
import { Capture, bgpMessages, tsharkVersion } from '../test/interop/harness/capture.js';
import { Frr, frrVersion } from '../test/interop/harness/frr.js';
import { Gobgp, type GobgpEvpnRoute, gobgpVersion } from '../test/interop/harness/gobgp.js';
import { Topology } from '../test/interop/harness/topology.js';
import { pairMessages, type CapturedVector } from '../test/interop/harness/tshark-fields.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const outDir = resolve(opt('--out', 'test/vectors/captured'));
const rawDir = opt('--raw', '');
const work = mkdtempSync(join(tmpdir(), 'bgp-evpn-capture-'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

/** GoBGP's routes for session 1 (all with VXLAN encapsulation, next hop = its VTEP). */
function gobgpRoutes(vtep: string, asn: number): { add: GobgpEvpnRoute[]; withdraw: GobgpEvpnRoute[] } {
  const rd = `${vtep}:100`;
  const rt = [`${asn}:100`];
  const x = { rd, rt, encap: 'vxlan' as const, nexthop: vtep, origin: 'igp' as const };
  const macOnly: GobgpEvpnRoute = { type: 'macadv', mac: '02:aa:00:00:00:01', labels: [100], ...x };
  const macIp: GobgpEvpnRoute = {
    type: 'macadv', mac: '02:aa:00:00:00:02', ip: '198.51.100.102', labels: [100, 5000], routerMac: '02:aa:00:00:00:fe', ...x,
  };
  const macIp6: GobgpEvpnRoute = { type: 'macadv', mac: '02:aa:00:00:00:03', ip: '2001:db8:18::aa:3', labels: [100], ...x };
  const withEsi: GobgpEvpnRoute = {
    type: 'macadv', mac: '02:aa:00:00:00:05', labels: [100], esi: ['LACP', '02:aa:00:00:00:ee', '10'], ...x,
  };
  const imet: GobgpEvpnRoute = { type: 'multicast', ip: vtep, pmsi: { label: 100, tunnelId: vtep }, ...x };
  const prefix4: GobgpEvpnRoute = {
    type: 'prefix', prefix: '198.51.100.128/25', gw: '0.0.0.0', label: 5000, routerMac: '02:aa:00:00:00:fe', ...x, rd: `${vtep}:5000`,
  };
  const prefix6: GobgpEvpnRoute = { type: 'prefix', prefix: '2001:db8:18::/64', gw: '::', label: 5000, ...x, rd: `${vtep}:5000` };
  const ad: GobgpEvpnRoute = {
    type: 'a-d', esi: ['MAC', '02:aa:00:00:00:ee', '100'], etag: 0, label: 100, esiLabel: { label: 200 }, ...x,
  };
  // Type-4 with each ESI type GoBGP's CLI knows (0 arbitrary, 2 MSTP, 3 MAC, 4 router id, 5 AS);
  // for ESI type 3 GoBGP adds the ES-Import Route Target (0x06/0x02) from the ESI's MAC
  const es: GobgpEvpnRoute[] = [
    ['AS', String(asn), '5'],
    ['MAC', '02:aa:00:00:00:e3', '3'],
    ['ROUTERID', vtep, '4'],
    ['MSTP', '02:aa:00:00:00:e2', '2'],
    ['ARBITRARY', '11:22:33:44:55:66:77:88:99'],
  ].map((esi) => ({ type: 'esi', ip: vtep, esi, ...x, rd: `${vtep}:0` }));
  return { add: [macOnly, macIp, macIp6, withEsi, imet, prefix4, prefix6, ad, ...es], withdraw: [macOnly, imet, prefix4, ad] };
}

/** What the runs showed about timing and End-of-RIB (printed and stored with the vectors). */
const observed: Record<string, unknown> = {};

function observe(scenario: string, pcap: string, frrIp: string): void {
  const msgs = bgpMessages(pcap);
  // Established: both sides have sent their first KEEPALIVE
  const ka = [...new Set(msgs.map((m) => m.src))].map((s) => msgs.find((m) => m.src === s && m.type === 4)?.time ?? Infinity);
  const est = Math.max(...ka);
  const firstFrrUpdate = msgs.find((m) => m.src === frrIp && m.type === 2)?.time;
  // End-of-RIB (RFC 4724 2): an empty UPDATE, or one whose only attribute is an empty MP_UNREACH
  const eor = (m: { type: number; bytes: Buffer }) => {
    if (m.type !== 2) return false;
    if (m.bytes.length === 23) return true;
    const b = m.bytes;
    if (b.readUInt16BE(19) !== 0) return false;
    const attrLen = b.readUInt16BE(21);
    const ext = (b[23]! & 0x10) !== 0;
    return b[24] === 15 && (ext ? b.readUInt16BE(25) : b[25]) === 3 && attrLen === (ext ? 7 : 6) && b.length === 23 + attrLen;
  };
  observed[scenario] = {
    frrFirstUpdateAfterEstablishedMs: firstFrrUpdate === undefined ? null : Math.round((firstFrrUpdate - est) * 1000),
    endOfRibSentBy: [...new Set(msgs.filter(eor).map((m) => m.src))],
  };
  log(`${scenario}: ${JSON.stringify(observed[scenario])}`);
}

async function session1(): Promise<CapturedVector[]> {
  const topo = await Topology.create({ nodes: 2, prefix: 'cv' });
  try {
    const [a, b] = [topo.node(0), topo.node(1)];
    const pcap = join(work, 'ibgp.pcap');
    const cap = await Capture.start(topo.lab, a.ns, pcap, { seconds: 120 });
    const g = await Gobgp.start(topo.lab, {
      ns: a.ns, asn: 65000, routerId: a.vtep, listen: a.ip, families: ['l2vpn-evpn', 'ipv4-unicast'],
      neighbors: [{ address: b.ip, asn: 65000 }],
    });
    const f = await Frr.start(topo.lab, {
      ns: b.ns, asn: 65000, routerId: b.vtep, octet: b.octet, vnis: [100, 200], ipv4Networks: [`${b.vtep}/32`],
      neighbors: [{ address: a.ip, asn: 65000, ipv4Unicast: true }],
    });
    await f.waitEstablished(a.ip, 40_000);
    log('ibgp: established');
    for (const v of f.vnis) f.tenantPing(v.vni);
    // FRR's host routes (MAC and MAC+IP for each tenant host) reach GoBGP
    await g.waitFor('FRR tenant routes at GoBGP', 20_000, () => {
      const s = JSON.stringify(g.rib('evpn'));
      return f.vnis.every((v) => s.includes(v.hostMac) && s.includes(v.hostIp));
    });
    const { add, withdraw } = gobgpRoutes(a.vtep, 65000);
    for (const r of add) {
      g.addEvpn(r);
      await sleep(150); // one UPDATE per route where GoBGP allows it
    }
    g.addUnicast({
      prefix: '198.19.0.111/32', nexthop: a.ip, origin: 'igp', med: 10, localPref: 200,
      communities: ['65000:1', '65000:2'], largeCommunities: ['65000:1:2'],
    });
    await f.waitFor('GoBGP routes at FRR', 20_000, () => {
      const s = f.vtysh(['show bgp l2vpn evpn']);
      return ['02:aa:00:00:00:01', '02:aa:00:00:00:05', '198.51.100.128', '[1]:', '[4]:'].every((k) => s.includes(k));
    });
    for (const r of withdraw) {
      g.delEvpn(r);
      await sleep(150);
    }
    g.delUnicast('198.19.0.111/32');
    await f.waitFor('withdrawals at FRR', 20_000, () => !f.vtysh(['show bgp l2vpn evpn']).includes('02:aa:00:00:00:01'));
    // ROUTE-REFRESH both ways (RFC 2918), then GoBGP shuts the neighbor down (Cease NOTIFICATION)
    g.cli(['neighbor', b.ip, 'softresetin', '-a', 'evpn']);
    f.vtysh(['clear bgp l2vpn evpn * soft in']);
    await sleep(1500);
    g.cli(['neighbor', b.ip, 'disable']);
    await g.waitFor('session down at GoBGP', 10_000, () => g.neighborState(b.ip) !== 'established');
    await f.waitFor('session down at FRR', 10_000, () => f.neighborState(a.ip) !== 'Established');
    await sleep(500);
    await cap.stop();
    await g.cleanup();
    await f.cleanup();
    observe('ibgp', pcap, b.ip);
    return pairMessages(pcap, 'ibgp', { [a.ip]: 'gobgp', [b.ip]: 'frr' });
  } finally {
    await topo.destroy();
  }
}

async function session2(): Promise<CapturedVector[]> {
  const topo = await Topology.create({ nodes: 2, prefix: 'cw' });
  try {
    const [a, b] = [topo.node(0), topo.node(1)];
    const pcap = join(work, 'ebgp4.pcap');
    const cap = await Capture.start(topo.lab, a.ns, pcap, { seconds: 120 });
    const g = await Gobgp.start(topo.lab, {
      ns: a.ns, asn: 4200000001, routerId: a.vtep, listen: a.ip, neighbors: [{ address: b.ip, asn: 4200000002 }],
    });
    const f = await Frr.start(topo.lab, {
      ns: b.ns, asn: 4200000002, routerId: b.vtep, octet: b.octet, vnis: [100],
      neighbors: [{ address: a.ip, asn: 4200000001 }],
    });
    await f.waitEstablished(a.ip, 40_000);
    log('ebgp: established');
    const v = f.vnis[0]!;
    // MAC mobility (RFC 7432 15): GoBGP first advertises FRR's tenant host MAC as remote; when the
    // host then talks, FRR learns it locally and re-advertises it with a MAC Mobility sequence 1.
    // (gobgp 3.10's CLI cannot attach MAC Mobility itself.)
    const moved: GobgpEvpnRoute = {
      type: 'macadv', mac: v.hostMac, labels: [100], rd: `${a.vtep}:100`, rt: ['4200000001:100'], encap: 'vxlan', nexthop: a.vtep,
    };
    g.addEvpn(moved);
    await f.waitFor('moved MAC at FRR', 20_000, () => f.vtysh(['show bgp l2vpn evpn']).includes(v.hostMac));
    f.tenantPing(100);
    await g.waitFor('FRR tenant routes at GoBGP', 20_000, () => JSON.stringify(g.rib('evpn')).includes(v.hostIp));
    const x = { rd: `${a.vtep}:100`, rt: ['4200000001:100'], encap: 'vxlan' as const, nexthop: a.vtep };
    const routes: GobgpEvpnRoute[] = [
      { type: 'macadv', mac: '02:bb:00:00:00:01', ip: '198.51.100.111', labels: [100], ...x },
      { type: 'multicast', ip: a.vtep, pmsi: { label: 100, tunnelId: a.vtep }, ...x },
    ];
    for (const r of routes) {
      g.addEvpn(r);
      await sleep(150);
    }
    await f.waitFor('GoBGP routes at FRR', 20_000, () => f.vtysh(['show bgp l2vpn evpn']).includes('02:bb:00:00:00:01'));
    g.delEvpn(routes[0]!);
    await f.waitFor('withdrawal at FRR', 20_000, () => !f.vtysh(['show bgp l2vpn evpn']).includes('02:bb:00:00:00:01'));
    await sleep(1500); // FRR's own follow-up UPDATEs (it re-advertised GoBGP's route back over eBGP)
    // FRR shuts the neighbor down with an RFC 8203 shutdown communication (Cease 6/2)
    f.vtysh(['configure terminal', 'router bgp 4200000002', `neighbor ${a.ip} shutdown message bye from frr`]);
    await g.waitFor('session down at GoBGP', 10_000, () => g.neighborState(b.ip) !== 'established');
    await sleep(500);
    await cap.stop();
    await g.cleanup();
    await f.cleanup();
    observe('ebgp4', pcap, b.ip);
    return pairMessages(pcap, 'ebgp4', { [a.ip]: 'gobgp', [b.ip]: 'frr' });
  } finally {
    await topo.destroy();
  }
}

async function session3(): Promise<CapturedVector[]> {
  const topo = await Topology.create({ nodes: 3, prefix: 'cx' });
  try {
    const [a, rr, c] = [topo.node(0), topo.node(1), topo.node(2)];
    const pcapGr = join(work, 'gr.pcap');
    const pcapRr = join(work, 'rr.pcap');
    const capGr = await Capture.start(topo.lab, a.ns, pcapGr, { seconds: 120 });
    const capRr = await Capture.start(topo.lab, c.ns, pcapRr, { seconds: 120 });
    const families = ['l2vpn-evpn', 'ipv4-unicast'] as const;
    const ga = await Gobgp.start(topo.lab, {
      ns: a.ns, asn: 65000, routerId: a.vtep, listen: a.ip, families: [...families],
      neighbors: [{ address: rr.ip, asn: 65000, gracefulRestart: true }],
    });
    const gc = await Gobgp.start(topo.lab, {
      ns: c.ns, asn: 65000, routerId: c.vtep, listen: c.ip, families: [...families], neighbors: [{ address: rr.ip, asn: 65000 }],
    });
    const f = await Frr.start(topo.lab, {
      ns: rr.ns, asn: 65000, routerId: rr.vtep, octet: rr.octet, vnis: [100], gracefulRestart: true, clusterId: rr.vtep,
      advertiseDefaultGw: true,
      ipv4Networks: ['198.19.0.128/26', '198.19.0.192/26'], ipv4Aggregates: ['198.19.0.128/25'],
      neighbors: [a, c].map((n) => ({ address: n.ip, asn: 65000, ipv4Unicast: true, routeReflectorClient: true })),
    });
    await f.waitEstablished(a.ip, 40_000);
    await f.waitEstablished(c.ip, 40_000);
    log('rr/gr: established');
    const x = { rd: `${a.vtep}:100`, rt: ['65000:100'], encap: 'vxlan' as const, nexthop: a.vtep };
    const mac: GobgpEvpnRoute = { type: 'macadv', mac: '02:dd:00:00:00:01', ip: '198.51.100.131', labels: [100], ...x };
    ga.addEvpn(mac);
    await sleep(150);
    ga.addEvpn({ type: 'multicast', ip: a.vtep, pmsi: { label: 100, tunnelId: a.vtep }, ...x });
    await sleep(150);
    ga.addUnicast({ prefix: '198.19.0.11/32', nexthop: a.ip, origin: 'igp', communities: ['65000:11'] });
    f.tenantPing(100);
    f.addStaticMac(100, '02:ee:00:00:00:5a'); // a static MAC: plain Type-2
    f.addStaticMac(100, '02:ee:00:00:00:5b', true); // a sticky one: MAC Mobility with the sticky bit
    const host = f.vnis[0]!;
    await gc.waitFor('reflected routes at C', 20_000, () => {
      const s = JSON.stringify(gc.rib('evpn')) + JSON.stringify(gc.rib('ipv4'));
      return ['02:dd:00:00:00:01', host.hostMac, host.sviMac, '02:ee:00:00:00:5a', '02:ee:00:00:00:5b', '198.19.0.11/32', '198.19.0.128/25'].every((k) => s.includes(k));
    });
    ga.delEvpn(mac);
    await gc.waitFor('reflected withdrawal at C', 20_000, () => !JSON.stringify(gc.rib('evpn')).includes('02:dd:00:00:00:01'));
    await sleep(500);
    ga.cli(['neighbor', rr.ip, 'disable']);
    gc.cli(['neighbor', rr.ip, 'disable']);
    await f.waitFor('sessions down at FRR', 10_000, () => f.neighborState(a.ip) !== 'Established' && f.neighborState(c.ip) !== 'Established');
    await sleep(500);
    await capGr.stop();
    await capRr.stop();
    observe('gr', pcapGr, rr.ip);
    observe('rr', pcapRr, rr.ip);
    return [
      ...pairMessages(pcapGr, 'gr', { [a.ip]: 'gobgp', [rr.ip]: 'frr' }),
      ...pairMessages(pcapRr, 'rr', { [c.ip]: 'gobgp', [rr.ip]: 'frr' }),
    ];
  } finally {
    await topo.destroy();
  }
}

async function session4(): Promise<CapturedVector[]> {
  const topo = await Topology.create({ nodes: 2, prefix: 'cy' });
  try {
    const [a, b] = [topo.node(0), topo.node(1)];
    const pcap = join(work, 'ipv6.pcap');
    const cap = await Capture.start(topo.lab, a.ns, pcap, { seconds: 120 });
    const g = await Gobgp.start(topo.lab, {
      ns: a.ns, asn: 65000, routerId: a.vtep, listen: a.ip6, neighbors: [{ address: b.ip6, asn: 65000 }],
    });
    const f = await Frr.start(topo.lab, {
      ns: b.ns, asn: 65000, routerId: b.vtep, octet: b.octet, neighbors: [{ address: a.ip6, asn: 65000 }],
    });
    await f.waitEstablished(a.ip6, 40_000);
    log('ipv6: established');
    // IPv6 VTEP as next hop (16-byte MP_REACH next hop) on a Type-2
    g.addEvpn({ type: 'macadv', mac: '02:ee:00:00:00:01', ip: '2001:db8:18::ee:1', labels: [100], rd: `${a.vtep}:100`, rt: ['65000:100'], encap: 'vxlan', nexthop: a.ip6 });
    await f.waitFor('IPv6 next hop route at FRR', 20_000, () => f.vtysh(['show bgp l2vpn evpn']).includes('02:ee:00:00:00:01'));
    // FRR 8.4 resets the session on a PMSI Tunnel attribute with an IPv6 endpoint (3/5,
    // attribute length error), and on a Type-3 with an IPv6 originator (3/9): peer quirks
    const x = { rd: `${a.vtep}:100`, rt: ['65000:100'], encap: 'vxlan' as const, nexthop: a.ip6 };
    const v6pmsi: GobgpEvpnRoute = { type: 'multicast', ip: a.ip6, pmsi: { label: 100, tunnelId: a.ip6 }, ...x };
    g.addEvpn(v6pmsi);
    await f.waitFor('session reset by FRR', 20_000, () => f.neighborState(a.ip6) !== 'Established');
    g.delEvpn(v6pmsi);
    await f.waitEstablished(a.ip6, 40_000);
    g.addEvpn({ type: 'multicast', ip: a.ip6, pmsi: { label: 100, tunnelId: a.vtep }, ...x, rd: `${a.vtep}:101` });
    await f.waitFor('second session reset by FRR', 20_000, () => f.neighborState(a.ip6) !== 'Established');
    await sleep(500);
    await cap.stop();
    observe('ipv6', pcap, b.ip6);
    return pairMessages(pcap, 'ipv6', { [a.ip6]: 'gobgp', [b.ip6]: 'frr' });
  } finally {
    await topo.destroy();
  }
}

async function main(): Promise<void> {
  const why = missingReal(['gobgpd', 'gobgp', 'bgpd', 'zebra', 'vtysh', 'tcpdump', 'tshark']);
  if (why !== undefined) throw new Error(why);
  const versions = { gobgp: gobgpVersion(), frr: frrVersion(), tshark: tsharkVersion() };
  log(`versions: ${JSON.stringify(versions)}`);
  const vectors = [...(await session1()), ...(await session2()), ...(await session3()), ...(await session4())];
  if (rawDir !== '') {
    mkdirSync(rawDir, { recursive: true });
    writeFileSync(join(rawDir, 'raw.json'), JSON.stringify(vectors, null, 1));
  }
  mkdirSync(outDir, { recursive: true });
  for (const src of ['gobgp', 'frr'] as const) {
    const list = vectors.filter((v) => v.source.startsWith(src)).map(({ raw: _raw, ...v }) => v);
    const doc = { generatedBy: 'npx tsx scripts/capture-vectors.ts', versions, observed, messages: list };
    writeFileSync(join(outDir, `${src}.json`), JSON.stringify(doc, null, 1) + '\n');
    log(`${src}: ${list.length} messages -> ${join(outDir, `${src}.json`)}`);
  }
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    if (args.includes('--keep')) log(`pcaps kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  });
