import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LpmTable } from '../../src/dataplane/lpm.js';

/** The reference: scan every prefix, keep the longest that matches. */
function naive(prefixes: Map<string, { addr: Uint8Array; len: number; value: number }>, addr: Uint8Array): number {
  let best = -1;
  let value = 0;
  for (const p of prefixes.values()) {
    if (p.len <= best) continue;
    let match = true;
    for (let bit = 0; bit < p.len && match; bit++) {
      const m = 0x80 >> (bit & 7);
      if ((p.addr[bit >> 3]! & m) !== (addr[bit >> 3]! & m)) match = false;
    }
    if (match) {
      best = p.len;
      value = p.value;
    }
  }
  return value;
}

function keyOf(addr: Uint8Array, len: number): string {
  const a = Uint8Array.from(addr);
  for (let bit = len; bit < a.length * 8; bit++) a[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return `${len}/${Buffer.from(a).toString('hex')}`;
}

/** Addresses drawn near a few bases, so prefixes overlap and nest (the interesting cases). */
function addrArb(bytes: 4 | 16): fc.Arbitrary<Uint8Array> {
  const bases = [0x0a, 0xc0, 0x20];
  return fc.tuple(fc.constantFrom(...bases), fc.uint8Array({ minLength: bytes - 1, maxLength: bytes - 1 }), fc.nat(3)).map(([b, rest, spread]) => {
    const a = new Uint8Array(bytes);
    a[0] = b;
    for (let i = 1; i < bytes; i++) a[i] = i <= spread + 1 ? rest[i - 1]! & 0x03 : rest[i - 1]!;
    return a;
  });
}

for (const bytes of [4, 16] as const) {
  describe(`LpmTable (${bytes === 4 ? 'IPv4' : 'IPv6'})`, () => {
    it('matches a naive longest-prefix scan through random inserts, replaces and deletes', () => {
      const op = fc.record({
        del: fc.boolean(),
        addr: addrArb(bytes),
        len: fc.integer({ min: 0, max: bytes * 8 }),
        value: fc.integer({ min: 1, max: 1000 }),
      });
      fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.array(addrArb(bytes), { minLength: 20, maxLength: 20 }), (ops, probes) => {
        const t = new LpmTable(bytes);
        const ref = new Map<string, { addr: Uint8Array; len: number; value: number }>();
        const chunksSeen: number[] = [];
        for (const o of ops) {
          const k = keyOf(o.addr, o.len);
          if (o.del) {
            const had = ref.delete(k);
            expect(t.delete(o.addr, o.len)).toBe(had);
          } else {
            ref.set(k, { addr: o.addr, len: o.len, value: o.value });
            t.set(o.addr, o.len, o.value);
          }
          chunksSeen.push(t.chunkCount);
          // probe the prefixes themselves (and their neighbours) plus random addresses
          const all = [...probes, ...[...ref.values()].map((p) => p.addr), o.addr];
          for (const a of all) expect(t.lookup(a, 0)).toBe(naive(ref, a));
        }
        expect(t.size).toBe(ref.size);
        // deleting everything frees every chunk (uniform chunks collapse)
        for (const p of [...ref.values()]) t.delete(p.addr, p.len);
        expect(t.chunkCount).toBe(0);
        for (const a of probes) expect(t.lookup(a, 0)).toBe(0);
      }), { numRuns: 150 });
    });

    it('reads the address at an offset inside a packet', () => {
      const t = new LpmTable(bytes);
      const a = new Uint8Array(bytes).fill(7);
      t.set(a, bytes * 8, 9);
      t.set(a, 8, 3);
      const pkt = new Uint8Array(bytes + 10);
      pkt.set(a, 10);
      expect(t.lookup(pkt, 10)).toBe(9);
      pkt[10 + bytes - 1] = 8;
      expect(t.lookup(pkt, 10)).toBe(3);
      pkt[10] = 8;
      expect(t.lookup(pkt, 10)).toBe(0);
    });

    it('rejects bad lengths, values and address sizes with typed errors', () => {
      const t = new LpmTable(bytes);
      const a = new Uint8Array(bytes);
      expect(() => t.set(a, bytes * 8 + 1, 1)).toThrow(RangeError);
      expect(() => t.set(a, -1, 1)).toThrow(RangeError);
      expect(() => t.set(a, 8, 0)).toThrow(RangeError);
      expect(() => t.set(a, 8, 2 ** 31)).toThrow(RangeError);
      expect(() => t.set(new Uint8Array(bytes === 4 ? 16 : 4), 8, 1)).toThrow(TypeError);
    });
  });
}
