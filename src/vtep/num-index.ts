/**
 * An open-addressing hash index from a non-negative integer key (up to 2^53, so a 48-bit MAC or a
 * 32-bit IPv4 address fits) to two int32 values. Keys and values live in typed arrays: no object,
 * no boxed number per entry, which is what lets the VTEP tables hold a million MACs in a few tens
 * of bytes each. Linear probing with backward-shift deletion (no tombstones), so lookups stay
 * short after any number of deletes.
 *
 * The home cell of a key is taken from the TOP bits of its hash, so cells are ordered by hash
 * prefix: doubling the table sends cell i to 2i or 2i+1, and a rehash reads the old table and
 * writes the new one front to back (sequential memory, page faults in order) instead of
 * scattering a million writes over tens of megabytes.
 */

import { hash53, shiftFor } from './hash.js';

const auxUnit = 67108864; // 2^26: values and aux are packed as 1 + value + aux * 2^26

/**
 * The home cell of a key in a table of 2^(32 - shift) cells. Keys are hashed in groups of four
 * (murmur3 finaliser on hi ^ lo of key / 4) and the two low bits of the key pick the cell in
 * the group: four neighbouring keys (addresses of one subnet, the common case) share one
 * 64-byte line of cells, so filling or emptying a dense range costs a cache miss per four keys
 * instead of one per key. Groups still land at random, as a plain hash would put them.
 */
function home(key: number, shift: number): number {
  const low = key & 3;
  return groupHome((key - low) / 4, shift) | low;
}

/** The first cell of group `q` (a key divided by four). */
function groupHome(q: number, shift: number): number {
  return (hash53(q) >>> (shift + 2)) << 2;
}

/** The value part of a packed cell (no `%`: a float modulo is a library call in V8). */
function valueOf(packed: number): number {
  const x = packed - 1;
  return x < auxUnit ? x : x - Math.floor(x / auxUnit) * auxUnit;
}

/**
 * Cells are two doubles, `[key, 1 + value + aux * 2^26]`, in one Float64Array: a probe touches
 * one cache line, and zeroed memory is already "empty" (no fill pass when growing).
 * Values and aux are integers in `[0, 2^26)`.
 */
export class NumIndex {
  private cells: Float64Array;
  private mask: number;
  /** 32 - log2(capacity): see `home`. */
  private shift: number;
  private count = 0;

  constructor(initialCapacity = 16) {
    const shift = shiftFor(initialCapacity);
    const cap = 2 ** (32 - shift);
    this.cells = new Float64Array(cap * 2);
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

  /** The cell index (times 2) of `key`, or -1. */
  private find(key: number): number {
    const cells = this.cells;
    const mask = this.mask;
    let i = home(key, this.shift);
    for (;;) {
      const c = i * 2;
      if (cells[c + 1] === 0) return -1;
      if (cells[c] === key) return c;
      i = (i + 1) & mask;
    }
  }

  /** The value for `key`, or -1. */
  get(key: number): number {
    const c = this.find(key);
    return c < 0 ? -1 : valueOf(this.cells[c + 1]!);
  }

  /** The aux value for `key` (0 when absent; check `get` first). */
  getAux(key: number): number {
    const c = this.find(key);
    return c < 0 ? 0 : Math.floor((this.cells[c + 1]! - 1) / auxUnit);
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  /** Insert or overwrite (one probe); returns the previous value or -1. */
  set(key: number, value: number, auxValue = 0): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const cells = this.cells;
    const mask = this.mask;
    const packed = 1 + value + auxValue * auxUnit;
    let i = home(key, this.shift);
    for (;;) {
      const c = i * 2;
      const v = cells[c + 1]!;
      if (v === 0) {
        cells[c] = key;
        cells[c + 1] = packed;
        this.count++;
        return -1;
      }
      if (cells[c] === key) {
        cells[c + 1] = packed;
        return valueOf(v);
      }
      i = (i + 1) & mask;
    }
  }

  /** Insert `key -> value` unless present (one probe); returns the existing value, or -1 when inserted. */
  insertIfAbsent(key: number, value: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const cells = this.cells;
    const mask = this.mask;
    let i = home(key, this.shift);
    for (;;) {
      const c = i * 2;
      const v = cells[c + 1]!;
      if (v === 0) {
        cells[c] = key;
        cells[c + 1] = 1 + value;
        this.count++;
        return -1;
      }
      if (cells[c] === key) return valueOf(v);
      i = (i + 1) & mask;
    }
  }

  /** Remove `key`; returns whether it was there. */
  delete(key: number): boolean {
    const c = this.find(key);
    if (c < 0) return false;
    this.removeAt(c >> 1);
    return true;
  }

  /** Remove `key` only if it maps to exactly (value, aux); one probe. */
  deleteIf(key: number, value: number, auxValue: number): boolean {
    const c = this.find(key);
    if (c < 0 || this.cells[c + 1] !== 1 + value + auxValue * auxUnit) return false;
    this.removeAt(c >> 1);
    return true;
  }

  /** Backward-shift deletion keeps probe chains intact without tombstones. */
  private removeAt(i: number): void {
    const cells = this.cells;
    const mask = this.mask;
    const shift = this.shift;
    let j = i;
    // a cluster holds runs of one group's keys: hash each group once
    let lastQ = -1;
    let lastHome = 0;
    for (;;) {
      j = (j + 1) & mask;
      if (cells[j * 2 + 1] === 0) break;
      const key = cells[j * 2]!;
      const low = key & 3;
      const q = (key - low) / 4;
      if (q !== lastQ) {
        lastQ = q;
        lastHome = groupHome(q, shift);
      }
      const h = lastHome | low;
      // move j back to i unless its home lies cyclically in (i, j]
      if (i <= j ? h <= i || h > j : h <= i && h > j) {
        cells[i * 2] = cells[j * 2]!;
        cells[i * 2 + 1] = cells[j * 2 + 1]!;
        i = j;
      }
    }
    cells[i * 2 + 1] = 0;
    this.count--;
  }

  clear(): void {
    this.cells.fill(0);
    this.count = 0;
  }

  /** Calls `fn(key, value, aux)` for every entry (no allocation per entry). */
  forEach(fn: (key: number, value: number, aux: number) => void): void {
    const cells = this.cells;
    for (let c = 0; c < cells.length; c += 2) {
      const v = cells[c + 1]!;
      if (v !== 0) fn(cells[c]!, valueOf(v), Math.floor((v - 1) / auxUnit));
    }
  }

  /** Make room for `entries` keys without a later doubling. */
  reserve(entries: number): void {
    while (entries * 2 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const old = this.cells;
    const cap = old.length; // cells double: old.length / 2 * 2
    const cells = new Float64Array(cap * 2);
    const mask = cap - 1;
    const shift = this.shift - 1;
    // old cells are in hash-prefix order, so these writes go front to back
    for (let c = 0; c < old.length; c += 2) {
      const v = old[c + 1]!;
      if (v === 0) continue;
      const key = old[c]!;
      let i = home(key, shift);
      while (cells[i * 2 + 1] !== 0) i = (i + 1) & mask;
      cells[i * 2] = key;
      cells[i * 2 + 1] = v;
    }
    this.cells = cells;
    this.mask = mask;
    this.shift = shift;
  }
}
