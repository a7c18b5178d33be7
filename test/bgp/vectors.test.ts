/**
 * Hand-made vectors (test/vectors/bgp-handmade.json), checked both ways: the hex decodes to the
 * value, and the value encodes to the hex (or to `reencoded` where the encoder's canonical form
 * differs, e.g. capabilities packed into one optional parameter).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/bgp/codec.js';
import type { BgpMessage, CodecOptions } from '../../src/bgp/types.js';
import { plain } from '../helpers/roundtrip.js';

interface Vector {
  name: string;
  hex: string;
  reencoded?: string;
  value: unknown;
  options?: { fourOctetAs?: boolean; extendedMessage?: boolean; addPath?: number[] };
}

const vectors = JSON.parse(readFileSync(new URL('../vectors/bgp-handmade.json', import.meta.url), 'utf8')) as Vector[];

/** JSON value -> message: `hex:..` strings become Buffers. */
function revive(v: unknown): unknown {
  if (typeof v === 'string' && v.startsWith('hex:')) return Buffer.from(v.slice(4), 'hex');
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  return v;
}

function optionsOf(v: Vector): CodecOptions {
  const o = v.options ?? {};
  return { ...o, addPath: o.addPath === undefined ? undefined : new Set(o.addPath) };
}

describe('hand-made vectors', () => {
  it('has vectors of every message type', () => {
    const types = new Set(vectors.map((v) => Buffer.from(v.hex, 'hex')[18]));
    expect([...types].sort()).toEqual([1, 2, 3, 4, 5]);
  });
  for (const v of vectors) {
    it(v.name, () => {
      const bytes = Buffer.from(v.hex, 'hex');
      expect(bytes.readUInt16BE(16)).toBe(bytes.length);
      const options = optionsOf(v);
      const decoded = decodeMessage(bytes, options);
      expect(plain(decoded)).toEqual(v.value);
      const encoded = encodeMessage(revive(v.value) as BgpMessage, options);
      expect(encoded.toString('hex')).toBe(v.reencoded ?? v.hex);
    });
  }
});
