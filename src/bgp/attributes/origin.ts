/**
 * ORIGIN (type 1, well-known mandatory; RFC 4271 4.3 and 5.1.1): one octet, IGP 0, EGP 1,
 * INCOMPLETE 2. RFC 7606 7.1: wrong length or undefined value is treat-as-withdraw.
 */
import { AttrType, Origin, UpdateSubcode } from '../iana.js';
import type { OriginAttribute } from '../types.js';
import { lengthError, malformed, wellKnown, type AttrCodec } from './registry.js';

const names = ['igp', 'egp', 'incomplete'] as const;

export const origin = {
  type: 'origin',
  code: AttrType.origin,
  flags: wellKnown,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    if (end - start !== 1) throw lengthError('ORIGIN', end - start, '1');
    const name = names[buf[start]!];
    // RFC 4271 6.3: an undefined ORIGIN value is Invalid ORIGIN Attribute
    if (name === undefined) throw malformed(UpdateSubcode.invalidOriginAttribute, `ORIGIN: undefined value ${buf[start]!}`);
    return { type: 'origin', value: name };
  },
  encodingLength: () => 1,
  encode(v, buf, offset) {
    const n = Origin[v.value];
    if (n === undefined) throw new TypeError(`ORIGIN: unknown value ${String(v.value)}`);
    buf[offset] = n;
    return offset + 1;
  },
} satisfies AttrCodec<OriginAttribute>;
