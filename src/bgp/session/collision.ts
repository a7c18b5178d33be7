/**
 * Connection collision detection (RFC 4271 6.8): when both speakers connect at once, the
 * connection initiated by the speaker with the higher BGP Identifier survives; the other is
 * closed with Cease / Connection Collision Resolution (RFC 4486 subcode 7).
 */
import { routerIdToNumber } from './negotiate.js';

/** Who opened a connection. */
export type Direction = 'outbound' | 'inbound';

/**
 * Which connection to keep, by who initiated it.
 *
 * RFC 4271 6.8: "If the value of the local BGP Identifier is less than the remote one, the local
 * system closes the BGP connection that already exists ... and accepts the BGP connection
 * initiated by the remote system. Otherwise, the local system closes the newly created BGP
 * connection". The identifiers are compared as unsigned 32-bit integers.
 * RFC 6286 2.3: with equal identifiers (possible between ASes), the connection initiated by the
 * speaker with the larger AS number is kept.
 */
export function survivingDirection(localId: string, remoteId: string, localAsn: number, remoteAsn: number): Direction {
  const l = routerIdToNumber(localId);
  const r = routerIdToNumber(remoteId);
  if (l !== r) return l > r ? 'outbound' : 'inbound';
  return localAsn > remoteAsn ? 'outbound' : 'inbound';
}

/**
 * Of two connections to the same peer, the one to close. Two connections in the same direction
 * (a peer reconnecting) keep the newer one.
 */
export function collisionLoser<C extends { readonly direction: Direction }>(
  existing: C,
  incoming: C,
  localId: string,
  remoteId: string,
  localAsn: number,
  remoteAsn: number,
): C {
  if (existing.direction === incoming.direction) return existing;
  const keep = survivingDirection(localId, remoteId, localAsn, remoteAsn);
  return existing.direction === keep ? incoming : existing;
}
