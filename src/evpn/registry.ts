/**
 * Route type -> body codec. Dispatch goes through this table, never through switches;
 * a type missing here is kept raw (routes/raw.ts).
 */
import { ethernetAd } from './routes/ethernet-ad.js';
import { ethernetSegment } from './routes/ethernet-segment.js';
import { inclusiveMulticast } from './routes/inclusive-multicast.js';
import { ipPrefix } from './routes/ip-prefix.js';
import { macIp } from './routes/mac-ip.js';
import type { EvpnRouteBase, KnownEvpnRoute, RouteBodyCodec } from './types.js';

/** Every first-class route type and its codec. */
export const routeCodecs = {
  1: ethernetAd,
  2: macIp,
  3: inclusiveMulticast,
  4: ethernetSegment,
  5: ipPrefix,
} as const satisfies {
  [K in KnownEvpnRoute['routeType']]: RouteBodyCodec<Extract<KnownEvpnRoute, { routeType: K }>>;
};

const table: readonly (RouteBodyCodec<EvpnRouteBase> | undefined)[] = (() => {
  const t: (RouteBodyCodec<EvpnRouteBase> | undefined)[] = new Array<RouteBodyCodec<EvpnRouteBase> | undefined>(256).fill(undefined);
  for (const c of Object.values(routeCodecs)) t[c.routeType] = c as unknown as RouteBodyCodec<EvpnRouteBase>;
  return t;
})();

/** The codec of a route type, or undefined for types kept raw. */
export function routeCodec(routeType: number): RouteBodyCodec<EvpnRouteBase> | undefined {
  return table[routeType];
}
