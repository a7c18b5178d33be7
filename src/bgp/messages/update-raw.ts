/**
 * The low-level UPDATE path for the RIB: NLRI stay bytes (one view per route, split with the
 * family codec's `nextBoundary`), attributes are decoded once and keyed by their raw bytes so
 * equal sets can be interned. `encodeUpdateRaw` is the inverse, for Adj-RIB-Out packing.
 */
import { addressBytes as addressBytesOf, readIpv4, readIpv6 } from '../../net/ip.js';
import { BgpError, MessageHeaderError, UpdateMessageError, strongerError } from '../errors.js';
import { familyCodec, hasAddPath } from '../families.js';
import { Afi, AttrFlag, AttrType, Header, HeaderSubcode, MessageType, Safi, UpdateSubcode } from '../iana.js';
import { attrContext, attributeCodec, attributeError, decodeAttributes, encodeAttributes, attributesLength, type DecodedAttributes } from '../attributes/path-attributes.js';
import { reconcileAs4, toTwoOctetAttributes } from '../attributes/as4.js';
import { cacheAttributes, cachedAttributes } from './attr-cache.js';
import { mpReach, mpUnreach } from '../attributes/mp-reach.js';
import { ipv4Unicast } from '../nlri/ipv4.js';
import type { CodecOptions, Family, PathAttribute } from '../types.js';
import { checkHeader, writeHeader } from './header.js';
import { missingMandatory, updateLayout } from './update.js';

/** NLRI of one family, one Buffer view per route. */
export interface RawNlriSet {
  readonly afi: number;
  readonly safi: number;
  /** Next hops (text) for announced sets: MP_REACH next hops, or the NEXT_HOP attribute for IPv4. */
  readonly nextHops?: readonly string[];
  /** One view per NLRI (path id included under ADD-PATH). Empty in 'bounds' mode. */
  readonly nlri: Buffer[];
  /** 'bounds' mode: the message the NLRI lie in. */
  readonly buf?: Buffer;
  /**
   * 'bounds' mode: `[start, end)` of each NLRI in `buf`, as pairs (NLRI i is
   * `bounds[2i]..bounds[2i+1]`). One allocation per set instead of one view per NLRI.
   */
  readonly bounds?: readonly number[];
}

/** An UPDATE as the RIB stores it. */
export interface RawUpdate {
  /** The IPv4 NLRI field (AFI 1 / SAFI 1) and MP_REACH_NLRI. */
  readonly announced: RawNlriSet[];
  /** The IPv4 withdrawn routes field and MP_UNREACH_NLRI. */
  readonly withdrawn: RawNlriSet[];
  /**
   * Every attribute decoded, except MP_REACH_NLRI / MP_UNREACH_NLRI, with RFC 6793 applied: on a
   * 2-octet AS session AS4_PATH / AS4_AGGREGATOR are merged into AS_PATH / AGGREGATOR (4.2.3),
   * on a 4-octet one they are discarded (6); neither is ever left in. Treat as immutable: UPDATEs
   * whose attribute bytes are equal usually get the same frozen array (decoded once).
   */
  readonly attributes: readonly PathAttribute[];
  /**
   * Latin1 string of the raw bytes of every attribute except the MP ones, plus MP_REACH's
   * AFI/SAFI/next hop: equal attribute sets have equal keys (for interning).
   */
  readonly attributesKey: string;
  /** The family this UPDATE is the End-of-RIB marker of (RFC 4724 2), if it is one. */
  readonly endOfRib?: Family;
  /** As in UpdateMessage: the strongest non-fatal error (treat-as-withdraw etc.). */
  readonly error?: BgpError;
  /**
   * With an 'afi-safi-disable' error (RFC 7606 2): the family of the malformed MP attribute,
   * which the session stops exchanging.
   */
  readonly disabledFamily?: Family;
}

// [start, end) pairs of the NLRI found by the splitters (module state: parsing is synchronous)
let scratch = new Uint32Array(2048);

/** Record NLRI number `n` as `[start, end)`; return n + 1. */
function put(n: number, start: number, end: number): number {
  if (2 * n + 2 > scratch.length) {
    const next = new Uint32Array(scratch.length * 2);
    next.set(scratch);
    scratch = next;
  }
  scratch[2 * n] = start;
  scratch[2 * n + 1] = end;
  return n + 1;
}

