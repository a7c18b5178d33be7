/**
 * Longest-prefix match for the IP forwarding table (issue 14): a multibit trie with strides
 * 16, 8, 8, ... (DIR-16-8-8 for IPv4: at most three loads per lookup; IPv6 walks one byte per
 * level after the first two), with leaf pushing, so a lookup reads the destination straight
 * from the packet and returns the value of the longest matching prefix without a comparison.
 *
 * Layout: `root` has 2^16 entries indexed by the first two address bytes; `nodes` holds
 * 256-entry chunks one after the other. An entry is 0 (no route), a value v > 0, or ~c (< 0)
 * pointing at chunk c. Parallel `Uint8Array`s keep each entry's owning prefix length, which is
 * what lets an insert overwrite only less specific entries and a delete restore the covering
 * prefix. Memory: 320 KiB for the root plus 1.25 KiB per chunk (one chunk per /16 that holds
 * longer prefixes, one per /24 that holds prefixes longer than /24, ...).
 *
 * Updates are control-plane work (they allocate); `lookup` allocates nothing.
 */

const rootBits = 16;
const chunk = 256;

/** An LPM table over 4-byte (IPv4) or 16-byte (IPv6) addresses, values 1..2^31-1. */
export class LpmTable {
  private readonly root = new Int32Array(1 << rootBits);
  private readonly rootLen = new Uint8Array(1 << rootBits);
  private nodes = new Int32Array(chunk * 16);
  private nodeLen = new Uint8Array(chunk * 16);
  private chunks = 0;
  private readonly free: number[] = [];
  /** Prefix (length byte + masked address bytes, latin1) → value: the source of truth. */
  private readonly prefixes = new Map<string, number>();

  /** `bytes`: 4 for IPv4, 16 for IPv6. */
  constructor(readonly bytes: 4 | 16) {}

  /** Prefixes held. */
  get size(): number {
    return this.prefixes.size;
  }

  /** 256-entry chunks in use (for memory accounting). */
  get chunkCount(): number {
    return this.chunks - this.free.length;
  }

  /**
   * The value of the longest prefix matching the address at `buf[off..off+bytes)`, or 0.
   * The caller has checked the bounds.
   */
  lookup(buf: Uint8Array, off: number): number {
    let e = this.root[(buf[off]! << 8) | buf[off + 1]!]!;
    let i = off + 2;
    const nodes = this.nodes;
    while (e < 0) e = nodes[(~e << 8) | buf[i++]!]!;
    return e;
  }

  /** The value stored for exactly `addr/len`, or undefined. */
  get(addr: Uint8Array, len: number): number | undefined {
    return this.prefixes.get(this.key(addr, len));
  }

