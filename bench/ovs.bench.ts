/**
 * 100,000 remote MACs from BGP into Open vSwitch flows (issue 15): a feeder BgpSpeaker announces
 * N Type-2 routes over loopback to our speaker, whose VtepManager programs an OvsDataplane on a
 * real OVS 3.1 (netdev datapath, its own ovsdb-server/ovs-vswitchd in a namespace). Timed from the
 * first announce until `ovs-ofctl dump-aggregate` counts N unicast flows of our cookie; 3 runs,
 * the median. Next to it, the OpenFlow channels themselves on the same bridge with the same N
 * pre-rendered flows: one `ovs-ofctl bundle` (what OvsDataplane uses), `ovs-ofctl add-flows`
 * without a bundle, `ovs-ofctl add-flow` per flow (200 calls, extrapolated), and our own
 * OpenFlow 1.3 connection writing binary FLOW_MODs (bench/openflow-raw.ts).
 *
 *   npm run bench -- ovs          (needs root and openvswitch-switch; OVS_BENCH_MACS=N)
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import type { Row } from './harness.js';
import { BgpSpeaker, macIpRoute } from '../src/index.js';
import { registerEvpn } from '../src/evpn/index.js';
import { OvsDataplane, remoteMacFlow } from '../src/dataplane/index.js';
import { VtepManager } from '../src/vtep/index.js';
import { Lab, uniqueName } from '../test/helpers/netns.js';
import { Ovs } from '../test/interop/harness/ovs.js';
import { FLOW_MOD_LEN, RawOpenFlow, writeUnicastFlowMod } from './openflow-raw.js';

registerEvpn();

const N = Number(process.env.OVS_BENCH_MACS ?? 100_000);
const RUNS = 3;
const VNI = 100;
const VTEPS = 8;

const mac = (i: number) => `02:${[0x10, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

function flowCount(ovs: Ovs, cookie: bigint): number {
  const out = ovs.ofctl('dump-aggregate', 'br-int', `cookie=0x${cookie.toString(16)}/-1`);
  return Number(/flow_count=(\d+)/.exec(out)?.[1] ?? -1);
}

/** The same count without blocking the event loop (the speaker and the dataplane run in it). */
async function flowCountAsync(ovs: Ovs, cookie: bigint): Promise<number> {
  const { stdout } = await promisify(execFile)('ovs-ofctl', ['-O', 'OpenFlow13', 'dump-aggregate', ovs.mgmt('br-int'), `cookie=0x${cookie.toString(16)}/-1`], { env: ovs.env });
  return Number(/flow_count=(\d+)/.exec(stdout)?.[1] ?? -1);
}

