/**
 * Hand-made vectors (test/vectors/evpn-handmade.json) checked both ways: bytes -> value and
 * value -> bytes, at offset 0 and at a non-zero offset.
 */
import { describe, expect, it } from 'vitest';
import { BgpError } from '../../src/bgp/errors.js';
import { decodeExtCommunity, encodeExtCommunity } from '../../src/bgp/ext-community-registry.js';
import { evpnNlri, type EvpnRoute } from '../../src/evpn/index.js';
import vectors from '../vectors/evpn-handmade.json' with { type: 'json' };

function toRoute(v: Record<string, unknown>): EvpnRoute {
  return (typeof v.raw === 'string' ? { ...v, raw: Buffer.from(v.raw, 'hex') } : v) as unknown as EvpnRoute;
}

function encodeAt(route: EvpnRoute, offset: number): Buffer {
  const n = evpnNlri.encodingLength(route, false);
  const buf = Buffer.alloc(offset + n + 3, 0xee);
  expect(evpnNlri.encode(route, buf, offset, false)).toBe(offset + n);
  expect(buf.subarray(0, offset).every((b) => b === 0xee)).toBe(true);
  expect(buf.subarray(offset + n).every((b) => b === 0xee)).toBe(true);
  return buf.subarray(offset, offset + n);
}

describe('EVPN NLRI vectors', () => {
  for (const v of vectors.nlri) {
    it(`${v.name} (${v.ref})`, () => {
      const bytes = Buffer.from(v.hex, 'hex');
      const want = toRoute(v.value);
      expect(evpnNlri.decode(bytes, 0, bytes.length, false)).toEqual([want]);
      // the same bytes inside a larger buffer
      const framed = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), bytes, Buffer.from([0xff])]);
      expect(evpnNlri.decode(framed, 3, 3 + bytes.length, false)).toEqual([want]);
      expect(encodeAt(want, 0).toString('hex')).toBe(v.hex);
      expect(encodeAt(want, 7).toString('hex')).toBe(v.hex);
      expect(evpnNlri.nextBoundary(framed, 3, framed.length, false)).toBe(3 + bytes.length);
    });
  }
});

describe('EVPN extended community vectors', () => {
  for (const v of vectors.communities) {
    it(`${v.name} (${v.ref})`, () => {
      const bytes = Buffer.from(v.hex, 'hex');
      expect(decodeExtCommunity(bytes, 0)).toEqual(v.value);
      const out = Buffer.alloc(13, 0xee);
      encodeExtCommunity(v.value, out, 5);
      expect(out.subarray(5, 13).toString('hex')).toBe(v.hex);
      expect(out.subarray(0, 5).every((b) => b === 0xee)).toBe(true);
    });
  }
});

describe('EVPN malformed NLRI vectors (RFC 7606)', () => {
  for (const v of vectors.errors) {
    it(`${v.name} -> ${v.action} (${v.ref})`, () => {
      const bytes = Buffer.from(v.hex, 'hex');
      let caught: unknown;
      try {
        evpnNlri.decode(bytes, 0, bytes.length, false);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(BgpError);
      const e = caught as BgpError;
      expect(e.action).toBe(v.action);
      expect(e.code).toBe(3);
      expect(e.subcode).toBe(10);
    });
  }
});