  /** Adds or replaces `addr/len` (host bits of `addr` are ignored). */
  set(addr: Uint8Array, len: number, value: number): void {
    if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) throw new RangeError(`LPM value must be 1..2^31-1: ${value}`);
    const a = this.masked(addr, len);
    this.prefixes.set(this.key(a, len), value);
    this.paint(a, len, value, len, false);
  }

  /** Removes `addr/len`; returns whether it was there. */
  delete(addr: Uint8Array, len: number): boolean {
    const a = this.masked(addr, len);
    if (!this.prefixes.delete(this.key(a, len))) return false;
    // the covering prefix takes back what this one owned
    let cover = 0;
    let coverLen = 0;
    for (let l = len - 1; l >= 0; l--) {
      const v = this.prefixes.get(this.key(this.masked(a, l), l));
      if (v !== undefined) {
        cover = v;
        coverLen = l;
        break;
      }
    }
    this.paint(a, len, cover, coverLen, true, len);
    return true;
  }

  /** Every `[address bytes, length, value]` (allocates; for snapshots and tests). */
  *entries(): IterableIterator<[Buffer, number, number]> {
    for (const [k, v] of this.prefixes) yield [Buffer.from(k.slice(1), 'latin1'), k.charCodeAt(0), v];
  }

  /**
   * Writes (value, len) over the range `a/plen`: on insert every entry owned by a prefix no
   * longer than `len`, on delete (`only` = the deleted length) every entry owned by it.
   * Chunks are created on the way down and collapsed on the way up when they became uniform.
   */
  private paint(a: Uint8Array, plen: number, value: number, len: number, deleting: boolean, only = 0): void {
    if (plen <= rootBits) {
      const first = (a[0]! << 8) | a[1]!;
      this.fill(this.root, this.rootLen, first, 1 << (rootBits - plen), value, len, deleting, only);
      return;
    }
    // descend: root entry, then one byte per level until the prefix ends inside a chunk
    let arr = this.root;
    let lens = this.rootLen;
    let idx = (a[0]! << 8) | a[1]!;
    const path: number[] = [];
    for (let level = 1; ; level++) {
      const c = this.chunkAt(arr, lens, idx);
      path.push(c, idx);
      arr = this.nodes;
      lens = this.nodeLen;
      const bitsBelow = rootBits + 8 * level;
      const base = c * chunk;
      if (plen <= bitsBelow) {
        this.fill(arr, lens, base + a[level + 1]!, 1 << (bitsBelow - plen), value, len, deleting, only);
        break;
      }
      idx = base + a[level + 1]!;
    }
    if (deleting) this.collapse(path);
  }

  private fill(arr: Int32Array, lens: Uint8Array, from: number, count: number, value: number, len: number, deleting: boolean, only: number): void {
    for (let i = from; i < from + count; i++) {
      const e = arr[i]!;
      if (e < 0) {
        this.fill(this.nodes, this.nodeLen, ~e * chunk, chunk, value, len, deleting, only);
      } else if (deleting ? lens[i] === only : lens[i]! <= len) {
        arr[i] = value;
        lens[i] = len;
      }
    }
  }

  /** The chunk below entry `idx` of `arr`, created (filled with the entry) when missing. */
  private chunkAt(arr: Int32Array, lens: Uint8Array, idx: number): number {
    const e = arr[idx]!;
    if (e < 0) return ~e;
    let c = this.free.pop();
    if (c === undefined) {
      c = this.chunks++;
      if (this.chunks * chunk > this.nodes.length) {
        const n = new Int32Array(this.nodes.length * 2);
        n.set(this.nodes);
        const l = new Uint8Array(this.nodeLen.length * 2);
        l.set(this.nodeLen);
        this.nodes = n;
        this.nodeLen = l;
        // `arr` may have been the old nodes array: the caller's idx is re-read below
        if (arr !== this.root) arr = this.nodes;
      }
    }
    this.nodes.fill(e, c * chunk, c * chunk + chunk);
    this.nodeLen.fill(lens[idx]!, c * chunk, c * chunk + chunk);
    (arr === this.root ? this.root : this.nodes)[idx] = ~c;
    return c;
  }

  /** Collapses uniform chunks bottom-up along `path` ([chunk, parent index] pairs). */
  private collapse(path: number[]): void {
    for (let k = path.length - 2; k >= 0; k -= 2) {
      const c = path[k]!;
      const parentIdx = path[k + 1]!;
      const base = c * chunk;
      const v = this.nodes[base]!;
      const l = this.nodeLen[base]!;
      if (v < 0) return;
      for (let i = base + 1; i < base + chunk; i++) if (this.nodes[i] !== v || this.nodeLen[i] !== l) return;
      const parent = k === 0 ? this.root : this.nodes;
      const parentLens = k === 0 ? this.rootLen : this.nodeLen;
      parent[parentIdx] = v;
      parentLens[parentIdx] = l;
      this.free.push(c);
    }
  }

  private masked(addr: Uint8Array, len: number): Uint8Array {
    if (addr.length !== this.bytes) throw new TypeError(`address must be ${this.bytes} bytes`);
    if (!Number.isInteger(len) || len < 0 || len > this.bytes * 8) throw new RangeError(`prefix length must be 0..${this.bytes * 8}: ${len}`);
    const a = new Uint8Array(this.bytes);
    for (let i = 0; i < this.bytes; i++) {
      const bits = Math.min(8, Math.max(0, len - i * 8));
      a[i] = addr[i]! & ((0xff00 >> bits) & 0xff);
    }
    return a;
  }

  private key(a: Uint8Array, len: number): string {
    return String.fromCharCode(len) + Buffer.from(this.masked(a, len)).toString('latin1');
  }
}
