/**
 * ATOMIC_AGGREGATE (type 6, well-known discretionary, empty), AGGREGATOR (type 7, optional
 * transitive: AS (2 or 4 octets per RFC 6793) + IPv4 address) and AS4_AGGREGATOR (type 18,
 * optional transitive, always 8 bytes; RFC 6793).
 * RFC 7606 7.6 / 7.7 and RFC 6793 6: a wrong length is attribute-discard for all three.
 */
import { readIpv4, writeIpv4 } from '../../net/ip.js';
import { AttrType } from '../iana.js';
import type { AggregatorAttribute, As4AggregatorAttribute, AtomicAggregateAttribute } from '../types.js';
import { lengthError, optionalTransitive, wellKnown, type AttrCodec } from './registry.js';

export const atomicAggregate = {
  type: 'atomic-aggregate',
  code: AttrType.atomicAggregate,
  flags: wellKnown,
  action: 'attribute-discard',
  decode(_buf, start, end) {
    if (end !== start) throw lengthError('ATOMIC_AGGREGATE', end - start, '0');
    return { type: 'atomic-aggregate' };
  },
  encodingLength: () => 0,
  encode: (_v, _buf, offset) => offset,
} satisfies AttrCodec<AtomicAggregateAttribute>;

export const aggregator = {
  type: 'aggregator',
  code: AttrType.aggregator,
  flags: optionalTransitive,
  action: 'attribute-discard',
  decode(buf, start, end, ctx) {
    const wide = ctx.fourOctetAs;
    if (end - start !== (wide ? 8 : 6)) throw lengthError('AGGREGATOR', end - start, wide ? '8' : '6');
    return wide
      ? { type: 'aggregator', asn: buf.readUInt32BE(start), address: readIpv4(buf, start + 4) }
      : { type: 'aggregator', asn: buf.readUInt16BE(start), address: readIpv4(buf, start + 2) };
  },
  encodingLength: (_v, ctx) => (ctx.fourOctetAs ? 8 : 6),
  encode(v, buf, offset, ctx) {
    if (ctx.fourOctetAs) {
      buf.writeUInt32BE(v.asn >>> 0, offset);
      return writeIpv4(v.address, buf, offset + 4);
    }
    if (v.asn > 0xffff) throw new TypeError(`AGGREGATOR: AS ${v.asn} needs 4 octets (use AS_TRANS and AS4_AGGREGATOR)`);
    buf.writeUInt16BE(v.asn, offset);
    return writeIpv4(v.address, buf, offset + 2);
  },
} satisfies AttrCodec<AggregatorAttribute>;

export const as4Aggregator = {
  type: 'as4-aggregator',
  code: AttrType.as4Aggregator,
  flags: optionalTransitive,
  action: 'attribute-discard',
  decode(buf, start, end) {
    if (end - start !== 8) throw lengthError('AS4_AGGREGATOR', end - start, '8');
    return { type: 'as4-aggregator', asn: buf.readUInt32BE(start), address: readIpv4(buf, start + 4) };
  },
  encodingLength: () => 8,
  encode(v, buf, offset) {
    buf.writeUInt32BE(v.asn >>> 0, offset);
    return writeIpv4(v.address, buf, offset + 4);
  },
} satisfies AttrCodec<As4AggregatorAttribute>;
