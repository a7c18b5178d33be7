/**
 * The route stream the speaker and reflect benches send: N distinct EVPN Type-2 routes,
 * pre-encoded (a module of its own so that a bench's child process can bundle it without the
 * bench's main).
 */
import { macIpRoute, encodeEvpnRoute, type MacIpRoute } from '../src/evpn/index.js';
import { encodeUpdateRaw } from '../src/bgp/codec.js';
import type { PathAttribute } from '../src/bgp/types.js';

/** N distinct Type-2 routes (MAC+IPv4) packed into 4096-byte UPDATEs, concatenated into ~256 KiB writes. */
export function encodeStream(n: number, nextHop: string): Buffer[] {
  const base = macIpRoute({ rd: `${nextHop}:100`, mac: '02:00:00:00:00:00', ip: '10.0.0.0', vni: 100, nextHop, routeTargets: ['65000:100'] });
  const template = encodeEvpnRoute(base.nlri as MacIpRoute);
  // MAC at body offset 8 (RD) + 10 (ESI) + 4 (tag) + 1 (length) after the 2-byte type/length
  const macAt = 2 + 8 + 10 + 4 + 1;
  const ipAt = macAt + 6 + 1;
  const attrs: PathAttribute[] = [...base.attributes.filter((a) => a.type !== 'mp-reach'), { type: 'local-pref', value: 100 }];
  const all = Buffer.allocUnsafe(template.length * n);
  const nlri: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * template.length;
    template.copy(all, o);
    all.writeUInt32BE(i, o + macAt + 2);
    all.writeUInt32BE((0x0a000000 + i) >>> 0, o + ipAt);
    nlri[i] = all.subarray(o, o + template.length);
  }
  const msgs = encodeUpdateRaw({ attributes: attrs, afi: 25, safi: 70, nextHops: [nextHop], nlri }, { fourOctetAs: true });
  const chunks: Buffer[] = [];
  for (let i = 0; i < msgs.length; ) {
    let size = 0;
    let j = i;
    while (j < msgs.length && size < 256 * 1024) size += msgs[j++]!.length;
    chunks.push(Buffer.concat(msgs.slice(i, j), size));
    i = j;
  }
  return chunks;
}
