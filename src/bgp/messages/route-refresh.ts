/**
 * ROUTE-REFRESH (RFC 2918 3, RFC 7313 3):
 * ```
 * +-------------+---------------------+-----------+
 * | AFI (2)     | Message Subtype (1) | SAFI (1)  |
 * +-------------+---------------------+-----------+
 * ```
 * Subtype 0 normal, 1 BoRR, 2 EoRR; others are kept as numbers (RFC 7313 5 says to ignore them).
 */
import { RouteRefreshError } from '../errors.js';
import { RouteRefreshSubcode, RouteRefreshSubtype } from '../iana.js';
import type { RouteRefreshMessage } from '../types.js';

const names = ['normal', 'borr', 'eorr'] as const;

/** Decode a whole ROUTE-REFRESH message `[msgStart, end)` (header included, for the error data). */
export function decodeRouteRefresh(buf: Buffer, msgStart: number, end: number): RouteRefreshMessage {
  // RFC 7313 5: a length other than 4 after the header is ROUTE-REFRESH Invalid Message Length,
  // with the complete message as data
  if (end - msgStart !== 23) {
    throw new RouteRefreshError(RouteRefreshSubcode.invalidMessageLength, `ROUTE-REFRESH of ${end - msgStart} bytes`, buf.subarray(msgStart, end));
  }
  const p = msgStart + 19;
  const sub = buf[p + 2]!;
  return { type: 'route-refresh', afi: buf.readUInt16BE(p), safi: buf[p + 3]!, subtype: names[sub] ?? sub };
}

/** Write a ROUTE-REFRESH body (4 bytes). */
export function encodeRouteRefresh(m: RouteRefreshMessage, buf: Buffer, offset: number): number {
  buf.writeUInt16BE(m.afi, offset);
  const s = typeof m.subtype === 'number' ? m.subtype : RouteRefreshSubtype[m.subtype];
  if (s === undefined || s < 0 || s > 255) throw new TypeError(`ROUTE-REFRESH: bad subtype ${String(m.subtype)}`);
  buf[offset + 2] = s;
  buf[offset + 3] = m.safi;
  return offset + 4;
}
