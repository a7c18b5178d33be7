/**
 * The shared round-trip check: encode -> decode -> deep-equal, and the same at a non-zero
 * offset inside a larger buffer (the bytes must be identical and nothing outside touched).
 */
import { expect } from 'vitest';
import { decodeMessage, encodeMessage, encodeMessageInto, encodedLength } from '../../src/bgp/codec.js';
import type { BgpMessage, CodecOptions } from '../../src/bgp/types.js';

/** Plain data for comparison: Buffers become hex strings, errors their JSON. */
export function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => {
    if (x !== null && typeof x === 'object' && (x as { type?: unknown }).type === 'Buffer' && Array.isArray((x as { data?: unknown }).data)) {
      return `hex:${Buffer.from((x as { data: number[] }).data).toString('hex')}`;
    }
    return x;
  })) as unknown;
}

/** Encode, decode, compare; also encode at a non-zero offset. Returns the encoded bytes. */
export function roundTrip(message: BgpMessage, options?: CodecOptions, expected: BgpMessage = message): Buffer {
  const bytes = encodeMessage(message, options);
  expect(bytes.length).toBe(encodedLength(message, options));
  const back = decodeMessage(bytes, options);
  expect(plain(back)).toEqual(plain(expected));
  const offset = 7;
  const big = Buffer.alloc(bytes.length + offset + 5, 0xa5);
  const end = encodeMessageInto(message, big, offset, options);
  expect(end).toBe(offset + bytes.length);
  expect(big.subarray(offset, end).equals(bytes)).toBe(true);
  expect(big.subarray(0, offset).every((b) => b === 0xa5)).toBe(true);
  expect(big.subarray(end).every((b) => b === 0xa5)).toBe(true);
  // decoding a view at a non-zero offset of a larger buffer gives the same value
  expect(plain(decodeMessage(big.subarray(offset, end), options))).toEqual(plain(expected));
  return bytes;
}
