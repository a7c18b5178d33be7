/**
 * The low-level UPDATE parse for the RIB: NLRI stay bytes (split by nlri-split.ts), attributes
 * are decoded once and keyed by their raw bytes so equal sets can be interned (attr-cache.ts),
 * with RFC 6793 AS4 reconciliation applied. Packing, the inverse: update-pack.ts.
 */
import { readIpv4, readIpv6 } from '../../net/ip.js';
import { BgpError, MessageHeaderError, UpdateMessageError, strongerError } from '../errors.js';
import { familyCodec, hasAddPath } from '../families.js';
import { Afi, AttrFlag, AttrType, Header, HeaderSubcode, MessageType, Safi, UpdateSubcode } from '../iana.js';
import { attrContext, attributeCodec, attributeError, decodeAttributes, type DecodedAttributes } from '../attributes/path-attributes.js';
import { reconcileAs4 } from '../attributes/as4.js';
import { cacheAttributes, cachedAttributes } from './attr-cache.js';
import { mpReach, mpUnreach } from '../attributes/mp-reach.js';
import type { CodecOptions, Family, PathAttribute } from '../types.js';
import { endOfRibFamily } from './end-of-rib.js';
import { checkHeader } from './header.js';
import { makeSet, splitFamily, splitIpv4, splitWellFormed, type RawNlriMode, type RawNlriSet } from './nlri-split.js';
import { missingMandatory, updateLayout } from './update.js';

export type { RawNlriMode, RawNlriSet } from './nlri-split.js';

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
  // RFC 4724 2 (end-of-rib.ts): the same check the session makes before parsing
  const eor = endOfRibFamily(msg);
  const out: RawUpdate = { announced, withdrawn, attributes: decoded.attributes, attributesKey: reachKey === '' ? key : key + reachKey };
  if (eor === undefined && error === undefined) return out;
  return {
    ...out,
    ...(eor === undefined ? {} : { endOfRib: eor }),
    ...(error === undefined ? {} : { error }),
    ...(disabled === undefined ? {} : { disabledFamily: disabled }),
  };
}

