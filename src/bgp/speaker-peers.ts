/** What the speaker tells of one peer: `peerStatus` and `peerInfo`, and the refusal of an unknown connection. */
import { familyKey } from './families.js';
import { CeaseSubcode } from './iana.js';
import { ipv4ToNumber } from './rib/attr-set.js';
import type { LocRib } from './rib/loc-rib.js';
import type { PeerConfig } from './rib/peer-config.js';
import { addressRank, type RibPeer } from './rib/route.js';
import type { Peer } from './rib/peer.js';
import { copyMessages, type PeerStats, type PeerStatus } from './rib/peer-status.js';
import { familyKeyOf, resolveFamily, type FamilyInput, type PeerInfo } from './speaker-types.js';

/** What the speaker keeps per peer beside the Peer: status tracking, its group, the range it came from if dynamic. */
export interface PeerMeta {
  readonly stats: PeerStats;
  peerGroup?: string;
  dynamic?: string;
}

/** The status of a peer (see `BgpSpeaker.peerStatus`). */
export function peerStatusOf(address: string, p: Peer, m: PeerMeta, ribs: ReadonlyMap<number, LocRib>): PeerStatus {
  const s = m.stats;
  const n = p.session.negotiated;
  const families = n?.families ?? p.config.families.map(resolveFamily);
  const established = p.session.state === 'Established';
  const routes = families.map((family) => {
    const fk = familyKey(family.afi, family.safi);
    const accepted = p.adjIn.count(fk);
    let advertised = 0;
    const rib = ribs.get(fk);
    if (established && rib !== undefined) for (const r of rib.bests()) if (p.policy.exportRoute(fk, r) !== undefined) advertised++;
    return { family, received: accepted + (p.filtered.get(fk)?.size ?? 0), accepted, advertised };
  });
  return {
    address,
    asn: p.config.asn,
    state: p.session.state,
    routerId: n?.peerRouterId,
    dynamic: m.dynamic !== undefined,
    peerGroup: m.peerGroup,
    establishedAt: established ? s.establishedAt : undefined,
    uptime: established ? s.uptime() : 0,
    stateChangedAt: s.stateChangedAt,
    flaps: s.flaps,
    establishedCount: s.establishedCount,
    negotiated: n,
    messages: copyMessages(p.session.messages),
    routes,
    lastError: s.lastError,
    counters: { ...p.counters },
  };
}

/** What is known of a peer (see `BgpSpeaker.peerInfo`). */
export function peerInfoOf(p: Peer, disabled: boolean): PeerInfo {
  return {
    config: p.config,
    state: p.session.state,
    negotiated: p.session.state === 'Established' ? p.negotiated : undefined,
    routesReceived: (family: FamilyInput) => {
      return p.adjIn.count(familyKeyOf(family));
    },
    routesAdvertised: p.out?.announced ?? 0,
    disabled,
  };
}

/** Refuse a connection: a NOTIFICATION Cease / connection rejected (RFC 4486) without OPEN, then close. */
export function rejectConnection(t: { write(b: Buffer): boolean; end(): void }): void {
  // a NOTIFICATION without OPEN: marker, length 21, type 3, Cease (6) / connection rejected (5)
  const b = Buffer.alloc(21, 0xff);
  b.writeUInt16BE(21, 16);
  b[18] = 3;
  b[19] = 6;
  b[20] = CeaseSubcode.connectionRejected;
  t.write(b);
  t.end();
}

/**
 * A dynamic peer lives as long as its session: once it is back in Idle, `remove` runs (after a
 * microtask: a collision, or a restarted peer, may have put another connection in place).
 * `current` says whether `p` is still the speaker's peer for its address.
 */
export function removeWhenIdle(p: Peer, current: () => boolean, remove: () => void): void {
  p.session.on('stateChange', (_from, to) => {
    if (to !== 'Idle' || !current()) return;
    queueMicrotask(() => {
      if (current() && p.session.state === 'Idle') remove();
    });
  });
}

/** How the RIB sees a configured peer (its router id is learnt from its OPEN). */
export function ribPeerOf(config: PeerConfig, localAsn: number): RibPeer {
  return {
    address: config.address,
    asn: config.asn,
    routerId: 0,
    addressRank: addressRank(config.address),
    ibgp: config.asn === localAsn,
    rrClient: config.routeReflectorClient ?? false,
    local: false,
  };
}

/** The pseudo-peer a speaker's own announcements come from. */
export function localRibPeer(asn: number, routerId: string): RibPeer {
  return { address: 'local', asn, routerId: ipv4ToNumber(routerId), addressRank: '', ibgp: false, rrClient: false, local: true };
}
