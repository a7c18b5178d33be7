/**
 * `npm run bench -- api`: ListPath of EVPN Type-2 routes through the real `gobgp` CLI
 * (`gobgp global rib -a evpn -j > /dev/null`) against GobgpApiServer and against gobgpd holding
 * the same routes, with the server's peak RSS while it streams. Sizes: API_BENCH_ROUTES
 * (default 100,000) for ours, API_BENCH_GOBGPD (default 10,000: gobgpd 3.10's EVPN table is
 * quadratic) for gobgpd. Needs `gobgp` and `gobgpd` on PATH; everything on loopback.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { BgpSpeaker, macIpRoute, type RibRoute } from '../src/index.js';
import { GobgpApiServer, gobgpServiceDefinition, pathToApi } from '../src/api/index.js';
import type { Row } from './harness.js';
import { freePort } from '../test/helpers/netns.js';

const evpnKey = 25 * 256 + 70;

function route(i: number): ReturnType<typeof macIpRoute> {
  const mac = `02:00:${[(i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
  return macIpRoute({ rd: '65000:100', mac, vni: 100, nextHop: '192.0.2.1', routeTargets: ['65000:100'] });
}

/** Time `gobgp global rib -a evpn -j > /dev/null` (bounded to 10 minutes). */
function timeCli(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn('gobgp', ['-u', '127.0.0.1', '-p', String(port), 'global', 'rib', '-a', 'evpn', '-j'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const kill = setTimeout(() => c.kill('SIGKILL'), 600_000);
    c.on('close', (code) => {
      clearTimeout(kill);
      if (code !== 0) reject(new Error(`gobgp exited ${code}: ${err}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}

function row(name: string, n: number, seconds: number, note: string): Row {
  return { name, rate: n / seconds, unit: 'route', nsPerOp: (seconds * 1e9) / n, note };
}

async function ours(n: number, pathForms: 'structured' | 'binary' | 'both' = 'structured'): Promise<Row> {
  const speaker = new BgpSpeaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
  await speaker.start();
  for (let i = 0; i < n; i++) speaker.announce(route(i));
  const api = new GobgpApiServer(speaker, { listen: '127.0.0.1:0', pathForms });
  await api.start();
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const s = await timeCli(api.port);
    return row(`ListPath ${n} via gobgp CLI: GobgpApiServer (${pathForms})`, n, s, `${s.toFixed(2)} s; RSS ${(base / 2 ** 20).toFixed(0)} MiB before, +${((peak - base) / 2 ** 20).toFixed(0)} MiB peak while streaming`);
  } finally {
    clearInterval(sampler);
    await api.stop();
    await speaker.stop();
  }
}

async function gobgpd(n: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'api-bench-'));
  const port = await freePort();
  writeFileSync(join(dir, 'g.toml'), '[global.config]\n  as = 65000\n  router-id = "10.0.0.2"\n  port = -1\n');
  const d: ChildProcess = spawn('gobgpd', ['-f', join(dir, 'g.toml'), '--api-hosts', `127.0.0.1:${port}`, '--pprof-disable', '-l', 'warn'], { stdio: 'ignore' });
  const Ctor = makeGenericClientConstructor(gobgpServiceDefinition(), 'GobgpApi');
  const client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as any;
  try {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (e: Error | undefined) => (e ? reject(e) : resolve())));
    const src = { asn: 65000, id: '10.0.0.2', neighborIp: '', since: Date.now() };
    await new Promise<void>((resolve, reject) => {
      const s = client.AddPathStream((e: Error | null) => (e ? reject(e) : resolve()));
      for (let i = 0; i < n; i += 1000) {
        const paths = [];
        for (let j = i; j < Math.min(n, i + 1000); j++) {
          const b = route(j);
          const r: RibRoute = { family: { afi: 25, safi: 70 }, nlri: b.nlri, attributes: b.attributes, nextHops: ['192.0.2.1'], peer: 'local', best: true, stale: false };
          paths.push(pathToApi(evpnKey, r, src).path);
        }
        s.write({ tableType: 0, paths });
      }
      s.end();
    });
    // wait (bounded) until gobgpd holds every route
    const end = Date.now() + 600_000;
    for (;;) {
      const t: any = await new Promise((resolve, reject) => client.GetTable({ tableType: 0, family: { afi: 25, safi: 70 } }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))));
      if (Number(t.numDestination) >= n) break;
      if (Date.now() > end) throw new Error('gobgpd did not take the routes in 10 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    const s = await timeCli(port);
    return row(`ListPath ${n} via gobgp CLI: gobgpd 3.10`, n, s, `${s.toFixed(2)} s`);
  } finally {
    client.close();
    d.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Row[]> {
  try {
    for (const b of ['gobgp', 'gobgpd']) execFileSync(b, ['--version'], { stdio: 'ignore' });
  } catch {
    process.stderr.write('api bench: gobgp and gobgpd (Debian package gobgpd) are needed; skipped\n');
    return [];
  }
  const n = Number(process.env.API_BENCH_ROUTES ?? 100_000);
  const g = Number(process.env.API_BENCH_GOBGPD ?? 10_000);
  const rows = [await ours(g), await gobgpd(g)];
  rows[0]!.ratio = rows[1]!.nsPerOp / rows[0]!.nsPerOp;
  rows.push(await ours(g, 'binary'));
  if (n !== g) rows.push(await ours(n), await ours(n, 'binary'));
  return rows;
}
