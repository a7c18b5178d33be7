/**
 * A BGP session with one peer: runs the pure FSM (fsm/fsm.ts) against an injected Transport
 * source (`Network`) and `Clock`. One `Connection` per TCP connection: normally one, two while a
 * connection collision (RFC 4271 6.8) is being resolved. The session's state is the state of its
 * primary connection; every change is emitted with a typed reason.
 */
import { EventEmitter } from 'eventemitter3';
import { decodeMessage, encodeMessage, parseUpdateRaw, toNotification, type RawUpdate } from '../codec.js';
import { BgpError, CeaseError, MessageHeaderError } from '../errors.js';
import { CeaseSubcode, ErrorCode, HeaderSubcode, MessageType, OpenSubcode } from '../iana.js';
import { transition, type Action, type FsmEvent } from '../fsm/fsm.js';
import type { Family, NotificationMessage, OpenMessage, RouteRefreshMessage } from '../types.js';
import { realClock } from './clock.js';
import { collisionLoser } from './collision.js';
import { Connection } from './connection.js';
import { IdleHold } from './idle-hold.js';
import { Framer } from '../framer.js';
import { buildOpen, negotiate, validateOpen } from './negotiate.js';
import { tcpNetwork } from './transport.js';
import type { Clock, Negotiated, Network, SessionApi, SessionConfig, SessionEvents, State, StateChangeReason, Transport } from './types.js';
import { endOfRibFamily, endOfRibMessage, keepaliveMessage, notificationMessage, notificationValue, routeRefreshMessage } from './wire.js';

/** RFC 4271 8.2.2: "a large value" for the HoldTimer in OpenSent; 4 minutes is suggested. */
export const openSentHoldTime = 240;

/** How long `stop()` waits for a peer to take our last bytes before it destroys the socket. */
const closeGraceMs = 1000;

export class Session extends EventEmitter<SessionEvents> implements SessionApi {
  readonly config: SessionConfig;
  private readonly clock: Clock;
  private readonly network: Network;
  private readonly localOpen: OpenMessage;
  private primary: Connection;
  private secondary: Connection | undefined;
  private nextConnId = 0;
  private connectRetryCounter = 0;
  private readonly idleHold: IdleHold;
  private stopped = true;
  private lastNegotiated: Negotiated | undefined;
  /** Transports we dropped that have not reported close yet. */
  private readonly closing = new Set<Transport>();
  /** The message being processed (for process-update / process-route-refresh). */
  private curMsg: Buffer | undefined;
  private curParsed: RawUpdate | undefined;
  private curEor: Family | undefined;
  private curRefresh: RouteRefreshMessage | undefined;
  private shutdownMessage: string | undefined;
  private pendingReason: StateChangeReason | undefined;
  /** Reused for every event (no allocation per message). */
  private readonly ctx: { delayOpen: boolean; delayOpenTimerRunning: boolean; passive: boolean };

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

  get state(): State {
    return this.primary.state;
  }

  get negotiated(): Negotiated | undefined {
    return this.lastNegotiated;
  }

  /** Bytes queued on the live connection. */
  get bufferedAmount(): number {
    return this.primary.transport?.bufferedAmount ?? 0;
  }

  get writable(): boolean {
    const t = this.primary.transport;
    return this.primary.state === 'Established' && t !== undefined && !t.closed && t.bufferedAmount < 64 * 1024;
  }

  /** Timers and connections still held (0 after `stop()`): for leak checks. */
  get resources(): { timers: number; connections: number; closing: number } {
    let timers = this.idleHold.timers;
    let connections = 0;
    for (const c of [this.primary, this.secondary]) {
      if (c === undefined) continue;
      for (const t of ['connectRetry', 'hold', 'keepalive', 'delayOpen'] as const) if (c.isRunning(t)) timers++;
      if (c.transport !== undefined || c.connecting !== undefined) connections++;
    }
    return { timers, connections, closing: this.closing.size };
  }

  // ------------------------------------------------------------ public API

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.idleHold.reset();
    this.fire(this.primary, this.config.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart');
  }

  async stop(message?: string): Promise<void> {
    this.stopped = true;
    this.idleHold.reset();
    this.shutdownMessage = message;
    const sec = this.secondary;
    if (sec !== undefined) this.fire(sec, 'ManualStop');
    this.fire(this.primary, 'ManualStop');
    this.shutdownMessage = undefined;
    await this.waitClosed();
  }

