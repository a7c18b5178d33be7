/**
 * The path attribute section of an UPDATE (RFC 4271 4.3): the registry of attribute codecs
 * keyed by type code, and the loops that decode and encode a whole section with the error
 * handling of RFC 4271 6.3 and RFC 7606 3, 4 and 7.
 */
import { BgpError, UpdateMessageError, strongerError } from '../errors.js';
import { AttrFlag, AttrType, UpdateSubcode } from '../iana.js';
import type { PathAttribute, UnknownAttribute } from '../types.js';
import { aggregator, as4Aggregator, atomicAggregate } from './aggregator.js';
import { as4Path, asPath } from './as-path.js';
import { clusterList } from './cluster-list.js';
import { communities } from './communities.js';
import { extendedCommunities } from './extended-communities.js';
import { largeCommunities } from './large-communities.js';
import { localPref } from './local-pref.js';
import { med } from './med.js';
import { mpReach, mpUnreach } from './mp-reach.js';
import { nextHop } from './next-hop.js';
import { origin } from './origin.js';
import { originatorId } from './originator-id.js';
import { pmsiTunnel } from './pmsi-tunnel.js';
import type { AttrCodec, AttrContext } from './registry.js';

/** A codec for any one of the attribute types. */
export type AnyAttrCodec = { [K in PathAttribute['type']]: AttrCodec<Extract<PathAttribute, { type: K }>> }[PathAttribute['type']];

/** Every attribute the codec knows, by type code. */
export const attributeCodecs = {
  [AttrType.origin]: origin,
  [AttrType.asPath]: asPath,
  [AttrType.nextHop]: nextHop,
  [AttrType.med]: med,
  [AttrType.localPref]: localPref,
  [AttrType.atomicAggregate]: atomicAggregate,
  [AttrType.aggregator]: aggregator,
  [AttrType.communities]: communities,
  [AttrType.originatorId]: originatorId,
  [AttrType.clusterList]: clusterList,
  [AttrType.mpReach]: mpReach,
  [AttrType.mpUnreach]: mpUnreach,
  [AttrType.extendedCommunities]: extendedCommunities,
  [AttrType.as4Path]: as4Path,
  [AttrType.as4Aggregator]: as4Aggregator,
  [AttrType.pmsiTunnel]: pmsiTunnel,
  [AttrType.largeCommunities]: largeCommunities,
} satisfies Record<number, AnyAttrCodec>;

const byCode: (AttrCodec | undefined)[] = new Array<AttrCodec | undefined>(256).fill(undefined);
const byType = new Map<string, AttrCodec>();
for (const [code, codec] of Object.entries(attributeCodecs)) {
  byCode[Number(code)] = codec as unknown as AttrCodec;
  byType.set(codec.type, codec as unknown as AttrCodec);
}

/** The codec of a type code, if known. */
export function attributeCodec(code: number): AttrCodec | undefined {
  return byCode[code];
}

/** The type code of an attribute value. */
export function attributeTypeCode(attr: PathAttribute): number {
  if (attr.type === 'unknown') return attr.typeCode;
  const c = byType.get(attr.type);
  if (c === undefined) throw new TypeError(`unknown path attribute type '${String((attr as { type: unknown }).type)}'`);
  return c.code;
}

/** Result of decoding an attribute section. */
export interface DecodedAttributes {
  readonly attributes: PathAttribute[];
  /** Strongest non-fatal error (session-reset ones are thrown). */
  readonly error: BgpError | undefined;
  /** Bit per well-known mandatory type seen: 1 ORIGIN, 2 AS_PATH, 4 NEXT_HOP. */
  readonly mandatory: number;
}

// type codes seen in the current section: seen[code] === generation
const seen = new Uint32Array(256);
let generation = 0;

function sectionError(message: string, buf: Buffer, at: number, end: number): UpdateMessageError {
  return new UpdateMessageError(UpdateSubcode.malformedAttributeList, message, {
    data: buf.subarray(at, Math.min(end, at + 64)),
    action: 'treat-as-withdraw',
  });
}

/**
 * Decode the path attributes in `[start, end)`. Throws the session-reset errors; returns the
 * strongest other one. `skip` (for the raw RIB path) leaves MP_REACH/MP_UNREACH undecoded and
 * reports their positions through `onMp`.
 */
