import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacIndex, macHash } from '../../src/vtep/mac-index.js';

/** A MacIndex with the slot column kept the way MacSlots keeps it. */
class Harness {
  macs = new Float64Array(4);
  readonly index = new MacIndex(this.macs, 4);
  private next = 0;
  private readonly free: number[] = [];

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
});
