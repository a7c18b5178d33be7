/**
 * Names of the RFC 4271 8.1 events and the actions the FSM asks the session to run.
 * Kept apart from the table so tests (and the oracle) can import the vocabulary alone.
 */
import type { State } from './types.js';

export type { State } from './types.js';

/** RFC 4271 8.1, in RFC order (event 1 = ManualStart ... event 28 = UpdateMsgErr). */
export const fsmEvents = [
  'ManualStart',
  'ManualStop',
  'AutomaticStart',
  'ManualStart_with_PassiveTcpEstablishment',
  'AutomaticStart_with_PassiveTcpEstablishment',
  'AutomaticStart_with_DampPeerOscillations',
  'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment',
  'AutomaticStop',
  'ConnectRetryTimer_Expires',
  'HoldTimer_Expires',
  'KeepaliveTimer_Expires',
  'DelayOpenTimer_Expires',
  'IdleHoldTimer_Expires',
  'TcpConnection_Valid',
  'Tcp_CR_Invalid',
  'Tcp_CR_Acked',
  'TcpConnectionConfirmed',
  'TcpConnectionFails',
  'BGPOpen',
  'BGPOpen_with_DelayOpenTimer_running',
  'BGPHeaderErr',
  'BGPOpenMsgErr',
  'OpenCollisionDump',
  'NotifMsgVerErr',
  'NotifMsg',
  'KeepAliveMsg',
  'UpdateMsg',
  'UpdateMsgErr',
  /** Not in RFC 4271: a ROUTE-REFRESH message (RFC 2918). Valid only in Established. */
  'RouteRefreshMsg',
] as const;

export type FsmEvent = (typeof fsmEvents)[number];

export const states: readonly State[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

/** RFC 4271 8.1.1 / 10 timers; IdleHold is the DampPeerOscillations timer. */
export type Timer = 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen' | 'idleHold';

/** What the session does for a transition, in order. */
export type Action =
  /** Start (or restart) a timer. For `hold`, `large` = the OpenSent value (RFC 4271 8.2.2: 4 minutes). */
  | { readonly type: 'start-timer'; readonly timer: Timer; readonly large?: true }
  | { readonly type: 'stop-timer'; readonly timer: Timer }
  /** Initiate a TCP connection to the peer. */
  | { readonly type: 'connect' }
  /** Accept connections from the peer (the listener hands them over). */
  | { readonly type: 'listen' }
  /** Close the TCP connection (after flushing what was queued, e.g. a NOTIFICATION). */
  | { readonly type: 'drop-connection' }
  /** Release all BGP resources: timers (but IdleHold), the peer's routes (the speaker's part). */
  | { readonly type: 'release' }
  | { readonly type: 'send-open' }
  | { readonly type: 'send-keepalive' }
  | { readonly type: 'send-notification'; readonly code: number; readonly subcode: number }
  /** Send the NOTIFICATION of the error that came with the event (header, OPEN, UPDATE error). */
  | { readonly type: 'send-notification-from-event' }
  | { readonly type: 'connect-retry-counter'; readonly op: 'reset' | 'increment' }
  /** Hand the UPDATE to the application. */
  | { readonly type: 'process-update' }
  | { readonly type: 'process-route-refresh' }
  /** The session is up: emit `established`. */
  | { readonly type: 'established' };

/** Extra facts some transitions depend on (RFC 4271 8.1.1 optional attributes and timer state). */
export interface FsmContext {
  /** DelayOpen attribute. */
  readonly delayOpen: boolean;
  /** Whether the DelayOpenTimer is running now. */
  readonly delayOpenTimerRunning: boolean;
  /** PassiveTcpEstablishment: what IdleHoldTimer_Expires restarts as. */
  readonly passive: boolean;
}