/** Split IPv4 prefixes into `scratch`; return how many. */
function splitIpv4(buf: Buffer, start: number, end: number, addPath: boolean): number {
  let n = 0;
  let p = start;
  while (p < end) {
    let next: number;
    if (addPath) {
      next = ipv4Unicast.nextBoundary(buf, p, end, true);
    } else {
      // the hot path: no call per prefix
      const bits = buf[p]!;
      next = p + 1 + ((bits + 7) >>> 3);
      if (bits > 32 || next > end) ipv4Unicast.nextBoundary(buf, p, end, false); // throws the right error
    }
    n = put(n, p, next);
    p = next;
  }
  return n;
}

/** Split the NLRI of any family into `scratch`; return how many. */
function splitFamily(buf: Buffer, start: number, end: number, afi: number, safi: number, options: CodecOptions | undefined): number {
  if (afi === Afi.ipv4 && safi === Safi.unicast) return splitIpv4(buf, start, end, hasAddPath(options, afi, safi));
  const codec = familyCodec(afi, safi);
  if (codec === undefined) {
    return start === end ? 0 : put(0, start, end);
  }
  const addPath = hasAddPath(options, afi, safi);
  let n = 0;
  let p = start;
  while (p < end) {
    const next = codec.nextBoundary(buf, p, end, addPath);
    if (!(next > p && next <= end)) {
      throw new UpdateMessageError(UpdateSubcode.optionalAttributeError, `${codec.name}: NLRI boundary out of range`, { action: 'session-reset' });
    }
    n = put(n, p, next);
    p = next;
  }
  return n;
}

/**
 * The well-formed NLRI of a family in `[start, end)`, skipping (by framing) those whose fields
 * are bad: what an UPDATE treated as withdraw still withdraws (RFC 7606 2). One linear pass, no
 * Error built per bad NLRI. Returns 0 when the family cannot frame and check its NLRI this way.
 */
function splitWellFormed(buf: Buffer, start: number, end: number, afi: number, safi: number, options: CodecOptions | undefined): number {
  const codec = familyCodec(afi, safi);
  if (codec?.frame === undefined || codec.valid === undefined) return 0;
  const addPath = hasAddPath(options, afi, safi);
  let n = 0;
  for (let p = start; p < end; ) {
    const next = codec.frame(buf, p, end, addPath);
    if (!(next > p && next <= end)) return n;
    // a bad field: that route never reached a RIB, there is nothing to withdraw
    if (codec.valid(buf, p, next, addPath)) n = put(n, p, next);
    p = next;
  }
  return n;
}

/** How parseUpdateRaw hands NLRI over. */
export type RawNlriMode = 'views' | 'bounds';

/** The set of the `n` NLRI in `scratch`: Buffer views, or the bounds alone. */
function makeSet(buf: Buffer, afi: number, safi: number, nextHops: readonly string[] | undefined, n: number, mode: RawNlriMode): RawNlriSet {
  if (mode === 'bounds') {
    // a plain array: cheaper to allocate than a typed array for the usual few NLRI
    const bounds: number[] = new Array<number>(2 * n);
    for (let i = 0; i < 2 * n; i++) bounds[i] = scratch[i]!;
    return nextHops === undefined ? { afi, safi, nlri: [], buf, bounds } : { afi, safi, nextHops, nlri: [], buf, bounds };
  }
  const nlri: Buffer[] = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) nlri[i] = buf.subarray(scratch[2 * i]!, scratch[2 * i + 1]!);
  return nextHops === undefined ? { afi, safi, nlri } : { afi, safi, nextHops, nlri };
}

function nextHopText(buf: Buffer, p: number, len: number, safi: number): string[] {
  const rd = safi === Safi.mplsVpn ? 8 : 0;
  if (len === rd + 4) return [readIpv4(buf, p + rd)];
  if (len === rd + 16) return [readIpv6(buf, p + rd)];
  if (len === 2 * (rd + 16)) return [readIpv6(buf, p + rd), readIpv6(buf, p + 2 * rd + 16)];
  return len === 0 ? [] : [`0x${buf.toString('hex', p, p + len)}`];
}

/** Latin1 text of `[start, end)` (Buffer#latin1Slice: no encoding switch, no argument coercion). */
const latin1 = (b: Buffer, start: number, end: number): string =>
  (b as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);

