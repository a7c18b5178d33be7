/**
 * The BGP finite state machine of RFC 4271 section 8.2.2 as one pure transition table:
 * `transition(state, event, ctx) -> { next, actions, reason }`. No sockets, no timers, no
 * allocation on the hot path (every result is a frozen constant or built once per table entry).
 *
 * Deviations, each on purpose:
 * - BGPHeaderErr / BGPOpenMsgErr in Established send the error's own NOTIFICATION (section 6.1
 *   and 6.2 ask for it) rather than an FSM error.
 * - BGPOpen in Established is an unexpected message: FSM error 5/3 (RFC 6608 4). The OPEN of a
 *   second connection goes to that connection's own machine (collision.ts), never to this one.
 * - RouteRefreshMsg (RFC 2918) is an extra event: processed in Established (restarting the hold
 *   timer, like UPDATE), an FSM error in OpenSent/OpenConfirm, dropped elsewhere.
 * - Peer oscillation damping (IdleHold back-off) is session policy: the table only says that
 *   IdleHoldTimer_Expires in Idle is an automatic start.
 */
import { CeaseSubcode, ErrorCode, FsmSubcode } from '../iana.js';
import type { State, StateChangeReason } from './types.js';
import type { Action, FsmContext, FsmEvent, Timer } from './actions.js';

export * from './actions.js';

/** The result of one event. `actions` and the object itself are shared constants: do not mutate. */
export interface Transition {
  readonly next: State;
  readonly actions: readonly Action[];
  readonly reason: StateChangeReason;
}

type Entry = Transition | ((ctx: FsmContext) => Transition);
type Table = { readonly [S in State]: Partial<Record<FsmEvent, Entry>> };

// ---------------------------------------------------------------- action constants

const start = (timer: Timer): Action => ({ type: 'start-timer', timer });
const stop = (timer: Timer): Action => ({ type: 'stop-timer', timer });
const A = {
  startCR: start('connectRetry'),
  stopCR: stop('connectRetry'),
  startHoldLarge: { type: 'start-timer', timer: 'hold', large: true } as Action,
  startHold: start('hold'),
  startKeepalive: start('keepalive'),
  startDelayOpen: start('delayOpen'),
  stopDelayOpen: stop('delayOpen'),
  connect: { type: 'connect' } as Action,
  listen: { type: 'listen' } as Action,
  drop: { type: 'drop-connection' } as Action,
  release: { type: 'release' } as Action,
  sendOpen: { type: 'send-open' } as Action,
  sendKeepalive: { type: 'send-keepalive' } as Action,
  notifyFromEvent: { type: 'send-notification-from-event' } as Action,
  resetCounter: { type: 'connect-retry-counter', op: 'reset' } as Action,
  incCounter: { type: 'connect-retry-counter', op: 'increment' } as Action,
  processUpdate: { type: 'process-update' } as Action,
  processRouteRefresh: { type: 'process-route-refresh' } as Action,
  established: { type: 'established' } as Action,
} as const;
const notify = (code: number, subcode: number): Action => ({ type: 'send-notification', code, subcode });
const ceaseShutdown = notify(ErrorCode.cease, CeaseSubcode.administrativeShutdown);
const ceaseCollision = notify(ErrorCode.cease, CeaseSubcode.connectionCollisionResolution);
const holdExpired = notify(ErrorCode.holdTimerExpired, 0);

function t(next: State, reason: StateChangeReason, ...actions: Action[]): Transition {
  return Object.freeze({ next, reason, actions: Object.freeze(actions) });
}
const stay = (s: State, reason: StateChangeReason): Transition => t(s, reason);

/** "releases all BGP resources, drops the TCP connection, increments the ConnectRetryCounter" */
const toIdle = (reason: StateChangeReason, ...first: Action[]): Transition =>
  t('Idle', reason, ...first, A.stopCR, A.release, A.drop, A.incCounter);

// ---------------------------------------------------------------- shared rows

/** Idle: ManualStart / AutomaticStart (RFC 4271 8.2.2, Idle state). */
const startActive = (reason: StateChangeReason) => t('Connect', reason, A.resetCounter, A.startCR, A.connect, A.listen);
const startPassive = (reason: StateChangeReason) => t('Active', reason, A.resetCounter, A.startCR, A.listen);

