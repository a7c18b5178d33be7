// size: runs the FSM's actions (timers, connections, collision, NOTIFICATIONs) over one set of per-connection fields; the FSM itself is pure in fsm/, the message handlers in session.ts
/**
 * The machinery under `Session`: runs the pure FSM (fsm/fsm.ts) for each connection against an
 * injected `Network` and `Clock`. One `Connection` per TCP connection: normally one, two while a
 * connection collision (RFC 4271 6.8) is being resolved. The session's state is the state of its
 * primary connection; every change is emitted with a typed reason.
 */
import { EventEmitter } from 'eventemitter3';
import { encodeMessage, toNotification, type RawUpdate } from '../codec.js';
import { CeaseError } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../iana.js';
import { transition, type Action, type FsmEvent } from '../fsm/fsm.js';
import type { Family, OpenMessage, RouteRefreshMessage } from '../types.js';
import { realClock } from './clock.js';
import { Connection } from './connection.js';
import { IdleHold } from './idle-hold.js';
import { Framer } from '../framer.js';
import { buildOpen } from './negotiate.js';
import { tcpNetwork } from './transport.js';
import type { Clock, Negotiated, Network, SessionConfig, SessionEvents, State, StateChangeReason, Transport } from './types.js';
import { keepaliveMessage, notificationMessage, notificationValue, shutdownData } from './wire.js';
import { countMessage, newMessageCounts, type MessageCounters } from './message-counters.js';

/** RFC 4271 8.2.2: "a large value" for the HoldTimer in OpenSent; 4 minutes is suggested. */
export const openSentHoldTime = 240;

/** How long `stop()` waits for a peer to take our last bytes before it destroys the socket. */
const closeGraceMs = 1000;

/** @internal The FSM driver; use `Session`. */
export abstract class SessionCore extends EventEmitter<SessionEvents> {
  readonly config: SessionConfig;
  protected readonly clock: Clock;
  protected readonly network: Network;
  protected readonly localOpen: OpenMessage;
  protected primary: Connection;
  protected secondary: Connection | undefined;
  protected nextConnId = 0;
  protected connectRetryCounter = 0;
  protected readonly idleHold: IdleHold;
  protected stopped = true;
  protected lastNegotiated: Negotiated | undefined;
  /** Transports we dropped that have not reported close yet. */
  protected readonly closing = new Set<Transport>();
  /** The message being processed (for process-update / process-route-refresh). */
  protected curMsg: Buffer | undefined;
  protected curParsed: RawUpdate | undefined;
  protected curEor: Family | undefined;
  protected curRefresh: RouteRefreshMessage | undefined;
  protected shutdownMessage: string | undefined;
  protected pendingReason: StateChangeReason | undefined;
  /** Messages sent and received, by type, across connections. */
  readonly messages: MessageCounters = { received: newMessageCounts(), sent: newMessageCounts() };
  /** Reused for every event (no allocation per message). */
  protected readonly ctx: { delayOpen: boolean; delayOpenTimerRunning: boolean; passive: boolean };

  constructor(config: SessionConfig) {
    super();
    const hold = config.holdTime ?? 90;
    // RFC 4271 4.2: the hold time MUST be zero or at least three seconds
    if (hold !== 0 && (hold < 3 || hold > 65535)) throw new RangeError(`hold time ${hold}: must be 0 or 3..65535`);
    this.config = config;
    this.clock = config.clock ?? realClock;
    this.network = config.network ?? tcpNetwork;
    this.localOpen = buildOpen(config);
    this.idleHold = new IdleHold(this.clock, config);
    this.ctx = { delayOpen: (config.delayOpenTime ?? 0) > 0, delayOpenTimerRunning: false, passive: config.passive ?? false };
    this.primary = this.newConnection('outbound');
  }


  // ------------------------------------------------------------ FSM driving

  protected newConnection(direction: 'outbound' | 'inbound'): Connection {
    return new Connection(this.nextConnId++, direction, this.clock, (c, e) => this.guarded(c, () => this.onTimer(c, e)));
  }

  // ------------------------------------------------------------ containment

  /** Set while a fault is being contained (a second fault then only forces the close). */
  private containing = false;
  /** State changes seen (containment checks whether the one it caused was reported). */
  private stateChanges = 0;

