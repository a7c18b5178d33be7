/**
 * Route reflection: one client sends N EVPN Type-2 routes, the route reflector reflects them to
 * 8 clients; time from the first byte of the stream until all 8 have been sent every route, and
 * the reflector's peak RSS (VmHWM). bgp-evpnd, FRRouting's bgpd and gobgpd as the reflector, in
 * the same run, in one network namespace, with the clients (bench/reflect-clients.ts) in the
 * same namespace on addresses of its interface (FRR refuses loopback peers: no interface for the
 * next hop). Goal (issue 13): bgp-evpnd <= 0.3x FRR's time and <= 0.3x its memory.
 *
 *   node --import tsx bench/reflect.bench.ts [N ...]     (default 1000000; `npm run bench -- reflect`)
 *
 * GoBGP 3.10's EVPN handling is quadratic (lab README): it runs at BENCH_GOBGP_N (default
 * 10000), and the other two run at that size too for a same-size row. Needs root, FRR
 * (`bgpd`, `zebra`) and `gobgpd`; without them only bgp-evpnd's rows are printed (BENCH_FRR=0 /
 * BENCH_GOBGP=0 skip one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { runAsScript, type Row } from './harness.js';
import type { Result } from './speaker.bench.js';
import { rrConfig } from '../test/daemon/rr-config.js';
import type { Lab } from '../test/helpers/netns.js';

const AS = 65000;
const RR = '198.18.0.58';
const FIRST = '198.18.0.200';
/** The routes' next hop: on the namespace's subnet and not one of its addresses (FRR drops a next hop of its own). */
const NEXT_HOP = '198.18.0.99';
const RECEIVERS = 8;
const clients = Array.from({ length: RECEIVERS + 1 }, (_, i) => `198.18.0.${200 + i}`);

/** As the speaker bench's rows; `cpuMs` is the reflector's over the run. */
export type ReflectResult = Result;

const here = fileURLToPath(new URL('.', import.meta.url));

/** Bundle a TS entry into plain JS (no TS loader in the measured process, as a user ships it). */
function bundle(entry: string, out: string): void {
  execFileSync(join(here, '..', 'node_modules', '.bin', 'esbuild'), [entry, '--bundle', '--platform=node', '--format=esm', '--target=node20', `--outfile=${out}`,
    "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);", '--log-level=error']);
}

/** utime + stime of a process (all threads), ms (USER_HZ = 100 on Linux). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function hwmMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

interface Driven {
  ms: number;
  sentMs: number;
  clientsCpuMs: number;
  rrCpuMs: number;
}

/** Run the clients in the namespace against a reflector (`pid`) that is up; returns their "done" line. */
async function drive(lab: Lab, ns: string, js: string, n: number, who: string, pid: number | undefined): Promise<Driven> {
  const cpu0 = cpuMs(pid);
  const child = lab.spawn(ns, process.execPath, [js, RR, '179', String(n), String(RECEIVERS), FIRST, NEXT_HOP]);
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const l of buf.split('\n').slice(0, -1)) {
        const o = JSON.parse(l) as Record<string, unknown>;
        if (o.event === 'done' || o.event === 'error') resolve(o);
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`clients exited (${code}): ${(child as ChildProcess & { output: () => string }).output()}`)));
  });
  const rrCpuMs = cpuMs(pid) - cpu0;
  await lab.kill(child);
  if (line.event !== 'done') throw new Error(`clients of ${who}: ${JSON.stringify(line)}`);
  return { ms: line.ms as number, sentMs: line.sentMs as number, clientsCpuMs: line.clientsCpuMs as number, rrCpuMs };
}

function result(name: string, n: number, r: Driven, peakRssMiB: number): ReflectResult {
  return { name, routes: n, ms: r.ms, cpuMs: r.rrCpuMs, peakRssMiB, note: `sender done in ${r.sentMs.toFixed(0)} ms; clients' CPU ${r.clientsCpuMs.toFixed(0)} ms` };
}

