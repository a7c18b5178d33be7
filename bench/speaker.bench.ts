/**
 * Receive N EVPN Type-2 routes over one real TCP session into the Loc-RIB: bgp-evpn's
 * BgpSpeaker (a child process on loopback, so its peak RSS is its own) next to FRRouting's bgpd
 * (in a network namespace, reached over a veth) receiving the same pre-encoded stream in the same
 * run. Time = from the sender's Established to all N routes in the receiver's table; memory =
 * the receiver's peak RSS (VmHWM). Goal (issue 4): <= 0.5x FRR's time and <= 0.3x its memory.
 *
 *   node --import tsx bench/speaker.bench.ts [N ...]        (default 100000 1000000)
 *
 * A third row per size runs the same receiver with a VtepManager attached (VNI 100, a VXLAN engine
 * as its dataplane) until its tables hold every MAC: wire to forwarding state (BENCH_VTEP=0 skips
 * it). FRR needs root, `bgpd` and `zebra`; without them (or with BENCH_FRR=0) only bgp-evpn's rows
 * are printed. CPU time (user + system of the receiving process) is printed too: on a busy machine it
 * is the steadier measure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { registerEvpn } from '../src/evpn/index.js';
import { Session } from '../src/bgp/session/session.js';
import { runAsScript, type Row } from './harness.js';
import { encodeStream } from './evpn-stream.js';

export { encodeStream } from './evpn-stream.js';

registerEvpn();

/** One receiver's measurement. */
export interface Result {
  name: string;
  routes: number;
  /** Wall time from the sender's Established to all routes in the receiver's table. */
  ms: number;
  /** CPU time (user + system, all threads) the receiver spent in that interval: robust on a busy machine. */
  cpuMs: number;
  peakRssMiB: number;
  note?: string;
}

const AS = 65000;

/** Connect as an iBGP peer, and once Established write every chunk with backpressure. */
async function send(chunks: Buffer[], peer: string, port: number, localAddress: string, until: () => Promise<void>, onUp?: () => void): Promise<number> {
  const s = new Session({ localAsn: AS, routerId: '198.18.0.254', peerAddress: peer, peerAsn: AS, peerPort: port, localAddress, families: [{ afi: 25, safi: 70 }], holdTime: 180, extendedMessage: false, connectRetryTime: 1 });
  const up = new Promise<void>((resolve) => s.once('established', () => resolve()));
  s.start();
  await Promise.race([up, new Promise((_, reject) => setTimeout(() => reject(new Error('sender: no session')), 60_000))]);
  const t0 = performance.now();
  onUp?.();
  for (const c of chunks) {
    if (!s.send(c)) await new Promise<void>((resolve) => s.once('drain', () => resolve()));
  }
  await until();
  const ms = performance.now() - t0;
  await s.stop();
  return ms;
}

