/**
 * ICMPv6 (RFC 4443) echo and Neighbor Discovery solicitations/advertisements (RFC 4861
 * sections 4.3, 4.4) as views, and the in-place NS → NA rewrite for ND suppression (RFC 9161).
 *
 * ```
 * NS/NA: +---------------+---------------+-------------------------------+
 *        |  Type 135/136 |     Code 0    |          Checksum             |
 *        |R|S|O|                 Reserved (NS: all reserved)             |
 *        |                   Target Address (16)                         |
 *        |   Options: Type | Length (8-octet units) | Link-layer address |
 * ```
 */
import { checksum, finish, pseudoSum6, sum16, updateChecksum } from './checksum.js';
import { macKey, writeMacKey } from './mac.js';
import { IpProto } from './ipv4.js';
import { ipv6HeaderLength } from './ipv6.js';
import { u16, u32, w16, w32 } from './bytes.js';

/** ICMPv6 types (IANA icmpv6-parameters). */
export const Icmp6Type = {
  echoRequest: 128,
  echoReply: 129,
  routerSolicitation: 133,
  routerAdvertisement: 134,
  neighborSolicitation: 135,
  neighborAdvertisement: 136,
} as const;

/** ND option types (RFC 4861 section 4.6). */
export const NdOption = { sourceLinkLayer: 1, targetLinkLayer: 2 } as const;

/** NA flags (RFC 4861 section 4.4). */
export const NaFlag = { router: 0x80000000, solicited: 0x40000000, override: 0x20000000 } as const;

/** NS and NA without options. */
export const ndMessageLength = 24;
/** One link-layer address option for Ethernet. */
export const ndLinkLayerOptionLength = 8;

/** A decoded NS or NA. */
export interface NeighborMessage {
  readonly type: 135 | 136;
  readonly code: number;
  readonly checksum: number;
  /** R/S/O flags word (NA), zero for NS. */
  readonly flags: number;
  readonly target: Buffer;
  /** The source (NS) or target (NA) link-layer address option, when present. */
  readonly linkLayer: Buffer | undefined;
}

/**
 * Decodes an NS or NA at `buf[start..end)`, or undefined when it is another type, shorter than
 * 24 bytes, or an option has length zero (RFC 4861 4.6: such a packet MUST be discarded).
 */
export function decodeNeighborMessage(buf: Buffer, start: number, end: number): NeighborMessage | undefined {
  if (start < 0 || end > buf.length || end - start < ndMessageLength) return undefined;
  const type = buf[start]!;
  if (type !== Icmp6Type.neighborSolicitation && type !== Icmp6Type.neighborAdvertisement) return undefined;
  const want = type === Icmp6Type.neighborSolicitation ? NdOption.sourceLinkLayer : NdOption.targetLinkLayer;
  let linkLayer: Buffer | undefined;
  for (let off = start + ndMessageLength; off < end; ) {
    if (end - off < 2) return undefined;
    const len = buf[off + 1]! * 8;
    if (len === 0 || len > end - off) return undefined;
    if (buf[off]! === want && len >= 8 && linkLayer === undefined) linkLayer = buf.subarray(off + 2, off + 8);
    off += len;
  }
  return {
    type,
    code: buf[start + 1]!,
    checksum: u16(buf, start + 2),
    flags: type === Icmp6Type.neighborAdvertisement ? u32(buf, start + 4) & 0xe0000000 : 0,
    target: buf.subarray(start + 8, start + 24),
    linkLayer,
  };
}

/** True when the ICMPv6 checksum of the packet whose IPv6 header is at `ipOff` verifies. */
export function icmp6ChecksumValid(buf: Buffer, ipOff: number): boolean {
  const len = u16(buf, ipOff + 4);
  const start = ipOff + ipv6HeaderLength;
  if (start + len > buf.length) return false;
  return checksum(buf, start, start + len, pseudoSum6(buf, ipOff + 8, ipOff + 24, IpProto.icmpv6, len)) === 0;
}

/** Fills in the ICMPv6 checksum of the packet whose IPv6 header is at `ipOff`. */
export function setIcmp6Checksum(buf: Buffer, ipOff: number): void {
  const len = u16(buf, ipOff + 4);
  const start = ipOff + ipv6HeaderLength;
  w16(buf, start + 2, 0);
  w16(buf, start + 2, finish(sum16(buf, start, start + len, pseudoSum6(buf, ipOff + 8, ipOff + 24, IpProto.icmpv6, len))));
}

/** The bytes an NA with a target link-layer option takes after the IPv6 header. */
export const naLength = ndMessageLength + ndLinkLayerOptionLength;

/**
 * Rewrites the NS frame at `buf[frameStart..)` (IPv6 header at `ipOff`) into the solicited NA
 * that the owner of the target would send, in place (RFC 4861 7.2.4): Ethernet to the requester
 * from `answerMac`; IPv6 from the target to the solicitation's source, hop limit 255 (RFC 4861
 * 7.1.2 requires it); S set, R/O as given; one target link-layer option. The buffer must have
 * room for `ipOff + 40 + 32` bytes; returns the end of the NA frame.
 * The caller has checked that the source is not the unspecified address (a DAD probe).
 */
export function neighborAdvertInPlace(buf: Buffer, frameStart: number, ipOff: number, answerMac: number, flags: number): number {
  const icmpOff = ipOff + ipv6HeaderLength;
  writeMacKey(buf, frameStart, macKey(buf, frameStart + 6));
  writeMacKey(buf, frameStart + 6, answerMac);
  // IPv6: destination = the NS source, source = the target
  buf.copy(buf, ipOff + 24, ipOff + 8, ipOff + 24);
  buf.copy(buf, ipOff + 8, icmpOff + 8, icmpOff + 24);
  w16(buf, ipOff + 4, naLength);
  buf[ipOff + 6] = IpProto.icmpv6;
  buf[ipOff + 7] = 255;
  buf[icmpOff] = Icmp6Type.neighborAdvertisement;
  buf[icmpOff + 1] = 0;
  w32(buf, icmpOff + 4, ((flags | NaFlag.solicited) & 0xe0000000) >>> 0);
  const opt = icmpOff + ndMessageLength;
  buf[opt] = NdOption.targetLinkLayer;
  buf[opt + 1] = 1;
  writeMacKey(buf, opt + 2, answerMac);
  setIcmp6Checksum(buf, ipOff);
  return opt + ndLinkLayerOptionLength;
}

/**
 * Turns an ICMPv6 echo request into a reply in place: the IPv6 addresses are swapped (the
 * pseudo-header sum does not change) and the type word is updated incrementally (RFC 1624).
 */
export function icmp6EchoReplyInPlace(buf: Buffer, ipOff: number): void {
  const icmpOff = ipOff + ipv6HeaderLength;
  for (let i = 0; i < 16; i += 4) {
    const a = u32(buf, ipOff + 8 + i);
    w32(buf, ipOff + 8 + i, buf.readUInt32BE(ipOff + 24 + i));
    w32(buf, ipOff + 24 + i, a);
  }
  const oldWord = u16(buf, icmpOff);
  const newWord = (Icmp6Type.echoReply << 8) | (oldWord & 0xff);
  w16(buf, icmpOff, newWord);
  w16(buf, icmpOff + 2, updateChecksum(buf.readUInt16BE(icmpOff + 2), oldWord, newWord));
}
