/**
 * MP_REACH_NLRI (type 14) and MP_UNREACH_NLRI (type 15), optional non-transitive (RFC 4760 3, 4).
 * ```
 * +---------------------------------------------------------+
 * | AFI (2) | SAFI (1) | Next Hop Length (1) | Next Hop (var) |
 * | Reserved (1) | NLRI (variable)                           |   MP_REACH
 * +---------------------------------------------------------+
 * | AFI (2) | SAFI (1) | Withdrawn Routes (variable)         |   MP_UNREACH
 * +---------------------------------------------------------+
 * ```
 * The NLRI bytes go to the codec registered for the family (families.ts); a family with no
 * codec keeps them as one RawNlri blob. RFC 7606 5.3 / 7.11: when the NLRI cannot be located
 * the session is reset; a bad next hop length for a known family disables the AFI/SAFI.
 */
import { readIpv4, readIpv6, writeAddress, addressLength } from '../../net/ip.js';
import { UpdateMessageError } from '../errors.js';
import { familyCodec, hasAddPath } from '../families.js';
import { AttrType, Safi, UpdateSubcode } from '../iana.js';
import type { MpReachAttribute, MpUnreachAttribute, NlriBase, RawNlri } from '../types.js';
import { optionalNonTransitive, type AttrCodec, type AttrContext } from './registry.js';

function unlocatable(message: string): UpdateMessageError {
  return new UpdateMessageError(UpdateSubcode.optionalAttributeError, message, { action: 'session-reset' });
}

/** Next hop bytes -> text, or undefined when the length has no text form. */
function nextHopsText(buf: Buffer, p: number, len: number, safi: number): string[] | undefined {
  // RFC 4364 / 4659: VPN next hops carry an 8-byte RD of zeros before each address
  const rd = safi === Safi.mplsVpn ? 8 : 0;
  if (len === 0) return [];
  if (len === rd + 4) return rd && !zero(buf, p, 8) ? undefined : [readIpv4(buf, p + rd)];
  if (len === rd + 16) return rd && !zero(buf, p, 8) ? undefined : [readIpv6(buf, p + rd)];
  // RFC 2545 3: global + link-local
  if (len === 2 * (rd + 16)) {
    if (rd && (!zero(buf, p, 8) || !zero(buf, p + 24, 8))) return undefined;
    return [readIpv6(buf, p + rd), readIpv6(buf, p + 2 * rd + 16)];
  }
  return undefined;
}

function zero(buf: Buffer, p: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[p + i] !== 0) return false;
  return true;
}

function decodeNlri(buf: Buffer, start: number, end: number, afi: number, safi: number, ctx: AttrContext): NlriBase[] {
  const codec = familyCodec(afi, safi);
  if (codec === undefined) {
    if (start === end) return [];
    const raw: RawNlri = { raw: buf.subarray(start, end) };
    return [raw];
  }
  return codec.decode(buf, start, end, hasAddPath(ctx.options, afi, safi));
}

function nlriLength(list: readonly NlriBase[], afi: number, safi: number, ctx: AttrContext): number {
  const codec = familyCodec(afi, safi);
  let n = 0;
  if (codec === undefined) {
    for (const x of list) n += rawOf(x, afi, safi).length;
    return n;
  }
  const addPath = hasAddPath(ctx.options, afi, safi);
  for (let i = 0; i < list.length; i++) n += codec.encodingLength(list[i]!, addPath);
  return n;
}

function encodeNlri(list: readonly NlriBase[], afi: number, safi: number, buf: Buffer, offset: number, ctx: AttrContext): number {
  const codec = familyCodec(afi, safi);
  let p = offset;
  if (codec === undefined) {
    for (const x of list) {
      const raw = rawOf(x, afi, safi);
      buf.set(raw, p);
      p += raw.length;
    }
    return p;
  }
  const addPath = hasAddPath(ctx.options, afi, safi);
  for (let i = 0; i < list.length; i++) p = codec.encode(list[i]!, buf, p, addPath);
  return p;
}

