/**
 * A quick live recapture: a real GoBGP and a real FRRouting EVPN session in network namespaces
 * (iBGP, FRR with VNI 100 and a tenant host), captured with tcpdump; every OPEN and UPDATE of
 * both peers must decode with our codec exactly as tshark decodes the same live bytes, and
 * re-encode to them. The stored vectors (test/vectors/captured) come from the same harness via
 * scripts/capture-vectors.ts; this test proves the path still works on today's peers.
 */
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, sh } from '../helpers/netns.js';
import { Capture } from './harness/capture.js';
import { canonicalLayout, compareMessage } from './harness/compare.js';
import { Frr } from './harness/frr.js';
import { Gobgp } from './harness/gobgp.js';
import { Topology } from './harness/topology.js';
import { pairMessages, type CapturedVector } from './harness/tshark-fields.js';

const why = missingReal(['gobgpd', 'gobgp', 'bgpd', 'zebra', 'vtysh', 'tcpdump', 'tshark']);

describe.skipIf(why !== undefined)('live capture: GoBGP <-> FRR EVPN session decoded by us and by tshark', () => {
  let topo: Topology;
  let gobgp: Gobgp;
  let frr: Frr;
  let vectors: CapturedVector[] = [];
  let namespaces: string[] = [];
  let pids: number[] = [];

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 2, prefix: 'lc' });
    const [a, b] = [topo.node(0), topo.node(1)];
    const pcap = join(tmpdir(), `bgp-evpn-live-${process.pid}.pcap`);
    topo.lab.onDestroy(() => rmSync(pcap, { force: true }));
    const cap = await Capture.start(topo.lab, a.ns, pcap, { seconds: 90 });
    gobgp = await Gobgp.start(topo.lab, {
      ns: a.ns, asn: 65000, routerId: a.vtep, listen: a.ip, neighbors: [{ address: b.ip, asn: 65000 }],
    });
    frr = await Frr.start(topo.lab, {
      ns: b.ns, asn: 65000, routerId: b.vtep, octet: b.octet, vnis: [100], neighbors: [{ address: a.ip, asn: 65000 }],
    });
    namespaces = [...topo.lab.namespaces]; // the tenant host namespace too
    pids = [gobgp.pid, frr.pids.zebra, frr.pids.bgpd].filter((p): p is number => p !== undefined);
    await frr.waitEstablished(a.ip, 40_000);
    frr.tenantPing(100);
    const x = { rd: `${a.vtep}:100`, rt: ['65000:100'], encap: 'vxlan' as const, nexthop: a.vtep };
    gobgp.addEvpn({ type: 'macadv', mac: '02:cc:00:00:00:01', ip: '198.51.100.121', labels: [100], ...x });
    gobgp.addEvpn({ type: 'multicast', ip: a.vtep, pmsi: { label: 100, tunnelId: a.vtep }, ...x });
    const host = frr.vnis[0]!;
    await gobgp.waitFor('FRR host route at GoBGP', 20_000, () => JSON.stringify(gobgp.rib()).includes(host.hostIp));
    await frr.waitFor('GoBGP routes at FRR', 20_000, () => frr.vtysh(['show bgp l2vpn evpn']).includes('02:cc:00:00:00:01'));
    expect(await cap.stop()).toBe(true);
    vectors = pairMessages(pcap, 'live', { [a.ip]: 'gobgp', [b.ip]: 'frr' });
  });

  afterAll(async () => {
    await topo?.destroy();
  });

  for (const peer of ['gobgp', 'frr'] as const) {
    it(`${peer}: an OPEN and EVPN UPDATEs were captured`, () => {
      const mine = vectors.filter((v) => v.source.startsWith(peer));
      expect(mine.filter((v) => v.name.includes(' open')).length).toBe(1);
      expect(mine.filter((v) => / update-evpn-t[23]/.test(v.name)).length).toBeGreaterThanOrEqual(2);
    });

    it(`${peer}: every OPEN and UPDATE decodes as tshark decodes it and re-encodes to the same bytes`, () => {
      const mine = vectors.filter((v) => v.source.startsWith(peer) && / (open|update)/.test(v.name));
      expect(mine.length).toBeGreaterThanOrEqual(3);
      for (const v of mine) {
        const r = compareMessage(v.hex, v.tshark);
        expect({ name: v.name, mismatches: r.mismatches }).toEqual({ name: v.name, mismatches: [] });
        expect(r.checks.length).toBeGreaterThan(5);
        expect(r.reencoded).toBe(v.hex);
      }
    });
  }

  it('GoBGP and FRR both send the VNI in all 24 bits of Label1 (100 -> 00 00 64)', () => {
    const labels = vectors
      .filter((v) => / update-evpn-t2/.test(v.name))
      .flatMap((v) => {
        const r = compareMessage(v.hex, v.tshark).decoded;
        if (r.type !== 'update') return [];
        return r.attributes.flatMap((a) => (a.type === 'mp-reach' ? a.nlri.map((n) => ({ src: v.source, label1: (n as { label1?: number }).label1 })) : []));
      });
    expect(labels.some((l) => l.src.startsWith('gobgp') && l.label1 === 100)).toBe(true);
    expect(labels.some((l) => l.src.startsWith('frr') && l.label1 === 100)).toBe(true);
  });

  it('harness helpers: neighbor state, RIBs as JSON, route counts, withdraw', async () => {
    const [a, b] = [topo.node(0), topo.node(1)];
    expect(gobgp.neighborState(b.ip)).toBe('established');
    expect(frr.neighborState(a.ip)).toBe('Established');
    expect(Object.keys(gobgp.adjIn(b.ip)).some((k) => k.includes(frr.vnis[0]!.hostMac))).toBe(true);
    expect(frr.evpnRouteCount('macip')).toBeGreaterThanOrEqual(3); // host MAC, host MAC+IP, ours
    expect(frr.evpnRouteCount('multicast')).toBe(2);
    expect(JSON.stringify(frr.evpnRib())).toContain('02:cc:00:00:00:01');
    gobgp.delEvpn({ type: 'macadv', mac: '02:cc:00:00:00:01', ip: '198.51.100.121', labels: [100], rd: `${a.vtep}:100` });
    await frr.waitFor('withdrawal at FRR', 10_000, () => !JSON.stringify(frr.evpnRib()).includes('02:cc:00:00:00:01'));
    expect(Object.keys(gobgp.rib()).some((k) => k.includes('02:cc:00:00:00:01'))).toBe(false);
  });

  it('tears down: daemons killed by PID, namespaces and run directories removed', async () => {
    const dirs = [gobgp.dir, frr.dir];
    expect(pids.length).toBe(3);
    await topo.destroy();
    for (const p of pids) expect(existsSync(`/proc/${p}`)).toBe(false);
    const left = sh('ip', ['netns', 'list']);
    for (const ns of namespaces) expect(left.split('\n').some((l) => l.split(' ')[0] === ns)).toBe(false);
    for (const d of dirs) expect(existsSync(d)).toBe(false);
  });
});

