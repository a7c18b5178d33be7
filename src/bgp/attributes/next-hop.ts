/**
 * NEXT_HOP (type 3, well-known; RFC 4271 4.3 and 5.1.3): the IPv4 address of the next hop.
 * RFC 7606 7.3: wrong length, or a semantically invalid address, is treat-as-withdraw.
 */
import { parseIpv4, readIpv4, writeIpv4 } from '../../net/ip.js';
import { AttrType, UpdateSubcode } from '../iana.js';
import type { NextHopAttribute } from '../types.js';
import { lengthError, malformed, wellKnown, type AttrCodec } from './registry.js';

export const nextHop = {
  type: 'next-hop',
  code: AttrType.nextHop,
  flags: wellKnown,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    if (end - start !== 4) throw lengthError('NEXT_HOP', end - start, '4');
    const first = buf[start]!;
    const v = buf.readUInt32BE(start);
    // RFC 4271 6.3 / 5.1.3: 0.0.0.0, multicast (224/4) and limited broadcast are not next hops
    if (v === 0 || v === 0xffffffff || (first & 0xf0) === 0xe0) {
      throw malformed(UpdateSubcode.invalidNextHopAttribute, `NEXT_HOP: invalid address ${readIpv4(buf, start)}`);
    }
    return { type: 'next-hop', value: readIpv4(buf, start) };
  },
  encodingLength: () => 4,
  encode(v, buf, offset) {
    return writeIpv4(v.value, buf, offset);
  },
} satisfies AttrCodec<NextHopAttribute>;

/** True when `text` is a usable IPv4 next hop (what the decoder accepts). */
export function isValidNextHop(text: string): boolean {
  const v = parseIpv4(text);
  return v > 0 && v !== 0xffffffff && v >>> 28 !== 0xe;
}
