import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ip4MacTable } from '../../src/dataplane/ip4-table.js';

describe('Ip4MacTable', () => {
  it('behaves like a Map<number, number> under random sets and deletes (growth, backward shift, 48-bit values)', () => {
    const ip = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0xfffffff0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }));
    const mac = fc.integer({ min: 0, max: 2 ** 48 - 1 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), ip, mac), { maxLength: 300 }), (ops) => {
        const t = new Ip4MacTable(4);
        const ref = new Map<number, number>();
        for (const [del, k, v] of ops) {
          if (del) expect(t.delete(k)).toBe(ref.delete(k));
          else {
            t.set(k, v);
            ref.set(k, v);
          }
          expect(t.size).toBe(ref.size);
        }
        for (const [, k] of ops) expect(t.get(k)).toBe(ref.get(k));
        expect(new Map(t)).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });
});