describe.skipIf(why !== undefined)('harness: a topology attached to the test process (for an in-process speaker)', () => {
  let topo: Topology | undefined;

  afterAll(async () => {
    await topo?.destroy();
  });

  it('reaches a real gobgpd in a namespace over TCP from 198.18.0.1; a dying daemon fails fast; the veth goes with the topology', async () => {
    topo = await Topology.create({ nodes: 1, prefix: 'lr', root: true, firstOctet: 71 });
    const n = topo.node(0);
    expect(topo.rootIp).toBe('198.18.0.1');
    expect(n.ip).toBe('198.18.0.71');
    const g = await Gobgp.start(topo.lab, {
      ns: n.ns, asn: 65000, routerId: n.vtep, listen: n.ip, neighbors: [{ address: '198.18.0.1', asn: 65001, passive: true }],
    });
    // an OPEN from gobgpd proves the TCP path both ways: we connect, it speaks first
    const first = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: n.ip, port: 179, localAddress: '198.18.0.1' });
      const timer = setTimeout(() => { s.destroy(); reject(new Error('no OPEN from gobgpd within 10 s')); }, 10_000);
      s.once('data', (d: Buffer) => { clearTimeout(timer); s.destroy(); resolve(d); });
      s.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
    expect(first.subarray(0, 16).equals(Buffer.alloc(16, 0xff))).toBe(true);
    expect(first[18]).toBe(1);
    // a daemon that dies is reported at once (not after the 30 s timeout), with its log
    process.kill(g.pid!, 'SIGKILL');
    const t0 = Date.now();
    const err = await g.waitEstablished('198.18.0.1', 30_000).catch((e: unknown) => e);
    expect(String(err)).toMatch(/gobgpd exited \(SIGKILL\)/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await g.stop();
    const links = () => sh('ip', ['-o', 'addr', 'show']).split('\n').filter((l) => l.includes('198.18.0.1/32'));
    expect(links().length).toBeGreaterThan(0);
    const before = links().length;
    await topo.destroy();
    expect(links().length).toBe(before - 1);
    topo = undefined;
  });
});
