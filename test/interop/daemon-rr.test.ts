/**
 * bgp-evpnd as the route reflector of a fabric with real VTEPs, each in its own namespace:
 * bgp-evpnd (node 0, started from source as `bgp-evpnd -f rr.toml`), GoBGP (node 1) and
 * FRRouting with a kernel VXLAN device for VNI 100 (node 2, advertise-all-vni). GoBGP and FRR
 * are iBGP route-reflector clients; bgp-evpnd is passive towards both.
 *
 * - The daemon starts with GoBGP only; FRR is added to the file and SIGHUP applies it: FRR's
 *   session comes up while GoBGP's stays (one OPEN received by GoBGP, no "peer down"), and the
 *   `gobgp` CLI, unmodified, lists both as established through the daemon's gRPC API.
 * - Type-2 and Type-3 routes are reflected both ways: GoBGP's (injected with its CLI) reach
 *   FRR's EVPN table (and a withdrawal follows), FRR's own (its VTEP's Type-3, its tenant
 *   host's Type-2) reach GoBGP's RIB with ORIGINATOR_ID = FRR's router id and our CLUSTER_LIST.
 * - The `gobgp` CLI at bgp-evpnd: a macadv added through it reaches FRR and its `del` withdraws
 *   it there; FRR's Type-2/Type-3 show in `gobgp global rib -a evpn` (text and `-j`).
 * - A dynamic-neighbor range (node 3's address) takes a second GoBGP VTEP that the file does
 *   not name, and the fabric's routes reach it.
 * - SIGTERM: every VTEP sees a Cease (administrative shutdown), the daemon exits 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, nsExec, waitFor } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Gobgp } from './harness/gobgp.js';
import { Frr } from './harness/frr.js';
import { rrConfig } from '../daemon/rr-config.js';

const skip = missingReal(['gobgpd', 'gobgp', 'bgpd', 'zebra', 'vtysh', 'bridge']);
const AS = 65000;
const CLUSTER = '198.19.0.200';

interface LogLine {
  event: string;
  [k: string]: unknown;
}

describe.skipIf(skip !== undefined)('bgp-evpnd as route reflector for GoBGP and FRR VTEPs', () => {
  let topo: Topology;
  let gobgp: Gobgp;
  let frr: Frr;
  let daemon: ChildProcess & { output?: () => string };
  let dir: string;
  let file: string;
  const log = (): LogLine[] =>
    (daemon.output?.() ?? '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);

  const config = (neighbors: string[]): string =>
    rrConfig({ asn: AS, routerId: topo.node(0).vtep, listen: topo.node(0).ip, clusterId: CLUSTER, holdTime: 9, neighbors, dynamic: { prefix: `${topo.node(3).ip}/32`, limit: 1 } });

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 4, firstOctet: 51, prefix: 'dr' });
    dir = mkdtempSync(join(tmpdir(), 'bgp-evpnd-rr-'));
    topo.lab.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    file = join(dir, 'rr.toml');
    const [d, g, f] = [topo.node(0), topo.node(1), topo.node(2)];
    writeFileSync(file, config([g.ip]));
    daemon = topo.lab.spawn(d.ns, process.execPath, ['--import', 'tsx', 'src/daemon/cli.ts', '-f', file, '-l', 'debug']);
    await waitFor('bgp-evpnd started', 20_000, () => {
      if (daemon.exitCode !== null) throw new Error(`bgp-evpnd exited: ${daemon.output?.()}`);
      return log().some((e) => e.event === 'started');
    });
    gobgp = await Gobgp.start(topo.lab, { ns: g.ns, asn: AS, routerId: g.vtep, listen: g.ip, neighbors: [{ address: d.ip, asn: AS, holdTime: 9 }] });
    await gobgp.waitEstablished(d.ip, 40_000);
    frr = await Frr.start(topo.lab, { ns: f.ns, asn: AS, routerId: f.vtep, octet: f.octet, vnis: [100], neighbors: [{ address: d.ip, asn: AS, holdTime: 9 }] });
  }, 120_000);

  afterAll(async () => {
    await frr?.cleanup();
    await topo?.destroy();
  });

  const gobgpOpens = (): number => {
    const n = gobgp.json<{ state?: { messages?: { received?: { open?: number | string } } } }[]>(['neighbor'])[0];
    return Number(n?.state?.messages?.received?.open ?? -1);
  };

  it('SIGHUP adds FRR from the file; GoBGP\'s session stays up (still one OPEN, no peer down); gobgp neighbor lists both', async () => {
    const [d, g, f] = [topo.node(0), topo.node(1), topo.node(2)];
    expect(gobgpOpens()).toBe(1);
    writeFileSync(file, config([g.ip, f.ip]));
    daemon.kill('SIGHUP');
    await waitFor('reloaded', 10_000, () => log().find((e) => e.event === 'reloaded'));
    expect(log().find((e) => e.event === 'reloaded')).toMatchObject({ added: [f.ip], removed: [], updated: [], reset: [] });
    await frr.waitEstablished(d.ip, 40_000);
    await waitFor('peer up for FRR logged', 10_000, () => log().some((e) => e.event === 'peer up' && e.peer === f.ip));
    expect(gobgp.neighborState(d.ip)).toBe('established');
    expect(gobgpOpens()).toBe(1);
    expect(log().filter((e) => e.event === 'peer down')).toEqual([]);
    // the unmodified gobgp CLI against bgp-evpnd's API (127.0.0.1:50051 in its namespace)
    const nbrs = JSON.parse(nsExec(d.ns, 'gobgp', ['-j', 'neighbor'])) as { conf?: { neighbor_address?: string }; state?: { session_state?: number | string } }[];
    const established = (x: { state?: { session_state?: number | string } }) => x.state?.session_state === 6 || /established/i.test(String(x.state?.session_state));
    expect(nbrs.map((x) => x.conf?.neighbor_address).sort()).toEqual([g.ip, f.ip].sort());
    expect(nbrs.every(established)).toBe(true);
  }, 60_000);

  it('reflects GoBGP\'s Type-2/Type-3 to FRR and FRR\'s Type-2/Type-3 to GoBGP, with ORIGINATOR_ID and CLUSTER_LIST', async () => {
    const [g, f] = [topo.node(1), topo.node(2)];
    gobgp.addEvpn({ type: 'macadv', mac: '02:bb:00:00:00:01', ip: '198.51.100.201', labels: [100], rd: `${g.vtep}:100`, rt: ['65000:100'], encap: 'vxlan', nexthop: g.vtep });
    gobgp.addEvpn({ type: 'multicast', ip: g.vtep, rd: `${g.vtep}:100`, rt: ['65000:100'], encap: 'vxlan', nexthop: g.vtep, pmsi: { label: 100, tunnelId: g.vtep } });
    // at FRR: GoBGP's MAC and its VTEP's Type-3 (FRR's EVPN table, and its kernel flood list)
    await frr.waitFor('GoBGP\'s Type-2 at FRR', 30_000, () => JSON.stringify(frr.evpnRib()).includes('02:bb:00:00:00:01'));
    await frr.waitFor('GoBGP\'s Type-3 at FRR', 30_000, () => JSON.stringify(frr.evpnRib()).includes(`[3]:[0]:[32]:[${g.vtep}]`));
    // at GoBGP: FRR's VTEP's Type-3 and a Type-2 from its kernel, next hop FRR's VTEP
    const fromFrr = () => Object.values(gobgp.rib('evpn')).flat().map((p) => JSON.stringify(p)).filter((p) => p.includes(f.vtep));
    await gobgp.waitFor('FRR\'s Type-3 at GoBGP', 30_000, () => fromFrr().some((p) => /"type":3|Multicast|multicast/.test(p)));
    frr.tenantPing(100);
    await gobgp.waitFor('FRR\'s Type-2 at GoBGP', 30_000, () => fromFrr().some((p) => p.includes(frr.vnis[0]!.hostMac)));
    const p = JSON.parse(fromFrr().find((x) => x.includes(frr.vnis[0]!.hostMac))!) as { attrs: { type: number; value?: unknown; nexthop?: string }[] };
    // RFC 4456 8: ORIGINATOR_ID (9) is FRR's router id, CLUSTER_LIST (10) is our cluster id
    expect(p.attrs).toContainEqual({ type: 9, value: f.vtep });
    expect(p.attrs).toContainEqual({ type: 10, value: [CLUSTER] });
    expect(p.attrs.find((a) => a.type === 14)?.nexthop).toBe(f.vtep);
    // withdraw at GoBGP: gone at FRR
    gobgp.delEvpn({ type: 'macadv', mac: '02:bb:00:00:00:01', ip: '198.51.100.201', labels: [100], rd: `${g.vtep}:100`, rt: ['65000:100'], encap: 'vxlan', nexthop: g.vtep });
    await frr.waitFor('withdrawn at FRR', 30_000, () => !JSON.stringify(frr.evpnRib()).includes('02:bb:00:00:00:01'));
  }, 90_000);

  it('the gobgp CLI at bgp-evpnd: a macadv added there reaches FRR (and its del withdraws it); FRR\'s routes show in its global rib', async () => {
    const [d, f] = [topo.node(0), topo.node(2)];
    const mac = '02:cc:00:00:00:01';
    const route = ['macadv', mac, '198.51.100.202', 'etag', '0', 'label', '100', 'rd', `${d.vtep}:100`, 'rt', '65000:100', 'encap', 'vxlan', 'nexthop', d.vtep];
    nsExec(d.ns, 'gobgp', ['global', 'rib', '-a', 'evpn', 'add', ...route]);
    await frr.waitFor('the CLI\'s Type-2 at FRR', 30_000, () => JSON.stringify(frr.evpnRib()).includes(mac));
    // what FRR advertises (its VTEP's Type-3, its tenant host's Type-2) in bgp-evpnd's table, as the CLI prints it
    const rib = nsExec(d.ns, 'gobgp', ['-j', 'global', 'rib', '-a', 'evpn']);
    expect(rib).toContain(frr.vnis[0]!.hostMac);
    expect(rib).toContain(mac);
    const text = nsExec(d.ns, 'gobgp', ['global', 'rib', '-a', 'evpn']);
    expect(text).toContain(`[type:multicast][rd:${f.vtep}`);
    nsExec(d.ns, 'gobgp', ['global', 'rib', '-a', 'evpn', 'del', ...route]);
    await frr.waitFor('the CLI\'s Type-2 withdrawn at FRR', 30_000, () => !JSON.stringify(frr.evpnRib()).includes(mac));
  }, 60_000);

  it('a dynamic-neighbor range takes a second GoBGP VTEP that the file does not name; it gets the fabric\'s routes', async () => {
    const [d, g, , h] = [topo.node(0), topo.node(1), topo.node(2), topo.node(3)];
    const g2 = await Gobgp.start(topo.lab, { ns: h.ns, asn: AS, routerId: h.vtep, listen: h.ip, neighbors: [{ address: d.ip, asn: AS, holdTime: 9 }] });
    await g2.waitEstablished(d.ip, 40_000);
    await waitFor('dynamic peer logged', 10_000, () => log().find((e) => e.event === 'dynamic peer' && e.peer === h.ip && e.range === `${h.ip}/32`));
    // GoBGP's Type-3 (still announced) reaches the newcomer
    await g2.waitFor('GoBGP\'s Type-3 at the new VTEP', 30_000, () => JSON.stringify(g2.rib('evpn')).includes(`"nexthop":"${g.vtep}"`));
    expect(gobgp.neighborState(d.ip)).toBe('established');
    expect(log().filter((e) => e.event === 'peer down')).toEqual([]);
  }, 60_000);

  it('SIGTERM: GoBGP and FRR get a Cease (administrative shutdown), the daemon exits 0', async () => {
    const d = topo.node(0);
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    await frr.waitFor('FRR saw the Cease', 20_000, () => {
      const nb = frr.json<Record<string, { bgpState?: string; lastNotificationReason?: string; lastResetDueTo?: string }>>(`show bgp neighbors ${d.ip} json`)[d.ip];
      return nb !== undefined && nb.bgpState !== 'Established' && /Cease\/Administrative Shutdown/i.test(JSON.stringify(nb)) ? nb : undefined;
    });
    await gobgp.waitFor('GoBGP saw the Cease', 20_000, () => gobgp.neighborState(d.ip) !== 'established' && /msg="received notification" Code=6 .*Subcode=2/.test(gobgp.log()));
    expect(log().filter((e) => e.event === 'notification sent').map((e) => `${e.peer} ${e.code}/${e.subcode}`).sort()).toEqual([1, 2, 3].map((i) => `${topo.node(i).ip} 6/2`).sort());
  }, 60_000);
});
