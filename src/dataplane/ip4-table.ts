/**
 * IPv4 -> MAC key (the 48-bit MAC as a number) for ARP suppression. A `Map<number, number>`
 * stores each 48-bit value as a boxed heap number: with a million ARP entries programmed by the
 * VTEP manager that is a million objects for the garbage collector to walk, and every `set`
 * allocates. Here keys and values sit in typed arrays (open addressing, linear probing,
 * backward-shift deletion, at most half full), and `get` allocates nothing.
 */

import { hash53 } from '../net/hash.js';

/** Keys are stored as int32; the hash takes them unsigned. */
function hash(key: number): number {
  return hash53(key >>> 0);
}

export class Ip4MacTable {
  private keys: Int32Array;
  private vals: Float64Array;
  private used: Uint8Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.keys = new Int32Array(cap);
    this.vals = new Float64Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The cell of `ip` (>= 0), or -1 - the empty cell where it would go. */
  private find(ip: number): number {
    const key = ip | 0;
    const mask = this.mask;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      if (this.used[i] === 0) return -1 - i;
      if (this.keys[i] === key) return i;
    }
  }

  /** The MAC key of `ip` (an unsigned 32-bit number), or undefined. */
  get(ip: number): number | undefined {
    const i = this.find(ip);
    return i < 0 ? undefined : this.vals[i];
  }

  set(ip: number, mac: number): this {
    let i = this.find(ip);
    if (i < 0) {
      if ((this.count + 1) * 2 > this.mask + 1) {
        this.grow();
        i = this.find(ip);
      }
      i = -1 - i;
      this.keys[i] = ip | 0;
      this.used[i] = 1;
      this.count++;
    }
    this.vals[i] = mac;
    return this;
  }

  delete(ip: number): boolean {
    let i = this.find(ip);
    if (i < 0) return false;
    const mask = this.mask;
    // backward shift: move later entries of the run into the hole unless they sit in (hole, j]
    for (let j = (i + 1) & mask; this.used[j] !== 0; j = (j + 1) & mask) {
      const home = hash(this.keys[j]!) & mask;
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.keys[i] = this.keys[j]!;
        this.vals[i] = this.vals[j]!;
        i = j;
      }
    }
    this.used[i] = 0;
    this.count--;
    return true;
  }

  /** `[ip, macKey]` pairs (for snapshots; allocates). */
  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (let i = 0; i <= this.mask; i++) if (this.used[i] !== 0) yield [this.keys[i]! >>> 0, this.vals[i]!];
  }

  private grow(): void {
    const { keys, vals, used } = this;
    const cap = (this.mask + 1) * 2;
    this.keys = new Int32Array(cap);
    this.vals = new Float64Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < used.length; j++) {
      if (used[j] === 0) continue;
      let i = hash(keys[j]!) & this.mask;
      while (this.used[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = keys[j]!;
      this.vals[i] = vals[j]!;
      this.used[i] = 1;
    }
  }
}