  reset(error: BgpError, restart = true): void {
    if (!restart) {
      this.stopped = true;
      this.idleHold.clear();
    }
    this.primary.eventError = error;
    this.pendingReason = 'notification-sent';
    this.fire(this.primary, 'AutomaticStop');
    this.pendingReason = undefined;
  }

  accept(transport: Transport): void {
    const p = this.primary;
    if (this.stopped || p.state === 'Idle') {
      // RFC 4271 8.2.2 Idle: "refuses all incoming BGP connections"
      transport.destroy();
      return;
    }
    if (p.state === 'Connect' || p.state === 'Active') {
      if (p.connecting !== undefined) {
        // our own attempt is still pending: it becomes a connection of its own (it may collide)
        if (this.secondary === undefined) {
          const out = this.newConnection('outbound');
          out.state = 'Connect';
          out.connecting = p.connecting;
          this.secondary = out;
        } else {
          p.connecting.abort();
        }
        p.connecting = undefined;
      }
      p.direction = 'inbound';
      this.attach(p, transport);
      this.fire(p, 'TcpConnectionConfirmed');
      return;
    }
    // RFC 4724 4.2: a peer that negotiated graceful restart may come back while we still think
    // the old session is up; its new connection is tracked too
    if (this.secondary === undefined && (p.state !== 'Established' || p.negotiated?.gracefulRestart !== undefined)) {
      // 6.8: track the second connection until its OPEN arrives
      const c = this.newConnection('inbound');
      c.state = 'Active';
      this.secondary = c;
      this.attach(c, transport);
      this.fire(c, 'TcpConnectionConfirmed');
      return;
    }
    // 6.8: a collision with an Established session (or a third connection) closes the new one
    this.sendNotificationOn(transport, { code: ErrorCode.cease, subcode: CeaseSubcode.connectionCollisionResolution });
    this.dropTransport(transport);
  }

  send(msg: Buffer): boolean {
    const c = this.primary;
    const t = c.transport;
    if (c.state !== 'Established' || t === undefined || t.closed) return false;
    // RFC 4271 4.4: sending an UPDATE restarts the KeepaliveTimer
    if (c.isRunning('keepalive') && c.negotiated !== undefined) c.startTimer('keepalive', c.negotiated.keepaliveTime * 1000);
    return t.write(msg);
  }

  sendRouteRefresh(family: Family, subtype: 'normal' | 'borr' | 'eorr' = 'normal'): boolean {
    const n = this.primary.negotiated;
    if (this.primary.state !== 'Established' || n === undefined || !n.routeRefresh) return false;
    if (subtype !== 'normal' && !n.enhancedRouteRefresh) return false;
    this.send(routeRefreshMessage(family, subtype));
    return true;
  }

  sendEndOfRib(family: Family): boolean {
    if (this.primary.state !== 'Established') return false;
    this.send(endOfRibMessage(family));
    return true;
  }

  // ------------------------------------------------------------ FSM driving

  private newConnection(direction: 'outbound' | 'inbound'): Connection {
    return new Connection(this.nextConnId++, direction, this.clock, (c, e) => this.onTimer(c, e));
  }

  private onTimer(c: Connection, e: FsmEvent): void {
    this.fire(c, e);
  }

  /** Feed one event to a connection's machine and run the actions. */
  private fire(c: Connection, event: FsmEvent): void {
    const ctx = this.ctx;
    ctx.delayOpenTimerRunning = c.isRunning('delayOpen');
    const from = c.state;
    const tr = transition(from, event, ctx);
    c.state = tr.next;
    let established = false;
    for (const a of tr.actions) {
      if (a.type === 'established') established = true;
      else this.run(c, a);
    }
    c.eventError = undefined;
    if (tr.next !== from) this.changed(c, from, tr.next, this.pendingReason ?? tr.reason);
    if (established && this.primary === c && c.state === 'Established') {
      this.lastNegotiated = c.negotiated;
      this.idleHold.established();
      this.emit('established', c.negotiated!);
    }
  }