async function ours(chunks: Buffer[], n: number, withVtep = false): Promise<Result> {
  const port = 20000 + (process.pid % 20000);
  // the receiver runs as plain JavaScript (bundled by esbuild, as a user would ship it): the TS
  // loader's worker thread would add ~30 MiB of RSS that is not ours
  const here = fileURLToPath(new URL('.', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-bench-'));
  const js = join(dir, 'receiver.mjs');
  execFileSync(join(here, '..', 'node_modules', '.bin', 'esbuild'), [join(here, 'speaker-receiver.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node20', `--outfile=${js}`,
    "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);", '--log-level=warning']);
  const child = spawn(process.execPath, [...(process.env.BENCH_GC ? ['--expose-gc'] : []), ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []), js, String(port), String(n), ...(withVtep ? ['vtep'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const it = lines[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> => JSON.parse(String((await it.next()).value)) as Record<string, number>;
  try {
    await next(); // ready
    let result: Record<string, number> = {};
    const ms = await send(chunks, '127.0.0.1', port, '127.0.0.1', async () => { result = await next(); });
    if (result.routes !== n) throw new Error(`bgp-evpn received ${result.routes} of ${n}`);
    return { name: withVtep ? 'bgp-evpn BgpSpeaker + VtepManager' : 'bgp-evpn BgpSpeaker', routes: n, ms, cpuMs: result.cpuMs!, peakRssMiB: result.hwm! / 2 ** 20 };
  } finally {
    // let it exit by itself (it writes a CPU profile when asked), bounded
    if (child.exitCode === null) await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function frr(chunks: Buffer[], n: number): Promise<Result | undefined> {
  const { missingReal } = await import('../test/helpers/netns.js');
  if (process.env.BENCH_FRR === '0' || process.getuid?.() !== 0 || missingReal(['bgpd', 'zebra', 'vtysh']) !== undefined) return undefined;
  const { Topology } = await import('../test/interop/harness/topology.js');
  const { Frr } = await import('../test/interop/harness/frr.js');
  const topo = await Topology.create({ nodes: 1, root: true, firstOctet: 57, prefix: 'sb' });
  try {
    const node = topo.node(0);
    const f = await Frr.start(topo.lab, { ns: node.ns, asn: AS, routerId: node.vtep, octet: node.octet, neighbors: [{ address: topo.rootIp!, asn: AS, passive: true, holdTime: 180 }] });
    const pfx = (): number => {
      let found = 0;
      const walk = (v: unknown): void => {
        if (v === null || typeof v !== 'object') return;
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          if (k === 'pfxRcd' && typeof x === 'number') found = Math.max(found, x);
          else walk(x);
        }
      };
      walk(f.evpnSummary());
      return found;
    };
    const pid = f.pids.bgpd;
    // utime + stime of every bgpd thread, in clock ticks (USER_HZ = 100 on Linux)
    const cpuTicks = (): number => {
      if (pid === undefined) return 0;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return Number(fields[11]) + Number(fields[12]);
    };
    let cpuStart = 0;
    const ms = await send(chunks, node.ip, 179, topo.rootIp!, async () => {
      const end = Date.now() + 120_000;
      while (pfx() < n) {
        if (Date.now() > end) throw new Error(`FRR: ${pfx()} of ${n} after 120 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }, () => { cpuStart = cpuTicks(); });
    const cpuMs = (cpuTicks() - cpuStart) * 10;
    const hwm = pid === undefined ? 0 : Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    await f.stop();
    return { name: 'FRR bgpd', routes: n, ms, cpuMs, peakRssMiB: hwm / 2 ** 20, note: 'polled via vtysh every 200 ms' };
  } finally {
    await topo.destroy();
  }
}

/** Both receivers for each size, plus a ratio row when FRR ran. */
export async function measureAll(sizes: readonly number[] = [100_000, 1_000_000]): Promise<Result[]> {
  const rows: Result[] = [];
  for (const n of sizes) {
    const t = performance.now();
    // the VTEP next hop is not the receiver's own address (127.0.0.1): RFC 4271 6.3 refuses that
    const ourChunks = encodeStream(n, '127.0.0.3');
    const encodeMs = performance.now() - t;
    const a = await ours(ourChunks, n);
    rows.push({ ...a, note: `stream pre-encoded in ${encodeMs.toFixed(0)} ms (${ourChunks.reduce((s, c) => s + c.length, 0) >> 20} MiB)` });
    if (process.env.BENCH_VTEP !== '0') {
      const v = await ours(ourChunks, n, true);
      rows.push({ ...v, note: `until the VTEP tables hold every MAC (VXLAN engine programmed too): ${(v.ms / a.ms).toFixed(2)}x the receive alone` });
    }
    const f = await frr(encodeStream(n, '198.18.0.1'), n);
    if (f !== undefined) {
      rows.push(f);
      rows.push({ name: 'ratio bgp-evpn / FRR', routes: n, ms: a.ms / f.ms, cpuMs: a.cpuMs / f.cpuMs, peakRssMiB: a.peakRssMiB / f.peakRssMiB, note: 'goal <= 0.5 time, <= 0.3 memory' });
    }
  }
  return rows;
}

/** For `npm run bench`: rows in the shared harness format (rate = routes per second). */
export async function run(): Promise<Row[]> {
  const results = await measureAll();
  const rows: Row[] = [];
  for (const r of results) {
    if (r.name.startsWith('ratio')) continue;
    const frrRow = results.find((x) => x.name === 'FRR bgpd' && x.routes === r.routes);
    const row: Row = { name: `${r.name} receive ${r.routes}`, rate: r.routes / (r.ms / 1000), unit: 'route', nsPerOp: (r.ms * 1e6) / r.routes, note: `CPU ${r.cpuMs.toFixed(0)} ms, peak RSS ${r.peakRssMiB.toFixed(0)} MiB` };
    if (r.note !== undefined && r.name.includes('VtepManager')) row.note += `; ${r.note}`;
    else if (r.name !== 'FRR bgpd' && frrRow !== undefined) {
      row.ratio = frrRow.ms / r.ms;
      row.note += `; vs FRR: time ${(r.ms / frrRow.ms).toFixed(2)}x (CPU ${(r.cpuMs / frrRow.cpuMs).toFixed(2)}x), memory ${(r.peakRssMiB / frrRow.peakRssMiB).toFixed(2)}x (goal <= 0.5, <= 0.3)`;
    }
    rows.push(row);
  }
  return rows;
}

await runAsScript(import.meta.url, measureAll);
