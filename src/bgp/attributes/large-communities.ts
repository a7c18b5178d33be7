/**
 * LARGE_COMMUNITY (type 32, optional transitive; RFC 8092): 12-byte values
 * (global administrator, local data 1, local data 2). RFC 8092 5: a length that is not a
 * non-zero multiple of 12 is treat-as-withdraw.
 */
import { AttrType } from '../iana.js';
import type { LargeCommunitiesAttribute, LargeCommunity } from '../types.js';
import { lengthError, optionalTransitive, type AttrCodec } from './registry.js';

export const largeCommunities = {
  type: 'large-communities',
  code: AttrType.largeCommunities,
  flags: optionalTransitive,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    const len = end - start;
    if (len === 0 || len % 12 !== 0) throw lengthError('LARGE_COMMUNITY', len, 'a non-zero multiple of 12');
    const values: LargeCommunity[] = [];
    for (let p = start; p < end; p += 12) {
      values.push({ global: buf.readUInt32BE(p), local1: buf.readUInt32BE(p + 4), local2: buf.readUInt32BE(p + 8) });
    }
    return { type: 'large-communities', values };
  },
  encodingLength: (v) => 12 * v.values.length,
  encode(v, buf, offset) {
    let p = offset;
    for (const c of v.values) {
      buf.writeUInt32BE(c.global >>> 0, p);
      buf.writeUInt32BE(c.local1 >>> 0, p + 4);
      buf.writeUInt32BE(c.local2 >>> 0, p + 8);
      p += 12;
    }
    return p;
  },
} satisfies AttrCodec<LargeCommunitiesAttribute>;