  private changed(c: Connection, from: State, to: State, reason: StateChangeReason): void {
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
  private promote(c: Connection): void {
    const old = this.primary;
    const from = old.state;
    this.primary = c;
    this.secondary = old;
    this.fire(old, 'OpenCollisionDump');
    if (this.secondary === old) this.secondary = undefined;
    this.emit('stateChange', from, 'Idle', 'collision');
    this.emit('stateChange', 'Idle', c.state, 'collision');
  }

  private run(c: Connection, a: Action): void {
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

  private startTimer(c: Connection, timer: 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen' | 'idleHold', large: boolean): void {
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

  private connect(c: Connection): void {
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
          this.attach(owner, t);
          this.fire(owner, 'Tcp_CR_Acked');
        },
        () => {
          const owner = this.owner(ac);
          if (owner === undefined) return;
          owner.connecting = undefined;
          this.fire(owner, 'TcpConnectionFails');
        },
      );
  }

  private owner(ac: AbortController): Connection | undefined {
    if (this.primary.connecting === ac) return this.primary;
    if (this.secondary?.connecting === ac) return this.secondary;
    return undefined;
  }

  private attach(c: Connection, t: Transport): void {
    c.transport = t;
    c.framer = new Framer();
    t.on('data', (chunk) => {
      if (c.transport === t) this.onData(c, chunk);
    });
    t.on('drain', () => {
      if (c.transport === t && c === this.primary) this.emit('drain');
    });
    t.on('close', () => {
      if (c.transport === t) this.fire(c, 'TcpConnectionFails');
    });
    t.on('error', () => {
      /* a close follows */
    });
  }

  private drop(c: Connection): void {
    c.connecting?.abort();
    c.connecting = undefined;
    const t = c.transport;
    c.transport = undefined;
    if (t !== undefined) this.dropTransport(t);
  }

  private dropTransport(t: Transport): void {
    t.removeAllListeners('data');
    t.removeAllListeners('drain');
    t.removeAllListeners('close');
    if (t.closed) return;
    this.closing.add(t);
    t.once('close', () => this.closing.delete(t));
    t.end();
  }

  private cleanup(c: Connection): void {
    c.stopAllTimers();
    this.drop(c);
    c.peerOpen = undefined;
  }

  private async waitClosed(): Promise<void> {
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

  private write(c: Connection, buf: Buffer): void {
    const t = c.transport;
    if (t !== undefined && !t.closed) t.write(buf);
  }

  private notify(c: Connection, n: { code: number; subcode: number; data?: Buffer; shutdownMessage?: string }): void {
    const t = c.transport;
    if (t === undefined || t.closed) return;
    const wire = notificationMessage(n);
    t.write(wire);
    this.emit('notificationSent', notificationValue(n, wire));
  }

  private sendNotificationOn(t: Transport, n: { code: number; subcode: number }): void {
    const wire = notificationMessage(n);
    t.write(wire);
    this.emit('notificationSent', notificationValue(n, wire));
  }

  // ------------------------------------------------------------ idle hold (DampPeerOscillations)

  /** Back to work after IdleHold; the wait doubles with each consecutive failure, up to a cap. */
  private scheduleRestart(): void {
    if (this.stopped || (this.config.autoRestart ?? true) === false) return;
    this.idleHold.schedule(() => {
      if (!this.stopped && this.primary.state === 'Idle') this.fire(this.primary, 'IdleHoldTimer_Expires');
    });
  }

  /** The IdleHold time the next failure will wait, in ms (for tests and metrics). */
  get nextIdleHoldMs(): number {
    return this.idleHold.nextMs;
  }

  // ------------------------------------------------------------ inbound messages

  private onData(c: Connection, chunk: Buffer): void {
    let msgs: Iterable<Buffer>;
    try {
      msgs = c.framer.push(chunk);
      for (const msg of msgs) {
        this.onMessage(c, msg);
        if (c.transport === undefined) return;
      }
    } catch (e) {
      // anything else is a bug (ours or a listener's): let it surface
      if (!(e instanceof BgpError)) throw e;
      if (c.transport === undefined) return;
      c.eventError = e;
      this.fire(c, c.eventError.code === ErrorCode.openMessage ? 'BGPOpenMsgErr' : 'BGPHeaderErr');
    }
  }

  private onMessage(c: Connection, msg: Buffer): void {
    const type = msg[18];
    switch (type) {
      case MessageType.open:
        return this.onOpen(c, msg);
      case MessageType.update:
        return this.onUpdate(c, msg);
      case MessageType.notification:
        return this.onNotification(c, msg);
      case MessageType.keepalive:
        // RFC 4271 6.1: a KEEPALIVE is exactly 19 bytes
        if (msg.length !== 19) throw new MessageHeaderError(HeaderSubcode.badMessageLength, 'KEEPALIVE length', msg.subarray(16, 18));
        return this.fire(c, 'KeepAliveMsg');
      case MessageType.routeRefresh:
        return this.onRouteRefresh(c, msg);
      default:
        // RFC 4271 6.1: the data is the type field
        throw new MessageHeaderError(HeaderSubcode.badMessageType, `message type ${type}`, msg.subarray(18, 19));
    }
  }

  private onOpen(c: Connection, msg: Buffer): void {
    const open = decodeMessage(msg, {}) as OpenMessage; // throws OpenMessageError / header errors
    if (c.state === 'OpenConfirm' || c.state === 'Established') return this.fire(c, 'BGPOpen');
    validateOpen(open, this.config);
    c.peerOpen = open;
    c.negotiated = negotiate(this.localOpen, open, this.config);
    // RFC 8654 3: larger messages only once both OPENs carried the capability
    c.framer.extendedMessage = c.negotiated.extendedMessage;
    const delayed = c.isRunning('delayOpen');
    // RFC 4271 6.8: a connection already in OpenConfirm with the same peer collides with this one
    const other = c === this.primary ? this.secondary : this.primary;
    if (other !== undefined && other.state === 'Established') {
      // RFC 4724 4.2: an OPEN on a new connection from a peer with graceful restart means it
      // restarted: the old connection is gone (its routes become stale at the speaker)
      if (other.negotiated?.gracefulRestart === undefined || c.direction !== 'inbound') return this.fire(c, 'OpenCollisionDump');
      this.pendingReason = 'peer-restarted';
      this.fire(other, 'TcpConnectionFails');
      this.pendingReason = undefined;
    } else if (other !== undefined && other.state === 'OpenConfirm') {
      const loser = collisionLoser(other, c, this.config.routerId, open.routerId, this.config.localAsn, c.negotiated.peerAsn);
      if (loser === c) return this.fire(c, 'OpenCollisionDump');
      this.fire(other, 'OpenCollisionDump');
    }
    this.fire(c, delayed ? 'BGPOpen_with_DelayOpenTimer_running' : 'BGPOpen');
  }

  private onUpdate(c: Connection, msg: Buffer): void {
    if (c.state !== 'Established') return this.fire(c, 'UpdateMsg');
    // RFC 4271 6.1: an UPDATE is at least 23 bytes
    if (msg.length < 23) throw new MessageHeaderError(HeaderSubcode.badMessageLength, 'UPDATE length', msg.subarray(16, 18));
    const eor = endOfRibFamily(msg);
    if (eor === undefined) {
      try {
        // RFC 7606: only session-reset errors are thrown; the others arrive in parsed.error
        this.curParsed = parseUpdateRaw(msg, c.negotiated!.receiveOptions);
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        c.eventError = e;
        return this.fire(c, 'UpdateMsgErr');
      }
    }
    this.curMsg = msg;
    this.curEor = eor;
    this.fire(c, 'UpdateMsg');
    this.curMsg = undefined;
    this.curEor = undefined;
    this.curParsed = undefined;
  }

  private processUpdate(c: Connection): void {
    const msg = this.curMsg;
    if (msg === undefined || c !== this.primary) return;
    if (this.curEor !== undefined) this.emit('endOfRib', this.curEor);
    else if (this.curParsed !== undefined) this.emit('update', msg, this.curParsed);
  }

  private onNotification(c: Connection, msg: Buffer): void {
    let n: NotificationMessage;
    try {
      n = decodeMessage(msg, {}) as NotificationMessage;
    } catch {
      n = { type: 'notification', code: msg[19] ?? 0, subcode: msg[20] ?? 0, data: msg.subarray(21) };
    }
    this.emit('notificationReceived', n);
    // RFC 4271 8.1: NotifMsgVerErr is a NOTIFICATION about an unsupported version
    const ver = n.code === ErrorCode.openMessage && n.subcode === OpenSubcode.unsupportedVersion;
    this.fire(c, ver ? 'NotifMsgVerErr' : 'NotifMsg');
  }

  private onRouteRefresh(c: Connection, msg: Buffer): void {
    if (c.state !== 'Established') return this.fire(c, 'RouteRefreshMsg');
    const rr = decodeMessage(msg, c.negotiated?.receiveOptions ?? {}) as RouteRefreshMessage;
    const n = c.negotiated!;
    // RFC 2918 4: a family that was not negotiated is ignored
    const known = n.families.some((f) => f.afi === rr.afi && f.safi === rr.safi);
    this.curRefresh = known ? rr : undefined;
    this.fire(c, 'RouteRefreshMsg');
    this.curRefresh = undefined;
  }
}
