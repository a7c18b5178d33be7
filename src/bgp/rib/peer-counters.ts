/**
 * What a peer's hostile or broken input cost it (`BgpSpeaker.peerCounters`): routes ignored on
 * the way in, routes not sent on the way out, faults contained. Counted from `addPeer`, across
 * sessions. Routes are counted as NLRI; a family without a codec counts its NLRI field as one.
 */
export interface PeerCounters {
  /** Routes (announced or withdrawn) of a family the session did not negotiate: ignored (RFC 4760 8). */
  unnegotiatedFamily: number;
  /** Routes of a family disabled for the session by an RFC 7606 AFI/SAFI-disable error: ignored (RFC 4760 7). */
  disabledFamily: number;
  /** Announced routes with a next hop that cannot be used (RFC 4271 6.3): treated as withdrawn. */
  invalidNextHop: number;
  /** Best paths not sent to this peer because they do not fit in one UPDATE of its size. */
  exportTooLarge: number;
  /** Faults contained while working for this peer (`internalError` events). */
  internalErrors: number;
}

export function newPeerCounters(): PeerCounters {
  return { unnegotiatedFamily: 0, disabledFamily: 0, invalidNextHop: 0, exportTooLarge: 0, internalErrors: 0 };
}

/** Routes in a set of NLRI handed over by `parseUpdateRaw` (bounds pairs or views). */
export function nlriCount(set: { readonly nlri: readonly unknown[]; readonly bounds?: readonly number[] }): number {
  return set.bounds === undefined ? set.nlri.length : set.bounds.length >>> 1;
}
