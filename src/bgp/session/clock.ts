/**
 * Injected time (DESIGN 2: the core never touches the wall clock). `realClock` wraps the
 * platform timers; `VirtualClock` fires timers only when a test advances it, in due order.
 */
import type { Clock, TimerHandle } from './types.js';

export type { Clock, TimerHandle } from './types.js';

/**
 * Platform timers; `now()` is monotonic (performance.now). Timers keep the process alive like
 * any Node timer (a session waiting out its IdleHold must not let the process exit); `stop()`
 * on a session clears all of its timers.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    return setTimeout(fn, ms) as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as ReturnType<typeof setTimeout>);
  },
};

interface VirtualTimer extends TimerHandle {
  due: number;
  seq: number;
  fn: (() => void) | undefined;
}

/**
 * A deterministic clock for tests. `advance(ms)` moves time forward and fires every timer that
 * falls due, earliest first (ties in the order they were set), each with `now()` at its due time.
 * Timers set while advancing fire in the same call when they fall due before its end.
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  /** Kept sorted by (due, seq); timer counts in tests are small. */
  private timers: VirtualTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: VirtualTimer = { due: this.time + Math.max(0, ms), seq: this.seq++, fn };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.due > t.due) i--;
    this.timers.splice(i, 0, t);
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    const t = handle as VirtualTimer;
    const i = this.timers.indexOf(t);
    if (i >= 0) this.timers.splice(i, 1);
    t.fn = undefined;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.length;
  }

  /** Due time of the next timer, or undefined. */
  get nextDue(): number | undefined {
    return this.timers[0]?.due;
  }

  /** Move time forward by `ms`, firing due timers in order. Returns how many fired. */
  advance(ms: number): number {
    return this.advanceTo(this.time + ms);
  }

  /** Move time forward to `target`, firing due timers in order. Returns how many fired. */
  advanceTo(target: number): number {
    let fired = 0;
    // bounded: a timer that re-arms itself with 0 ms would otherwise spin forever
    for (let guard = 0; guard < 1_000_000; guard++) {
      const t = this.timers[0];
      if (t === undefined || t.due > target) break;
      this.timers.shift();
      this.time = Math.max(this.time, t.due);
      const fn = t.fn;
      t.fn = undefined;
      if (fn !== undefined) {
        fired++;
        fn();
      }
    }
    if (target > this.time) this.time = target;
    return fired;
  }
}
