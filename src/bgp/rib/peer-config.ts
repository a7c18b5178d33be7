/**
 * Peer configuration (`BgpSpeaker.addPeer`), the filters, and what a peer needs of its speaker.
 */
import { familyOfName, type FamilyName } from '../families.js';
import type { AddPathConfig, Clock, GracefulRestartConfig, Negotiated, Network, SessionConfig } from '../session/types.js';
import type { Family, PathAttribute } from '../types.js';
import type { UpdatePacker } from './adj-rib-out.js';
import type { LocRib } from './loc-rib.js';
import type { LocalIdentity } from './reflection.js';
import type { RibPeer, Route } from './route.js';
import type { RibRoute } from './view.js';

/** An import or export filter: false drops the route; an array replaces its attributes. */
export type RouteFilter = (route: RibRoute, peer: string) => boolean | readonly PathAttribute[];

/**
 * What one peer may make the speaker hold. Worst case per peer, in bytes:
 * - the attribute cache: at most `attributeCacheBytes` as estimated (16 bytes per attribute byte
 *   + 2 KiB per set, see `bgp/messages/attr-cache.ts`); the real heap is below the estimate
 *   (measured: 4,000 distinct 64 kB sets with the default 16 MiB budget leave 6.3 MiB);
 * - per route it holds: the Route object, its key and its NLRI (strings of their own, 16 bytes +
 *   their length each, freed with the route: no shared block a few long-lived routes can pin —
 *   measured: 200 routes of 257 bytes kept after 200,000 were learned and withdrawn, 0.5 MiB),
 *   the RIB index entries, and the attribute sets those routes use (interned, shared);
 * - receive buffers: the framer's message (at most 65,535 bytes) and the socket's stream buffer;
 *   a session yields the event loop after 10 ms of receive work, so TCP flow control, not our
 *   heap, absorbs a peer that sends faster than we parse.
 * The number of routes is the peer's to choose unless `maxPrefixes` bounds it.
 */
export interface PeerLimits {
  /**
   * Byte budget of the session's cache of decoded attribute sets (default 16 MiB). A peer that
   * sends only distinct attribute sets grows the heap by at most this much; 0 turns caching off.
   */
  readonly attributeCacheBytes?: number;
}

export interface PeerConfig {
  readonly address: string;
  readonly asn: number;
  /** Families to offer: `{ afi, safi }` or names such as `l2vpn-evpn`. */
  readonly families: readonly (Family | FamilyName)[];
  readonly passive?: boolean;
  readonly port?: number;
  /** Seconds. */
  readonly holdTime?: number;
  readonly routeReflectorClient?: boolean;
  readonly localAddress?: string;
  readonly maxPrefixes?: { readonly limit: number; readonly action: 'warn' | 'teardown' };
  readonly importFilter?: RouteFilter;
  readonly exportFilter?: RouteFilter;
  /** Advertise graceful restart and keep this peer's routes as stale when it restarts. */
  readonly gracefulRestart?: boolean | GracefulRestartConfig;
  readonly addPath?: readonly AddPathConfig[];
  /**
   * Advertise the 4-octet AS capability (RFC 6793) to this peer. Default true. `false` talks to
   * it as an OLD (2-octet) speaker: configure its `asn` as its OPEN's My AS (AS_TRANS, 23456,
   * for a 4-octet AS peer). Routes go out with AS_TRANS plus AS4_PATH / AS4_AGGREGATOR either
   * way when the peer lacks the capability. Refused (TypeError from `addPeer`) when our AS
   * needs 4 octets.
   */
  readonly fourOctetAs?: boolean;
  /** Seconds between KEEPALIVEs; default (and at most) a third of the negotiated hold time. */
  readonly keepaliveTime?: number;
  /** Offer RFC 8654 extended messages (up to 65,535 bytes). Default true. */
  readonly extendedMessage?: boolean;
  /** Session timers (seconds), mostly for tests. */
  readonly connectRetryTime?: number;
  readonly idleHoldTime?: number;
  readonly delayOpenTime?: number;
  /** Memory bounds for this peer (see `PeerLimits`). */
  readonly limits?: PeerLimits;
}

/** A peer with output to write, as its speaker schedules it (a `Peer`, named by what is used). */
export interface FlushablePeer {
  flush(): void;
  /** Reset this peer's session only, for a fault while writing to it. */
  contain(error: unknown): void;
}

/** What a Peer needs from its speaker. */
export interface SpeakerCore {
  readonly asn: number;
  readonly routerId: string;
  readonly clock: Clock;
  readonly network: Network;
  readonly identity: LocalIdentity;
  readonly localPeer: RibPeer;
  locRib(family: number): LocRib;
  locRibIfAny(family: number): LocRib | undefined;
  bestChanged(family: number, key: string, from: RibPeer | undefined, previous: Route | undefined): void;
  scheduleFlush(peer?: FlushablePeer): void;
  pack(sendOptions: NonNullable<Negotiated['sendOptions']>): UpdatePacker;
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
}

export function toFamily(f: Family | FamilyName): Family {
  return typeof f === 'string' ? familyOfName(f) : f;
}

/** The Session configuration of a peer. */
export function sessionConfig(core: SpeakerCore, config: PeerConfig, families: readonly Family[]): SessionConfig {
  const gr = config.gracefulRestart;
  return {
    localAsn: core.asn,
    routerId: core.routerId,
    peerAddress: config.address,
    peerAsn: config.asn,
    families,
    clock: core.clock,
    network: core.network,
    // the RIB walks NLRI by offsets: no Buffer view per route
    nlriMode: 'bounds',
    ...(config.port === undefined ? {} : { peerPort: config.port }),
    ...(config.localAddress === undefined ? {} : { localAddress: config.localAddress }),
    ...(config.passive === undefined ? {} : { passive: config.passive }),
    ...(config.holdTime === undefined ? {} : { holdTime: config.holdTime }),
    ...(config.addPath === undefined ? {} : { addPath: config.addPath }),
    ...(config.fourOctetAs === undefined ? {} : { fourOctetAs: config.fourOctetAs }),
    ...(config.keepaliveTime === undefined ? {} : { keepaliveTime: config.keepaliveTime }),
    ...(config.extendedMessage === undefined ? {} : { extendedMessage: config.extendedMessage }),
    ...(config.connectRetryTime === undefined ? {} : { connectRetryTime: config.connectRetryTime }),
    ...(config.idleHoldTime === undefined ? {} : { idleHoldTime: config.idleHoldTime }),
    ...(config.delayOpenTime === undefined ? {} : { delayOpenTime: config.delayOpenTime }),
    ...(config.limits?.attributeCacheBytes === undefined ? {} : { attributeCacheBytes: config.limits.attributeCacheBytes }),
    // RFC 4724 3: the capability lists the families whose routes the peer should keep for us
    // (F bit: forwarding preserved; we claim it only when configured)
    ...(gr === undefined || gr === false ? {} : { gracefulRestart: { families, ...(gr === true ? {} : gr) } }),
  };
}