async function ours(lab: Lab, ns: string, dir: string, clientsJs: string, n: number): Promise<ReflectResult> {
  const js = join(dir, 'bgp-evpnd.mjs');
  bundle(join(here, '..', 'src', 'daemon', 'cli.ts'), js);
  const conf = join(dir, 'rr.toml');
  writeFileSync(conf, rrConfig({ asn: AS, routerId: '198.19.0.1', listen: RR, port: 179, clusterId: '198.19.0.1', holdTime: 180, neighbors: clients }));
  const prof = process.env.BENCH_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`];
  const d = lab.spawn(ns, process.execPath, [...prof, js, '-f', conf, '--api-hosts', 'none', '-l', 'warn']);
  await new Promise((r) => setTimeout(r, 1000));
  if (d.exitCode !== null) throw new Error(`bgp-evpnd exited: ${(d as ChildProcess & { output: () => string }).output()}`);
  const r = await drive(lab, ns, clientsJs, n, 'bgp-evpnd', d.pid);
  const rss = hwmMiB(d.pid);
  await lab.kill(d);
  return result('bgp-evpnd', n, r, rss);
}

async function frr(lab: Lab, ns: string, clientsJs: string, n: number): Promise<ReflectResult> {
  const { Frr } = await import('../test/interop/harness/frr.js');
  const f = await Frr.start(lab, { ns, asn: AS, routerId: '198.19.0.1', octet: 58, neighbors: clients.map((address) => ({ address, asn: AS, passive: true, holdTime: 180, routeReflectorClient: true })) });
  try {
    const r = await drive(lab, ns, clientsJs, n, 'FRR', f.pids.bgpd);
    return result('FRR bgpd', n, r, hwmMiB(f.pids.bgpd));
  } finally {
    await f.cleanup();
  }
}

async function gobgp(lab: Lab, ns: string, clientsJs: string, n: number): Promise<ReflectResult> {
  const { Gobgp } = await import('../test/interop/harness/gobgp.js');
  const g = await Gobgp.start(lab, { ns, asn: AS, routerId: '198.19.0.1', listen: RR, neighbors: clients.map((address) => ({ address, asn: AS, passive: true, holdTime: 180, routeReflectorClient: true })) });
  try {
    const r = await drive(lab, ns, clientsJs, n, 'gobgpd', g.pid);
    return result('gobgpd', n, r, hwmMiB(g.pid));
  } finally {
    await g.cleanup();
  }
}

export async function measureAll(sizes: readonly number[] = [1_000_000]): Promise<ReflectResult[]> {
  const { missingReal } = await import('../test/helpers/netns.js');
  if (process.getuid?.() !== 0) throw new Error('bench reflect needs root (a network namespace for the reflectors)');
  const { Topology } = await import('../test/interop/harness/topology.js');
  const withFrr = process.env.BENCH_FRR !== '0' && missingReal(['bgpd', 'zebra', 'vtysh']) === undefined;
  const withGobgp = process.env.BENCH_GOBGP !== '0' && missingReal(['gobgpd', 'gobgp']) === undefined;
  const gobgpN = Number(process.env.BENCH_GOBGP_N ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-reflect-'));
  const topo = await Topology.create({ nodes: 1, firstOctet: 58, prefix: 'rb' });
  const ns = topo.node(0).ns;
  const { nsExec } = await import('../test/helpers/netns.js');
  for (const c of clients) nsExec(ns, 'ip', ['addr', 'add', `${c}/32`, 'dev', 'eth0']);
  const rows: ReflectResult[] = [];
  try {
    const clientsJs = join(dir, 'clients.mjs');
    bundle(join(here, 'reflect-clients.ts'), clientsJs);
    for (const n of [...new Set([...(withGobgp ? [gobgpN] : []), ...sizes])].sort((a, b) => a - b)) {
      process.stderr.write(`reflect ${n} x ${RECEIVERS}...\n`);
      const a = await ours(topo.lab, ns, dir, clientsJs, n);
      rows.push(a);
      if (withFrr) {
        const f = await frr(topo.lab, ns, clientsJs, n);
        rows.push(f, { name: 'ratio bgp-evpnd / FRR', routes: n, ms: a.ms / f.ms, cpuMs: a.cpuMs / f.cpuMs, peakRssMiB: a.peakRssMiB / f.peakRssMiB, note: 'goal <= 0.3 time, <= 0.3 memory' });
      }
      if (withGobgp && n === gobgpN) rows.push(await gobgp(topo.lab, ns, clientsJs, n));
    }
  } finally {
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** For `npm run bench`: rate = routes reflected to all 8 clients per second. */
export async function run(): Promise<Row[]> {
  const results = await measureAll();
  return results
    .filter((r) => !r.name.startsWith('ratio'))
    .map((r) => {
      const frrRow = results.find((x) => x.name === 'FRR bgpd' && x.routes === r.routes);
      const vs = frrRow === undefined || r === frrRow ? '' : `; vs FRR: time ${(r.ms / frrRow.ms).toFixed(2)}x, memory ${(r.peakRssMiB / frrRow.peakRssMiB).toFixed(2)}x (goal <= 0.3, <= 0.3)`;
      return { name: `${r.name} reflect ${r.routes} x ${RECEIVERS}`, rate: r.routes / (r.ms / 1000), unit: 'route', nsPerOp: (r.ms * 1e6) / r.routes, note: `${r.ms.toFixed(0)} ms, CPU ${r.cpuMs.toFixed(0)} ms, peak RSS ${r.peakRssMiB.toFixed(0)} MiB${vs}` };
    });
}

await runAsScript(import.meta.url, measureAll);
