/** ORIGINATOR_ID (type 9, optional non-transitive; RFC 4456 8). RFC 7606 7.9: bad length is treat-as-withdraw. */
import { readIpv4, writeIpv4 } from '../../net/ip.js';
import { AttrType } from '../iana.js';
import type { OriginatorIdAttribute } from '../types.js';
import { lengthError, optionalNonTransitive, type AttrCodec } from './registry.js';

export const originatorId = {
  type: 'originator-id',
  code: AttrType.originatorId,
  flags: optionalNonTransitive,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    if (end - start !== 4) throw lengthError('ORIGINATOR_ID', end - start, '4');
    return { type: 'originator-id', value: readIpv4(buf, start) };
  },
  encodingLength: () => 4,
  encode: (v, buf, offset) => writeIpv4(v.value, buf, offset),
} satisfies AttrCodec<OriginatorIdAttribute>;
