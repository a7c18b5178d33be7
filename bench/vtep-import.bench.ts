/**
 * The VTEP manager's import path: Loc-RIB routes, as the speaker's `routeAdded` /
 * `routeWithdrawn` events hand them over (decoded NLRI with text MAC, IP and RD; attribute
 * arrays shared between routes, as the RIB interns them), through `RouteImporter.apply` into the
 * tables, install then withdraw. Next to it, the same routes installed with the MAC, IP, RD and
 * VTEP already as numbers (the tables alone): the difference is what reading a route costs.
 *
 *   npx tsx bench/vtep-import.bench.ts [routes]       (standalone)
 *   npm run bench vtep-import                        (through bench/index.ts)
 */
import { pathToFileURL } from 'node:url';
import type { Row } from './harness.js';
import { macIpRoute, parseEvpnRouteTarget, registerEvpn } from '../src/evpn/index.js';
import type { RibRoute } from '../src/bgp/rib/view.js';
import { RouteImporter, rtKey } from '../src/vtep/import.js';
import { ipToKey, macToNumber, macToString } from '../src/vtep/keys.js';
import { VtepTables } from '../src/vtep/tables.js';
import { quietObserver } from '../src/vtep/vni.js';
import { resolveMobility } from '../src/vtep/mobility.js';

registerEvpn();

const standalone = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
const n = Number((standalone ? process.argv[2] : undefined) ?? process.env.VTEP_IMPORT_ROUTES ?? 200_000);
const VTEPS = 100;

/** The routes as Loc-RIB views: one attribute array and one next-hop array per remote VTEP. */
function makeRoutes(): RibRoute[] {
  const perVtep = Array.from({ length: VTEPS }, (_, v) => {
    const built = macIpRoute({ rd: `192.0.2.${v + 10}:100`, mac: '02:00:00:00:00:01', ip: '10.0.0.1', vni: 100, nextHop: `192.0.2.${v + 10}`, routeTargets: ['65000:100'] });
    return { nlri: built.nlri, attributes: built.attributes.filter((a) => a.type !== 'mp-reach'), nextHops: [`192.0.2.${v + 10}`] };
  });
  const routes: RibRoute[] = [];
  for (let i = 0; i < n; i++) {
    const p = perVtep[i % VTEPS]!;
    const ip = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    routes.push({
      family: { afi: 25, safi: 70 },
      nlri: { ...p.nlri, mac: macToString(0x02_00_00_00_00_00 + i * 7919), ip } as RibRoute['nlri'],
      attributes: p.attributes,
      nextHops: p.nextHops,
      peer: '192.0.2.250',
      best: true,
      stale: false,
    });
  }
  return routes;
}

function setup(): { tables: VtepTables; importer: RouteImporter } {
  const tables = new VtepTables('192.0.2.1', resolveMobility(undefined), quietObserver, () => 0);
  const importer = new RouteImporter(tables);
  importer.index(tables.addVni(100, { expectedMacs: n }), [rtKey(parseEvpnRouteTarget('65000:100'))]);
  return { tables, importer };
}

function viaImporter(routes: readonly RibRoute[]): number {
  const { tables, importer } = setup();
  const t0 = performance.now();
  for (const r of routes) importer.apply(r, true);
  for (const r of routes) importer.apply(r, false);
  const ms = performance.now() - t0;
  if (importer.counters.imported !== n || importer.counters.withdrawn !== n || tables.vni(100)!.size !== 0) throw new Error('import lost routes');
  return ms;
}

function tablesAlone(routes: readonly RibRoute[]): number {
  const { tables } = setup();
  const t = tables.vni(100)!;
  // the numbers a route carries, worked out before the clock starts
  const macs = new Float64Array(n);
  const ips = new Uint32Array(n);
  const rds = new Int32Array(n);
  const vteps = new Int32Array(n);
  routes.forEach((r, i) => {
    const nlri = r.nlri as unknown as { mac: string; ip: string; rd: string };
    macs[i] = macToNumber(nlri.mac);
    ips[i] = ipToKey(nlri.ip) as number;
    rds[i] = tables.rds.intern(nlri.rd);
    vteps[i] = tables.vteps.intern(r.nextHops[0]!);
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) t.installRemote(macs[i]!, ips[i]!, rds[i]!, vteps[i]!, 0, false);
  for (let i = 0; i < n; i++) t.uninstallRemote(macs[i]!, ips[i]!, rds[i]!);
  const ms = performance.now() - t0;
  if (t.size !== 0) throw new Error('tables kept routes');
  return ms;
}

/** Best of three rounds each, interleaved; prints a small table and returns harness rows. */
export async function run(): Promise<Row[]> {
  const routes = makeRoutes();
  let imp = Infinity;
  let alone = Infinity;
  for (let round = 0; round < 3; round++) {
    alone = Math.min(alone, tablesAlone(routes));
    imp = Math.min(imp, viaImporter(routes));
  }
  const ns = (ms: number) => (ms * 1e6) / (2 * n);
  console.log(`\nVTEP import path: ${n.toLocaleString('en')} Type-2 routes installed then withdrawn, best of 3`);
  console.log(`  tables alone (numbers ready)          ${ns(alone).toFixed(0).padStart(6)} ns/route-op`);
  console.log(`  RouteImporter.apply (Loc-RIB views)   ${ns(imp).toFixed(0).padStart(6)} ns/route-op  (${(imp / alone).toFixed(2)}x the tables alone)`);
  const base: Row = { name: 'tables alone (numbers ready): install+withdraw', rate: 1e9 / ns(alone), unit: 'route-op', nsPerOp: ns(alone) };
  const ours: Row = { name: 'RouteImporter.apply from Loc-RIB views', rate: 1e9 / ns(imp), unit: 'route-op', nsPerOp: ns(imp), ratio: alone / imp, note: 'ratio: tables-alone time / import time' };
  return [base, ours];
}

if (standalone) await run();
