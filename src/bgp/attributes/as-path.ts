/**
 * AS_PATH (type 2, well-known mandatory; RFC 4271 4.3, RFC 5065 confederation segments) and
 * AS4_PATH (type 17, optional transitive; RFC 6793).
 *
 * ```
 * +--------------+--------------+----------------------------------+
 * | segment type | segment len  | len AS numbers (2 or 4 octets)    |
 * +--------------+--------------+----------------------------------+
 * ```
 * AS numbers are 4 octets when the session negotiated 4-octet AS (and always in AS4_PATH).
 * RFC 7606 7.2: a malformed AS_PATH is treat-as-withdraw; RFC 6793 6: a malformed AS4_PATH is
 * discarded (attribute-discard).
 */
import { AsPathSegmentType, AttrType, UpdateSubcode } from '../iana.js';
import type { As4PathAttribute, AsPathAttribute, AsPathSegment, AsPathSegmentKind } from '../types.js';
import { malformed, optionalTransitive, wellKnown, type AttrCodec } from './registry.js';

const kinds: readonly (AsPathSegmentKind | undefined)[] = [undefined, 'set', 'sequence', 'confed-sequence', 'confed-set'];
const kindCode: Readonly<Record<AsPathSegmentKind, number>> = {
  set: AsPathSegmentType.set,
  sequence: AsPathSegmentType.sequence,
  'confed-sequence': AsPathSegmentType.confedSequence,
  'confed-set': AsPathSegmentType.confedSet,
};

/** Decode the segments in `[start, end)`; `width` is 2 or 4 octets per AS. */
export function decodeSegments(buf: Buffer, start: number, end: number, width: 2 | 4, name: string): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    // RFC 7606 7.2: an underrun (a lone octet left) is malformed
    if (end - p < 2) throw malformed(UpdateSubcode.malformedAsPath, `${name}: truncated segment header`);
    const kind = kinds[buf[p]!];
    if (kind === undefined) throw malformed(UpdateSubcode.malformedAsPath, `${name}: unknown segment type ${buf[p]!}`);
    const count = buf[p + 1]!;
    // RFC 7606 7.2: a zero segment length is malformed
    if (count === 0) throw malformed(UpdateSubcode.malformedAsPath, `${name}: empty segment`);
    p += 2;
    // RFC 7606 7.2: a segment overrunning the attribute is malformed
    if (end - p < count * width) throw malformed(UpdateSubcode.malformedAsPath, `${name}: segment overruns attribute`);
    const asns: number[] = new Array<number>(count);
    if (width === 4) {
      for (let i = 0; i < count; i++, p += 4) asns[i] = buf.readUInt32BE(p);
    } else {
      for (let i = 0; i < count; i++, p += 2) asns[i] = buf.readUInt16BE(p);
    }
    segments.push({ type: kind, asns });
  }
  return segments;
}

export function segmentsLength(segments: readonly AsPathSegment[], width: 2 | 4): number {
  let n = 0;
  for (const s of segments) n += 2 + width * s.asns.length;
  return n;
}

export function encodeSegments(segments: readonly AsPathSegment[], buf: Buffer, offset: number, width: 2 | 4): number {
  let p = offset;
  for (const s of segments) {
    const code = kindCode[s.type];
    if (code === undefined) throw new TypeError(`AS_PATH: unknown segment type ${String(s.type)}`);
    if (s.asns.length === 0 || s.asns.length > 255) throw new TypeError(`AS_PATH: a segment holds 1..255 AS numbers, not ${s.asns.length}`);
    buf[p] = code;
    buf[p + 1] = s.asns.length;
    p += 2;
    for (const asn of s.asns) {
      if (width === 4) {
        buf.writeUInt32BE(asn >>> 0, p);
      } else {
        if (asn > 0xffff) throw new TypeError(`AS_PATH: AS ${asn} needs 4 octets (use AS_TRANS and AS4_PATH)`);
        buf.writeUInt16BE(asn, p);
      }
      p += width;
    }
  }
  return p;
}

export const asPath = {
  type: 'as-path',
  code: AttrType.asPath,
  flags: wellKnown,
  action: 'treat-as-withdraw',
  decode(buf, start, end, ctx) {
    return { type: 'as-path', segments: decodeSegments(buf, start, end, ctx.fourOctetAs ? 4 : 2, 'AS_PATH') };
  },
  encodingLength: (v, ctx) => segmentsLength(v.segments, ctx.fourOctetAs ? 4 : 2),
  encode: (v, buf, offset, ctx) => encodeSegments(v.segments, buf, offset, ctx.fourOctetAs ? 4 : 2),
} satisfies AttrCodec<AsPathAttribute>;

export const as4Path = {
  type: 'as4-path',
  code: AttrType.as4Path,
  flags: optionalTransitive,
  action: 'attribute-discard',
  decode(buf, start, end) {
    // RFC 6793 6: too small to carry one AS number is malformed (an empty AS4_PATH included)
    if (end - start < 6) throw malformed(UpdateSubcode.malformedAsPath, `AS4_PATH: length ${end - start}, at least 6`);
    return { type: 'as4-path', segments: decodeSegments(buf, start, end, 4, 'AS4_PATH') };
  },
  encodingLength: (v) => segmentsLength(v.segments, 4),
  encode: (v, buf, offset) => encodeSegments(v.segments, buf, offset, 4),
} satisfies AttrCodec<As4PathAttribute>;

/** RFC 4271 9.1.2.2 / RFC 6793 4.2.3 path length: a SET counts 1, confederation segments 0. */
export function asPathCount(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) n += s.type === 'sequence' ? s.asns.length : s.type === 'set' ? 1 : 0;
  return n;
}

/**
 * The real AS path of a route received over a 2-octet session (RFC 6793 4.2.3): AS_PATH carries
 * AS_TRANS where AS4_PATH has the 4-octet numbers. When AS_PATH is shorter than AS4_PATH the
 * AS4_PATH is ignored; otherwise the leading AS_PATH entries the AS4_PATH lacks are kept in front
 * of it. Confederation segments of AS4_PATH are dropped (RFC 6793 6).
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[] | undefined): AsPathSegment[] {
  if (as4Path === undefined) return [...asPath];
  const as4 = as4Path.filter((s) => s.type === 'set' || s.type === 'sequence');
  let keep = asPathCount(asPath) - asPathCount(as4);
  if (keep < 0) return [...asPath];
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep <= 0 && (s.type === 'set' || s.type === 'sequence')) break;
    if (s.type === 'sequence') {
      if (s.asns.length <= keep) {
        out.push(s);
        keep -= s.asns.length;
      } else {
        out.push({ type: 'sequence', asns: s.asns.slice(0, keep) });
        keep = 0;
      }
    } else if (s.type === 'set') {
      out.push(s);
      keep -= 1;
    } else {
      out.push(s); // confederation segments of AS_PATH stay where they are
    }
  }
  // join a trailing kept sequence with a leading AS4 sequence
  const last = out[out.length - 1];
  const first = as4[0];
  if (last?.type === 'sequence' && first?.type === 'sequence' && last.asns.length + first.asns.length <= 255) {
    out[out.length - 1] = { type: 'sequence', asns: [...last.asns, ...first.asns] };
    return [...out, ...as4.slice(1)];
  }
  return [...out, ...as4];
}
