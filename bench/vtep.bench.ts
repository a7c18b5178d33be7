/**
 * VTEP tables: install then withdraw 1M MAC/IP routes (one VNI, 100 remote VTEPs), time and
 * memory per route, printed next to a bare `Map` baseline doing the same keyed work in the same
 * run. Goal (issue 5): <= 0.5 s and <= 300 bytes per route.
 *
 * Each side runs three rounds, interleaved, and the best round counts (the machine is shared).
 * The VNI is sized for the routes up front (`expectedMacs`, as a caller that knows its scale
 * would): its memory is counted, its pages are still first touched inside the timed loops; a
 * `Map` has no such hint.
 *
 *   node --expose-gc --import tsx bench/vtep.bench.ts [routes]      (standalone, exact memory)
 *   npm run bench vtep                                              (through bench/index.ts)
 */
import { pathToFileURL } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import type { Row as HarnessRow } from './harness.js';
import { VtepTables } from '../src/vtep/tables.js';
import { quietObserver } from '../src/vtep/vni.js';
import { resolveMobility } from '../src/vtep/mobility.js';

const standalone = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
const n = Number((standalone ? process.argv[2] : undefined) ?? process.env.VTEP_BENCH_ROUTES ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;

function mem(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

// inputs, prepared outside the timed sections: MAC as a 48-bit number, IPv4 as a 32-bit number
const macs = new Float64Array(n);
const ips = new Uint32Array(n);
for (let i = 0; i < n; i++) {
  macs[i] = 0x02_00_00_00_00_00 + i * 7919; // locally administered, spread out
  ips[i] = (0x0a000000 + i) >>> 0;
}

/** Bytes per route as printed: without --expose-gc the heap figure is noise, so it is not shown. */
function perRoute(bytes: number): string {
  return gc ? (bytes / n).toFixed(0) : 'n/a';
}

interface Row { name: string; installMs: number; withdrawMs: number; cpuMs: number; bytes: number }

/** CPU time of this process in ms (user + system): on a shared machine it leaves out the time spent waiting for a core. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function runTables(): Row {
  const before = mem();
  const tables = new VtepTables('192.0.2.1', resolveMobility(undefined), quietObserver, () => 0);
  const t = tables.addVni(100, { expectedMacs: n }); // sized up front, as a caller that knows its scale would
  const vteps = new Int32Array(100);
  const rds = new Int32Array(100);
  for (let v = 0; v < 100; v++) {
    vteps[v] = tables.vteps.intern(`192.0.2.${v + 10}`);
    rds[v] = tables.rds.intern(`192.0.2.${v + 10}:100`);
  }
  const c0 = cpuMs();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const v = i % 100;
    t.installRemote(macs[i]!, ips[i]!, rds[v]!, vteps[v]!, 0, false);
  }
  const installMs = performance.now() - t0;
  const m0 = cpuMs();
  const bytes = mem() - before;
  const memCpu = cpuMs() - m0;
  if (t.size !== n || t.resolve(ips[n - 1]!) !== macs[n - 1]) throw new Error('tables lost routes');
  t0 = performance.now();
  for (let i = 0; i < n; i++) t.uninstallRemote(macs[i]!, ips[i]!, rds[i % 100]!);
  const withdrawMs = performance.now() - t0;
  const cpu = cpuMs() - c0 - memCpu;
  if (t.size !== 0) throw new Error('tables kept routes');
  return { name: 'VniTable (MAC->VTEP, IP->MAC)', installMs, withdrawMs, cpuMs: cpu, bytes };
}

function runMap(): Row {
  const before = mem();
  const byMac = new Map<number, number>();
  const byIp = new Map<number, number>();
  const c0 = cpuMs();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    byMac.set(macs[i]!, i % 100);
    byIp.set(ips[i]!, macs[i]!);
  }
  const installMs = performance.now() - t0;
  const m0 = cpuMs();
  const bytes = mem() - before;
  const memCpu = cpuMs() - m0;
  if (byMac.size !== n) throw new Error('map lost routes');
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    byMac.delete(macs[i]!);
    byIp.delete(ips[i]!);
  }
  const withdrawMs = performance.now() - t0;
  const cpu = cpuMs() - c0 - memCpu;
  return { name: 'bare Map x2 (baseline)', installMs, withdrawMs, cpuMs: cpu, bytes };
}

function best(a: Row | undefined, b: Row): Row {
  return a === undefined || b.installMs + b.withdrawMs < a.installMs + a.withdrawMs ? b : a;
}

/** Runs both sides three times (interleaved), prints the table, returns harness rows. */
export async function run(): Promise<HarnessRow[]> {
  let map: Row | undefined;
  let tables: Row | undefined;
  for (let round = 0; round < 3; round++) {
    map = best(map, runMap());
    tables = best(tables, runTables());
  }
  const rows = [map!, tables!];
  console.log(`\nVTEP tables: ${n.toLocaleString('en')} MAC/IP routes, best of 3${gc ? '' : ' (run with --expose-gc for exact memory)'}`);
  console.log('name'.padEnd(32), 'install ms'.padStart(11), 'withdraw ms'.padStart(12), 'total s'.padStart(8), 'cpu s'.padStart(7), 'bytes/route'.padStart(12));
  for (const r of rows) {
    console.log(
      r.name.padEnd(32),
      r.installMs.toFixed(0).padStart(11),
      r.withdrawMs.toFixed(0).padStart(12),
      ((r.installMs + r.withdrawMs) / 1000).toFixed(3).padStart(8),
      (r.cpuMs / 1000).toFixed(3).padStart(7),
      perRoute(r.bytes).padStart(12),
    );
  }
  const ours = tables!;
  const total = (ours.installMs + ours.withdrawMs) / 1000;
  const cpu = ours.cpuMs / 1000;
  const ok = total <= 0.5 && ours.bytes / n <= 300;
  const okCpu = cpu <= 0.5 && ours.bytes / n <= 300;
  console.log(`goal <= 0.5 s and <= 300 B/route: wall ${ok ? 'met' : 'NOT met'} (${total.toFixed(3)} s), CPU ${okCpu ? 'met' : 'NOT met'} (${cpu.toFixed(3)} s), ${perRoute(ours.bytes)} B/route; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  const toRow = (r: Row, baseline?: HarnessRow): HarnessRow => {
    const ns = ((r.installMs + r.withdrawMs) * 1e6) / n;
    const row: HarnessRow = { name: `${r.name}: install+withdraw`, rate: 1e9 / ns, unit: 'route', nsPerOp: ns, note: `${perRoute(r.bytes)} B/route` };
    if (baseline !== undefined) row.ratio = row.rate / baseline.rate;
    return row;
  };
  const base = toRow(map!);
  return [base, toRow(ours, base)];
}

if (standalone) await run();