// positions of the MP attributes: (code, flags offset, value start, value end) each
// (module state: decoding is synchronous)
const mpAt: number[] = [];
function onMp(code: number, flagsAt: number, vs: number, ve: number): void {
  mpAt.push(code, flagsAt, vs, ve);
}
function noop(): void {}

/**
 * Find the MP attributes from the attribute headers alone. False when the section is not
 * well framed, an MP attribute is repeated or has wrong flags: the full walk then reports it.
 */
function locateMp(msg: Buffer, start: number, end: number): boolean {
  mpAt.length = 0;
  let reach = false;
  let unreach = false;
  let p = start;
  while (p < end) {
    if (end - p < 3) return false;
    const flags = msg[p]!;
    const code = msg[p + 1]!;
    const ext = (flags & AttrFlag.extendedLength) !== 0;
    if (ext && end - p < 4) return false;
    const vs = p + (ext ? 4 : 3);
    const ve = vs + (ext ? msg.readUInt16BE(p + 2) : msg[p + 2]!);
    if (ve > end) return false;
    if (code === AttrType.mpReach || code === AttrType.mpUnreach) {
      if ((flags & 0xe0) !== AttrFlag.optional) return false;
      if (code === AttrType.mpReach ? reach : unreach) return false;
      if (code === AttrType.mpReach) reach = true;
      else unreach = true;
      mpAt.push(code, p, vs, ve);
    }
    p = ve;
  }
  return true;
}

/** Latin1 of the attribute section without the MP attributes found in `mpAt`. */
function otherKey(msg: Buffer, start: number, end: number): string {
  if (mpAt.length === 0) return latin1(msg, start, end);
  let key = '';
  let from = start;
  for (let i = 0; i < mpAt.length; i += 4) {
    key += latin1(msg, from, mpAt[i + 1]!);
    from = mpAt[i + 3]!;
  }
  return key + latin1(msg, from, end);
}

/** RFC 6793 4.2.3 / 6 applied to a decoded section (the same object back when nothing changes). */
function as4View(d: DecodedAttributes, fourOctetAs: boolean): DecodedAttributes {
  const r = reconcileAs4(d.attributes, fourOctetAs, d.error);
  return r.attributes === d.attributes ? d : { attributes: r.attributes as PathAttribute[], error: r.error, mandatory: d.mandatory };
}

/**
 * Parse a whole UPDATE message (header included) into what a RIB stores. Throws BgpError for
 * session-reset malformations; weaker ones come back in `error`.
 */
export function parseUpdateRaw(msg: Buffer, options?: CodecOptions, mode: RawNlriMode = 'views'): RawUpdate {
  try {
    return parse(msg, options, mode);
  } catch (e) {
    if (e instanceof BgpError) throw e;
    throw new UpdateMessageError(UpdateSubcode.malformedAttributeList, `internal error in UPDATE: ${String(e)}`);
  }
}

/** MP_REACH NLRI that an UPDATE treated as withdraw withdraws instead (when they can be located). */
function withdrawReach(msg: Buffer, vs: number, ve: number, options: CodecOptions | undefined, withdrawn: RawNlriSet[], mode: RawNlriMode): void {
  if (ve - vs < 5) return;
  const nlriStart = vs + 5 + msg[vs + 3]!;
  if (nlriStart > ve) return;
  const afi = msg.readUInt16BE(vs);
  const safi = msg[vs + 2]!;
  try {
    const n = splitWellFormed(msg, nlriStart, ve, afi, safi, options);
    if (n > 0) withdrawn.push(makeSet(msg, afi, safi, undefined, n, mode));
  } catch {
    // unlocatable NLRI were already reported as session-reset by the strict walk
  }
}

