/**
 * The classic two-host VXLAN tutorial, with bgp-evpn's dataplane as one of the two hosts.
 * NEEDS ROOT (it creates a network namespace and a veth pair) and iproute2 + ping.
 *
 *   host "kernel" (a network namespace)             host "us" (this process, root namespace)
 *   10.200.0.1/24 on vxlan100 (Linux VXLAN, id 100)  VirtualHost 10.200.0.2 on VNI 100
 *        |  198.18.222.2/30 veth  <--- UDP 4789 --->  198.18.222.1/30 veth  VxlanEngine + UdpUnderlay
 *
 * As in the tutorial the overlay is static: the kernel gets `remote 198.18.222.1`, we get a
 * flood list of [198.18.222.2] and the kernel device's MAC (what an EVPN Type-2 route would
 * carry). Then both sides ping each other through VXLAN. Everything it made is removed at the
 * end (namespace, veth, sockets), also on error and on Ctrl-C.
 *
 *   sudo npx tsx examples/two-host-overlay.ts [--json] [--underlay 198.18.222] [--vni 100]
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
const execFileAsync = promisify(execFile);
import { UdpUnderlay, VirtualHost, VxlanEngine } from '../src/index.js';
import { withUsage } from './lib/lifetime.js';
import { Reporter, c, table } from './lib/output.js';

const USAGE = `
usage: sudo npx tsx examples/two-host-overlay.ts [--json] [--underlay 198.18.222] [--vni 100] [--name ns]
  The classic two-host VXLAN tutorial: Linux kernel VXLAN in a namespace <-> bgp-evpn's engine.
  Needs root (creates a namespace and a veth pair; removes them at the end).
`;
const { values: args } = withUsage(USAGE, () => parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    underlay: { type: 'string', default: '198.18.222' },
    vni: { type: 'string', default: '100' },
    name: { type: 'string', default: `bgpevpn${process.pid % 100000}` },
  },
}));
const out = new Reporter(args.json);
const VNI = Number(args.vni);
const NS = args.name;
const VETH = `${NS.slice(0, 11)}v`; // root side; the namespace side is renamed eth0
const US = `${args.underlay}.1`;
const KERNEL = `${args.underlay}.2`;
const OVERLAY_KERNEL = '10.200.0.1';
const OVERLAY_US = { name: 'us', mac: '02:00:00:c8:00:02', ipv4: '10.200.0.2' };

function sh(cmd: string, argv: readonly string[]): string {
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
}
const inNs = (cmd: string, argv: readonly string[]) => sh('ip', ['netns', 'exec', NS, cmd, ...argv]);

let nsMade = false;
let engine: VxlanEngine | undefined;

function setupUnderlay(): void {
  sh('ip', ['netns', 'add', NS]);
  nsMade = true;
  sh('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', `${VETH.slice(0, -1)}k`]);
  sh('ip', ['link', 'set', `${VETH.slice(0, -1)}k`, 'netns', NS]);
  inNs('ip', ['link', 'set', `${VETH.slice(0, -1)}k`, 'name', 'eth0']);
  inNs('ip', ['link', 'set', 'lo', 'up']);
  inNs('ip', ['addr', 'add', `${KERNEL}/30`, 'dev', 'eth0']);
  inNs('ip', ['link', 'set', 'eth0', 'up']);
  sh('ip', ['addr', 'add', `${US}/30`, 'dev', VETH]);
  sh('ip', ['link', 'set', VETH, 'up']);
  out.event('underlay', { namespace: NS, us: US, kernel: KERNEL }, `underlay    veth ${US} (here) <-> ${KERNEL} (namespace ${NS})`);
}

/** The tutorial's commands, on the kernel side. */
function setupKernelVxlan(): string {
  const cmds: string[][] = [
    ['link', 'add', 'vxlan100', 'type', 'vxlan', 'id', String(VNI), 'local', KERNEL, 'remote', US, 'dstport', '4789', 'dev', 'eth0'],
    ['addr', 'add', `${OVERLAY_KERNEL}/24`, 'dev', 'vxlan100'],
    ['link', 'set', 'vxlan100', 'up'],
  ];
  for (const a of cmds) {
    inNs('ip', a);
    out.event('kernel', { command: `ip ${a.join(' ')}` }, `kernel      ${c.dim(`ip ${a.join(' ')}`)}`);
  }
  const link = JSON.parse(inNs('ip', ['-j', 'link', 'show', 'vxlan100'])) as { address: string }[];
  return link[0]!.address;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root: it creates a network namespace and a veth pair (run with sudo)');
  out.event('start', { vni: VNI }, c.bold(`two-host VXLAN overlay, VNI ${VNI}: Linux kernel VXLAN <-> bgp-evpn's VxlanEngine`));
  setupUnderlay();
  const kernelMac = setupKernelVxlan();

  // our side: the engine on a UDP underlay, one VNI, a virtual host, the static tables
  engine = new VxlanEngine({ underlay: await UdpUnderlay.open({ address4: US }) });
  engine.addVni(VNI);
  engine.setFloodList(VNI, [KERNEL]);
  engine.setRemoteMac(VNI, kernelMac, KERNEL);
  const host = new VirtualHost(OVERLAY_US);
  engine.attachPort(VNI, host);
  out.event('engine', { vni: VNI, floodList: [KERNEL], remoteMac: { mac: kernelMac, vtep: KERNEL }, host: OVERLAY_US },
    `bgp-evpn    VxlanEngine on ${US}:4789, VNI ${VNI}, flood list [${KERNEL}], ${kernelMac} -> ${KERNEL}, host ${OVERLAY_US.ipv4}`);

  // 1. we ping the kernel: ARP flooded to the kernel VTEP, echo encapsulated, replies decapsulated
  const ours = await host.ping(OVERLAY_KERNEL, { count: 3, timeoutMs: 2000, intervalMs: 50 });
  out.event('ping', { from: OVERLAY_US.ipv4, to: OVERLAY_KERNEL, transmitted: ours.transmitted, received: ours.received, rttMs: ours.rttMs.map((r) => Math.round(r * 1000) / 1000) },
    `${ours.received === 3 ? c.green('ping') : c.red('ping')}        ${OVERLAY_US.ipv4} -> ${OVERLAY_KERNEL}: ${ours.received}/${ours.transmitted} replies`);
  if (ours.received !== 3) throw new Error(`no replies from the kernel host (${ours.received}/3)`);

  // 2. the kernel pings us: its VXLAN device encapsulates, our virtual host answers
  // (asynchronously: this process must keep running its event loop to answer)
  const { stdout: text } = await execFileAsync('ip', ['netns', 'exec', NS, 'ping', '-c', '3', '-i', '0.2', '-W', '2', OVERLAY_US.ipv4], { timeout: 15_000 })
    .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const received = Number(/(\d+) received/.exec(text)?.[1] ?? 0);
  out.event('kernelPing', { from: OVERLAY_KERNEL, to: OVERLAY_US.ipv4, transmitted: 3, received, output: text.trim().split('\n').at(-1) },
    `${received === 3 ? c.green('ping') : c.red('ping')}        ${OVERLAY_KERNEL} -> ${OVERLAY_US.ipv4} (kernel's ping): ${received}/3 replies`);
  if (received !== 3) throw new Error(`the kernel's ping got ${received}/3 replies`);

  // what each side saw
  const cnt = engine.vniCounters(VNI)!;
  const fdb = inNs('bridge', ['fdb', 'show', 'dev', 'vxlan100']).trim().split('\n').filter((l) => l.length > 0);
  out.event('counters', { engine: { encapFrames: cnt.encapFrames, decapFrames: cnt.decapFrames, floodReplicas: cnt.floodReplicas, arpFlooded: cnt.arpFlooded }, kernelFdb: fdb });
  out.text(`\n${table(['bgp-evpn VNI counter', 'value'], [['encapsulated', String(cnt.encapFrames)], ['decapsulated', String(cnt.decapFrames)], ['flood replicas', String(cnt.floodReplicas)], ['ARP flooded', String(cnt.arpFlooded)]])}`);
  out.text(`\n    kernel's VXLAN FDB (it learned our host's MAC from the packets):\n${fdb.map((l) => `      ${l}`).join('\n')}\n`);
  const learned = fdb.some((l) => l.startsWith(OVERLAY_US.mac) && l.includes(`dst ${US}`));
  out.event('summary', { ok: true, ourPing: ours.received, kernelPing: received, kernelLearnedOurMac: learned }, c.bold(c.green('done: both directions work through VXLAN')));
}

async function cleanup(): Promise<void> {
  await engine?.close();
  engine = undefined;
  // deleting the namespace deletes its end of the veth, which deletes the pair
  if (nsMade) {
    try {
      sh('ip', ['netns', 'del', NS]);
    } catch { /* already gone */ }
    nsMade = false;
  }
  try {
    sh('ip', ['link', 'del', VETH]);
  } catch { /* gone with the namespace */ }
}

const onSignal = (): void => {
  void cleanup().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main()
  .then(cleanup)
  .catch(async (e: unknown) => {
    await cleanup().catch(() => {});
    const message = e instanceof Error ? e.message : String(e);
    out.event('error', { ok: false, message });
    process.stderr.write(`${c.red('two-host-overlay failed:')} ${message}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
