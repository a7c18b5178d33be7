/**
 * COMMUNITIES (type 8, optional transitive; RFC 1997): 4-byte values, `asn << 16 | value`.
 * RFC 7606 7.8: a length that is not a non-zero multiple of 4 is treat-as-withdraw.
 */
import { AttrType } from '../iana.js';
import type { CommunitiesAttribute } from '../types.js';
import { lengthError, optionalTransitive, type AttrCodec } from './registry.js';

export const communities = {
  type: 'communities',
  code: AttrType.communities,
  flags: optionalTransitive,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    const len = end - start;
    if (len === 0 || len % 4 !== 0) throw lengthError('COMMUNITIES', len, 'a non-zero multiple of 4');
    const values: number[] = [];
    for (let p = start; p < end; p += 4) values.push(buf.readUInt32BE(p));
    return { type: 'communities', values };
  },
  encodingLength: (v) => 4 * v.values.length,
  encode(v, buf, offset) {
    let p = offset;
    for (const c of v.values) {
      buf.writeUInt32BE(c >>> 0, p);
      p += 4;
    }
    return p;
  },
} satisfies AttrCodec<CommunitiesAttribute>;

/** `65000:100` -> 32-bit community value. TypeError if malformed. */
export function parseCommunity(text: string): number {
  const m = /^(\d+):(\d+)$/.exec(text);
  const hi = m ? Number(m[1]) : NaN;
  const lo = m ? Number(m[2]) : NaN;
  if (!(hi <= 0xffff && lo <= 0xffff)) throw new TypeError(`not a community: ${text}`);
  return hi * 65536 + lo;
}

/** 32-bit community value -> `65000:100`. */
export function formatCommunity(value: number): string {
  return `${Math.floor(value / 65536)}:${value & 0xffff}`;
}
