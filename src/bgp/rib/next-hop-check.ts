/**
 * Semantic next-hop checks on receipt (RFC 4271 6.3: "the NEXT_HOP attribute is semantically
 * incorrect" -> the route is ignored, no NOTIFICATION). The classic NEXT_HOP codec already
 * refuses 0.0.0.0, multicast and broadcast; MP_REACH next hops (RFC 4760 3, EVPN's VTEP
 * address) get the same rules here, and every family refuses our own address on the session.
 */
import { isValidNextHop } from '../attributes/next-hop.js';
import { addressBytes, readAddress } from '../../net/ip.js';

/** Why a next hop is refused, or undefined when it is usable. */
export type NextHopProblem = 'unspecified' | 'multicast' | 'broadcast' | 'local-address';

/**
 * Our session address in the printers' form (the next hops of `parseUpdateRaw` are printed by
 * the same functions, so the check compares text).
 */
export function canonicalAddress(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const b = addressBytes(text);
    return readAddress(b, 0, b.length as 4 | 16);
  } catch {
    return undefined;
  }
}

/**
 * Check the first next hop (the global one when an IPv6 link-local follows). Next hops of a
 * length no codec knows come as hex text and are not judged here.
 */
export function nextHopProblem(nextHops: readonly string[] | undefined, local: string | undefined): NextHopProblem | undefined {
  const nh = nextHops?.[0];
  if (nh === undefined || nh.startsWith('0x')) return undefined;
  if (nh === local) return 'local-address';
  if (nh.includes(':')) {
    if (nh === '::') return 'unspecified';
    // ff00::/8
    return /^ff[0-9a-f]{2}:/i.test(nh) ? 'multicast' : undefined;
  }
  if (isValidNextHop(nh)) return undefined;
  if (nh === '0.0.0.0') return 'unspecified';
  return nh === '255.255.255.255' ? 'broadcast' : 'multicast';
}
