/** The options, events and family input of `BgpSpeaker` (its public types). */
import { familyKey, familyOfName, type FamilyName } from './families.js';
import type { DecisionOptions } from './rib/decision.js';
import type { PeerConfig } from './rib/peer-config.js';
import type { ExportSkipReason } from './rib/adj-rib-out.js';
import type { RibRoute } from './rib/view.js';
import type { Clock, Negotiated, Network, State, StateChangeReason } from './session/types.js';
import type { Family, NotificationMessage } from './types.js';

export interface SpeakerOptions {
  /** Our AS (4-octet allowed). */
  readonly asn: number;
  /** Our BGP identifier (dotted quad). */
  readonly routerId: string;
  /** Where to accept connections; `false` for none. Default `{ address: '::', port: 179 }`. */
  readonly listen?: { readonly port?: number; readonly address?: string } | false;
  /** Injected time (a VirtualClock in tests). */
  readonly clock?: Clock;
  /** Injected connections (MemoryNetwork in tests). Default real TCP. */
  readonly network?: Network;
  /** RFC 4456 7: CLUSTER_ID when reflecting. Default the router id. */
  readonly clusterId?: string;
  /** Decision process options. */
  readonly decision?: DecisionOptions;
}

/** Typed events of a speaker. */
export interface SpeakerEvents {
  peerState: [peer: string, from: State, to: State, reason: StateChangeReason];
  established: [peer: string, negotiated: Negotiated];
  /** A destination got its first best path. */
  routeAdded: [family: Family, route: RibRoute];
  /** A destination's best path changed (another path, or new attributes). */
  routeReplaced: [family: Family, route: RibRoute, previous: RibRoute];
  /** A destination lost its last path (`route` is the path that was best). */
  routeWithdrawn: [family: Family, route: RibRoute];
  endOfRib: [peer: string, family: Family];
  notificationSent: [peer: string, msg: NotificationMessage];
  notificationReceived: [peer: string, msg: NotificationMessage];
  /** A peer went over its max-prefix limit (`action` says what was done). */
  maxPrefix: [peer: string, count: number, limit: number, action: 'warn' | 'teardown'];
  /** An UPDATE error the session survived (RFC 7606 treat-as-withdraw, attribute-discard). */
  updateError: [peer: string, error: Error];
  /** A connection from a dynamic-neighbor range became a peer (`prefix` is its range). */
  dynamicPeerAdded: [peer: string, prefix: string];
  /** A dynamic peer's session ended and the peer was removed. */
  dynamicPeerRemoved: [peer: string, prefix: string];
  /** A connection was refused: no peer and no range for its address, or its range is full. */
  connectionRejected: [remoteAddress: string, reason: 'unknown-peer' | 'range-limit'];
  /**
   * A route was not sent to a peer (and what that peer was told about its destination before
   * was withdrawn): `'too-large'` when its attributes and NLRI do not fit in one UPDATE of the
   * peer's maximum message size (4096 bytes without RFC 8654 extended message).
   */
  exportSkipped: [peer: string, family: Family, reason: ExportSkipReason, route: RibRoute];
  /**
   * Something threw while the speaker worked for a peer (a timer, a socket callback, the UPDATE
   * flush, or an application listener called from one of them): the error never reaches the
   * process; that peer's session was reset with Cease / Administrative Reset (RFC 4486) and
   * restarts after IdleHold. Other sessions are not touched.
   */
  internalError: [peer: string, error: Error];
}

/** What `BgpSpeaker.peerInfo` tells of a peer. */
export interface PeerInfo {
  readonly config: PeerConfig;
  readonly state: State;
  /** What the session negotiated, while it is Established. */
  readonly negotiated: Negotiated | undefined;
  /** Routes in the peer's Adj-RIB-In of a family (after import policy). */
  routesReceived(family: FamilyInput): number;
  /** NLRI announced to the peer on its current session. */
  readonly routesAdvertised: number;
  /** Disabled with `disablePeer` (not started again until `enablePeer`). */
  readonly disabled: boolean;
}

/** A family as the API accepts it: `{ afi, safi }` or a registered name (`l2vpn-evpn`). */
export type FamilyInput = Family | FamilyName;

export function resolveFamily(f: FamilyInput): Family {
  return typeof f === 'string' ? familyOfName(f) : f;
}

/** The family key (`familyKey`) of a family as the API accepts it. */
export function familyKeyOf(f: FamilyInput): number {
  const r = resolveFamily(f);
  return familyKey(r.afi, r.safi);
}
