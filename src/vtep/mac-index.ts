/**
 * The MAC -> slot index of one VNI's `MacSlots`: open addressing over 4-byte cells in one
 * Int32Array, Robin Hood ordered. A cell packs
 *
 *     bits 31..28  distance from the home cell (15 = "15 or more": recomputed from the MAC)
 *     bits 27..24  four more bits of the MAC's hash (a tag: most non-matching cells are
 *                  passed without reading the MAC)
 *     bits 23..0   slot + 1 (0 = empty cell), so a VNI holds at most 16,777,215 MACs
 *
 * The MAC itself is not stored here: the slot's `macs` column holds it and confirms a tag match.
 *
 * Why this shape: a lookup of a MAC is a random access, and on a table of a million MACs that
 * access, not the arithmetic around it, is the cost of an install or a withdraw (a cache miss
 * and, with 4 KiB pages, a TLB miss; in a virtual machine a TLB miss walks two page tables). So
 * the cells are small: a million MACs take 8 MiB at most half full (16 MiB with 8-byte cells
 * holding the full hash). Fuller tables were tried: 80% full (5 MiB) was no faster in the
 * bench and 20% slower per operation in cache, as Robin Hood inserts and deletes shift longer
 * runs.
 *
 * Robin Hood ordering (each run of cells sorted by home; an insert takes the place of the first
 * entry closer to its home than the new one is to its own) is what makes the stored distance
 * enough: a delete shifts the following entries back only until an empty cell or an entry at
 * its home, without reading their MACs, and a lookup of an absent MAC stops where it would have
 * been. The home of a hash h in a table of `cap` cells is floor(h * cap / 2^32) (any capacity,
 * and cells stay in hash order).
 */
import { hash53 } from '../net/hash.js';

/** Spread a 48-bit MAC over 32 bits (signed int32). */
export const macHash: (mac: number) => number = hash53;

/** Slots are stored + 1 in 24 bits. */
export const maxMacSlots = 0xffffff;

const slotBits = 0xffffff;
/** Entries per cell at most (a doubling comes first). */
const maxLoad = 0.5;
const twoToMinus32 = 2.3283064365386963e-10;
const distUnit = 0x10000000; // 1 << 28, as a positive number
const distSaturated = 15;

export class MacIndex {
  /** The MAC of each slot (the owner's column; replaced when the owner grows it). */
  macs: Float64Array;
  private cells: Int32Array;
  /** Number of cells. */
  private cap: number;
  /** `cap / 2^32`: the home of hash h is `(h >>> 0) * scale` truncated. */
  private scale: number;
  /** Entries allowed before the table doubles. */
  private limit: number;
  private count = 0;
  /** The cell the last successful lookup ended at: `deleteSlot` tries it first. */
  private hint = 0;

