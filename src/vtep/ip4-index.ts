/**
 * The IPv4 -> slot index of one VNI's ARP table, laid out for what such a table holds: the
 * addresses of one bridge domain sit densely in its few subnets.
 *
 * Addresses are kept in blocks of sixteen neighbours (`address >>> 4`): a block is one 64-byte
 * cache line of `slot + 1` values (0 = unbound). A small open-addressing directory maps a block
 * prefix to its block; the last block used is remembered, so a run of neighbouring addresses
 * (a subnet being filled or emptied) skips the directory. Filling a subnet writes blocks front
 * to back; a hash table with a cell per address would instead make one random access (a cache
 * and TLB miss) per address or group of addresses, which is what an install or withdraw of a
 * million routes spends most of its time on.
 *
 * Memory: 4 bytes per address of a used block plus 16 to 32 bytes of directory per block, so
 * 5 to 6 bytes per address for a dense subnet; the worst case, addresses sixteen or more apart,
 * is 80 to 96 bytes per address (and up to 160 with the slack of the last doublings). An
 * emptied block goes back to a free list and leaves the directory.
 */
import { hash53 } from '../net/hash.js';
import { shiftFor } from './sizing.js';

const blockSize = 16;

/** The directory home of a block prefix (murmur3 finaliser, top bits). */
function dirHome(prefix: number, shift: number): number {
  return hash53(prefix) >>> shift;
}

export class Ip4Index {
  /** Directory cells `[prefix, block + 1]`, linear probing, backward-shift deletion. */
  private dir: Int32Array;
  private dirMask: number;
  private dirShift: number;
  private blocksUsed = 0;
  /** `blockSize` cells per block: slot + 1, or 0. */
  private blocks: Int32Array;
  /** Bound addresses per block. */
  private fill: Uint8Array;
  /** Blocks ever handed out (`[0, top)`); freed ones are in `free`. */
  private top = 0;
  private free: number[] = [];
  private count = 0;
  /** The block prefix and block of the last directory hit (-1: none). */
  private lastPrefix = -1;
  private lastBlock = 0;

