/**
 * A pool of fixed-size packet slots with headroom, carved out of one allocation.
 *
 * ```
 * memory: | slot 0                        | slot 1                        | ...
 * slot:   | headroom (>= 70) | frame ...                                  |
 * ```
 * A frame taken from the pool has room in front of it for the full outer headers, so full-mode
 * encapsulation writes the headers in place. Slots are recycled through a stack of free indices
 * (an Int32Array): acquire and release allocate nothing.
 */
import { fullOverhead6 } from './vxlan.js';

/** Options of a pool. */
export interface BufferPoolOptions {
  /** Number of slots (default 1024). */
  readonly slots?: number;
  /** Bytes in front of each frame (default 80: full IPv6 overhead plus an outer VLAN tag, rounded). */
  readonly headroom?: number;
  /** Largest frame a slot holds (default 9216: jumbo). */
  readonly frameSize?: number;
}

export class BufferPool {
  readonly slots: number;
  readonly headroom: number;
  readonly frameSize: number;
  readonly slotSize: number;
  /** The single backing Buffer; slot i starts at `i * slotSize`. */
  readonly memory: Buffer;
  private readonly stack: Int32Array;
  private top: number;

  constructor(options: BufferPoolOptions = {}) {
    this.slots = options.slots ?? 1024;
    this.headroom = options.headroom ?? 80;
    this.frameSize = options.frameSize ?? 9216;
    if (this.headroom < fullOverhead6) throw new RangeError(`headroom must be at least ${fullOverhead6}`);
    // 64-byte aligned slots
    this.slotSize = (this.headroom + this.frameSize + 63) & ~63;
    this.memory = Buffer.alloc(this.slots * this.slotSize);
    this.stack = new Int32Array(this.slots);
    for (let i = 0; i < this.slots; i++) this.stack[i] = this.slots - 1 - i;
    this.top = this.slots;
  }

  /** Free slots left. */
  get available(): number {
    return this.top;
  }

  /** Takes a slot; returns its index, or -1 when the pool is empty. */
  acquire(): number {
    if (this.top === 0) return -1;
    return this.stack[--this.top]!;
  }

  /** Gives a slot back. Releasing a slot twice is a bug in the caller and throws. */
  release(slot: number): void {
    if (slot < 0 || slot >= this.slots || this.top === this.slots) throw new RangeError(`bad slot release: ${slot}`);
    this.stack[this.top++] = slot;
  }

  /** Offset in `memory` where slot `slot`'s frame starts (after its headroom). */
  frameOffset(slot: number): number {
    return slot * this.slotSize + this.headroom;
  }

  /**
   * A frame view of `length` bytes in a fresh slot (the convenient API form; the view object is
   * the only allocation). Give it back with `free(frame)`. Returns undefined when empty.
   */
  alloc(length: number): Buffer | undefined {
    if (length > this.frameSize) throw new RangeError(`frame of ${length} bytes exceeds the slot size ${this.frameSize}`);
    const slot = this.acquire();
    if (slot < 0) return undefined;
    const off = this.frameOffset(slot);
    return this.memory.subarray(off, off + length);
  }

  /** Gives back the slot of a frame from `alloc`. */
  free(frame: Buffer): void {
    const slot = this.slotOf(frame);
    if (slot < 0) throw new RangeError('frame is not from this pool');
    this.release(slot);
  }

  /** The slot that holds `buf`, or -1 when it is not a view into this pool. */
  slotOf(buf: Buffer): number {
    if (buf.buffer !== this.memory.buffer) return -1;
    const rel = buf.byteOffset - this.memory.byteOffset;
    if (rel < 0 || rel >= this.memory.length) return -1;
    return Math.floor(rel / this.slotSize);
  }

  /**
   * For a view into this pool: its offset in `memory` and how many bytes of its slot lie in
   * front of it (usable headroom). Returns -1 headroom for foreign buffers.
   */
  headroomOf(buf: Buffer): number {
    const slot = this.slotOf(buf);
    if (slot < 0) return -1;
    return buf.byteOffset - this.memory.byteOffset - slot * this.slotSize;
  }
}
