/**
 * BGP-4 codec throughput: messages/s and NLRI/s decoded and encoded, for single-prefix UPDATEs
 * and for packed UPDATEs (500 IPv4 prefixes), each next to a same-run baseline: a bare loop that
 * walks the same bytes (header, attribute headers, each NLRI length byte) and skips.
 * "Decode into the values a RIB stores" is parseUpdateRaw (one Buffer view per NLRI, attributes
 * decoded once). Aim: >= 0.1x the bare loop.
 *
 *   npm run bench codec          (or: npx tsx bench/codec.bench.ts)
 */
import { decodeMessage, encodeMessage, encodeUpdateRaw, parseUpdateRaw } from '../src/bgp/codec.js';
import { Framer } from '../src/bgp/framer.js';
import type { PathAttribute, UpdateMessage } from '../src/bgp/types.js';
import { compare, measure, printTable, type Row } from './harness.js';

const attributes: PathAttribute[] = [
  { type: 'origin', value: 'igp' },
  { type: 'as-path', segments: [{ type: 'sequence', asns: [65001, 65002, 4200000000] }] },
  { type: 'next-hop', value: '10.0.0.1' },
  { type: 'med', value: 10 },
  { type: 'local-pref', value: 100 },
  { type: 'communities', values: [0xfde80064, 0xfde800c8] },
];

function prefixes(n: number): { prefix: string }[] {
  return Array.from({ length: n }, (_, i) => ({ prefix: `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24` }));
}

/** The baseline: walk the message as a parser must, doing nothing else. */
function bareWalk(b: Buffer): number {
  const end = b.readUInt16BE(16);
  let p = 19;
  let n = 0;
  const we = p + 2 + b.readUInt16BE(p);
  p += 2;
  while (p < we) {
    p += 1 + ((b[p]! + 7) >>> 3);
    n++;
  }
  const ae = p + 2 + b.readUInt16BE(p);
  p += 2;
  while (p < ae) p += (b[p]! & 0x10 ? 4 + b.readUInt16BE(p + 2) : 3 + b[p + 2]!);
  while (p < end) {
    p += 1 + ((b[p]! + 7) >>> 3);
    n++;
  }
  return n;
}

function rows(label: string, msg: UpdateMessage, perMsg: number, unit: string): Row[] {
  const bytes = encodeMessage(msg);
  const raw = parseUpdateRaw(bytes);
  const nlriViews = raw.announced[0]!.nlri;
  const walk = () => bareWalk(bytes);
  const bare = measure(`${label}: bare walk`, walk, perMsg, { unit });
  // each row's ratio is taken against the bare walk run interleaved with it
  const opts = { unit, note: 'ratio: interleaved with the bare walk' };
  return [
    bare,
    compare(`${label}: parseUpdateRaw (RIB path, views)`, () => parseUpdateRaw(bytes), walk, perMsg, opts),
    compare(`${label}: parseUpdateRaw (RIB path, bounds)`, () => parseUpdateRaw(bytes, undefined, 'bounds'), walk, perMsg, opts),
    compare(`${label}: decodeMessage (full values)`, () => decodeMessage(bytes), walk, perMsg, opts),
    compare(`${label}: encodeMessage`, () => encodeMessage(msg), walk, perMsg, opts),
    compare(
      `${label}: encodeUpdateRaw (RIB path)`,
      () => encodeUpdateRaw({ attributes: raw.attributes, afi: 1, safi: 1, nextHops: ['10.0.0.1'], nlri: nlriViews }),
      walk,
      perMsg,
      opts,
    ),
  ];
}

/** Rows of this bench (the runner prints them with every other bench's). */
export async function run(): Promise<Row[]> {
  const single: UpdateMessage = { type: 'update', withdrawn: [], attributes, nlri: prefixes(1) };
  const packed: UpdateMessage = { type: 'update', withdrawn: [], attributes, nlri: prefixes(500) };
  const out = [...rows('1-prefix UPDATE', single, 1, 'msg'), ...rows('500-prefix UPDATE', packed, 500, 'NLRI')];
  // the framer over a stream of 100 packed messages in 64 KiB chunks
  const one = encodeMessage(packed);
  const stream = Buffer.concat(Array.from({ length: 100 }, () => one));
  const chunks: Buffer[] = [];
  for (let p = 0; p < stream.length; p += 65536) chunks.push(stream.subarray(p, p + 65536));
  out.push(
    measure('framer: 100 x 500-prefix UPDATEs in 64 KiB chunks', () => {
      const f = new Framer();
      let n = 0;
      for (const c of chunks) for (const _m of f.push(c)) n++;
      return n;
    }, 100, { unit: 'msg' }),
  );
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await run());