/** Connect/Active: Tcp_CR_Acked / TcpConnectionConfirmed, with and without DelayOpen. */
function tcpUp(from: 'Connect' | 'Active'): Entry {
  const delayed = t(from, 'connection-established', A.stopCR, A.startDelayOpen);
  const open = t('OpenSent', 'connection-established', A.stopCR, A.sendOpen, A.startHoldLarge);
  return (ctx) => (ctx.delayOpen ? delayed : open);
}

/** Connect/Active: BGPOpen while the DelayOpenTimer runs: OPEN + KEEPALIVE, straight to OpenConfirm. */
const openWhileDelayed = t('OpenConfirm', 'open-received', A.stopCR, A.stopDelayOpen, A.sendOpen, A.sendKeepalive, A.startKeepalive, A.startHold);

/** Connect/Active: NotifMsgVerErr. */
function notifVerErr(): Entry {
  const delayed = t('Idle', 'notification-received', A.stopCR, A.stopDelayOpen, A.release, A.drop);
  const plain = toIdle('notification-received');
  return (ctx) => (ctx.delayOpenTimerRunning ? delayed : plain);
}

/** Connect/Active: "any other event" — back to Idle without a NOTIFICATION (no OPEN was exchanged). */
const connectOther = (reason: StateChangeReason): Transition => toIdle(reason, A.stopDelayOpen);

const ignoredStarts = (s: State): Partial<Record<FsmEvent, Entry>> => {
  const i = stay(s, 'manual-start');
  const a = stay(s, 'automatic-start');
  return {
    ManualStart: i,
    ManualStart_with_PassiveTcpEstablishment: i,
    AutomaticStart: a,
    AutomaticStart_with_PassiveTcpEstablishment: a,
    AutomaticStart_with_DampPeerOscillations: a,
    AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment: a,
  };
};

// ---------------------------------------------------------------- the table (RFC 4271 8.2.2)