export function decodeAttributes(
  buf: Buffer,
  start: number,
  end: number,
  ctx: AttrContext,
  onMp?: (code: number, flagsAt: number, valueStart: number, valueEnd: number) => void,
): DecodedAttributes {
  const attributes: PathAttribute[] = [];
  let error: BgpError | undefined;
  let mandatory = 0;
  // the first discarded repeat: its error is built once, after the walk (O(1) per repeat)
  let repeatAt = -1;
  let repeatEnd = -1;
  if (++generation === 0xffffffff) {
    seen.fill(0);
    generation = 1;
  }
  let p = start;
  while (p < end) {
    const at = p;
    // RFC 7606 4: too few octets left for an attribute header: treat-as-withdraw
    if (end - p < 3) {
      error = strongerError(error, sectionError('truncated attribute header', buf, at, end));
      break;
    }
    const flags = buf[p]!;
    const code = buf[p + 1]!;
    const ext = (flags & AttrFlag.extendedLength) !== 0;
    if (ext && end - p < 4) {
      error = strongerError(error, sectionError('truncated attribute header', buf, at, end));
      break;
    }
    const len = ext ? buf.readUInt16BE(p + 2) : buf[p + 2]!;
    const vs = p + (ext ? 4 : 3);
    const ve = vs + len;
    if (ve > end) {
      // RFC 7606 4: an attribute overrunning the section is treat-as-withdraw, but an
      // MP_REACH/MP_UNREACH that cannot be located is session-reset (RFC 7606 5.3)
      const e = sectionError(`attribute ${code} overruns the attribute section`, buf, at, end);
      if (code === AttrType.mpReach || code === AttrType.mpUnreach) throw e.withAction('session-reset');
      error = strongerError(error, e);
      break;
    }
    p = ve;
    if (seen[code] === generation) {
      // RFC 7606 3.g: repeated MP attributes reset the session; other repeats are discarded
      if (code === AttrType.mpReach || code === AttrType.mpUnreach) {
        throw new UpdateMessageError(UpdateSubcode.malformedAttributeList, `attribute ${code} repeated`, { data: buf.subarray(at, ve) });
      }
      if (repeatAt < 0) {
        repeatAt = at;
        repeatEnd = ve;
      }
      continue;
    }
    seen[code] = generation;
    const codec = byCode[code];
    if (codec === undefined) {
      // RFC 4271 6.3: an unrecognized well-known attribute
      if ((flags & AttrFlag.optional) === 0) {
        throw new UpdateMessageError(UpdateSubcode.unrecognizedWellKnownAttribute, `unrecognized well-known attribute ${code}`, {
          data: buf.subarray(at, ve),
        });
      }
      attributes.push({ type: 'unknown', typeCode: code, flags: keptFlags(flags, len), value: buf.subarray(vs, ve) } satisfies UnknownAttribute);
      continue;
    }
    // RFC 4271 5 / 6.3: Optional and Transitive must match the type; Partial only on optional transitive
    const got = flags & 0xe0;
    const partialOk = codec.flags === (AttrFlag.optional | AttrFlag.transitive);
    if ((partialOk ? got & ~AttrFlag.partial : got) !== codec.flags) {
      // RFC 7606 3.c: a flags conflict is handled like a malformed attribute of that type
      const e = new UpdateMessageError(UpdateSubcode.attributeFlagsError, `attribute ${code}: flags 0x${got.toString(16)}`, {
        data: buf.subarray(at, ve),
        action: codec.action,
      });
      if (e.action === 'session-reset') throw e;
      error = strongerError(error, e);
      continue;
    }
    if (onMp !== undefined && (code === AttrType.mpReach || code === AttrType.mpUnreach)) {
      onMp(code, at, vs, ve);
      continue;
    }
    let attr: PathAttribute;
    try {
      attr = codec.decode(buf, vs, ve, ctx);
    } catch (e) {
      const err = attributeError(e, codec, buf.subarray(at, ve));
      if (err.action === 'session-reset') throw err;
      error = strongerError(error, err);
      continue;
    }
    const kept = keptFlags(flags, len);
    if ((kept & (AttrFlag.partial | AttrFlag.extendedLength)) !== 0) (attr as { flags?: number }).flags = kept;
    if (code <= AttrType.nextHop) mandatory |= 1 << (code - 1);
    attributes.push(attr);
  }
  if (repeatAt >= 0 && error === undefined) {
    // the weakest action: any other error found is at least as strong and wins (RFC 7606 3.h)
    error = new UpdateMessageError(UpdateSubcode.malformedAttributeList, `attribute ${buf[repeatAt + 1]!} repeated (discarded)`, {
      data: buf.subarray(repeatAt, repeatEnd),
      action: 'attribute-discard',
    });
  }
  return { attributes, error, mandatory };
}