async function until(what: string, ms: number, f: () => boolean | Promise<boolean>, everyMs = 100): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`ovs bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One run: BGP routes -> VtepManager -> OvsDataplane -> OVS; returns ms until OVS holds all. */
async function fromBgp(ovs: Ovs, run: number): Promise<{ ms: number; managerMs: number }> {
  const dp = await OvsDataplane.open({ bridge: 'br-int', tunnelPort: 'vxlan0', rundir: ovs.rundir });
  const [us, them] = ['127.0.0.151', '127.0.0.152'];
  const speaker = new BgpSpeaker({ asn: 65000, routerId: us, listen: { address: us, port: 0 } });
  speaker.addPeer({ address: them, asn: 65000, families: ['l2vpn-evpn'], passive: true });
  const manager = new VtepManager({ speaker, dataplane: dp, vtepAddress: '198.18.0.151', vnis: [{ vni: VNI, expectedMacs: N, routeTargets: [`65000:${VNI}`] }] });
  await speaker.start();
  const feeder = new BgpSpeaker({ asn: 65000, routerId: them, listen: false });
  feeder.addPeer({ address: us, asn: 65000, families: ['l2vpn-evpn'], localAddress: them, port: speaker.listenAddress!.port, connectRetryTime: 1 });
  await feeder.start();
  try {
    await until('session', 20_000, () => speaker.peerState(them) === 'Established');
    const routes = Array.from({ length: N }, (_, i) => {
      const nh = `198.18.0.${160 + (i % VTEPS)}`;
      return macIpRoute({ rd: `${nh}:${VNI}`, mac: mac(i + run * N), vni: VNI, nextHop: nh, routeTargets: [`65000:${VNI}`] });
    });
    const t0 = performance.now();
    for (const r of routes) feeder.announce(r);
    let managerMs = 0;
    await until('OVS flows', 300_000, async () => {
      if (managerMs === 0 && dp.snapshot(VNI)!.remoteMacs.length === N) managerMs = performance.now() - t0;
      return (await flowCountAsync(ovs, dp.cookieOf('remoteMac'))) === N;
    }, 100);
    return { ms: performance.now() - t0, managerMs };
  } finally {
    manager.close();
    await feeder.stop();
    await speaker.stop();
    await dp.stop();
  }
}

/** The channels alone: N pre-rendered unicast flows into the bridge; returns ms. */
function channel(ovs: Ovs, how: 'bundle' | 'add-flows' | 'add-flow'): number {
  const dpLike = { cookie: 0xeb9e000000000000n, base: 40, tunnelOfport: 1, macAgeSeconds: 300, learn: false };
  const n = how === 'add-flow' ? 200 : N;
  const lines = Array.from({ length: n }, (_, i) => remoteMacFlow(dpLike, VNI, mac(i), `198.18.0.${160 + (i % VTEPS)}`));
  const env = ovs.env;
  const target = ovs.mgmt('br-int');
  const t0 = performance.now();
  if (how === 'bundle') execFileSync('ovs-ofctl', ['-O', 'OpenFlow14', 'bundle', target, '-'], { input: lines.join('\n'), env, maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'ignore'] });
  else if (how === 'add-flows') execFileSync('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flows', target, '-'], { input: lines.map((l) => l.slice('flow add '.length)).join('\n'), env, stdio: ['pipe', 'pipe', 'ignore'] });
  else for (const l of lines) execFileSync('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flow', target, l.slice('flow add '.length)], { env });
  const ms = performance.now() - t0;
  if (flowCount(ovs, 0xeb9e000000000003n) !== n) throw new Error(`ovs bench: ${how} did not install ${n} flows`);
  ovs.ofctl('del-flows', 'br-int', 'cookie=0xeb9e000000000000/0xffffffffffffff00');
  return how === 'add-flow' ? (ms * N) / n : ms;
}

/** The same N flows over our own OpenFlow 1.3 connection (binary FLOW_MODs, one BARRIER); returns ms. */
async function rawOpenFlow(ovs: Ovs): Promise<number> {
  const t0 = performance.now();
  const of = await RawOpenFlow.connect(ovs.mgmt('br-int').slice('unix:'.length));
  const buf = Buffer.allocUnsafe(FLOW_MOD_LEN * N);
  const macBuf = Buffer.alloc(6);
  for (let i = 0; i < N; i++) {
    macBuf.set(mac(i).split(':').map((h) => parseInt(h, 16)));
    writeUnicastFlowMod(buf, i * FLOW_MOD_LEN, { xid: i + 2, cookie: 0xeb9e000000000003n, table: 42, priority: 100, vni: VNI, mac: macBuf, vtep: (198 << 24 | 18 << 16 | 160 + (i % VTEPS)) >>> 0, port: 1 });
  }
  await of.send(buf, N + 2);
  const ms = performance.now() - t0;
  of.close();
  if (of.errors > 0 || flowCount(ovs, 0xeb9e000000000003n) !== N) throw new Error(`ovs bench: raw OpenFlow: ${of.errors} errors, ${flowCount(ovs, 0xeb9e000000000003n)} flows`);
  ovs.ofctl('del-flows', 'br-int', 'cookie=0xeb9e000000000000/0xffffffffffffff00');
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function row(name: string, runs: number[], note: string): Row {
  const ms = median(runs);
  return { name, rate: (N / ms) * 1000, unit: 'flow', nsPerOp: (ms * 1e6) / N, note: `${note}; median ${(ms / 1000).toFixed(2)} s of ${runs.map((r) => (r / 1000).toFixed(2)).join(' / ')} s` };
}

export async function run(): Promise<Row[]> {
  if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/ovs-vswitchd')) {
    return [{ name: 'ovs: skipped (needs root and openvswitch-switch)', rate: 0, unit: 'flow', nsPerOp: 0 }];
  }
  const lab = new Lab();
  try {
    const ns = lab.addNamespace(uniqueName('ovsb'));
    const ovs = await Ovs.start(lab, { ns });
    ovs.vsctl('add-br', 'br-int', '--', 'set', 'bridge', 'br-int', 'datapath_type=netdev',
      '--', 'add-port', 'br-int', 'vxlan0', '--', 'set', 'interface', 'vxlan0', 'type=vxlan', 'options:remote_ip=flow', 'options:key=flow');
    const bgp: number[] = [];
    const mgr: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { ms, managerMs } = await fromBgp(ovs, r);
      bgp.push(ms);
      mgr.push(managerMs);
    }
    const rows = [row(`${N} remote MACs: BGP -> VtepManager -> OvsDataplane -> OVS flows`, bgp, `manager held all after ${(median(mgr) / 1000).toFixed(2)} s (median)`)];
    for (const how of ['bundle', 'add-flows', 'add-flow'] as const) {
      const runs = how === 'add-flow' ? [channel(ovs, how)] : Array.from({ length: RUNS }, () => channel(ovs, how));
      rows.push(row(`channel: ovs-ofctl ${how}${how === 'add-flow' ? ' per flow (200 calls, extrapolated)' : ' (stdin)'}`, runs, `${N} flows, pre-rendered`));
    }
    const raw: number[] = [];
    for (let r = 0; r < RUNS; r++) raw.push(await rawOpenFlow(ovs));
    rows.push(row('channel: our own OpenFlow 1.3 connection (binary FLOW_MODs + BARRIER)', raw, `${N} flows, encoded in the run`));
    await ovs.cleanup();
    return rows;
  } finally {
    await lab.destroy();
  }
}