function parse(msg: Buffer, options: CodecOptions | undefined, mode: RawNlriMode): RawUpdate {
  if (msg.length < Header.length) throw new MessageHeaderError(HeaderSubcode.badMessageLength, 'message shorter than its header');
  const length = checkHeader(msg, 0, options?.extendedMessage ?? false);
  if (length !== msg.length) throw new MessageHeaderError(HeaderSubcode.badMessageLength, `length field ${length} != ${msg.length} bytes`, msg.subarray(16, 18));
  if (msg[18] !== MessageType.update) throw new MessageHeaderError(HeaderSubcode.badMessageType, 'not an UPDATE', msg.subarray(18, 19));
  const end = msg.length;
  const [ws, we, as, ae] = updateLayout(msg, Header.length, end);
  const v4AddPath = hasAddPath(options, Afi.ipv4, Safi.unicast);
  const announced: RawNlriSet[] = [];
  const withdrawn: RawNlriSet[] = [];
  if (we > ws) withdrawn.push(makeSet(msg, Afi.ipv4, Safi.unicast, undefined, splitIpv4(msg, ws, we, v4AddPath), mode));
  const ctx = attrContext(options);
  let decoded: DecodedAttributes;
  let key: string;
  if (locateMp(msg, as, ae)) {
    // the common case: attribute sets repeat, so decode each distinct one once
    key = otherKey(msg, as, ae);
    const hit = cachedAttributes(options, key);
    if (hit !== undefined) {
      decoded = hit;
    } else {
      decoded = as4View(decodeAttributes(msg, as, ae, ctx, noop), ctx.fourOctetAs);
      cacheAttributes(options, key, decoded);
    }
  } else {
    // a malformed section: the full walk finds (and reports) what is wrong
    mpAt.length = 0;
    decoded = as4View(decodeAttributes(msg, as, ae, ctx, onMp), ctx.fourOctetAs);
    key = otherKey(msg, as, ae);
  }
  const mp = mpAt;
  let error = decoded.error;
  let mpNlri = false;
  let eor: Family | undefined;
  let disabled: Family | undefined;
  let reachKey = '';
  for (let i = 0; i < mp.length; i += 4) {
    const code = mp[i]!;
    const at = mp[i + 1]!;
    const vs = mp[i + 2]!;
    const ve = mp[i + 3]!;
    try {
      if (code === AttrType.mpReach) {
        // the same checks as the full decoder, without decoding the NLRI
        if (ve - vs < 5) mpReach.decode(msg, vs, ve, ctx);
        const afi = msg.readUInt16BE(vs);
        const safi = msg[vs + 2]!;
        const nhLen = msg[vs + 3]!;
        if (vs + 5 + nhLen > ve) mpReach.decode(msg, vs, ve, ctx);
        const bad = familyCodec(afi, safi)?.checkNextHop?.(nhLen);
        if (bad !== undefined) throw bad;
        reachKey = latin1(msg, vs, vs + 4 + nhLen);
        const n = splitFamily(msg, vs + 5 + nhLen, ve, afi, safi, options);
        if (n > 0) mpNlri = true;
        announced.push(makeSet(msg, afi, safi, nextHopText(msg, vs + 4, nhLen, safi), n, mode));
      } else {
        if (ve - vs < 3) mpUnreach.decode(msg, vs, ve, ctx);
        const afi = msg.readUInt16BE(vs);
        const safi = msg[vs + 2]!;
        const n = splitFamily(msg, vs + 3, ve, afi, safi, options);
        withdrawn.push(makeSet(msg, afi, safi, undefined, n, mode));
        if (n === 0) eor = { afi, safi };
      }
    } catch (e) {
      const err = attributeError(e, attributeCodec(code)!, msg.subarray(at, ve));
      if (err.action === 'session-reset') throw err;
      if (code === AttrType.mpReach && err.action === 'treat-as-withdraw') withdrawReach(msg, vs, ve, options, withdrawn, mode);
      if (err.action === 'afi-safi-disable' && disabled === undefined) disabled = { afi: msg.readUInt16BE(vs), safi: msg[vs + 2]! };
      error = strongerError(error, err);
    }
  }
  const n4 = splitIpv4(msg, ae, end, v4AddPath);
  if (n4 > 0) {
    let nh: string[] = [];
    for (const a of decoded.attributes) if (a.type === 'next-hop') nh = [a.value];
    announced.unshift(makeSet(msg, Afi.ipv4, Safi.unicast, nh, n4, mode));
  }
  const missing = missingMandatory(decoded.mandatory, n4 > 0, mpNlri);
  if (missing !== undefined) error = strongerError(error, missing);
  // RFC 4724 2: End-of-RIB is an empty UPDATE (IPv4) or one holding only an empty MP_UNREACH
  const bare = ws === we && ae === end && decoded.attributes.length === 0;
  if (!bare) eor = undefined;
  else if (as === ae) eor = { afi: Afi.ipv4, safi: Safi.unicast };
  else if (!(mp.length === 4 && mp[0] === AttrType.mpUnreach)) eor = undefined;
  const out: RawUpdate = { announced, withdrawn, attributes: decoded.attributes, attributesKey: reachKey === '' ? key : key + reachKey };
  if (eor === undefined && error === undefined) return out;
  return {
    ...out,
    ...(eor === undefined ? {} : { endOfRib: eor }),
    ...(error === undefined ? {} : { error }),
    ...(disabled === undefined ? {} : { disabledFamily: disabled }),
  };
}

