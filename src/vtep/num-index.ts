/**
 * An open-addressing hash index from a non-negative integer key (up to 2^53, so a 48-bit MAC or a
 * 32-bit IPv4 address fits) to two int32 values. Keys and values live in typed arrays: no object,
 * no boxed number per entry, which is what lets the VTEP tables hold a million MACs in a few tens
 * of bytes each. Linear probing with backward-shift deletion (no tombstones), so lookups stay
 * short after any number of deletes.
 */

const empty = -1;
const twoTo32 = 4294967296;

/** Spread a key of up to 53 bits over 32 bits (murmur3 finaliser on hi ^ lo). */
function hash(key: number): number {
  const lo = key >>> 0;
  const hi = (key - lo) / twoTo32;
  let h = lo ^ Math.imul(hi, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NumIndex {
  private keys: Float64Array;
  /**
   * Two int32 per cell: the primary value (`-1` marks an empty cell, so stored values must be
   * `>= 0`) and a secondary one. Interleaved so a probe touches one line of each array.
   */
  private vals: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap * 2).fill(empty);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the arrays (for benchmarks and stats). */
  get byteLength(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  private find(key: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = hash(key) & mask;
    for (;;) {
      if (vals[i * 2] === empty) return -1;
      if (keys[i] === key) return i;
      i = (i + 1) & mask;
    }
  }

  /** The primary value for `key`, or -1. */
  get(key: number): number {
    const i = this.find(key);
    return i < 0 ? -1 : this.vals[i * 2]!;
  }

  /** The secondary value for `key` (0 when absent; check `get` first). */
  getAux(key: number): number {
    const i = this.find(key);
    return i < 0 ? 0 : this.vals[i * 2 + 1]!;
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  /** Insert or overwrite (one probe); returns the previous primary value or -1. `value` must be `>= 0`. */
  set(key: number, value: number, auxValue = 0): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = hash(key) & mask;
    for (;;) {
      const v = vals[i * 2]!;
      if (v === empty) {
        keys[i] = key;
        vals[i * 2] = value;
        vals[i * 2 + 1] = auxValue;
        this.count++;
        return -1;
      }
      if (keys[i] === key) {
        vals[i * 2] = value;
        vals[i * 2 + 1] = auxValue;
        return v;
      }
      i = (i + 1) & mask;
    }
  }

  /** Insert `key -> value` unless present (one probe); returns the existing value, or -1 when inserted. */
  insertIfAbsent(key: number, value: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = hash(key) & mask;
    for (;;) {
      const v = vals[i * 2]!;
      if (v === empty) {
        keys[i] = key;
        vals[i * 2] = value;
        vals[i * 2 + 1] = 0;
        this.count++;
        return -1;
      }
      if (keys[i] === key) return v;
      i = (i + 1) & mask;
    }
  }

  /** Remove `key`; returns whether it was there. */
  delete(key: number): boolean {
    const i = this.find(key);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /** Remove `key` only if it maps to exactly (value, aux); one probe. */
  deleteIf(key: number, value: number, auxValue: number): boolean {
    const i = this.find(key);
    if (i < 0 || this.vals[i * 2] !== value || this.vals[i * 2 + 1] !== auxValue) return false;
    this.removeAt(i);
    return true;
  }

  /** Backward-shift deletion keeps probe chains intact without tombstones. */
  private removeAt(i: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[j * 2] === empty) break;
      const home = hash(keys[j]!) & mask;
      // move j back to i unless its home lies cyclically in (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        keys[i] = keys[j]!;
        vals[i * 2] = vals[j * 2]!;
        vals[i * 2 + 1] = vals[j * 2 + 1]!;
        i = j;
      }
    }
    vals[i * 2] = empty;
    this.count--;
  }

  clear(): void {
    this.vals.fill(empty);
    this.count = 0;
  }

  /** Calls `fn(key, value, aux)` for every entry (no allocation per entry). */
  forEach(fn: (key: number, value: number, aux: number) => void): void {
    const vals = this.vals;
    for (let i = 0; i * 2 < vals.length; i++) if (vals[i * 2] !== empty) fn(this.keys[i]!, vals[i * 2]!, vals[i * 2 + 1]!);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldKeys.length * 2;
    const keys = new Float64Array(cap);
    const vals = new Int32Array(cap * 2).fill(empty);
    const mask = cap - 1;
    for (let k = 0; k < oldKeys.length; k++) {
      const v = oldVals[k * 2]!;
      if (v === empty) continue;
      const key = oldKeys[k]!;
      let i = hash(key) & mask;
      while (vals[i * 2] !== empty) i = (i + 1) & mask;
      keys[i] = key;
      vals[i * 2] = v;
      vals[i * 2 + 1] = oldVals[k * 2 + 1]!;
    }
    this.keys = keys;
    this.vals = vals;
    this.mask = mask;
  }
}