const table: Table = {
  Idle: {
    ManualStart: startActive('manual-start'),
    AutomaticStart: startActive('automatic-start'),
    AutomaticStart_with_DampPeerOscillations: startActive('automatic-start'),
    ManualStart_with_PassiveTcpEstablishment: startPassive('manual-start'),
    AutomaticStart_with_PassiveTcpEstablishment: startPassive('automatic-start'),
    AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment: startPassive('automatic-start'),
    // 8.2.1.3: IdleHoldTimer_Expires restarts the peer as an automatic start (damping is policy).
    IdleHoldTimer_Expires: (() => {
      const a = startActive('idle-hold-timer-expired');
      const p = startPassive('idle-hold-timer-expired');
      return (ctx: FsmContext) => (ctx.passive ? p : a);
    })(),
    // "Any other event (Events 9-12, 15-28) received in the Idle state does not cause change in the state"
  },

  Connect: {
    ...ignoredStarts('Connect'),
    ManualStop: t('Idle', 'manual-stop', A.drop, A.release, A.resetCounter, A.stopCR),
    ConnectRetryTimer_Expires: t('Connect', 'connect-retry-timer-expired', A.drop, A.startCR, A.stopDelayOpen, A.connect, A.listen),
    DelayOpenTimer_Expires: t('OpenSent', 'delay-open-timer-expired', A.sendOpen, A.startHoldLarge),
    TcpConnection_Valid: stay('Connect', 'connection-established'),
    Tcp_CR_Invalid: stay('Connect', 'connection-failed'),
    Tcp_CR_Acked: tcpUp('Connect'),
    TcpConnectionConfirmed: tcpUp('Connect'),
    TcpConnectionFails: (() => {
      const delayed = t('Active', 'connection-failed', A.startCR, A.stopDelayOpen, A.listen);
      const plain = t('Idle', 'connection-failed', A.stopCR, A.drop, A.release);
      return (ctx: FsmContext) => (ctx.delayOpenTimerRunning ? delayed : plain);
    })(),
    BGPOpen_with_DelayOpenTimer_running: openWhileDelayed,
    BGPHeaderErr: toIdle('header-error', A.notifyFromEvent),
    BGPOpenMsgErr: toIdle('open-error', A.notifyFromEvent),
    NotifMsgVerErr: notifVerErr(),
  },

  Active: {
    ...ignoredStarts('Active'),
    ManualStop: (() => {
      const delayed = t('Idle', 'manual-stop', ceaseShutdown, A.release, A.stopDelayOpen, A.drop, A.resetCounter, A.stopCR);
      const plain = t('Idle', 'manual-stop', A.release, A.stopDelayOpen, A.drop, A.resetCounter, A.stopCR);
      return (ctx: FsmContext) => (ctx.delayOpenTimerRunning ? delayed : plain);
    })(),
    ConnectRetryTimer_Expires: t('Connect', 'connect-retry-timer-expired', A.startCR, A.connect, A.listen),
    DelayOpenTimer_Expires: t('OpenSent', 'delay-open-timer-expired', A.stopCR, A.stopDelayOpen, A.sendOpen, A.startHoldLarge),
    TcpConnection_Valid: stay('Active', 'connection-established'),
    Tcp_CR_Invalid: stay('Active', 'connection-failed'),
    Tcp_CR_Acked: tcpUp('Active'),
    TcpConnectionConfirmed: tcpUp('Active'),
    TcpConnectionFails: t('Idle', 'connection-failed', A.startCR, A.stopDelayOpen, A.release, A.incCounter),
    BGPOpen_with_DelayOpenTimer_running: openWhileDelayed,
    BGPHeaderErr: toIdle('header-error', A.notifyFromEvent),
    BGPOpenMsgErr: toIdle('open-error', A.notifyFromEvent),
    NotifMsgVerErr: notifVerErr(),
  },

  OpenSent: {
    ...ignoredStarts('OpenSent'),
    ManualStop: t('Idle', 'manual-stop', ceaseShutdown, A.stopCR, A.release, A.drop, A.resetCounter),
    AutomaticStop: toIdle('automatic-stop', A.notifyFromEvent),
    HoldTimer_Expires: toIdle('hold-timer-expired', holdExpired),
    // a second connection is tracked by the collision logic; this one is unaffected
    TcpConnection_Valid: stay('OpenSent', 'connection-established'),
    Tcp_CR_Acked: stay('OpenSent', 'connection-established'),
    TcpConnectionConfirmed: stay('OpenSent', 'connection-established'),
    Tcp_CR_Invalid: stay('OpenSent', 'connection-failed'),
    TcpConnectionFails: t('Active', 'connection-failed', A.drop, A.startCR, A.listen),
    BGPOpen: t('OpenConfirm', 'open-received', A.stopDelayOpen, A.stopCR, A.sendKeepalive, A.startKeepalive, A.startHold),
    BGPHeaderErr: toIdle('header-error', A.notifyFromEvent),
    BGPOpenMsgErr: toIdle('open-error', A.notifyFromEvent),
    OpenCollisionDump: toIdle('collision', ceaseCollision),
    NotifMsgVerErr: t('Idle', 'notification-received', A.stopCR, A.release, A.drop),
  },

  OpenConfirm: {
    ...ignoredStarts('OpenConfirm'),
    ManualStop: t('Idle', 'manual-stop', ceaseShutdown, A.release, A.drop, A.resetCounter, A.stopCR),
    AutomaticStop: toIdle('automatic-stop', A.notifyFromEvent),
    HoldTimer_Expires: toIdle('hold-timer-expired', holdExpired),
    KeepaliveTimer_Expires: t('OpenConfirm', 'keepalive-received', A.sendKeepalive, A.startKeepalive),
    TcpConnection_Valid: stay('OpenConfirm', 'connection-established'),
    Tcp_CR_Acked: stay('OpenConfirm', 'connection-established'),
    TcpConnectionConfirmed: stay('OpenConfirm', 'connection-established'),
    Tcp_CR_Invalid: stay('OpenConfirm', 'connection-failed'),
    TcpConnectionFails: toIdle('connection-failed'),
    NotifMsg: toIdle('notification-received'),
    NotifMsgVerErr: t('Idle', 'notification-received', A.stopCR, A.release, A.drop),
    // 6.8: an OPEN seen here is checked for collision by the session, which feeds OpenCollisionDump
    BGPOpen: stay('OpenConfirm', 'open-received'),
    BGPHeaderErr: toIdle('header-error', A.notifyFromEvent),
    BGPOpenMsgErr: toIdle('open-error', A.notifyFromEvent),
    OpenCollisionDump: toIdle('collision', ceaseCollision),
    KeepAliveMsg: t('Established', 'keepalive-received', A.startHold, A.established),
  },

  Established: {
    ...ignoredStarts('Established'),
    ManualStop: t('Idle', 'manual-stop', ceaseShutdown, A.stopCR, A.release, A.drop, A.resetCounter),
    AutomaticStop: toIdle('automatic-stop', A.notifyFromEvent),
    HoldTimer_Expires: toIdle('hold-timer-expired', holdExpired),
    KeepaliveTimer_Expires: t('Established', 'keepalive-received', A.sendKeepalive, A.startKeepalive),
    TcpConnection_Valid: stay('Established', 'connection-established'),
    Tcp_CR_Acked: stay('Established', 'connection-established'),
    TcpConnectionConfirmed: stay('Established', 'connection-established'),
    Tcp_CR_Invalid: stay('Established', 'connection-failed'),
    OpenCollisionDump: toIdle('collision', ceaseCollision),
    TcpConnectionFails: toIdle('connection-failed'),
    NotifMsgVerErr: toIdle('notification-received'),
    NotifMsg: toIdle('notification-received'),
    KeepAliveMsg: t('Established', 'keepalive-received', A.startHold),
    UpdateMsg: t('Established', 'keepalive-received', A.processUpdate, A.startHold),
    RouteRefreshMsg: t('Established', 'keepalive-received', A.processRouteRefresh, A.startHold),
    UpdateMsgErr: toIdle('update-error', A.notifyFromEvent),
    // sections 6.1 / 6.2: the error's own NOTIFICATION (see the header comment)
    BGPHeaderErr: toIdle('header-error', A.notifyFromEvent),
    BGPOpenMsgErr: toIdle('open-error', A.notifyFromEvent),
  },
};

