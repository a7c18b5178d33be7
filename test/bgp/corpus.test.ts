/**
 * Regression corpus: every file in test/corpus/bgp/ is one message (hex) with its expected
 * outcome. Every crash or wrong verdict found (by fuzzing or by a peer) becomes a file here.
 *
 * Format: `# description`, `# expect: ok | soft C/S action | throw C/S action`, then the hex.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage, parseUpdateRaw } from '../../src/bgp/codec.js';
import { BgpError } from '../../src/bgp/errors.js';

const dir = new URL('../corpus/bgp/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

function outcome(bytes: Buffer, decode: (b: Buffer) => unknown): string {
  try {
    const v = decode(bytes) as { error?: BgpError };
    return v.error === undefined ? 'ok' : `soft ${v.error.code}/${v.error.subcode} ${v.error.action}`;
  } catch (e) {
    if (!(e instanceof BgpError)) return `non-BgpError ${String(e)}`;
    return `throw ${e.code}/${e.subcode} ${e.action}`;
  }
}

describe('regression corpus', () => {
  it('is not empty', () => expect(files.length).toBeGreaterThanOrEqual(10));
  for (const f of files) {
    it(f, () => {
      const lines = readFileSync(new URL(f, dir), 'utf8').split('\n');
      const expected = lines.find((l) => l.startsWith('# expect:'))?.slice('# expect:'.length).trim();
      const hex = lines.filter((l) => l.length > 0 && !l.startsWith('#')).join('').replace(/\s+/g, '');
      expect(expected, 'missing "# expect:" line').toBeDefined();
      const bytes = Buffer.from(hex, 'hex');
      expect(outcome(bytes, (b) => decodeMessage(b))).toBe(expected);
      // the RIB's path reaches the same verdict on UPDATEs
      if (bytes[18] === 2) expect(outcome(bytes, (b) => parseUpdateRaw(b))).toBe(expected);
    });
  }
});
