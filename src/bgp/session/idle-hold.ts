/**
 * Peer oscillation damping (RFC 4271 8.1.1, DampPeerOscillations): after a failure the session
 * waits in Idle for the IdleHold time before it starts again; the wait doubles with each
 * consecutive failure up to a cap, and resets once a session stays Established long enough.
 */
import type { Clock, SessionConfig, TimerHandle } from './types.js';

export class IdleHold {
  /** Consecutive failures since the last stable Established period. */
  failures = 0;
  private timer: TimerHandle | undefined;
  private stableTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly config: SessionConfig,
  ) {}

  /** The wait before the next restart, in ms. */
  get nextMs(): number {
    const base = (this.config.idleHoldTime ?? 1) * 1000;
    const cap = (this.config.idleHoldMaxTime ?? 120) * 1000;
    return (this.config.dampPeerOscillations ?? true) ? Math.min(cap, base * 2 ** Math.min(this.failures, 30)) : base;
  }

  /** Count a failure and call `restart` after the IdleHold time. */
  schedule(restart: () => void): void {
    this.clear();
    const ms = this.nextMs;
    this.failures++;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      restart();
    }, ms);
  }

  /** A restart is waiting. */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Established: once it lasts `idleHoldResetTime`, the back-off starts over. */
  established(): void {
    this.clearStable();
    this.stableTimer = this.clock.setTimeout(() => {
      this.stableTimer = undefined;
      this.failures = 0;
    }, (this.config.idleHoldResetTime ?? 60) * 1000);
  }

  clearStable(): void {
    if (this.stableTimer !== undefined) this.clock.clearTimeout(this.stableTimer);
    this.stableTimer = undefined;
  }

  /** Timers held (for leak checks). */
  get timers(): number {
    return (this.timer === undefined ? 0 : 1) + (this.stableTimer === undefined ? 0 : 1);
  }

  /** Clear everything, including the failure count. */
  reset(): void {
    this.clear();
    this.clearStable();
    this.failures = 0;
  }
}
