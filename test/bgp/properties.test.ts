/**
 * fast-check properties: every message round-trips (also at a non-zero offset); random and
 * near-valid bytes only ever produce a BgpError with a valid code/subcode.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, parseUpdateRaw } from '../../src/bgp/codec.js';
import { BgpError, isValidErrorCode } from '../../src/bgp/errors.js';
import { familyKey } from '../../src/bgp/families.js';
import type { CodecOptions } from '../../src/bgp/types.js';
import { arbMessage } from '../../src/testing/bgp.js';
import { arbMutatedMessage, arbRandomMessage } from '../../src/testing/bgp-mutations.js';
import { roundTrip } from '../helpers/roundtrip.js';

const optionSets: [string, CodecOptions][] = [
  ['defaults', {}],
  ['2-octet AS', { fourOctetAs: false }],
  ['ADD-PATH IPv4', { addPath: new Set([familyKey(1, 1)]) }],
];

/** Error codes seen, to check the generators reach deep into the decoder. */
const seen = new Map<string, number>();

/**
 * Decoding must succeed or throw a BgpError with a valid code/subcode; nothing else. A stray
 * exception wrapped by the decoders' safety net ("internal error") counts as a failure too.
 */
function onlyBgpErrors(bytes: Buffer, options: CodecOptions): void {
  for (const decode of [decodeMessage, parseUpdateRaw]) {
    if (decode === parseUpdateRaw && bytes[18] !== 2) continue;
    try {
      const v = decode(bytes, options);
      const err = (v as { error?: BgpError }).error;
      if (err !== undefined) {
        expect(err).toBeInstanceOf(BgpError);
        expect(err.message).not.toMatch(/internal error/);
        seen.set(`${err.code}/${err.subcode}/${err.action}`, (seen.get(`${err.code}/${err.subcode}/${err.action}`) ?? 0) + 1);
        expect(err.action).not.toBe('session-reset');
        expect(isValidErrorCode(err.code, err.subcode)).toBe(true);
      }
      JSON.stringify(v);
    } catch (e) {
      if (!(e instanceof BgpError)) throw new Error(`non-BgpError escaped for ${bytes.toString('hex')}: ${String(e)}`);
      expect(isValidErrorCode(e.code, e.subcode), `${e.code}/${e.subcode}`).toBe(true);
      expect(e.message, bytes.toString('hex')).not.toMatch(/internal error/);
      seen.set(`${e.code}/${e.subcode}/${e.action}`, (seen.get(`${e.code}/${e.subcode}/${e.action}`) ?? 0) + 1);
      expect(e.action).toBe('session-reset');
    }
  }
}

describe('properties', () => {
  for (const [name, options] of optionSets) {
    it(`every message round-trips (${name})`, () => {
      fc.assert(
        fc.property(arbMessage(options), (m) => {
          roundTrip(m, options);
        }),
        { numRuns: 300 },
      );
    });

    it(`near-valid mutations only raise BgpError (${name})`, () => {
      fc.assert(fc.property(arbMutatedMessage(options), (b) => onlyBgpErrors(b, options)), { numRuns: 1500 });
    });
  }

  it('random bodies behind a valid header only raise BgpError', () => {
    fc.assert(fc.property(arbRandomMessage(), (b) => onlyBgpErrors(b, {})), { numRuns: 2000 });
  });

  it('the mutations reach many distinct errors', () => {
    seen.clear();
    for (const [, options] of optionSets) for (const b of fc.sample(arbMutatedMessage(options), { numRuns: 2000, seed: 0x5eed })) onlyBgpErrors(b, options);
    // header, OPEN, UPDATE (several subcodes and actions), ROUTE-REFRESH
    expect(seen.size, [...seen.keys()].sort().join(' ')).toBeGreaterThanOrEqual(12);
    for (const k of ['1/2/session-reset', '3/1/session-reset', '3/1/treat-as-withdraw', '3/4/treat-as-withdraw', '3/5/treat-as-withdraw', '3/10/session-reset']) {
      expect(seen.has(k), k).toBe(true);
    }
  });

  it('plain random bytes only raise BgpError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (u) => onlyBgpErrors(Buffer.from(u), {})),
      { numRuns: 500 },
    );
  });
});
