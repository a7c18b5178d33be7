/**
 * A BGP session with one peer (RFC 4271): the public API and the handling of what the peer
 * sends. The FSM driving, timers and connections are in session-core.ts.
 */
import { receiveWorkDone, yieldReceive } from './receive-slice.js';
import { decodeMessage, parseUpdateRaw } from '../codec.js';
import { BgpError, MessageHeaderError } from '../errors.js';
import { CeaseSubcode, ErrorCode, HeaderSubcode, MessageType, OpenSubcode } from '../iana.js';
import type { Family, NotificationMessage, OpenMessage, RouteRefreshMessage } from '../types.js';
import { collisionLoser } from './collision.js';
import type { Connection } from './connection.js';
import { negotiate, validateOpen } from './negotiate.js';
import { SessionCore } from './session-core.js';
import type { Negotiated, SessionApi, State, Transport } from './types.js';
import { encodeEndOfRib, endOfRibFamily } from '../messages/end-of-rib.js';
import { routeRefreshMessage } from './wire.js';
import { countMessage } from './message-counters.js';

export { openSentHoldTime } from './session-core.js';

/**
 * A BGP session with one configured peer. Create it with a `SessionConfig`, `start()` it, hand
 * it the connections the listener accepts from that peer (`accept`), and listen to its typed
 * events (`stateChange`, `established`, `update`, `endOfRib`, `routeRefresh`, `notificationSent`,
 * `notificationReceived`, `drain`). `stop()` leaves no timer or socket behind.
 */
export class Session extends SessionCore implements SessionApi {
  get state(): State {
    return this.primary.state;
  }

  get negotiated(): Negotiated | undefined {
    return this.lastNegotiated;
  }

  /** Our address on the live connection (undefined without one). */
  get localAddress(): string | undefined {
    return this.primary.transport?.localAddress;
  }

  /** Bytes queued on the live connection. */
  get bufferedAmount(): number {
    return this.primary.transport?.bufferedAmount ?? 0;
  }

  get writable(): boolean {
    const c = this.primary;
    return c.state === 'Established' && c.transport !== undefined && !c.transport.closed && !c.needDrain;
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

  /**
   * Contain a fault met while working for this session outside its own callbacks (the speaker's
   * UPDATE flush, a RIB timer): `internalError`, then Cease / Administrative Reset and a restart
   * after IdleHold. Never throws.
   */
  contain(error: unknown): void {
    try {
      this.containFault(this.primary, error);
    } catch {
      // a fault while already containing one: that containment closes the connection
    }
  }

  accept(transport: Transport): void {
    // called from a listener's connection callback: nothing may escape to the socket layer
    this.guarded(this.primary, () => this.acceptTransport(transport));
  }

  private acceptTransport(transport: Transport): void {
    const p = this.primary;
    if (this.stopped || p.state === 'Idle') {
      // RFC 4271 8.2.2 Idle: "refuses all incoming BGP connections"
      transport.destroy();
      return;
    }
    // (a connection that waits in Connect/Active for its DelayOpen timer is taken: this one is a second)
    if ((p.state === 'Connect' || p.state === 'Active') && p.transport === undefined) {
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
    // A connection whose peer has not sent an OPEN has not shown it is the peer: anyone who can
    // connect from its address holds a slot for the 240 s OpenSent hold time. The newest inbound
    // connection replaces the oldest such silent inbound one, so two silent connections cannot
    // lock the real peer out. A real collision (RFC 4271 6.8) is decided once OPENs arrived,
    // and our own outbound connection is never replaced.
    const silent = this.oldestSilentInbound();
    if (silent !== undefined) {
      this.replaceTransport(silent, transport);
      return;
    }
    // 6.8: a collision with an Established session (or a third connection) closes the new one
    this.sendNotificationOn(transport, { code: ErrorCode.cease, subcode: CeaseSubcode.connectionCollisionResolution });
    this.dropTransport(transport);
  }

  private oldestSilentInbound(): Connection | undefined {
    const p = this.primary;
    const s = this.secondary;
    const a = p.silentInbound ? p : undefined;
    const b = s?.silentInbound === true ? s : undefined;
    if (a === undefined || b === undefined) return a ?? b;
    return b.attachedAt < a.attachedAt ? b : a;
  }

  send(msg: Buffer): boolean {
    const c = this.primary;
    const t = c.transport;
    if (c.state !== 'Established' || t === undefined || t.closed) return false;
    countMessage(this.messages.sent, msg[18]);
    // RFC 4271 4.4: sending an UPDATE restarts the KeepaliveTimer
    if (c.isRunning('keepalive') && c.negotiated !== undefined) c.startTimer('keepalive', c.negotiated.keepaliveTime * 1000);
    if (t.write(msg)) return true;
    c.needDrain = true;
    return false;
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
    this.send(encodeEndOfRib(family));
    return true;
  }

  // ------------------------------------------------------------ inbound messages

  protected onData(c: Connection, chunk: Buffer): void {
    let msgs: Iterable<Buffer>;
    const start = performance.now();
    try {
      msgs = c.framer.push(chunk);
      for (const msg of msgs) {
        this.onMessage(c, msg);
        if (c.transport === undefined) return;
      }
      // a peer that keeps the socket full must not hold the event loop (receive-slice.ts)
      const t = c.transport;
      if (receiveWorkDone(start) && t !== undefined) yieldReceive(t, () => c.transport === t);
    } catch (e) {
      // anything else is a bug (ours or a listener's): the data callback's guard contains it
      if (!(e instanceof BgpError)) throw e;
      if (c.transport === undefined) return;
      c.eventError = e;
      this.fire(c, c.eventError.code === ErrorCode.openMessage ? 'BGPOpenMsgErr' : 'BGPHeaderErr');
    }
  }

  protected onMessage(c: Connection, msg: Buffer): void {
    const type = msg[18];
    countMessage(this.messages.received, type);
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

  protected onOpen(c: Connection, msg: Buffer): void {
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

  protected onUpdate(c: Connection, msg: Buffer): void {
    if (c.state !== 'Established') return this.fire(c, 'UpdateMsg');
    // RFC 4271 6.1: an UPDATE is at least 23 bytes
    if (msg.length < 23) throw new MessageHeaderError(HeaderSubcode.badMessageLength, 'UPDATE length', msg.subarray(16, 18));
    const eor = endOfRibFamily(msg);
    if (eor === undefined) {
      try {
        // RFC 7606: only session-reset errors are thrown; the others arrive in parsed.error
        this.curParsed = parseUpdateRaw(msg, c.negotiated!.receiveOptions, this.config.nlriMode);
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

  protected processUpdate(c: Connection): void {
    const msg = this.curMsg;
    if (msg === undefined || c !== this.primary) return;
    if (this.curEor !== undefined) this.emit('endOfRib', this.curEor);
    else if (this.curParsed !== undefined) this.emit('update', msg, this.curParsed);
  }

  protected onNotification(c: Connection, msg: Buffer): void {
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

  protected onRouteRefresh(c: Connection, msg: Buffer): void {
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
