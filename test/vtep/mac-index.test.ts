import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacIndex, macHash, maxMacSlots } from '../../src/vtep/mac-index.js';

/** A MacIndex with the slot column kept the way MacSlots keeps it. */
class Harness {
  macs = new Float64Array(4);
  readonly index: MacIndex;
  private next = 0;
  private readonly free: number[] = [];

  constructor(capacity = 4) {
    this.index = new MacIndex(this.macs, capacity);
  }

  /** The slot of `mac`, allocated when new. */
  slotFor(mac: number): number {
    const s = this.free.length > 0 ? this.free[this.free.length - 1]! : this.next;
    if (s === this.macs.length) {
      const m = new Float64Array(this.macs.length * 2);
      m.set(this.macs);
      this.macs = m;
      this.index.macs = m;
    }
    const existing = this.index.insertIfAbsent(mac, s);
    if (existing >= 0) return existing;
    if (this.free.length > 0) this.free.pop();
    else this.next++;
    this.macs[s] = mac;
    return s;
  }

  remove(mac: number): boolean {
    const s = this.index.get(mac);
    if (!this.index.delete(mac)) return false;
    this.free.push(s);
    return true;
  }
}

describe('MacIndex', () => {
  it('behaves like a Map under random inserts and deletes (with growth, slot reuse and backward shift)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { maxLength: 400 }), (ops) => {
        const h = new Harness();
        const ref = new Map<number, number>();
        for (const [del, k0] of ops) {
          const mac = k0 * 2 ** 40 + k0; // exercise the high bits
          if (del) {
            expect(h.remove(mac)).toBe(ref.delete(mac));
          } else {
            const s = h.slotFor(mac);
            if (ref.has(mac)) expect(s).toBe(ref.get(mac));
            ref.set(mac, s);
          }
        }
        expect(h.index.size).toBe(ref.size);
        for (let k0 = 0; k0 <= 300; k0++) {
          const mac = k0 * 2 ** 40 + k0;
          expect(h.index.get(mac)).toBe(ref.get(mac) ?? -1);
        }
        const seen = new Map<number, number>();
        h.index.forEach((mac, slot) => seen.set(mac, slot));
        expect(seen).toEqual(ref);
      }),
      { numRuns: 200 },
    );
  });

  it('tells apart MACs whose 32-bit hashes are equal (confirmed against the slot column)', () => {
    const byHash = new Map<number, number>();
    let pair: [number, number] | undefined;
    for (let i = 0; i < 2_000_000 && pair === undefined; i++) {
      const mac = 0x02_00_00_00_00_00 + i * 65537;
      const x = macHash(mac);
      const other = byHash.get(x);
      if (other === undefined) byHash.set(x, mac);
      else pair = [other, mac];
    }
    expect(pair).toBeDefined();
    const [m1, m2] = pair!;
    expect(macHash(m1)).toBe(macHash(m2));
    const h = new Harness();
    const s1 = h.slotFor(m1);
    expect(h.index.get(m2)).toBe(-1);
    const s2 = h.slotFor(m2);
    expect(s2).not.toBe(s1);
    expect(h.index.get(m1)).toBe(s1);
    expect(h.index.get(m2)).toBe(s2);
    expect(h.remove(m1)).toBe(true);
    expect(h.index.get(m1)).toBe(-1);
    expect(h.index.get(m2)).toBe(s2);
    expect(h.index.size).toBe(1);
  });

  // MACs whose hashes share their top bits: in a 64-cell table they all have home cell 0, so
  // runs grow past the 15 a cell can count and distances are recomputed from the MACs
  const colliding: number[] = [];
  for (let i = 0; colliding.length < 60; i++) {
    const mac = 0x02_00_00_00_00_00 + i * 104729;
    if (macHash(mac) >>> 26 === 0) colliding.push(mac);
  }

  it('keeps runs longer than a cell can count (saturated distances) correct through inserts, deletes and doublings', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: colliding.length - 1 })), { maxLength: 300 }), (ops) => {
        const h = new Harness(32); // 64 cells until more than 32 MACs
        const ref = new Map<number, number>();
        for (const [del, k] of ops) {
          const mac = colliding[k]!;
          if (del) expect(h.remove(mac)).toBe(ref.delete(mac));
          else {
            const s = h.slotFor(mac);
            if (ref.has(mac)) expect(s).toBe(ref.get(mac));
            ref.set(mac, s);
          }
          expect(h.index.size).toBe(ref.size);
        }
        for (const mac of colliding) expect(h.index.get(mac)).toBe(ref.get(mac) ?? -1);
      }),
      { numRuns: 300 },
    );
  });

  it('fills a run of 40 from one home cell and empties it from any point', () => {
    for (let cut = 0; cut < 40; cut++) {
      const h = new Harness(64); // 128 cells: no doubling, one run
      const macs = colliding.slice(0, 40);
      const slots = macs.map((m) => h.slotFor(m));
      expect(h.remove(macs[cut]!)).toBe(true);
      macs.forEach((m, i) => expect(h.index.get(m)).toBe(i === cut ? -1 : slots[i]));
      for (const [i, m] of macs.entries()) if (i !== cut) expect(h.remove(m)).toBe(true);
      expect(h.index.size).toBe(0);
    }
  });

  it('refuses a slot beyond the 24 bits a cell holds', () => {
    const idx = new MacIndex(new Float64Array(1), 4);
    expect(() => idx.insertIfAbsent(1, maxMacSlots)).toThrow(RangeError);
    expect(idx.insertIfAbsent(1, maxMacSlots - 1)).toBe(-1);
  });
});

