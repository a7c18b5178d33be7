/**
 * A shared time slice for receiving. libuv reads up to 32 chunks of a busy socket in one poll
 * callback, so a peer that keeps the socket full of large UPDATEs (each ~1 ms to parse and learn)
 * would hold the event loop for tens of milliseconds at a time — and with it every other
 * session's KEEPALIVEs and hold timers. Sessions add up the time they spend on received chunks;
 * once that time, since the event loop last reached its check phase, exceeds `receiveSliceMs`,
 * the session whose chunk pushed it over pauses its transport until that check phase (one
 * `setImmediate`): timers and the other sessions' reads get their turn, and no byte is lost (the
 * stream buffer and the kernel keep them; TCP flow control slows the peer down).
 */

/** Milliseconds of receive work after which a session yields the event loop. */
export const receiveSliceMs = 10;

let spent = 0;
let resetScheduled = false;

function resetSlice(): void {
  spent = 0;
  resetScheduled = false;
}

/** Add the receive work that began at `start` (`performance.now()`); true when the slice is used up. */
export function receiveWorkDone(start: number): boolean {
  spent += performance.now() - start;
  if (!resetScheduled) {
    resetScheduled = true;
    setImmediate(resetSlice);
  }
  return spent > receiveSliceMs;
}

/** What a session pauses to yield. */
interface Pausable {
  pause(): void;
  resume(): void;
  isPaused?(): boolean;
}

/**
 * Pause `t` until the event loop's next check phase, then resume it if `stillCurrent()` (the
 * connection still uses it). A transport someone else paused is left alone.
 */
export function yieldReceive(t: Pausable, stillCurrent: () => boolean): void {
  if (t.isPaused?.() === true) return;
  t.pause();
  setImmediate(() => {
    if (stillCurrent()) t.resume();
  });
}
