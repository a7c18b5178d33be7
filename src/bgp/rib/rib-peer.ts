/**
 * The peer a route came from, as the RIB sees it. Its own file: the attribute sets (attr-set.ts)
 * and the routes (route.ts) both name it, and a route names its attribute set.
 */

/** What the RIB needs to know about the peer a route came from. */
export interface RibPeer {
  /** Peer address as configured (text); `local` for routes we originate. */
  readonly address: string;
  /** Peer AS. */
  readonly asn: number;
  /** Peer BGP identifier as an unsigned 32-bit number (RFC 4271 9.1.2.2 f). */
  routerId: number;
  /** Peer address as a sortable binary string (RFC 4271 9.1.2.2 g). */
  readonly addressRank: string;
  /** iBGP (same AS) peer. */
  readonly ibgp: boolean;
  /** RFC 4456: this peer is a route-reflector client of ours. */
  readonly rrClient: boolean;
  /** True only for the pseudo-peer that holds our own announcements. */
  readonly local: boolean;
}
