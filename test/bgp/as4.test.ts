/** RFC 6793 4.2.3: reconstructing the 4-octet AS path from AS_PATH + AS4_PATH. */
import { describe, expect, it } from 'vitest';
import { asPathCount, mergeAs4Path } from '../../src/bgp/attributes/as-path.js';
import { AS_TRANS } from '../../src/bgp/iana.js';
import type { AsPathSegment } from '../../src/bgp/types.js';

const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });

describe('mergeAs4Path', () => {
  it('replaces AS_TRANS by the AS4_PATH numbers, keeping the leading 2-octet ones', () => {
    expect(mergeAs4Path([seq(65001, AS_TRANS, AS_TRANS)], [seq(4200000000, 4200000001)])).toEqual([seq(65001, 4200000000, 4200000001)]);
  });
  it('ignores an AS4_PATH longer than the AS_PATH', () => {
    expect(mergeAs4Path([seq(65001)], [seq(1, 2)])).toEqual([seq(65001)]);
  });
  it('counts a SET as one and drops AS4 confederation segments', () => {
    const merged = mergeAs4Path([seq(65001), { type: 'set', asns: [1, 2] }, seq(AS_TRANS)], [{ type: 'confed-sequence', asns: [9] }, seq(4200000000)]);
    expect(merged).toEqual([seq(65001), { type: 'set', asns: [1, 2] }, seq(4200000000)]);
    expect(asPathCount(merged)).toBe(3);
  });
  it('without AS4_PATH the AS_PATH stands', () => {
    expect(mergeAs4Path([seq(1, 2)], undefined)).toEqual([seq(1, 2)]);
  });
});
