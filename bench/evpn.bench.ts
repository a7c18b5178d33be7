/**
 * EVPN rows of the codec benchmark: packed Type-2 and Type-3 UPDATEs (as many routes as fit in
 * 4096 bytes, one attribute set), decoded with decodeMessage, encoded with encodeMessage, and
 * split into per-route views + route keys with parseUpdateRaw (what the RIB does), next to a
 * same-run baseline: a bare loop that walks the same NLRI bytes (type, length, skip).
 *
 *   npx tsx bench/evpn.bench.ts
 */
import { decodeMessage, encodeMessage, parseUpdateRaw } from '../src/bgp/codec.js';
import type { UpdateMessage } from '../src/bgp/types.js';
import { evpnNlri, inclusiveMulticastRoute, macIpRoute, type EvpnRoute } from '../src/evpn/index.js';

/** One result line. */
export interface Row {
  readonly name: string;
  /** routes per second */
  readonly opsPerSec: number;
  /** nanoseconds per route */
  readonly nsPerOp: number;
  /** throughput relative to the baseline of the same group, when there is one */
  readonly vsBaseline?: number;
}

/** Run `fn` (which handles `ops` routes per call) for about `ms` milliseconds. */
function measure(name: string, fn: () => unknown, ops: number, ms = 500): Row {
  for (let i = 0; i < 50; i++) fn(); // warm up
  let calls = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  // bounded by time and by count
  while (elapsed < budget && calls < 10_000_000) {
    for (let i = 0; i < 20; i++) sink ^= fn() === undefined ? 0 : 1;
    calls += 20;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink === 42) console.log('');
  const ns = Number(elapsed) / (calls * ops);
  return { name, opsPerSec: 1e9 / ns, nsPerOp: ns };
}

function packed(make: (i: number) => { nlri: EvpnRoute; attributes: UpdateMessage['attributes'] }): { msg: Buffer; routes: number; nlri: Buffer } {
  const first = make(0);
  const routes: EvpnRoute[] = [];
  // fill to just under 4096 bytes
  const per = evpnNlri.encodingLength(first.nlri, false);
  const base = encodeMessage({ type: 'update', withdrawn: [], attributes: first.attributes, nlri: [] }).length - per;
  const n = Math.floor((4096 - base) / per);
  for (let i = 0; i < n; i++) routes.push(make(i).nlri);
  const attributes = first.attributes.map((a) => (a.type === 'mp-reach' ? { ...a, nlri: routes } : a));
  const msg = encodeMessage({ type: 'update', withdrawn: [], attributes, nlri: [] });
  const nlri = Buffer.concat(routes.map((r) => {
    const b = Buffer.alloc(evpnNlri.encodingLength(r, false));
    evpnNlri.encode(r, b, 0, false);
    return b;
  }));
  return { msg, routes: n, nlri };
}

function mac(i: number): string {
  const h = (i + 0x100000).toString(16).padStart(12, '0');
  return h.match(/../g)!.join(':');
}

const type2 = (i: number) =>
  macIpRoute({ rd: '10.0.0.1:100', mac: mac(i), ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, vni: 100, nextHop: '10.0.0.1', routeTargets: ['65000:100'], mobility: 1 });
const type3 = (i: number) =>
  inclusiveMulticastRoute({ rd: `10.0.0.1:${i}`, originator: `10.1.${(i >> 8) & 255}.${i & 255}`, vni: 100, nextHop: '10.0.0.1', routeTargets: ['65000:100'] });

function baseline(nlri: Buffer): () => number {
  return () => {
    let p = 0;
    let count = 0;
    while (p < nlri.length) {
      p += 2 + nlri[p + 1]!;
      count++;
    }
    return count;
  };
}

function group(label: string, make: (i: number) => { nlri: EvpnRoute; attributes: UpdateMessage['attributes'] }): Row[] {
  const { msg, routes, nlri } = packed(make);
  const decoded = decodeMessage(msg);
  const base = measure(`${label}: baseline (walk NLRI length bytes)`, baseline(nlri), routes);
  const values = evpnNlri.decode(nlri, 0, nlri.length, false);
  const out = Buffer.alloc(nlri.length);
  const rows = [
    measure(`${label}: evpnNlri.decode (NLRI bytes only)`, () => evpnNlri.decode(nlri, 0, nlri.length, false), routes),
    measure(
      `${label}: evpnNlri.encode (NLRI only)`,
      () => {
        let p = 0;
        for (const v of values) p = evpnNlri.encode(v, out, p, false);
        return p;
      },
      routes,
    ),
    measure(`${label}: decodeMessage (${routes} routes/UPDATE)`, () => decodeMessage(msg), routes),
    measure(`${label}: encodeMessage`, () => encodeMessage(decoded), routes),
    measure(`${label}: parseUpdateRaw (views)`, () => parseUpdateRaw(msg), routes),
    measure(
      `${label}: parseUpdateRaw + routeKey`,
      () => {
        const raw = parseUpdateRaw(msg);
        let k = '';
        for (const set of raw.announced) for (const v of set.nlri) k = evpnNlri.routeKey(v, 0, v.length, false);
        return k;
      },
      routes,
    ),
  ];
  return [base, ...rows.map((r) => ({ ...r, vsBaseline: r.opsPerSec / base.opsPerSec }))];
}

/** The EVPN rows. */
export async function run(): Promise<Row[]> {
  return [...group('EVPN Type-2', type2), ...group('EVPN Type-3', type3)];
}

// run directly: print the table
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  for (const r of rows) {
    console.log(`${r.name.padEnd(52)} ${Math.round(r.opsPerSec).toLocaleString('en').padStart(14)} routes/s ${r.nsPerOp.toFixed(1).padStart(8)} ns/route${r.vsBaseline === undefined ? '' : `  ${r.vsBaseline.toFixed(3)}x baseline`}`);
  }
}