  constructor(initialCapacity = 16) {
    const blocks = Math.max(4, Math.ceil(initialCapacity / blockSize));
    this.dirShift = shiftFor(blocks);
    this.dir = new Int32Array(2 ** (32 - this.dirShift) * 2);
    this.dirMask = this.dir.length / 2 - 1;
    this.blocks = new Int32Array(blocks * blockSize);
    this.fill = new Uint8Array(blocks);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the index (for benchmarks and stats). */
  get byteLength(): number {
    return this.dir.byteLength + this.blocks.byteLength + this.fill.byteLength;
  }

  /** The block of a prefix, or -1. */
  private blockOf(prefix: number): number {
    if (prefix === this.lastPrefix) return this.lastBlock;
    const dir = this.dir;
    const mask = this.dirMask;
    let i = dirHome(prefix, this.dirShift);
    for (;;) {
      const v = dir[i * 2 + 1]!;
      if (v === 0) return -1;
      if (dir[i * 2] === prefix) {
        this.lastPrefix = prefix;
        return (this.lastBlock = v - 1);
      }
      i = (i + 1) & mask;
    }
  }

  /** The slot of `address` (an unsigned 32-bit number), or -1. */
  get(address: number): number {
    const b = this.blockOf(address >>> 4);
    return b < 0 ? -1 : this.blocks[b * blockSize + (address & 15)]! - 1;
  }

  /** Bind `address` to `slot` (insert or overwrite); returns the previous slot, or -1. */
  set(address: number, slot: number): number {
    const prefix = address >>> 4;
    let b = this.blockOf(prefix);
    if (b < 0) b = this.addBlock(prefix);
    const c = b * blockSize + (address & 15);
    const prev = this.blocks[c]!;
    this.blocks[c] = slot + 1;
    if (prev === 0) {
      this.fill[b]!++;
      this.count++;
    }
    return prev - 1;
  }

  /** Remove `address`; returns whether it was there. */
  delete(address: number): boolean {
    const b = this.blockOf(address >>> 4);
    if (b < 0) return false;
    return this.clear(address, b, b * blockSize + (address & 15));
  }

  /** Remove `address` only if it is bound to `slot`. */
  deleteIf(address: number, slot: number): boolean {
    const b = this.blockOf(address >>> 4);
    if (b < 0) return false;
    const c = b * blockSize + (address & 15);
    return this.blocks[c] === slot + 1 && this.clear(address, b, c);
  }

  private clear(address: number, b: number, c: number): boolean {
    if (this.blocks[c] === 0) return false;
    this.blocks[c] = 0;
    this.count--;
    if (--this.fill[b]! === 0) this.dropBlock(address >>> 4, b);
    return true;
  }

  /** Calls `fn(address, slot)` for every entry (no allocation per entry). */
  forEach(fn: (address: number, slot: number) => void): void {
    const dir = this.dir;
    for (let i = 0; i < dir.length; i += 2) {
      const v = dir[i + 1]!;
      if (v === 0) continue;
      const base = (dir[i]! >>> 0) * blockSize;
      const at = (v - 1) * blockSize;
      for (let k = 0; k < blockSize; k++) {
        const s = this.blocks[at + k]!;
        if (s !== 0) fn(base + k, s - 1);
      }
    }
  }

  /** Make room for `entries` addresses of dense subnets without a later doubling. */
  reserve(entries: number): void {
    const blocks = Math.ceil(entries / blockSize);
    while (blocks * 2 > this.dirMask + 1) this.growDir();
    if (blocks > this.fill.length) this.growBlocks(blocks);
  }

  private addBlock(prefix: number): number {
    let b = this.free.pop();
    if (b === undefined) {
      if (this.top === this.fill.length) this.growBlocks(this.fill.length * 2);
      b = this.top++;
    } // a freed block is all zero already
    if ((this.blocksUsed + 1) * 2 > this.dirMask + 1) this.growDir();
    const dir = this.dir;
    const mask = this.dirMask;
    let i = dirHome(prefix, this.dirShift);
    while (dir[i * 2 + 1] !== 0) i = (i + 1) & mask;
    dir[i * 2] = prefix;
    dir[i * 2 + 1] = b + 1;
    this.blocksUsed++;
    this.lastPrefix = prefix;
    this.lastBlock = b;
    return b;
  }

  /** An emptied block leaves the directory (backward shift, no tombstones) for the free list. */
  private dropBlock(prefix: number, b: number): void {
    const dir = this.dir;
    const mask = this.dirMask;
    const shift = this.dirShift;
    let i = dirHome(prefix, shift);
    while (dir[i * 2] !== prefix || dir[i * 2 + 1] === 0) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (dir[j * 2 + 1] === 0) break;
      const h = dirHome(dir[j * 2]!, shift);
      // move j back to i unless its home lies cyclically in (i, j]
      if (i <= j ? h <= i || h > j : h <= i && h > j) {
        dir[i * 2] = dir[j * 2]!;
        dir[i * 2 + 1] = dir[j * 2 + 1]!;
        i = j;
      }
    }
    dir[i * 2 + 1] = 0;
    this.blocksUsed--;
    this.free.push(b);
    if (this.lastPrefix === prefix) this.lastPrefix = -1;
  }

  private growBlocks(blocks: number): void {
    const cells = new Int32Array(blocks * blockSize);
    cells.set(this.blocks);
    this.blocks = cells;
    const fill = new Uint8Array(blocks);
    fill.set(this.fill);
    this.fill = fill;
  }

  private growDir(): void {
    const old = this.dir;
    this.dir = new Int32Array(old.length * 2);
    this.dirMask = this.dir.length / 2 - 1;
    this.dirShift--;
    const dir = this.dir;
    const mask = this.dirMask;
    const shift = this.dirShift;
    for (let c = 0; c < old.length; c += 2) {
      const v = old[c + 1]!;
      if (v === 0) continue;
      let i = dirHome(old[c]!, shift);
      while (dir[i * 2 + 1] !== 0) i = (i + 1) & mask;
      dir[i * 2] = old[c]!;
      dir[i * 2 + 1] = v;
    }
  }
}
