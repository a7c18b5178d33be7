/**
 * A MAC → value table for the forwarding hot path. A `Map` keyed by the 48-bit MAC number
 * boxes the key (it does not fit a small integer) on every lookup, which shows up as garbage
 * collection under load; this table keeps a MAC as two int32 halves in typed arrays (open
 * addressing, linear probing, backward-shift deletion) and a lookup straight from the frame
 * bytes allocates nothing.
 */

const two32 = 4294967296;

/** The high 16 bits of the MAC at `off`. */
function hiAt(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** The low 32 bits of the MAC at `off`, as a signed int32 (stays a small integer). */
function loAt(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 24) | (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!;
}

function hash(hi: number, lo: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) ^ (h >>> 13);
}

export class MacTable<V> {
  private his: Int32Array;
  private los: Int32Array;
  private used: Uint8Array;
  /** Activity marks for aging: set by `touchAt`, cleared by `sweep`. */
  private marks: Uint8Array;
  private vals: (V | undefined)[];
  private mask: number;
  private count = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.his = new Int32Array(cap);
    this.los = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.marks = new Uint8Array(cap);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  private find(hi: number, lo: number): number {
    const mask = this.mask;
    for (let i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      if (this.used[i] === 0) return -1 - i;
      if (this.his[i] === hi && this.los[i] === lo) return i;
    }
  }

  /** The value for the MAC at `buf[off..off+6)` (bounds checked by the caller). */
  getAt(buf: Uint8Array, off: number): V | undefined {
    const i = this.find(hiAt(buf, off), loAt(buf, off));
    return i >= 0 ? this.vals[i] : undefined;
  }

  /** Like `getAt`, and marks the entry active (one byte store) for `sweep`. */
  touchAt(buf: Uint8Array, off: number): V | undefined {
    const i = this.find(hiAt(buf, off), loAt(buf, off));
    if (i < 0) return undefined;
    this.marks[i] = 1;
    return this.vals[i];
  }

  /**
   * Aging: calls `expired` for every entry not touched since the previous sweep (the caller
   * deletes it), and clears the marks of the others. Sweeping every T ages an idle entry out
   * after T to 2T.
   */
  sweep(expired: (key: number, value: V) => void): void {
    const gone: [number, V][] = [];
    for (let i = 0; i <= this.mask; i++) {
      if (this.used[i] !== 1) continue;
      if (this.marks[i] === 1) this.marks[i] = 0;
      else gone.push([(this.his[i]! * two32) + (this.los[i]! >>> 0), this.vals[i]!]);
    }
    for (const [k, v] of gone) expired(k, v);
  }

  /** The value for a 48-bit MAC key (see mac.ts). */
  get(key: number): V | undefined {
    const i = this.find(Math.floor(key / two32), (key % two32) | 0);
    return i >= 0 ? this.vals[i] : undefined;
  }

  set(key: number, value: V): void {
    const hi = Math.floor(key / two32);
    const lo = (key % two32) | 0;
    const i = this.find(hi, lo);
    if (i >= 0) {
      this.vals[i] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.grow();
      this.set(key, value);
      return;
    }
    const j = -1 - i;
    this.used[j] = 1;
    this.his[j] = hi;
    this.los[j] = lo;
    this.vals[j] = value;
    this.marks[j] = 1;
    this.count++;
  }

  delete(key: number): boolean {
    let i = this.find(Math.floor(key / two32), (key % two32) | 0);
    if (i < 0) return false;
    const mask = this.mask;
    // backward-shift deletion: no tombstones, probe chains stay short
    for (let j = (i + 1) & mask; this.used[j] === 1; j = (j + 1) & mask) {
      const home = hash(this.his[j]!, this.los[j]!) & mask;
      // move j into the hole at i when its home position is not in (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.his[i] = this.his[j]!;
        this.los[i] = this.los[j]!;
        this.vals[i] = this.vals[j];
        this.marks[i] = this.marks[j]!;
        i = j;
      }
    }
    this.used[i] = 0;
    this.vals[i] = undefined;
    this.count--;
    return true;
  }

  /** Every entry as [48-bit key, value]. */
  *entries(): IterableIterator<[number, V]> {
    for (let i = 0; i <= this.mask; i++) {
      if (this.used[i] === 1) yield [(this.his[i]! * two32) + (this.los[i]! >>> 0), this.vals[i]!];
    }
  }

  clear(): void {
    this.used.fill(0);
    this.marks.fill(0);
    this.vals.fill(undefined);
    this.count = 0;
  }

  private grow(): void {
    const old = [...this.entries()];
    const cap = (this.mask + 1) * 2;
    this.his = new Int32Array(cap);
    this.los = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.marks = new Uint8Array(cap);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.count = 0;
    for (const [k, v] of old) this.set(k, v);
  }
}
