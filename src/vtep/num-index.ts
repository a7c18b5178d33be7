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
  /** Primary value per cell; `-1` marks an empty cell, so stored values must be `>= 0`. */
  private vals: Int32Array;
  /** Secondary value per cell (any int32). */
  private aux: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(empty);
    this.aux = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the arrays (for benchmarks and stats). */
  get byteLength(): number {
    return this.keys.byteLength + this.vals.byteLength + this.aux.byteLength;
  }

  private find(key: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = hash(key) & mask;
    for (;;) {
      if (vals[i] === empty) return -1;
      if (keys[i] === key) return i;
      i = (i + 1) & mask;
    }
  }

  /** The primary value for `key`, or -1. */
  get(key: number): number {
    const i = this.find(key);
    return i < 0 ? -1 : this.vals[i]!;
  }

  /** The secondary value for `key` (0 when absent; check `get` first). */
  getAux(key: number): number {
    const i = this.find(key);
    return i < 0 ? 0 : this.aux[i]!;
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  /** Insert or overwrite. `value` must be `>= 0`. */
  set(key: number, value: number, auxValue = 0): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = hash(key) & mask;
    for (;;) {
      if (vals[i] === empty) {
        keys[i] = key;
        vals[i] = value;
        this.aux[i] = auxValue;
        this.count++;
        return;
      }
      if (keys[i] === key) {
        vals[i] = value;
        this.aux[i] = auxValue;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Remove `key`; returns whether it was there. Backward-shift keeps probe chains intact. */
  delete(key: number): boolean {
    let i = this.find(key);
    if (i < 0) return false;
    const keys = this.keys;
    const vals = this.vals;
    const aux = this.aux;
    const mask = this.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[j] === empty) break;
      const home = hash(keys[j]!) & mask;
      // move j back to i unless its home lies cyclically in (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        keys[i] = keys[j]!;
        vals[i] = vals[j]!;
        aux[i] = aux[j]!;
        i = j;
      }
    }
    vals[i] = empty;
    this.count--;
    return true;
  }

  clear(): void {
    this.vals.fill(empty);
    this.count = 0;
  }

  /** Calls `fn(key, value, aux)` for every entry (no allocation per entry). */
  forEach(fn: (key: number, value: number, aux: number) => void): void {
    const vals = this.vals;
    for (let i = 0; i < vals.length; i++) if (vals[i] !== empty) fn(this.keys[i]!, vals[i]!, this.aux[i]!);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const oldAux = this.aux;
    const cap = oldVals.length * 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(empty);
    this.aux = new Int32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < oldVals.length; i++) if (oldVals[i] !== empty) this.set(oldKeys[i]!, oldVals[i]!, oldAux[i]!);
  }
}