// ---------------------------------------------------------------- packing

/** What `encodeUpdateRaw` packs: NLRI of one family that share one attribute set. */
export interface RawUpdateInput {
  /** Path attributes (MP_REACH/MP_UNREACH and, for IPv4 unicast, NEXT_HOP are built here). */
  readonly attributes: readonly PathAttribute[];
  readonly afi: number;
  readonly safi: number;
  /** Next hops as text (one, or IPv6 global + link-local). */
  readonly nextHops: readonly string[];
  /** NLRI bytes, one Buffer per route (as parseUpdateRaw returns them). */
  readonly nlri: readonly Buffer[];
  readonly withdrawn?: readonly Buffer[];
}

function isClassicIpv4(input: UpdateShape): boolean {
  return input.afi === Afi.ipv4 && input.safi === Safi.unicast && input.nextHops.length === 1 && !input.nextHops[0]!.includes(':');
}

/** An UPDATE's family, attributes and next hops, without its NLRI. */
export type UpdateShape = Omit<RawUpdateInput, 'nlri' | 'withdrawn'>;

/** Where an UPDATE's parts go: shared by `encodeUpdateRaw` and `updateRoom`, so they agree. */
interface AnnounceLayout {
  readonly attrs: PathAttribute[];
  readonly attrLength: number;
  /** MP_REACH next hop bytes; undefined for the classic IPv4 fields. */
  readonly nh: Buffer | undefined;
  /** MP_REACH header, AFI/SAFI, next hop and reserved byte. */
  readonly mpFixed: number;
  /** Bytes left for NLRI in one message (negative when the attributes alone are too large). */
  readonly room: number;
}

function maxMessage(options: CodecOptions | undefined): number {
  return options?.extendedMessage ? Header.maxExtendedLength : Header.maxLength;
}

function announceLayout(input: UpdateShape, options: CodecOptions | undefined, classic: boolean): AnnounceLayout {
  const ctx = attrContext(options);
  // RFC 6793 6: AS4_PATH / AS4_AGGREGATOR never go to a 4-octet AS peer; towards a 2-octet
  // one they are rebuilt from AS_PATH / AGGREGATOR (4.2.2)
  const kept = input.attributes.filter((a) => a.type !== 'mp-reach' && a.type !== 'mp-unreach' && a.type !== 'next-hop' && a.type !== 'as4-path' && a.type !== 'as4-aggregator');
  const attrs: PathAttribute[] = ctx.fourOctetAs ? kept : [...toTwoOctetAttributes(kept)];
  if (classic) attrs.push({ type: 'next-hop', value: input.nextHops[0]! });
  const attrLength = attributesLength(attrs, ctx);
  const nh = classic ? undefined : nextHopBytes(input);
  const mpFixed = nh === undefined ? 0 : 4 + 5 + nh.length;
  return { attrs, attrLength, nh, mpFixed, room: maxMessage(options) - (Header.length + 4 + attrLength + mpFixed) };
}

function withdrawFixed(classic: boolean): number {
  return Header.length + 4 + (classic ? 0 : 4 + 3);
}

/**
 * Bytes of NLRI that one UPDATE with these attributes and next hops can carry for a peer with
 * these options (`withdraw`: in a message that only withdraws). An NLRI longer than this cannot
 * be sent to that peer at all (RFC 4271 4.3: one NLRI is never split); negative when the
 * attributes alone exceed the peer's maximum message size (RFC 8654).
 */
export function updateRoom(input: UpdateShape, options?: CodecOptions, withdraw = false): number {
  const classic = isClassicIpv4(input);
  return withdraw ? maxMessage(options) - withdrawFixed(classic) : announceLayout(input, options, classic).room;
}

/**
 * Pack NLRI into as few UPDATEs as fit (4096 bytes, or 65535 with extendedMessage).
 * Withdrawals go first, in their own messages. IPv4 unicast with an IPv4 next hop uses the
 * classic fields; other families use MP_UNREACH_NLRI / MP_REACH_NLRI (placed first, RFC 7606 5.1).
 * Attributes hold real AS numbers: with `fourOctetAs: false` they go out as RFC 6793 4.2.2 says
 * (AS_TRANS, AS4_PATH, AS4_AGGREGATOR). Throws TypeError if one NLRI cannot fit in a message
 * (`updateRoom` tells beforehand).
 */
