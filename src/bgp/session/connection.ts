/**
 * One TCP connection's worth of BGP state: its own FSM state (RFC 4271 8: "one FSM per
 * connection" while a collision is pending), its timers, framer and the peer's OPEN.
 * Timers are deadline-based: restarting the hold or keepalive timer on every message only moves
 * a number; the platform timer is re-armed lazily when it fires early.
 */
import { Framer } from '../framer.js';
import type { FsmEvent, Timer } from '../fsm/actions.js';
import type { BgpError } from '../errors.js';
import type { OpenMessage } from '../types.js';
import type { Direction } from './collision.js';
import type { Clock, Negotiated, State, TimerHandle, Transport } from './types.js';

interface TimerSlot {
  deadline: number;
  handle: TimerHandle | undefined;
  /** When the armed platform timer fires. */
  armedFor: number;
}

export class Connection {
  state: State = 'Idle';
  transport: Transport | undefined;
  direction: Direction;
  framer = new Framer();
  /** Counts events fed to this connection's machine; lets a transition notice a nested one. */
  events = 0;
  /** A pending outbound connect. */
  connecting: AbortController | undefined;
  peerOpen: OpenMessage | undefined;
  negotiated: Negotiated | undefined;
  /** The last write was refused (buffer full) and no `drain` came since. */
  needDrain = false;
  /** When the current transport was attached (clock ms): of two silent inbound connections the older is replaced first. */
  attachedAt = 0;
  /** The error that came with the event being processed (header, OPEN, UPDATE errors; AutomaticStop). */
  eventError: BgpError | undefined;
  private readonly timers = new Map<Timer, TimerSlot>();

  constructor(
    readonly id: number,
    direction: Direction,
    private readonly clock: Clock,
    private readonly onTimer: (conn: Connection, event: FsmEvent) => void,
  ) {
    this.direction = direction;
  }

  /**
   * An inbound connection whose peer has not sent its OPEN yet (OpenSent, or Active while our
   * DelayOpen timer runs). It proves nothing about the peer: a later inbound connection may take
   * its place (see `Session.accept`).
   */
  get silentInbound(): boolean {
    return this.direction === 'inbound' && this.transport !== undefined && this.peerOpen === undefined && (this.state === 'OpenSent' || this.state === 'Active');
  }

  isRunning(timer: Timer): boolean {
    return this.timers.has(timer);
  }

  /** Start or restart a timer to fire `ms` from now. */
  startTimer(timer: Timer, ms: number): void {
    const deadline = this.clock.now() + ms;
    let slot = this.timers.get(timer);
    if (slot === undefined) {
      slot = { deadline, handle: undefined, armedFor: 0 };
      this.timers.set(timer, slot);
    }
    slot.deadline = deadline;
    // an armed timer that fires no later than the new deadline just re-arms itself then
    if (slot.handle !== undefined && slot.armedFor <= deadline) return;
    if (slot.handle !== undefined) this.clock.clearTimeout(slot.handle);
    this.arm(timer, slot, ms);
  }

  stopTimer(timer: Timer): void {
    const slot = this.timers.get(timer);
    if (slot === undefined) return;
    if (slot.handle !== undefined) this.clock.clearTimeout(slot.handle);
    this.timers.delete(timer);
  }

  stopAllTimers(): void {
    for (const t of [...this.timers.keys()]) this.stopTimer(t);
  }

  private arm(timer: Timer, slot: TimerSlot, ms: number): void {
    slot.armedFor = this.clock.now() + ms;
    slot.handle = this.clock.setTimeout(() => {
      slot.handle = undefined;
      if (this.timers.get(timer) !== slot) return;
      const left = slot.deadline - this.clock.now();
      if (left > 0) {
        this.arm(timer, slot, left);
        return;
      }
      this.timers.delete(timer);
      this.onTimer(this, timerEvent[timer]);
    }, ms);
  }
}

const timerEvent: Record<Timer, FsmEvent> = {
  connectRetry: 'ConnectRetryTimer_Expires',
  hold: 'HoldTimer_Expires',
  keepalive: 'KeepaliveTimer_Expires',
  delayOpen: 'DelayOpenTimer_Expires',
  idleHold: 'IdleHoldTimer_Expires',
};
