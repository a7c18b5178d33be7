/**
 * A shared time slice for receiving. libuv reads up to 32 chunks of a busy socket in one poll
 * callback, so a peer that keeps the socket full of large UPDATEs (each ~1 ms to parse and learn)
 * would hold the event loop for tens of milliseconds at a time — and with it every other
 * session's KEEPALIVEs and hold timers. Sessions mark the work they do on received bytes; once
 * the work done since the event loop last reached its check phase exceeds `receiveSliceMs`, the
 * session whose chunk pushed it over pauses its transport until that check phase (one
 * `setImmediate`): timers and the other sessions' reads get their turn, and no byte is lost (the
 * kernel and the stream buffer keep them; TCP flow control slows the peer down).
 */

/** Milliseconds of receive work after which a session yields the event loop. */
export const receiveSliceMs = 10;

let sliceStart = -1;

function endSlice(): void {
  sliceStart = -1;
}

/** Call before working on a received chunk: starts the slice if none is running. */
export function startReceiveWork(): void {
  if (sliceStart >= 0) return;
  sliceStart = performance.now();
  setImmediate(endSlice);
}

/** Whether this turn's receive work has used up the slice (the caller should yield). */
export function receiveSliceUsed(): boolean {
  return sliceStart >= 0 && performance.now() - sliceStart > receiveSliceMs;
}

/** Pause `t` until the event loop's next check phase. */
export function yieldReceive(t: { pause(): void; resume(): void }, stillCurrent: () => boolean): void {
  t.pause();
  setImmediate(() => {
    if (stillCurrent()) t.resume();
  });
}