export function encodeUpdateRaw(input: RawUpdateInput, options?: CodecOptions): Buffer[] {
  const max = maxMessage(options);
  const classic = isClassicIpv4(input);
  const out: Buffer[] = [];
  const withdrawn = input.withdrawn ?? [];
  if (withdrawn.length > 0) {
    const fixed = withdrawFixed(classic);
    pack(withdrawn, max - fixed, out, (from, to, size) => {
      const buf = Buffer.allocUnsafe(fixed + size);
      let p = writeHeader(buf, 0, buf.length, MessageType.update);
      if (classic) {
        buf.writeUInt16BE(size, p);
        p = copyAll(withdrawn, from, to, buf, p + 2);
        buf.writeUInt16BE(0, p);
      } else {
        buf.writeUInt16BE(0, p);
        buf.writeUInt16BE(7 + size, p + 2);
        p = mpHeader(buf, p + 4, AttrType.mpUnreach, 3 + size);
        buf.writeUInt16BE(input.afi, p);
        buf[p + 2] = input.safi;
        copyAll(withdrawn, from, to, buf, p + 3);
      }
      return buf;
    });
  }
  if (input.nlri.length === 0) return out;
  const { attrs, attrLength, nh, mpFixed, room } = announceLayout(input, options, classic);
  const attrBytes = Buffer.allocUnsafe(attrLength);
  encodeAttributes(attrs, attrBytes, 0, attrContext(options));
  const fixed = max - room;
  pack(input.nlri, room, out, (from, to, size) => {
    const buf = Buffer.allocUnsafe(fixed + size);
    let p = writeHeader(buf, 0, buf.length, MessageType.update);
    buf.writeUInt16BE(0, p);
    buf.writeUInt16BE(attrBytes.length + (nh === undefined ? 0 : mpFixed + size), p + 2);
    p += 4;
    if (nh !== undefined) {
      p = mpHeader(buf, p, AttrType.mpReach, 5 + nh.length + size);
      buf.writeUInt16BE(input.afi, p);
      buf[p + 2] = input.safi;
      buf[p + 3] = nh.length;
      nh.copy(buf, p + 4);
      p += 4 + nh.length;
      buf[p++] = 0;
      const q = copyAll(input.nlri, from, to, buf, p);
      attrBytes.copy(buf, q);
    } else {
      attrBytes.copy(buf, p);
      copyAll(input.nlri, from, to, buf, p + attrBytes.length);
    }
    return buf;
  });
  return out;
}

function mpHeader(buf: Buffer, p: number, code: number, len: number): number {
  buf[p] = AttrFlag.optional | AttrFlag.extendedLength;
  buf[p + 1] = code;
  buf.writeUInt16BE(len, p + 2);
  return p + 4;
}

function nextHopBytes(input: UpdateShape): Buffer {
  const rd = input.safi === Safi.mplsVpn ? 8 : 0;
  const parts: Buffer[] = [];
  for (const t of input.nextHops) {
    if (rd) parts.push(Buffer.alloc(rd));
    parts.push(addressBytesOf(t));
  }
  return Buffer.concat(parts);
}

function copyAll(list: readonly Buffer[], from: number, to: number, buf: Buffer, p: number): number {
  for (let i = from; i < to; i++) {
    const b = list[i]!;
    const n = b.length;
    // NLRI are a few bytes: a plain loop beats Buffer#copy's call overhead
    if (n <= 32) {
      for (let j = 0; j < n; j++) buf[p + j] = b[j]!;
    } else {
      buf.set(b, p);
    }
    p += n;
  }
  return p;
}

/** Group consecutive items into runs of at most `room` bytes; `make` builds one message per run. */
function pack(list: readonly Buffer[], room: number, out: Buffer[], make: (from: number, to: number, size: number) => Buffer): void {
  let from = 0;
  let size = 0;
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!.length;
    if (n > room) throw new TypeError(`NLRI of ${n} bytes does not fit in one UPDATE (room ${room})`);
    if (size + n > room) {
      out.push(make(from, i, size));
      from = i;
      size = 0;
    }
    size += n;
  }
  if (size > 0 || from < list.length) out.push(make(from, list.length, size));
}