  /**
   * Run a callback that a timer, a socket or a promise calls (STYLE: nothing thrown there may
   * reach the process): anything it throws is contained on connection `c`.
   */
  protected guarded(c: Connection, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.containFault(c, e);
    }
  }

  /**
   * A fault (a bug of ours or an exception from a listener) while this session was working:
   * `internalError` is emitted and the connection is reset with Cease / Administrative Reset
   * (RFC 4486 4, with the RFC 9003 communication "internal error"); the session restarts
   * after IdleHold like after any other reset. Other sessions are not touched.
   */
  protected containFault(c: Connection, e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    if (this.containing) throw error; // the outer containment forces the close
    this.containing = true;
    try {
      try {
        this.emit('internalError', error);
      } catch {
        // a throwing internalError listener changes nothing
      }
      const from = c.state;
      const changes = this.stateChanges;
      if (from !== 'Idle') {
        try {
          c.eventError = new CeaseError(CeaseSubcode.administrativeReset, 'internal error', shutdownData('internal error'));
          this.pendingReason = 'internal-error';
          this.fire(c, 'AutomaticStop');
        } catch {
          // a listener threw again while the session went down (say, of notificationSent)
          c.state = 'Idle';
          this.cleanup(c);
          // the state change was not reported yet: the speaker must still drop the session's routes
          if (this.stateChanges === changes) this.tryChanged(c, from);
        } finally {
          this.pendingReason = undefined;
        }
      }
      // whatever threw, the connection ends closed and the session comes back after IdleHold
      if (c.transport !== undefined) this.cleanup(c);
      if (c === this.primary && !this.stopped && !this.idleHold.scheduled) this.scheduleRestart();
    } finally {
      this.containing = false;
    }
  }

  private tryChanged(c: Connection, from: State): void {
    try {
      this.changed(c, from, 'Idle', 'internal-error');
    } catch {
      // reported once; the restart below does not depend on it
    }
  }

  protected onTimer(c: Connection, e: FsmEvent): void {
    this.fire(c, e);
  }

  /** Feed one event to a connection's machine and run the actions. */
  protected fire(c: Connection, event: FsmEvent): void {
    const ctx = this.ctx;
    ctx.delayOpenTimerRunning = c.isRunning('delayOpen');
    const from = c.state;
    const tr = transition(from, event, ctx);
    c.state = tr.next;
    const seq = ++c.events;
    let established = false;
    for (const a of tr.actions) {
      if (a.type === 'established') established = true;
      else this.run(c, a);
      // run to completion: a handler of an emitted event (an `update` listener that resets the
      // session) fed this connection another event; its transition owns the machine now, and
      // the rest of ours (say, restarting the hold timer) would act on a state that is gone
      if (c.events !== seq) {
        c.eventError = undefined;
        return;
      }
    }
    c.eventError = undefined;
    if (tr.next !== from) this.changed(c, from, tr.next, this.pendingReason ?? tr.reason);
    if (established && this.primary === c && c.state === 'Established') {
      this.lastNegotiated = c.negotiated;
      this.idleHold.established();
      this.emit('established', c.negotiated!);
    }
  }

  protected changed(c: Connection, from: State, to: State, reason: StateChangeReason): void {
    this.stateChanges++;
    if (c !== this.primary) {
      if (to === 'Idle') {
        this.cleanup(c);
        if (this.secondary === c) this.secondary = undefined;
      } else if (to === 'Established') {
        // the second connection won: the primary is dumped and this one takes over
        this.promote(c);
      }
      return;
    }
    if (to === 'Idle') {
      this.cleanup(c);
      this.idleHold.clearStable();
      this.emit('stateChange', from, 'Idle', reason);
      // a connection swap: the other connection of a collision (or of a restarted peer) goes on
      const sec = this.secondary;
      if (sec !== undefined && !this.stopped && this.primary === c && c.state === 'Idle') {
        this.secondary = undefined;
        this.primary = sec;
        this.emit('stateChange', 'Idle', sec.state, reason === 'peer-restarted' ? 'peer-restarted' : 'collision');
        return;
      }
      if (reason !== 'manual-stop') this.scheduleRestart();
      return;
    }
    this.emit('stateChange', from, to, reason);
  }

  /**
   * The second connection reached Established first: it becomes the primary and the old primary
   * is dumped with Cease/7 (RFC 4271 6.8). `fire` then emits `established` for the new one.
   */
  protected promote(c: Connection): void {
    const old = this.primary;
    const from = old.state;
    this.primary = c;
    this.secondary = old;
    this.fire(old, 'OpenCollisionDump');
    if (this.secondary === old) this.secondary = undefined;
    this.emit('stateChange', from, 'Idle', 'collision');
    this.emit('stateChange', 'Idle', c.state, 'collision');
  }

  protected run(c: Connection, a: Action): void {
    switch (a.type) {
      case 'start-timer':
        return this.startTimer(c, a.timer, a.large === true);
      case 'stop-timer':
        return c.stopTimer(a.timer);
      case 'connect':
        return this.connect(c);
      case 'listen':
        return; // connections arrive through accept()
      case 'drop-connection':
        return this.drop(c);
      case 'release':
        c.stopAllTimers();
        return;
      case 'send-open':
        return this.write(c, encodeMessage(this.localOpen, {}));
      case 'send-keepalive':
        return this.write(c, keepaliveMessage);
      case 'send-notification': {
        const n = { code: a.code, subcode: a.subcode, ...(this.shutdownMessage === undefined ? {} : { shutdownMessage: this.shutdownMessage }) };
        return this.notify(c, n);
      }
      case 'send-notification-from-event': {
        const e = c.eventError ?? new CeaseError(0, 'automatic stop');
        const n = toNotification(e);
        return this.notify(c, { code: n.code, subcode: n.subcode, data: n.data });
      }
      case 'connect-retry-counter':
        this.connectRetryCounter = a.op === 'reset' ? 0 : this.connectRetryCounter + 1;
        return;
      case 'process-update':
        return this.processUpdate(c);
      case 'process-route-refresh':
        if (this.curRefresh !== undefined && c === this.primary) this.emit('routeRefresh', this.curRefresh);
        return;
      case 'established':
        return;
    }
  }

  protected startTimer(c: Connection, timer: 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen' | 'idleHold', large: boolean): void {
    switch (timer) {
      case 'connectRetry':
        // a passive peer never connects: no retry timer (it waits in Active)
        if (this.config.passive) return;
        return c.startTimer(timer, (this.config.connectRetryTime ?? 120) * 1000);
      case 'delayOpen':
        return c.startTimer(timer, (this.config.delayOpenTime ?? 0) * 1000);
      case 'hold': {
        const s = large ? openSentHoldTime : (c.negotiated?.holdTime ?? this.config.holdTime ?? 90);
        // RFC 4271 4.2: a hold time of zero means no hold timer and no keepalives
        if (s === 0) return c.stopTimer('hold');
        return c.startTimer(timer, s * 1000);
      }
      case 'keepalive': {
        const s = c.negotiated?.keepaliveTime ?? 0;
        if (s === 0) return c.stopTimer('keepalive');
        return c.startTimer(timer, s * 1000);
      }
      case 'idleHold':
        return; // the session's own timer (scheduleRestart)
    }
  }

  // ------------------------------------------------------------ connections

  protected connect(c: Connection): void {
    if (this.config.passive) return;
    c.connecting?.abort();
    const ac = new AbortController();
    c.connecting = ac;
    const cfg = this.config;
    this.network
      .connect(cfg.peerAddress, cfg.peerPort ?? 179, cfg.localAddress, { signal: ac.signal, timeoutMs: (cfg.connectRetryTime ?? 120) * 1000 })
      .then(
        (t) => {
          // the attempt may have moved to another connection object meanwhile (see accept)
          const owner = this.owner(ac);
          if (owner === undefined) {
            t.destroy();
            return;
          }
          owner.connecting = undefined;
          owner.direction = 'outbound';
          this.guarded(owner, () => {
            this.attach(owner, t);
            this.fire(owner, 'Tcp_CR_Acked');
          });
        },
        () => {
          const owner = this.owner(ac);
          if (owner === undefined) return;
          owner.connecting = undefined;
          this.guarded(owner, () => this.fire(owner, 'TcpConnectionFails'));
        },
      );
  }

  protected owner(ac: AbortController): Connection | undefined {
    if (this.primary.connecting === ac) return this.primary;
    if (this.secondary?.connecting === ac) return this.secondary;
    return undefined;
  }

  protected attach(c: Connection, t: Transport): void {
    c.transport = t;
    c.attachedAt = this.clock.now();
    c.needDrain = false;
    c.framer = new Framer();
    t.on('data', (chunk) => {
      if (c.transport === t) this.guarded(c, () => this.onData(c, chunk));
    });
    t.on('drain', () => {
      if (c.transport !== t) return;
      c.needDrain = false;
      if (c === this.primary) this.guarded(c, () => this.emit('drain'));
    });
    t.on('close', () => {
      if (c.transport === t) this.guarded(c, () => this.fire(c, 'TcpConnectionFails'));
    });
    t.on('error', () => {
      /* a close follows */
    });
  }

  /**
   * A new inbound connection takes the place of a silent one (see `Session.accept`): the old
   * transport gets Cease / Connection Collision Resolution and is closed; the connection's state
   * stays, so in OpenSent our OPEN goes out again on the new transport and the (large) OpenSent
   * hold timer starts over; in Active the DelayOpen timer starts over.
   */
  protected replaceTransport(c: Connection, t: Transport): void {
    const old = c.transport;
    if (old !== undefined) {
      this.sendNotificationOn(old, { code: ErrorCode.cease, subcode: CeaseSubcode.connectionCollisionResolution });
      this.dropTransport(old);
    }
    this.attach(c, t);
    if (c.state === 'OpenSent') {
      this.write(c, encodeMessage(this.localOpen, {}));
      this.startTimer(c, 'hold', true);
    } else if (c.isRunning('delayOpen')) this.startTimer(c, 'delayOpen', false);
  }

  protected drop(c: Connection): void {
    c.connecting?.abort();
    c.connecting = undefined;
    const t = c.transport;
    c.transport = undefined;
    if (t !== undefined) this.dropTransport(t);
  }

  protected dropTransport(t: Transport): void {
    t.removeAllListeners('data');
    t.removeAllListeners('drain');
    t.removeAllListeners('close');
    if (t.closed) return;
    this.closing.add(t);
    t.once('close', () => this.closing.delete(t));
    t.end();
  }

  protected cleanup(c: Connection): void {
    c.stopAllTimers();
    this.drop(c);
    c.peerOpen = undefined;
  }

  protected async waitClosed(): Promise<void> {
    if (this.closing.size === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        for (const t of this.closing) t.destroy();
        this.closing.clear();
        resolve();
      }, closeGraceMs);
      const check = (): void => {
        if (this.closing.size === 0) done();
      };
      for (const t of this.closing) t.once('close', () => queueMicrotask(check));
    });
  }

  protected write(c: Connection, buf: Buffer): void {
    const t = c.transport;
    if (t === undefined || t.closed) return;
    countMessage(this.messages.sent, buf[18]);
    t.write(buf);
  }

  protected notify(c: Connection, n: { code: number; subcode: number; data?: Buffer; shutdownMessage?: string }): void {
    const t = c.transport;
    if (t === undefined || t.closed) return;
    const wire = notificationMessage(n);
    countMessage(this.messages.sent, wire[18]);
    t.write(wire);
    this.emit('notificationSent', notificationValue(n, wire));
  }

  protected sendNotificationOn(t: Transport, n: { code: number; subcode: number }): void {
    const wire = notificationMessage(n);
    countMessage(this.messages.sent, wire[18]);
    t.write(wire);
    this.emit('notificationSent', notificationValue(n, wire));
  }

  // ------------------------------------------------------------ idle hold (DampPeerOscillations)

  /** Back to work after IdleHold; the wait doubles with each consecutive failure, up to a cap. */
  protected scheduleRestart(): void {
    if (this.stopped || (this.config.autoRestart ?? true) === false) return;
    this.idleHold.schedule(() => {
      const c = this.primary;
      if (!this.stopped && c.state === 'Idle') this.guarded(c, () => this.fire(c, 'IdleHoldTimer_Expires'));
    });
  }

  /** The IdleHold time the next failure will wait, in ms (for tests and metrics). */
  get nextIdleHoldMs(): number {
    return this.idleHold.nextMs;
  }

  /** Bytes arrived on a connection (the inbound half, in session.ts). */
  protected abstract onData(c: Connection, chunk: Buffer): void;
  /** The UPDATE being processed goes to the application. */
  protected abstract processUpdate(c: Connection): void;
}
