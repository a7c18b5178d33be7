/**
 * The IPv4 -> slot index of one VNI's ARP table: open addressing over 8-byte cells
 * `[address, slot + 1]` in one Int32Array (a million bindings in 16 MiB at most half full; an
 * empty cell is all zero, so fresh memory needs no fill pass).
 *
 * Two things make it cheap on the tables of a real bridge domain, whose addresses sit densely in
 * a few subnets:
 * - Addresses are hashed in groups of four (the address without its two low bits), and the two
 *   low bits pick the cell in the group: four neighbouring addresses share one 32-byte run of
 *   cells, so filling or emptying a subnet costs a cache miss per four addresses, not per
 *   address. Groups still land at random, as a plain hash would put them.
 * - Robin Hood ordering: a run of occupied cells is kept sorted by home cell (an insert takes
 *   the place of the first entry that sits closer to its own home and pushes the rest along).
 *   A delete then shifts entries back only until it meets an empty cell or an entry already at
 *   its home, which is at once in the common case, instead of walking to the end of the run.
 *
 * The home cell comes from the top bits of the hash, so runs are in hash-prefix order and a
 * doubling reads the old table and writes the new one front to back.
 */
import { shiftFor } from './hash.js';

/** The first cell of the group of `address` (murmur3 finaliser on `address >>> 2`). */
function groupHome(address: number, shift: number): number {
  const q = address >>> 2;
  let h = Math.imul(q ^ (q >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> (shift + 2)) << 2;
}

/** The home cell of an address: its group's first cell plus its two low bits. */
function home(address: number, shift: number): number {
  return groupHome(address, shift) | (address & 3);
}

export class Ip4Index {
  private cells: Int32Array;
  private mask: number;
  /** 32 - log2(capacity): see `groupHome`. */
  private shift: number;
  private count = 0;

  constructor(initialCapacity = 16) {
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

  /** The cell index (times 2) of `address`, or -1. */
  private find(address: number): number {
    const cells = this.cells;
    const mask = this.mask;
    const key = address | 0;
    let i = home(address, this.shift);
    for (;;) {
      const c = i * 2;
      if (cells[c + 1] === 0) return -1;
      if (cells[c] === key) return c;
      i = (i + 1) & mask;
    }
  }

  /** The slot of `address` (an unsigned 32-bit number), or -1. */
  get(address: number): number {
    const c = this.find(address);
    return c < 0 ? -1 : this.cells[c + 1]! - 1;
  }

  has(address: number): boolean {
    return this.find(address) >= 0;
  }

  /** Bind `address` to `slot` (insert or overwrite); returns the previous slot, or -1. */
  set(address: number, slot: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const cells = this.cells;
    const mask = this.mask;
    const shift = this.shift;
    const key = address | 0;
    let i = home(address, shift);
    let dist = 0;
    for (;;) {
      const c = i * 2;
      const v = cells[c + 1]!;
      if (v === 0) {
        cells[c] = key;
        cells[c + 1] = slot + 1;
        this.count++;
        return -1;
      }
      const other = cells[c]!;
      if (other === key) {
        cells[c + 1] = slot + 1;
        return v - 1;
      }
      // Robin Hood: an entry closer to its home than we are to ours gives up its cell. Entries
      // from here on are ordered after ours, so `address` is not among them: insert.
      if (((i - home(other, shift)) & mask) < dist) {
        this.insertFrom(i, dist, key, slot + 1);
        this.count++;
        return -1;
      }
      i = (i + 1) & mask;
      dist++;
    }
  }

  /**
   * Place a cell value for a key known to be absent, probing from cell `i` at distance `dist`
   * from its home: it takes the first cell that is empty or whose entry sits closer to its own
   * home, and that entry moves on the same way (Robin Hood).
   */
  private insertFrom(i: number, dist: number, key: number, value: number): void {
    const cells = this.cells;
    const mask = this.mask;
    const shift = this.shift;
    for (;;) {
      const c = i * 2;
      const v = cells[c + 1]!;
      if (v === 0) {
        cells[c] = key;
        cells[c + 1] = value;
        return;
      }
      const other = cells[c]!;
      const d = (i - home(other, shift)) & mask;
      if (d < dist) {
        cells[c] = key;
        cells[c + 1] = value;
        key = other;
        value = v;
        dist = d;
      }
      i = (i + 1) & mask;
      dist++;
    }
  }

  /** Remove `address`; returns whether it was there. */
  delete(address: number): boolean {
    const c = this.find(address);
    if (c < 0) return false;
    this.removeAt(c >> 1);
    return true;
  }

  /** Remove `address` only if it is bound to `slot`; one probe. */
  deleteIf(address: number, slot: number): boolean {
    const c = this.find(address);
    if (c < 0 || this.cells[c + 1] !== slot + 1) return false;
    this.removeAt(c >> 1);
    return true;
  }

  /** Backward shift: pull the following entries back by one until an empty cell or an entry at its home. */
  private removeAt(i: number): void {
    const cells = this.cells;
    const mask = this.mask;
    const shift = this.shift;
    for (;;) {
      const j = (i + 1) & mask;
      const v = cells[j * 2 + 1]!;
      if (v === 0) break;
      const key = cells[j * 2]!;
      if (home(key, shift) === j) break;
      cells[i * 2] = key;
      cells[i * 2 + 1] = v;
      i = j;
    }
    cells[i * 2 + 1] = 0;
    this.count--;
  }

  /** Calls `fn(address, slot)` for every entry (no allocation per entry). */
  forEach(fn: (address: number, slot: number) => void): void {
    const cells = this.cells;
    for (let c = 0; c < cells.length; c += 2) {
      const v = cells[c + 1]!;
      if (v !== 0) fn(cells[c]! >>> 0, v - 1);
    }
  }

  /** Make room for `entries` addresses without a later doubling. */
  reserve(entries: number): void {
    while (entries * 2 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const old = this.cells;
    const cap = old.length; // cells double: old.length / 2 * 2
    this.cells = new Int32Array(cap * 2);
    this.mask = cap - 1;
    this.shift--;
    // Old runs are in home order, and a home 4g + k becomes 8g + k or 8g + 4 + k: re-inserting
    // in old order writes front to back, displacing only where two groups of one old home split.
    // Start at an empty cell, so that a run wrapping past the end is taken whole.
    const shift = this.shift;
    let start = 0;
    while (start < cap && old[start + 1] !== 0) start += 2;
    for (let n = 0; n < cap; n += 2) {
      const c = (start + n) % cap;
      const v = old[c + 1]!;
      if (v !== 0) this.insertFrom(home(old[c]!, shift), 0, old[c]!, v);
    }
  }
}
