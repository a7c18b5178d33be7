/**
 * The MAC -> slot index of one VNI's `MacSlots`: open addressing over 8-byte cells
 * `[hash, slot + 1]` in one Int32Array. The MAC itself is not stored here: the slot's `macs`
 * column holds it, and a cell whose 32-bit hash matches is confirmed there. Half the bytes of
 * a cell that carries the 48-bit key, so a million MACs cost 16 MiB of index, not 32; and a
 * doubling moves cells by their stored hash without touching the keys.
 *
 * Linear probing from the top bits of the hash (cells stay in hash-prefix order, so a doubling
 * reads and writes front to back) with backward-shift deletion (no tombstones).
 */
import { hash53, shiftFor } from './hash.js';

/** Spread a 48-bit MAC over 32 bits (signed int32). */
export const macHash: (mac: number) => number = hash53;

export class MacIndex {
  /** The MAC of each slot (the owner's column; replaced when the owner grows it). */
  macs: Float64Array;
  private cells: Int32Array;
  private mask: number;
  /** 32 - log2(capacity): the home cell of a hash is `hash >>> shift`. */
  private shift: number;
  private count = 0;

  constructor(macs: Float64Array, initialCapacity = 16) {
    this.macs = macs;
    const shift = shiftFor(initialCapacity);
    const cap = 2 ** (32 - shift);
    this.cells = new Int32Array(cap * 2);
    this.mask = cap - 1;
    this.shift = shift;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (for benchmarks and stats). */
  get byteLength(): number {
    return this.cells.byteLength;
  }

  /** The cell index (times 2) of `mac`, or -1. */
  private find(mac: number): number {
    const cells = this.cells;
    const mask = this.mask;
    const h = macHash(mac);
    let i = h >>> this.shift;
    for (;;) {
      const c = i * 2;
      const v = cells[c + 1]!;
      if (v === 0) return -1;
      if (cells[c] === h && this.macs[v - 1] === mac) return c;
      i = (i + 1) & mask;
    }
  }

  /** The slot of `mac`, or -1. */
  get(mac: number): number {
    const c = this.find(mac);
    return c < 0 ? -1 : this.cells[c + 1]! - 1;
  }

  has(mac: number): boolean {
    return this.find(mac) >= 0;
  }

  /**
   * Insert `mac -> slot` unless present (one probe); returns the existing slot, or -1 when
   * inserted. The caller writes `macs[slot] = mac` (before any later lookup).
   */
  insertIfAbsent(mac: number, slot: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const cells = this.cells;
    const mask = this.mask;
    const h = macHash(mac);
    let i = h >>> this.shift;
    for (;;) {
      const c = i * 2;
      const v = cells[c + 1]!;
      if (v === 0) {
        cells[c] = h;
        cells[c + 1] = slot + 1;
        this.count++;
        return -1;
      }
      if (cells[c] === h && this.macs[v - 1] === mac) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** Remove `mac`; returns whether it was there. */
  delete(mac: number): boolean {
    const c = this.find(mac);
    if (c < 0) return false;
    this.removeAt(c >> 1);
    return true;
  }

  /** Backward-shift deletion keeps probe chains intact without tombstones. */
  private removeAt(i: number): void {
    const cells = this.cells;
    const mask = this.mask;
    const shift = this.shift;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (cells[j * 2 + 1] === 0) break;
      const home = cells[j * 2]! >>> shift;
      // move j back to i unless its home lies cyclically in (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        cells[i * 2] = cells[j * 2]!;
        cells[i * 2 + 1] = cells[j * 2 + 1]!;
        i = j;
      }
    }
    cells[i * 2 + 1] = 0;
    this.count--;
  }

  /** Calls `fn(mac, slot)` for every entry (no allocation per entry). */
  forEach(fn: (mac: number, slot: number) => void): void {
    const cells = this.cells;
    for (let c = 0; c < cells.length; c += 2) {
      const v = cells[c + 1]!;
      if (v !== 0) fn(this.macs[v - 1]!, v - 1);
    }
  }

  /** Make room for `entries` MACs without a later doubling. */
  reserve(entries: number): void {
    while (entries * 2 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const old = this.cells;
    const cap = old.length; // cells double: old.length / 2 * 2
    const cells = new Int32Array(cap * 2);
    const mask = cap - 1;
    const shift = this.shift - 1;
    // old cells are in hash-prefix order, so these writes go front to back
    for (let c = 0; c < old.length; c += 2) {
      const v = old[c + 1]!;
      if (v === 0) continue;
      const h = old[c]!;
      let i = h >>> shift;
      while (cells[i * 2 + 1] !== 0) i = (i + 1) & mask;
      cells[i * 2] = h;
      cells[i * 2 + 1] = v;
    }
    this.cells = cells;
    this.mask = mask;
    this.shift = shift;
  }
}
