/** The peers whose Adj-RIB-Out has work, flushed together on the next turn of the event loop. */
import type { Peer } from './rib/peer.js';

export class FlushQueue {
  private readonly dirty = new Set<Peer>();
  private scheduled: ReturnType<typeof setImmediate> | undefined;

  /** Mark a peer as having output to send (nothing is scheduled until `schedule`). */
  add(peer: Peer): void {
    this.dirty.add(peer);
  }

  delete(peer: Peer): void {
    this.dirty.delete(peer);
  }

  get size(): number {
    return this.dirty.size;
  }

  /** Flush every marked peer on the next turn (once, however often called before it). */
  schedule(): void {
    if (this.scheduled !== undefined) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      const peers = [...this.dirty];
      this.dirty.clear();
      // a fault while writing to one peer resets that peer's session only (STYLE: nothing thrown
      // in a setImmediate may reach the process)
      for (const p of peers) {
        try {
          p.flush();
        } catch (e) {
          p.contain(e);
        }
      }
    });
  }

  /** Forget every marked peer and cancel a scheduled flush. */
  clear(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.dirty.clear();
  }
}
