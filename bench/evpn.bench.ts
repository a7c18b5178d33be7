/**
 * EVPN rows of the codec benchmark: packed Type-2 and Type-3 UPDATEs (as many routes as fit in
 * 4096 bytes, one attribute set), decoded with decodeMessage, encoded with encodeMessage, split
 * into per-route bytes with parseUpdateRaw (the RIB path) and keyed with the family's routeKey,
 * plus the EVPN NLRI codec alone; each next to a same-run baseline, a bare loop that walks the
 * same message (header, attribute headers, each NLRI's type and length octets) and skips.
 *
 *   npm run bench evpn          (or: npx tsx bench/evpn.bench.ts)
 */
import { decodeMessage, encodeMessage, parseUpdateRaw } from '../src/bgp/codec.js';
import type { PathAttribute, UpdateMessage } from '../src/bgp/types.js';
import { evpnNlri, inclusiveMulticastRoute, macIpRoute, type BuiltRoute, type EvpnRoute } from '../src/evpn/index.js';
import { measure, printTable, type Row } from './harness.js';

/** A packed UPDATE: routes `make(0..n-1)` sharing the first route's attributes, under 4096 bytes. */
function packed(make: (i: number) => BuiltRoute<EvpnRoute>): { msg: Buffer; message: UpdateMessage; routes: number; nlri: Buffer } {
  const first = make(0);
  const per = evpnNlri.encodingLength(first.nlri, false);
  const overhead = encodeMessage({ type: 'update', withdrawn: [], attributes: first.attributes, nlri: [] }).length - per;
  const n = Math.floor((4096 - overhead) / per);
  const routes: EvpnRoute[] = [];
  for (let i = 0; i < n; i++) routes.push(make(i).nlri);
  const attributes: PathAttribute[] = first.attributes.map((a) => (a.type === 'mp-reach' ? { ...a, nlri: routes } : a));
  const message: UpdateMessage = { type: 'update', withdrawn: [], attributes, nlri: [] };
  const nlri = Buffer.alloc(per * n);
  let p = 0;
  for (const r of routes) p = evpnNlri.encode(r, nlri, p, false);
  return { msg: encodeMessage(message), message, routes: n, nlri: nlri.subarray(0, p) };
}

/** The baseline: walk the message as a parser must (attribute headers, MP_REACH, NLRI headers). */
function bareWalk(b: Buffer): number {
  const end = b.readUInt16BE(16);
  let p = 21 + b.readUInt16BE(19);
  const ae = p + 2 + b.readUInt16BE(p);
  p += 2;
  let n = 0;
  while (p < ae) {
    const ext = b[p]! & 0x10;
    const len = ext ? b.readUInt16BE(p + 2) : b[p + 2]!;
    const vs = p + (ext ? 4 : 3);
    if (b[p + 1] === 14) {
      // MP_REACH: skip AFI/SAFI, next hop, reserved; walk the NLRI type/length octets
      let q = vs + 5 + b[vs + 3]!;
      while (q < vs + len) {
        q += 2 + b[q + 1]!;
        n++;
      }
    }
    p = vs + len;
  }
  return p <= end ? n : -1;
}

function mac(i: number): string {
  return (0x020000000000 + i).toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

const type2 = (i: number): BuiltRoute<EvpnRoute> =>
  macIpRoute({ rd: '10.0.0.1:100', mac: mac(i), ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, vni: 100, nextHop: '10.0.0.1', routeTargets: ['65000:100'], mobility: 1 });
const type3 = (i: number): BuiltRoute<EvpnRoute> =>
  inclusiveMulticastRoute({ rd: `10.0.0.${(i >> 8) + 1}:${i & 255}`, originator: `10.1.${(i >> 8) & 255}.${i & 255}`, vni: 100, nextHop: '10.0.0.1', routeTargets: ['65000:100'] });

function rows(label: string, make: (i: number) => BuiltRoute<EvpnRoute>): Row[] {
  const { msg, message, routes, nlri } = packed(make);
  const values = evpnNlri.decode(nlri, 0, nlri.length, false);
  const out = Buffer.alloc(nlri.length);
  const unit = 'route';
  const name = `${label} (${routes}/UPDATE)`;
  const bare = measure(`${name}: bare walk`, () => bareWalk(msg), routes, { unit });
  const o = { unit, baseline: bare };
  return [
    bare,
    measure(`${name}: parseUpdateRaw (RIB path, views)`, () => parseUpdateRaw(msg), routes, o),
    measure(
      `${name}: parseUpdateRaw + routeKey`,
      () => {
        let k = '';
        for (const set of parseUpdateRaw(msg).announced) for (const v of set.nlri) k = evpnNlri.routeKey(v, 0, v.length, false);
        return k;
      },
      routes,
      o,
    ),
    measure(`${name}: decodeMessage (full values)`, () => decodeMessage(msg), routes, o),
    measure(`${name}: encodeMessage`, () => encodeMessage(message), routes, o),
    measure(`${name}: evpnNlri.decode (NLRI bytes only)`, () => evpnNlri.decode(nlri, 0, nlri.length, false), routes, o),
    measure(
      `${name}: evpnNlri.encode (NLRI only)`,
      () => {
        let p = 0;
        for (const v of values) p = evpnNlri.encode(v, out, p, false);
        return p;
      },
      routes,
      o,
    ),
  ];
}

/** The EVPN rows (the runner prints them with every other bench's). */
export async function run(): Promise<Row[]> {
  return [...rows('EVPN Type-2 MAC/IP', type2), ...rows('EVPN Type-3 IMET', type3)];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await run());