function rawOf(x: NlriBase, afi: number, safi: number): Buffer {
  const raw = (x as Partial<RawNlri>).raw;
  if (!Buffer.isBuffer(raw)) throw new TypeError(`no NLRI codec for AFI ${afi} SAFI ${safi}: NLRI must be { raw: Buffer }`);
  return raw;
}

function nextHopLength(v: MpReachAttribute): number {
  if (v.nextHopBytes !== undefined) return v.nextHopBytes.length;
  const rd = v.safi === Safi.mplsVpn ? 8 : 0;
  let n = 0;
  for (const nh of v.nextHops) n += rd + addressLength(nh);
  return n;
}

export const mpReach = {
  type: 'mp-reach',
  code: AttrType.mpReach,
  flags: optionalNonTransitive,
  action: 'session-reset',
  decode(buf, start, end, ctx) {
    // RFC 7606 7.11: too short to hold AFI, SAFI, next hop length and reserved byte
    if (end - start < 5) throw unlocatable(`MP_REACH_NLRI: length ${end - start} < 5`);
    const afi = buf.readUInt16BE(start);
    const safi = buf[start + 2]!;
    const nhLen = buf[start + 3]!;
    const nlriStart = start + 5 + nhLen;
    if (nlriStart > end) throw unlocatable(`MP_REACH_NLRI: next hop length ${nhLen} overruns the attribute`);
    const bad = familyCodec(afi, safi)?.checkNextHop?.(nhLen);
    if (bad !== undefined) throw bad;
    const nextHops = nextHopsText(buf, start + 4, nhLen, safi);
    const nlri = decodeNlri(buf, nlriStart, end, afi, safi, ctx);
    if (nextHops === undefined) {
      return { type: 'mp-reach', afi, safi, nextHops: [], nextHopBytes: buf.subarray(start + 4, start + 4 + nhLen), nlri };
    }
    return { type: 'mp-reach', afi, safi, nextHops, nlri };
  },
  encodingLength: (v, ctx) => 5 + nextHopLength(v) + nlriLength(v.nlri, v.afi, v.safi, ctx),
  encode(v, buf, offset, ctx) {
    buf.writeUInt16BE(v.afi, offset);
    buf[offset + 2] = v.safi;
    const nhLen = nextHopLength(v);
    if (nhLen > 255) throw new TypeError(`MP_REACH_NLRI: next hop of ${nhLen} bytes`);
    buf[offset + 3] = nhLen;
    let p = offset + 4;
    if (v.nextHopBytes !== undefined) {
      buf.set(v.nextHopBytes, p);
      p += v.nextHopBytes.length;
    } else {
      const rd = v.safi === Safi.mplsVpn ? 8 : 0;
      for (const nh of v.nextHops) {
        if (rd) {
          buf.fill(0, p, p + rd);
          p += rd;
        }
        p = writeAddress(nh, buf, p);
      }
    }
    buf[p++] = 0; // RFC 4760 3: reserved
    return encodeNlri(v.nlri, v.afi, v.safi, buf, p, ctx);
  },
} satisfies AttrCodec<MpReachAttribute>;

export const mpUnreach = {
  type: 'mp-unreach',
  code: AttrType.mpUnreach,
  flags: optionalNonTransitive,
  action: 'session-reset',
  decode(buf, start, end, ctx) {
    // RFC 7606 7.12: too short to hold AFI and SAFI
    if (end - start < 3) throw unlocatable(`MP_UNREACH_NLRI: length ${end - start} < 3`);
    const afi = buf.readUInt16BE(start);
    const safi = buf[start + 2]!;
    return { type: 'mp-unreach', afi, safi, withdrawn: decodeNlri(buf, start + 3, end, afi, safi, ctx) };
  },
  encodingLength: (v, ctx) => 3 + nlriLength(v.withdrawn, v.afi, v.safi, ctx),
  encode(v, buf, offset, ctx) {
    buf.writeUInt16BE(v.afi, offset);
    buf[offset + 2] = v.safi;
    return encodeNlri(v.withdrawn, v.afi, v.safi, buf, offset + 3, ctx);
  },
} satisfies AttrCodec<MpUnreachAttribute>;
