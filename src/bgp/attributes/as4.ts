/**
 * RFC 6793 between a NEW speaker (this one) and a peer that did not negotiate the 4-octet AS
 * capability: what an UPDATE carries towards it (4.2.2) and how what it sends is read back
 * (4.2.3, 6). Inside the speaker an attribute set always holds the real AS numbers in AS_PATH
 * and AGGREGATOR, and never AS4_PATH / AS4_AGGREGATOR: those exist only on 2-octet sessions.
 */
import { UpdateMessageError, strongerError, type BgpError } from '../errors.js';
import { AS_TRANS, AttrType, UpdateSubcode } from '../iana.js';
import type { AggregatorAttribute, As4AggregatorAttribute, As4PathAttribute, AsPathAttribute, AsPathSegment, PathAttribute } from '../types.js';
import { mergeAs4Path } from './as-path.js';
import { attributeTypeCode } from './path-attributes.js';

const isAs4 = (a: PathAttribute): boolean => a.type === 'as4-path' || a.type === 'as4-aggregator';
const isConfed = (s: AsPathSegment): boolean => s.type === 'confed-sequence' || s.type === 'confed-set';

/** Whether any AS of a SEQUENCE or SET segment needs 4 octets. */
function hasWideAs(segments: readonly AsPathSegment[]): boolean {
  for (const s of segments) {
    if (isConfed(s)) continue;
    for (const a of s.asns) if (a > 0xffff) return true;
  }
  return false;
}

/** Every AS that does not fit 2 octets becomes AS_TRANS (RFC 6793 4.2.2). */
function transPath(segments: readonly AsPathSegment[]): AsPathSegment[] {
  return segments.map((s) => (s.asns.some((a) => a > 0xffff) ? { type: s.type, asns: s.asns.map((a) => (a > 0xffff ? AS_TRANS : a)) } : s));
}

/**
 * The attributes as sent to a peer without the 4-octet AS capability (RFC 6793 4.2.2): AS_TRANS
 * in AS_PATH for every AS above 65535, the real path in AS4_PATH (without confederation
 * segments, and only when the path holds such an AS); an AGGREGATOR with such an AS becomes
 * AS_TRANS plus AS4_AGGREGATOR. AS4_PATH / AS4_AGGREGATOR given in `attrs` are rebuilt, never
 * passed on. Returns `attrs` itself when nothing needs 4 octets (the usual case).
 */
export function toTwoOctetAttributes(attrs: readonly PathAttribute[]): readonly PathAttribute[] {
  let change = false;
  for (const a of attrs) {
    if (isAs4(a) || (a.type === 'aggregator' && a.asn > 0xffff) || (a.type === 'as-path' && a.segments.some((s) => s.asns.some((x) => x > 0xffff)))) {
      change = true;
      break;
    }
  }
  if (!change) return attrs;
  const out: PathAttribute[] = [];
  const extra: PathAttribute[] = [];
  for (const a of attrs) {
    if (isAs4(a)) continue;
    if (a.type === 'as-path') {
      out.push({ ...a, segments: transPath(a.segments) });
      const real = a.segments.filter((s) => !isConfed(s));
      if (hasWideAs(real)) extra.push({ type: 'as4-path', segments: real } satisfies As4PathAttribute);
    } else if (a.type === 'aggregator' && a.asn > 0xffff) {
      out.push({ ...a, asn: AS_TRANS });
      extra.push({ type: 'as4-aggregator', asn: a.asn, address: a.address } satisfies As4AggregatorAttribute);
    } else {
      out.push(a);
    }
  }
  if (extra.length === 0) return out;
  if (extra.length === 2 && extra[0]!.type === 'as4-aggregator') extra.reverse();
  // RFC 4271 5: a sender SHOULD order attributes by type code; AS4_PATH (17) and AS4_AGGREGATOR
  // (18) go before the first attribute with a higher code
  const at = out.findIndex((a) => attributeTypeCode(a) > AttrType.as4Aggregator);
  return at < 0 ? [...out, ...extra] : [...out.slice(0, at), ...extra, ...out.slice(at)];
}

/** Decoded attributes and the strongest soft error found so far. */
export interface ReconciledAttributes {
  readonly attributes: readonly PathAttribute[];
  readonly error: BgpError | undefined;
}

/** RFC 6793 6: a case to log (the speaker's `updateError` event), the attribute is dropped. */
function discarded(message: string): UpdateMessageError {
  return new UpdateMessageError(UpdateSubcode.optionalAttributeError, message, { action: 'attribute-discard' });
}

/**
 * Received attributes as the RIB keeps them (RFC 6793 4.2.3 and 6). From a peer with 4-octet AS
 * (`fourOctetAs`) AS4_PATH and AS4_AGGREGATOR MUST NOT come and are discarded (logged through
 * the error). From a 2-octet peer: when AGGREGATOR's AS is not AS_TRANS but an AS4_AGGREGATOR
 * came, AS4_PATH and AS4_AGGREGATOR are ignored; otherwise AS4_AGGREGATOR (when AGGREGATOR
 * came too) replaces AGGREGATOR's AS and address, and AS4_PATH is merged into AS_PATH
 * (`mergeAs4Path`; its confederation segments are dropped and logged). `error` is the strongest
 * soft error found so far; the result carries it, or a stronger one. Returns `attrs` itself
 * when it holds neither attribute (the usual case).
 */
export function reconcileAs4(attrs: readonly PathAttribute[], fourOctetAs: boolean, error: BgpError | undefined): ReconciledAttributes {
  let as4Path: As4PathAttribute | undefined;
  let as4Agg: As4AggregatorAttribute | undefined;
  let agg: AggregatorAttribute | undefined;
  for (const a of attrs) {
    if (a.type === 'as4-path') as4Path = a;
    else if (a.type === 'as4-aggregator') as4Agg = a;
    else if (a.type === 'aggregator') agg = a;
  }
  if (as4Path === undefined && as4Agg === undefined) return { attributes: attrs, error };
  const rest = attrs.filter((a) => !isAs4(a));
  if (fourOctetAs) {
    // RFC 6793 6: never between NEW speakers; discard, continue, log
    return { attributes: rest, error: strongerError(error, discarded('AS4_PATH / AS4_AGGREGATOR from a 4-octet AS peer (discarded)')) };
  }
  // RFC 6793 4.2.3: an AGGREGATOR that is not AS_TRANS makes AS4_PATH and AS4_AGGREGATOR moot
  if (agg !== undefined && as4Agg !== undefined && agg.asn !== AS_TRANS) return { attributes: rest, error };
  if (as4Path !== undefined && as4Path.segments.some(isConfed)) {
    // RFC 6793 6: confederation segments MUST NOT be in AS4_PATH; mergeAs4Path drops them
    error = strongerError(error, discarded('AS4_PATH holds confederation segments (dropped)'));
  }
  const out = rest.map((a): PathAttribute => {
    if (a.type === 'aggregator' && as4Agg !== undefined) return { ...a, asn: as4Agg.asn, address: as4Agg.address } satisfies AggregatorAttribute;
    if (a.type === 'as-path' && as4Path !== undefined) return { ...a, segments: mergeAs4Path(a.segments, as4Path.segments) } satisfies AsPathAttribute;
    return a;
  });
  return { attributes: out, error };
}