  constructor(macs: Float64Array, initialCapacity = 16) {
    this.macs = macs;
    this.cells = new Int32Array(0);
    this.cap = 0;
    this.scale = 0;
    this.limit = 0;
    this.resize(cellsFor(initialCapacity));
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (for benchmarks and stats). */
  get byteLength(): number {
    return this.cells.byteLength;
  }

  private home(h: number): number {
    return ((h >>> 0) * this.scale) | 0;
  }

  /** The distance of the entry `v` in cell `i` from its home (exact, also when saturated). */
  private distance(v: number, i: number): number {
    const d = v >>> 28;
    if (d < distSaturated) return d;
    const back = i - this.home(macHash(this.macs[(v & slotBits) - 1]!));
    return back < 0 ? back + this.cap : back;
  }

  /** Whether the occupied cell `v` is `mac`'s: its tag matches, then the slot's MAC confirms. */
  private holds(v: number, tag: number, mac: number): boolean {
    return ((v >>> 24) & 0xf) === tag && this.macs[(v & slotBits) - 1] === mac;
  }

  /** The cell index of `mac`, or -1. */
  private find(mac: number): number {
    const cells = this.cells;
    const cap = this.cap;
    const h = macHash(mac);
    const tag = h & 0xf;
    let i = this.home(h);
    for (let d = 0; ; d++) {
      const v = cells[i]!;
      if (v === 0) return -1;
      if (this.holds(v, tag, mac)) return (this.hint = i);
      // Robin Hood: an entry closer to its home than we are to ours ends the search
      if (v >>> 28 < d && v >>> 28 < distSaturated) return -1;
      if (++i === cap) i = 0;
    }
  }

  /** The slot of `mac`, or -1. */
  get(mac: number): number {
    const c = this.find(mac);
    return c < 0 ? -1 : (this.cells[c]! & slotBits) - 1;
  }

  /**
   * Insert `mac -> slot` unless present (one probe); returns the existing slot, or -1 when
   * inserted. The caller writes `macs[slot] = mac` (before any later lookup).
   */
  insertIfAbsent(mac: number, slot: number): number {
    if (slot >= maxMacSlots) throw new RangeError(`a VNI holds at most ${maxMacSlots} MACs`);
    if (this.count >= this.limit) this.resize(this.cap * 2);
    const cells = this.cells;
    const cap = this.cap;
    const h = macHash(mac);
    const tag = h & 0xf;
    let i = this.home(h);
    for (let d = 0; ; d++) {
      const v = cells[i]!;
      if (v === 0) {
        cells[i] = cell(d, tag, slot);
        this.count++;
        return -1;
      }
      if (this.holds(v, tag, mac)) return (v & slotBits) - 1;
      if (this.distance(v, i) < d) {
        // entries from here on sit closer to their homes: `mac` is not among them
        this.insertFrom(i, d, (tag << 24) | (slot + 1));
        this.count++;
        return -1;
      }
      if (++i === cap) i = 0;
    }
  }

  /**
   * Place an entry (`body`: tag and slot, no distance) known to be absent, probing from cell `i`
   * at distance `d` from its home: it takes the first cell that is empty or holds an entry
   * closer to its own home, and that entry moves on the same way.
   */
  private insertFrom(i: number, d: number, body: number): void {
    const cells = this.cells;
    const cap = this.cap;
    for (;;) {
      const v = cells[i]!;
      if (v === 0) {
        cells[i] = withDistance(body, d);
        return;
      }
      const vd = this.distance(v, i);
      if (vd < d) {
        cells[i] = withDistance(body, d);
        body = v & 0x0fffffff;
        d = vd;
      }
      if (++i === cap) i = 0;
      d++;
    }
  }

  /** Remove `mac`; returns whether it was there. */
  delete(mac: number): boolean {
    const c = this.find(mac);
    if (c < 0) return false;
    this.removeAt(c);
    return true;
  }

  /**
   * Remove `mac`, known to be at `slot`. The cell of the last lookup is tried first (every slot
   * is in exactly one cell, so a cell holding `slot` is the one): a lookup followed by a
   * delete, which is how a withdraw goes, probes once.
   */
  deleteSlot(mac: number, slot: number): boolean {
    const h = this.hint;
    const c = h < this.cap && (this.cells[h]! & slotBits) === slot + 1 ? h : this.find(mac);
    if (c < 0) return false;
    this.removeAt(c);
    return true;
  }

  /** Backward shift: pull the following entries back one cell until an empty cell or an entry at its home. */
  private removeAt(i: number): void {
    const cells = this.cells;
    const cap = this.cap;
    for (;;) {
      const j = i + 1 === cap ? 0 : i + 1;
      const v = cells[j]!;
      if (v === 0 || v >>> 28 === 0) break;
      cells[i] = withDistance(v & 0x0fffffff, this.distance(v, j) - 1);
      i = j;
    }
    cells[i] = 0;
    this.count--;
  }

  /** Calls `fn(mac, slot)` for every entry (no allocation per entry). */
  forEach(fn: (mac: number, slot: number) => void): void {
    const cells = this.cells;
    for (let c = 0; c < cells.length; c++) {
      const v = cells[c]!;
      if (v !== 0) fn(this.macs[(v & slotBits) - 1]!, (v & slotBits) - 1);
    }
  }

  /** Make room for `entries` MACs without a later doubling. */
  reserve(entries: number): void {
    const cells = cellsFor(entries);
    if (cells > this.cap) this.resize(cells);
  }

  /**
   * Move to a table of `cap` cells. The cells keep no hash, so each entry's home comes from its
   * MAC again (reads of the `macs` column that do not depend on each other, so they overlap);
   * the old runs are in hash order, so the new table fills front to back.
   */
  private resize(cap: number): void {
    const old = this.cells;
    this.cells = new Int32Array(cap);
    this.cap = cap;
    this.scale = cap * twoToMinus32;
    this.limit = Math.floor(cap * maxLoad);
    const macs = this.macs;
    let start = 0;
    while (start < old.length && old[start] !== 0) start++;
    for (let n = 0; n < old.length; n++) {
      let c = start + n;
      if (c >= old.length) c -= old.length;
      const v = old[c]!;
      if (v !== 0) this.insertFrom(this.home(macHash(macs[(v & slotBits) - 1]!)), 0, v & 0x0fffffff);
    }
  }
}

/** Cells for `entries` at most `maxLoad` full (at least 16). */
function cellsFor(entries: number): number {
  return Math.max(16, Math.ceil(entries / maxLoad) + 1);
}

/** A cell: distance (saturated at 15), 4 tag bits, slot + 1. */
function cell(d: number, tag: number, slot: number): number {
  return withDistance((tag << 24) | (slot + 1), d);
}

function withDistance(body: number, d: number): number {
  return body | ((d < distSaturated ? d : distSaturated) * distUnit);
}