// ---------------------------------------------------------------- defaults ("any other event")

const idleIgnore: Record<FsmEvent, Transition> = {} as Record<FsmEvent, Transition>;
const connectDefault = connectOther('fsm-error');
/** RFC 6608 3: the FSM error subcode says in which state the unexpected event came. */
const fsmErrorSubcode: Partial<Record<State, number>> = {
  OpenSent: FsmSubcode.unexpectedInOpenSent,
  OpenConfirm: FsmSubcode.unexpectedInOpenConfirm,
  Established: FsmSubcode.unexpectedInEstablished,
};
const fsmErrorTransitions: Partial<Record<State, Transition>> = {};
for (const s of ['OpenSent', 'OpenConfirm', 'Established'] as const) {
  fsmErrorTransitions[s] = toIdle('fsm-error', notify(ErrorCode.fsm, fsmErrorSubcode[s]!));
}

/** Reasons for the Connect/Active "other events" that are not errors of the peer. */
const otherReason: Partial<Record<FsmEvent, StateChangeReason>> = {
  AutomaticStop: 'automatic-stop',
  HoldTimer_Expires: 'hold-timer-expired',
  NotifMsg: 'notification-received',
  OpenCollisionDump: 'collision',
  UpdateMsgErr: 'update-error',
};
const connectOthers: Partial<Record<FsmEvent, Transition>> = {};
for (const [e, r] of Object.entries(otherReason) as [FsmEvent, StateChangeReason][]) connectOthers[e] = connectOther(r);

function fallback(state: State, event: FsmEvent): Transition {
  switch (state) {
    case 'Idle': {
      // RFC 4271 8.2.2 Idle: other events do not change the state.
      return (idleIgnore[event] ??= stay('Idle', 'fsm-error'));
    }
    case 'Connect':
    case 'Active':
      // "In response to any other event ... drops the TCP connection ... changes its state to Idle."
      return connectOthers[event] ?? connectDefault;
    default:
      // RFC 6608: an unexpected event in OpenSent/OpenConfirm/Established is an FSM error.
      return fsmErrorTransitions[state]!;
  }
}

/**
 * One step of the RFC 4271 FSM. Pure: the same inputs always give the same (shared, frozen) result.
 * A (state, event) pair the table has no entry for is handled as the RFC's "any other event":
 * ignored in Idle, back to Idle in Connect/Active, an FSM-error NOTIFICATION (RFC 6608) and Idle
 * in OpenSent, OpenConfirm and Established.
 */
export function transition(state: State, event: FsmEvent, ctx: FsmContext): Transition {
  const e = table[state][event];
  if (e === undefined) return fallback(state, event);
  return typeof e === 'function' ? e(ctx) : e;
}

/** Whether the table names this pair explicitly (false = handled by the "any other event" rule). */
export function hasEntry(state: State, event: FsmEvent): boolean {
  return table[state][event] !== undefined;
}
