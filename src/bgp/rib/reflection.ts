/**
 * Who may receive which route, and with which attributes: RFC 4271 9.2 (iBGP split horizon),
 * RFC 4456 (route reflection: clients, non-clients, ORIGINATOR_ID, CLUSTER_LIST and their loop
 * checks) and AS_PATH loop detection for eBGP (RFC 4271 9.1.2).
 */
import type { AsPathSegment, PathAttribute } from '../types.js';
import type { AttrSet } from './attr-set.js';
import type { RibPeer } from './route.js';

/** Local identity the rules need. */
export interface LocalIdentity {
  readonly asn: number;
  /** Our BGP identifier (dotted quad). */
  readonly routerId: string;
  /** RFC 4456 7: CLUSTER_ID, our router id unless configured. */
  readonly clusterId: string;
}

/** Why an inbound route was refused by a loop check (undefined when accepted). */
export type LoopReason = 'as-path-loop' | 'originator-id-loop' | 'cluster-list-loop';

/**
 * Inbound loop checks. RFC 4271 9.1.2: a route whose AS_PATH holds our AS is unusable (checked
 * for eBGP; an iBGP path never carries our AS legitimately either, but peers in a confederation
 * might, so only eBGP). RFC 4456 8: ORIGINATOR_ID equal to our router id, or our CLUSTER_ID in
 * the CLUSTER_LIST, MUST be ignored.
 */
export function loopCheck(attrs: AttrSet, from: RibPeer, local: LocalIdentity): LoopReason | undefined {
  if (!from.ibgp && asPathContains(attrs.asPath, local.asn)) return 'as-path-loop';
  if (from.ibgp) {
    for (const a of attrs.attributes) {
      if (a.type === 'originator-id' && a.value === local.routerId) return 'originator-id-loop';
      if (a.type === 'cluster-list' && a.values.includes(local.clusterId)) return 'cluster-list-loop';
    }
  }
  return undefined;
}

/** Whether any AS_SEQUENCE / AS_SET segment holds `asn`. */
export function asPathContains(segments: readonly AsPathSegment[], asn: number): boolean {
  for (const s of segments) {
    if (s.type !== 'sequence' && s.type !== 'set') continue;
    for (const a of s.asns) if (a === asn) return true;
  }
  return false;
}

/**
 * RFC 4271 9.2 and RFC 4456 6: may the best path learned from `from` be advertised to `to`?
 * - never back to the peer it came from;
 * - learned over eBGP or originated here: to everyone;
 * - learned over iBGP: not to iBGP peers, unless we reflect: a client's route goes to every
 *   peer, a non-client's route to clients only (and to eBGP peers in both cases).
 */
export function mayAdvertise(from: RibPeer, to: RibPeer): boolean {
  if (from === to) return false;
  if (from.local || !from.ibgp || !to.ibgp) return true;
  return from.rrClient || to.rrClient;
}

/**
 * The attributes sent to `to` for a best path from `from` (RFC 4271 5.1, RFC 4456 8):
 * - to iBGP: LOCAL_PREF present (default 100); when reflecting (iBGP to iBGP) ORIGINATOR_ID is
 *   set to the originator's router id if absent and our CLUSTER_ID is prepended to CLUSTER_LIST;
 * - to eBGP: our AS prepended to AS_PATH; LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST removed
 *   (RFC 4271 5.1.5, RFC 4456 8: those never leave the AS); a MED learned from another AS is
 *   not passed on (RFC 4271 5.1.4).
 * ORIGIN and AS_PATH are added when a local route lacks them (RFC 4271 5.1.1/5.1.2: well-known
 * mandatory). Next hops are left as they are (the VTEP address for EVPN).
 */
export function exportAttributes(
  attrs: readonly PathAttribute[],
  from: RibPeer,
  to: RibPeer,
  local: LocalIdentity,
  originatorRouterId: string,
): PathAttribute[] {
  const out: PathAttribute[] = [];
  let hasOrigin = false;
  let hasAsPath = false;
  let hasLocalPref = false;
  let hasOriginator = false;
  let hasClusterList = false;
  const reflecting = to.ibgp && from.ibgp && !from.local;
  for (const a of attrs) {
    switch (a.type) {
      case 'origin': hasOrigin = true; out.push(a); break;
      case 'as-path':
        hasAsPath = true;
        out.push(to.ibgp ? a : { type: 'as-path', segments: prependAs(a.segments, local.asn) });
        break;
      case 'local-pref': if (to.ibgp) { hasLocalPref = true; out.push(a); } break;
      case 'med': if (to.ibgp || from.local || from.ibgp) out.push(a); break;
      case 'originator-id': if (to.ibgp) { hasOriginator = true; out.push(a); } break;
      case 'cluster-list':
        if (to.ibgp) {
          hasClusterList = true;
          out.push(reflecting ? { type: 'cluster-list', values: [local.clusterId, ...a.values] } : a);
        }
        break;
      case 'mp-reach': case 'mp-unreach': break;
      default: out.push(a);
    }
  }
  if (!hasOrigin) out.unshift({ type: 'origin', value: 'igp' });
  if (!hasAsPath) out.push({ type: 'as-path', segments: to.ibgp ? [] : [{ type: 'sequence', asns: [local.asn] }] });
  if (to.ibgp && !hasLocalPref) out.push({ type: 'local-pref', value: 100 });
  if (reflecting) {
    // RFC 4456 8
    if (!hasOriginator) out.push({ type: 'originator-id', value: originatorRouterId });
    if (!hasClusterList) out.push({ type: 'cluster-list', values: [local.clusterId] });
  }
  return out;
}

function prependAs(segments: readonly AsPathSegment[], asn: number): AsPathSegment[] {
  const first = segments[0];
  // RFC 4271 5.1.2: prepend to a leading AS_SEQUENCE if it has room (255 ASes per segment)
  if (first !== undefined && first.type === 'sequence' && first.asns.length < 255) {
    return [{ type: 'sequence', asns: [asn, ...first.asns] }, ...segments.slice(1)];
  }
  return [{ type: 'sequence', asns: [asn] }, ...segments];
}

/** Dotted quad of an unsigned 32-bit router id. */
export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
