/**
 * `bgp-evpn/testing` has one shape: every `arb*` export is a factory. Called with no argument it
 * returns a fast-check Arbitrary; the ones with knobs take one optional options object
 * (`arbPrefix({ addPath })`, `arbAsPathSegments({ wide, confed })`, `arbPathAttribute({ wide })`,
 * `arbMpReach({ addPath })`, `arbMpUnreach({ addPath })`, `arbUpdate(codecOptions)`, ...).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as testing from '../src/testing/index.js';

describe('bgp-evpn/testing arbitraries', () => {
  const arbs = Object.entries(testing).filter(([k]) => k.startsWith('arb'));

  it('are all factories returning an Arbitrary, with at most one (options) parameter', () => {
    expect(arbs.length).toBeGreaterThan(40);
    for (const [name, f] of arbs) {
      expect(typeof f, name).toBe('function');
      expect((f as (...a: unknown[]) => unknown).length, name).toBeLessThanOrEqual(1);
      const a = (f as () => unknown)();
      expect(a, name).toBeInstanceOf(fc.Arbitrary);
      expect(fc.sample(a as fc.Arbitrary<unknown>, { numRuns: 3, seed: 1 }), name).toHaveLength(3);
    }
  });

  it('options objects steer them', () => {
    const withIds = fc.sample(testing.arbPrefix({ addPath: true }), { numRuns: 20, seed: 2 });
    expect(withIds.every((p) => typeof p.pathId === 'number')).toBe(true);
    expect(fc.sample(testing.arbPrefix(), { numRuns: 20, seed: 2 }).every((p) => p.pathId === undefined)).toBe(true);
    const narrow = fc.sample(testing.arbAsPathSegments({ wide: false, confed: false }), { numRuns: 50, seed: 3 }).flat();
    expect(narrow.every((s) => (s.type === 'set' || s.type === 'sequence') && s.asns.every((n) => n <= 0xffff))).toBe(true);
  });
});
