/**
 * What `BgpSpeaker.peerStatus` reports about a peer: session state and uptime, messages by type,
 * routes per family, flaps and the last error. The session-derived parts are tracked here from
 * the session's events, so the hot paths carry nothing for them.
 */
import { ErrorCode } from '../iana.js';
import type { MessageCounters } from '../session/message-counters.js';
import type { Session } from '../session/session.js';
import type { Clock, Negotiated, State, StateChangeReason } from '../session/types.js';
import type { Family, NotificationMessage } from '../types.js';
import type { PeerCounters } from './peer-counters.js';

/** Why a peer's last session ended, or the last NOTIFICATION that went either way. */
export interface PeerError {
  /** Clock time (ms). */
  readonly at: number;
  /** A NOTIFICATION we sent or received, or a session that ended without one. */
  readonly kind: 'notification-sent' | 'notification-received' | 'session-down';
  /** NOTIFICATION code and subcode (0 for `session-down`). */
  readonly code: number;
  readonly subcode: number;
  /** The RFC 8203 shutdown message, or the typed reason of a session that went down. */
  readonly message: string;
}

/** Routes of one family of a peer. */
export interface PeerFamilyRoutes {
  readonly family: Family;
  /** Routes the peer announced and has not withdrawn, before the import filter. */
  readonly received: number;
  /** Of those, in the Adj-RIB-In after the import filter. */
  readonly accepted: number;
  /** Best paths of the Loc-RIB that export policy sends to this peer now. */
  readonly advertised: number;
}

/** A snapshot of one peer (`BgpSpeaker.peerStatus`). */
export interface PeerStatus {
  readonly address: string;
  readonly asn: number;
  readonly state: State;
  /** The peer's BGP identifier once a session came up. */
  readonly routerId: string | undefined;
  /** Created from a dynamic-neighbor range (removed when its session ends). */
  readonly dynamic: boolean;
  /** The group whose settings the peer took, if any. */
  readonly peerGroup: string | undefined;
  /** Clock time (ms) the current session was established; undefined when not Established. */
  readonly establishedAt: number | undefined;
  /** Milliseconds in Established (0 when not). */
  readonly uptime: number;
  /** Clock time (ms) of the last change of `state`. */
  readonly stateChangedAt: number;
  /** Sessions that left Established since the peer was added. */
  readonly flaps: number;
  /** Times the session reached Established. */
  readonly establishedCount: number;
  readonly negotiated: Negotiated | undefined;
  /** Messages by type in each direction (copies). */
  readonly messages: MessageCounters;
  readonly routes: readonly PeerFamilyRoutes[];
  readonly lastError: PeerError | undefined;
  /** What hostile or broken input cost the peer (as `BgpSpeaker.peerCounters`). */
  readonly counters: PeerCounters;
}

/** The session-derived part of a peer's status, tracked from events. */
export class PeerStats {
  establishedAt: number | undefined;
  stateChangedAt: number;
  flaps = 0;
  establishedCount = 0;
  lastError: PeerError | undefined;
  /** A NOTIFICATION went either way since the session came up. */
  private notified = false;

  constructor(
    private readonly clock: Clock,
    session: Session,
  ) {
    this.stateChangedAt = clock.now();
    session.on('stateChange', (from: State, to: State, reason: StateChangeReason) => this.onState(from, to, reason));
    session.on('established', (_n: Negotiated) => {
      this.establishedAt = clock.now();
      this.establishedCount++;
      this.notified = false;
    });
    session.on('notificationSent', (m: NotificationMessage) => this.onNotification('notification-sent', m));
    session.on('notificationReceived', (m: NotificationMessage) => this.onNotification('notification-received', m));
  }

  private onState(from: State, to: State, reason: StateChangeReason): void {
    this.stateChangedAt = this.clock.now();
    if (from !== 'Established' || to === 'Established') return;
    this.flaps++;
    this.establishedAt = undefined;
    // the NOTIFICATION (if any) was recorded just before; a silent end is recorded here
    if (this.notified) return;
    this.lastError = { at: this.stateChangedAt, kind: 'session-down', code: 0, subcode: 0, message: reason };
  }

  private onNotification(kind: PeerError['kind'], m: NotificationMessage): void {
    // a collision resolution is housekeeping, not an error of the peer
    if (m.code === ErrorCode.cease && m.subcode === 7) return;
    this.notified = true;
    this.lastError = { at: this.clock.now(), kind, code: m.code, subcode: m.subcode, message: m.shutdownMessage ?? '' };
  }

  /** Milliseconds in Established now. */
  uptime(): number {
    return this.establishedAt === undefined ? 0 : this.clock.now() - this.establishedAt;
  }
}

/** Deep copy of message counters (a snapshot the caller may keep). */
export function copyMessages(m: MessageCounters): MessageCounters {
  return { received: { ...m.received }, sent: { ...m.sent } };
}
