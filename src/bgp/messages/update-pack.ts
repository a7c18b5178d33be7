/**
 * UPDATE packing for the Adj-RIB-Out: NLRI that share one attribute set go out in as few
 * messages as fit, the attributes encoded once. The inverse of `parseUpdateRaw`.
 */
import { addressBytes as addressBytesOf } from '../../net/ip.js';
import { Afi, AttrFlag, AttrType, Header, MessageType, Safi } from '../iana.js';
import { attrContext, encodeAttributes, attributesLength } from '../attributes/path-attributes.js';
import { toTwoOctetAttributes } from '../attributes/as4.js';
import type { CodecOptions, PathAttribute } from '../types.js';
import { writeHeader } from './header.js';

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