/** A codec's error with the action of its attribute type and the attribute as data. */
export function attributeError(e: unknown, codec: AttrCodec, attrBytes: Buffer): BgpError {
  if (!(e instanceof BgpError)) {
    // a codec bug (missing bounds check): still only BgpError leaves the decoder
    return new UpdateMessageError(UpdateSubcode.malformedAttributeList, `internal error in attribute ${codec.code}: ${String(e)}`, {
      data: attrBytes,
      action: 'session-reset',
    });
  }
  const action = codec.action === 'session-reset' ? e.action : codec.action;
  return new UpdateMessageError(e.subcode, e.message, { data: e.data.length > 0 ? e.data : attrBytes, action });
}

// ---------------------------------------------------------------- encode

function valueLength(attr: PathAttribute, ctx: AttrContext): number {
  if (attr.type === 'unknown') return attr.value.length;
  const c = byType.get(attr.type);
  if (c === undefined) throw new TypeError(`unknown path attribute type '${String((attr as { type: unknown }).type)}'`);
  return c.encodingLength(attr, ctx);
}

/**
 * The flags worth keeping from the wire: O/T/P, plus the Extended Length bit when the length
 * did not need it (RFC 4271 4.3 lets a sender use the 2-byte length for any attribute; FRR
 * does for MP_REACH and AS_PATH). Keeping it lets a decoded message re-encode byte for byte.
 */
function keptFlags(flags: number, len: number): number {
  return (flags & 0xe0) | (len <= 255 ? flags & AttrFlag.extendedLength : 0);
}

/** Whether an attribute of `n` value bytes is written with a 2-byte length. */
function wideLength(attr: PathAttribute, n: number): boolean {
  return n > 255 || ((attr.flags ?? 0) & AttrFlag.extendedLength) !== 0;
}

/** Bytes of one attribute including its header. */
export function attributeLength(attr: PathAttribute, ctx: AttrContext): number {
  const n = valueLength(attr, ctx);
  if (n > 0xffff) throw new TypeError(`path attribute ${attr.type} of ${n} bytes`);
  return (wideLength(attr, n) ? 4 : 3) + n;
}

/** Bytes of a list of attributes. */
export function attributesLength(attrs: readonly PathAttribute[], ctx: AttrContext): number {
  let n = 0;
  for (let i = 0; i < attrs.length; i++) n += attributeLength(attrs[i]!, ctx);
  return n;
}

/** Flags an attribute is sent with: canonical bits, Partial kept (or set when passing on an unknown). */
function flagsFor(attr: PathAttribute, codec: AttrCodec | undefined): number {
  const ot = AttrFlag.optional | AttrFlag.transitive;
  if (codec === undefined) {
    const f = (attr.flags ?? 0) & 0xe0;
    // RFC 4271 5: an unrecognized optional transitive attribute is passed on with Partial set
    return (f & ot) === ot ? f | AttrFlag.partial : f;
  }
  return codec.flags === ot ? codec.flags | ((attr.flags ?? 0) & AttrFlag.partial) : codec.flags;
}

/** Write one attribute; return the offset after it. */
export function encodeAttribute(attr: PathAttribute, buf: Buffer, offset: number, ctx: AttrContext): number {
  const codec = attr.type === 'unknown' ? undefined : byType.get(attr.type);
  const n = valueLength(attr, ctx);
  if (n > 0xffff) throw new TypeError(`path attribute ${attr.type} of ${n} bytes`);
  const ext = wideLength(attr, n);
  buf[offset] = flagsFor(attr, codec) | (ext ? AttrFlag.extendedLength : 0);
  buf[offset + 1] = codec === undefined ? (attr as UnknownAttribute).typeCode : codec.code;
  let p: number;
  if (ext) {
    buf.writeUInt16BE(n, offset + 2);
    p = offset + 4;
  } else {
    buf[offset + 2] = n;
    p = offset + 3;
  }
  if (codec === undefined) {
    buf.set((attr as UnknownAttribute).value, p);
    return p + n;
  }
  const after = codec.encode(attr as never, buf, p, ctx);
  if (after !== p + n) throw new TypeError(`path attribute ${attr.type}: wrote ${after - p} bytes, announced ${n}`);
  return after;
}

/** Write a list of attributes; return the offset after them. */
export function encodeAttributes(attrs: readonly PathAttribute[], buf: Buffer, offset: number, ctx: AttrContext): number {
  let p = offset;
  for (let i = 0; i < attrs.length; i++) p = encodeAttribute(attrs[i]!, buf, p, ctx);
  return p;
}

/** The context for a message under these options. */
export function attrContext(options: import('../types.js').CodecOptions | undefined): AttrContext {
  return { fourOctetAs: options?.fourOctetAs ?? true, options };
}
