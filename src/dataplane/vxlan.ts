/**
 * VXLAN encapsulation (RFC 7348) into headroom, and validating decapsulation.
 *
 * ```
 * VXLAN header (RFC 7348 section 5):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|R|R|I|R|R|R|                 Reserved                      |
 * |          VXLAN Network Identifier (VNI)       |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Full packet: outer Ethernet (14) | IPv4 (20) or IPv6 (40) | UDP (8) | VXLAN (8) | frame
 *              = 50 bytes over IPv4, 70 over IPv6, in front of the frame.
 * ```
 * Two modes: **UDP-payload** (VXLAN header + frame, handed to a UDP socket that adds the rest)
 * and **full** (every outer header, for raw and pcap transports). Encapsulation writes only the
 * headroom in front of the frame: the frame bytes are never copied or read, except that an
 * IPv6 UDP checksum (when asked for) must sum them.
 *
 * Decapsulation never throws: it returns a status code and fills a caller-owned result.
 */
import { checksum, finish, sum16 } from './checksum.js';
import { EtherType, ethernetHeaderLength, ethernetPayloadOffset } from './ethernet.js';
import { IpProto, ipv4HeaderLength, ipv4HeaderLengthAt, ipv4SumWithoutLength } from './ipv4.js';
import { ipv6HeaderLength, isIpv6At } from './ipv6.js';
import { udpHeaderLength } from './udp.js';
import { u16, u32, w16, w32 } from './bytes.js';

/** The IANA-assigned VXLAN UDP port (RFC 7348 section 5). */
export const vxlanPort = 4789;
export const vxlanHeaderLength = 8;
/** The I flag: the VNI is valid (RFC 7348 section 5). */
export const vxlanFlagI = 0x08;
/** Outer bytes in front of the frame in full mode. */
export const fullOverhead4 = ethernetHeaderLength + ipv4HeaderLength + udpHeaderLength + vxlanHeaderLength;
export const fullOverhead6 = ethernetHeaderLength + ipv6HeaderLength + udpHeaderLength + vxlanHeaderLength;
/** The largest 24-bit VNI. */
export const vxlanMaxVni = 0xffffff;

/** Writes the 8-byte VXLAN header at `offset`: flags = I, reserved fields zero (RFC 7348 5: MUST be zero on transmission). */
export function encodeVxlanHeader(vni: number, buf: Buffer, offset: number): number {
  w32(buf, offset, 0x08000000);
  w32(buf, offset + 4, (vni & vxlanMaxVni) * 256);
  return offset + vxlanHeaderLength;
}

/** A fresh 8-byte VXLAN header for `vni` (allocated once per VNI, shared by every send). */
export function vxlanHeader(vni: number): Buffer {
  const b = Buffer.alloc(vxlanHeaderLength);
  encodeVxlanHeader(vni, b, 0);
  return b;
}

/**
 * UDP-payload mode: writes the VXLAN header into the 8 bytes in front of `frameStart` and
 * returns the start of the UDP payload. The caller guarantees `frameStart >= 8` and that those
 * bytes are headroom it owns.
 */
export function encapUdpPayload(buf: Buffer, frameStart: number, vni: number): number {
  const start = frameStart - vxlanHeaderLength;
  w32(buf, start, 0x08000000);
  w32(buf, start + 4, (vni & vxlanMaxVni) * 256);
  return start;
}

/** Why a packet was not decapsulated. 0 is success; every failure is negative. */
export const DecapStatus = {
  ok: 0,
  /** Shorter than the headers it needs (or than an inner Ethernet header). */
  tooShort: -1,
  /** The I flag is not set (RFC 7348 section 5). */
  badFlags: -2,
  /** Not IPv4/IPv6 + UDP to the VXLAN port, or an IP fragment. */
  notVxlan: -3,
  /** The outer IPv4 header checksum does not verify (RFC 1122 3.2.1.2: MUST be verified). */
  badIpChecksum: -4,
  /** IP or UDP length fields disagree with the bytes. */
  badLength: -5,
  /** A non-zero UDP checksum does not verify. */
  badUdpChecksum: -6,
  /** IPv6 with a zero UDP checksum while zero checksums are not accepted (RFC 6935/6936). */
  zeroUdp6Checksum: -7,
} as const;
export type DecapStatusCode = (typeof DecapStatus)[keyof typeof DecapStatus];

/** Names of the failure codes, for counters and logs. */
export const decapStatusName: Readonly<Record<number, string>> = {
  [DecapStatus.ok]: 'ok',
  [DecapStatus.tooShort]: 'tooShort',
  [DecapStatus.badFlags]: 'badFlags',
  [DecapStatus.notVxlan]: 'notVxlan',
  [DecapStatus.badIpChecksum]: 'badIpChecksum',
  [DecapStatus.badLength]: 'badLength',
  [DecapStatus.badUdpChecksum]: 'badUdpChecksum',
  [DecapStatus.zeroUdp6Checksum]: 'zeroUdp6Checksum',
};

/** What decapsulation found; one instance is reused across packets (no allocation per packet). */
export class DecapResult {
  vni = 0;
  frameStart = 0;
  frameEnd = 0;
  /** Full mode: outer IP version and the offset of the outer source address; UDP source port. */
  outerFamily: 4 | 6 = 4;
  outerSrcOffset = 0;
  srcPort = 0;
}

/**
 * UDP-payload mode: validates the VXLAN header at `buf[start..end)` and fills `out` with the VNI
 * and the frame bounds. Returns a DecapStatus code; never throws.
 */
export function decapUdpPayload(buf: Buffer, start: number, end: number, out: DecapResult): DecapStatusCode {
  if (start < 0 || end > buf.length || end - start < vxlanHeaderLength + ethernetHeaderLength) return DecapStatus.tooShort;
  // RFC 7348 5: the I flag MUST be 1; the other flag and reserved bits are ignored on receipt
  if ((buf[start]! & vxlanFlagI) === 0) return DecapStatus.badFlags;
  out.vni = u32(buf, start + 4) >>> 8;
  out.frameStart = start + vxlanHeaderLength;
  out.frameEnd = end;
  return DecapStatus.ok;
}

/** Options of full-mode decapsulation. */
export interface DecapOptions {
  /** The UDP destination port to accept (default 4789). */
  readonly port?: number;
  /** Accept IPv6 packets with a zero UDP checksum (RFC 6935 allowance for tunnels; default true). */
  readonly acceptZeroUdp6Checksum?: boolean;
}

const defaultDecapOptions: DecapOptions = {};

/**
 * Full mode: validates outer Ethernet, IPv4 (header checksum, no fragment) or IPv6, UDP (port,
 * length, checksum when non-zero) and VXLAN at `buf[start..end)`, and fills `out`.
 * Returns a DecapStatus code; never throws.
 */
export function decapFull(buf: Buffer, start: number, end: number, out: DecapResult, options: DecapOptions = defaultDecapOptions): DecapStatusCode {
  if (start < 0 || end > buf.length) return DecapStatus.tooShort;
  const ip = ethernetPayloadOffset(buf, start, end);
  if (ip < 0) return DecapStatus.tooShort;
  const etherType = u16(buf, ip - 2);
  let udp: number;
  let udpEnd: number;
  if (etherType === EtherType.ipv4) {
    if (end - ip < ipv4HeaderLength) return DecapStatus.tooShort;
    const hl = ipv4HeaderLengthAt(buf, ip, end);
    if (hl < 0) return DecapStatus.badLength;
    // RFC 1122 3.2.1.2: a host MUST verify the header checksum and discard on failure
    if (checksum(buf, ip, ip + hl) !== 0) return DecapStatus.badIpChecksum;
    if (buf[ip + 9] !== IpProto.udp || (u16(buf, ip + 6) & 0x3fff) !== 0) return DecapStatus.notVxlan;
    udp = ip + hl;
    udpEnd = ip + u16(buf, ip + 2);
    out.outerFamily = 4;
    out.outerSrcOffset = ip + 12;
  } else if (etherType === EtherType.ipv6) {
    if (end - ip < ipv6HeaderLength) return DecapStatus.tooShort;
    if (!isIpv6At(buf, ip, end)) return DecapStatus.badLength;
    if (buf[ip + 6] !== IpProto.udp) return DecapStatus.notVxlan;
    udp = ip + ipv6HeaderLength;
    udpEnd = udp + u16(buf, ip + 4);
    out.outerFamily = 6;
    out.outerSrcOffset = ip + 8;
  } else {
    return DecapStatus.notVxlan;
  }
  if (udpEnd - udp < udpHeaderLength) return DecapStatus.tooShort;
  if (u16(buf, udp + 2) !== (options.port ?? vxlanPort)) return DecapStatus.notVxlan;
  const udpLen = u16(buf, udp + 4);
  if (udpLen < udpHeaderLength || udpLen > udpEnd - udp) return DecapStatus.badLength;
  const vx = udp + udpHeaderLength;
  const frameEnd = udp + udpLen;
  if (frameEnd - vx < vxlanHeaderLength + ethernetHeaderLength) return DecapStatus.tooShort;
  const sum = u16(buf, udp + 6);
  if (sum === 0) {
    if (out.outerFamily === 6 && options.acceptZeroUdp6Checksum === false) return DecapStatus.zeroUdp6Checksum;
  } else {
    // the pseudo-header (RFC 768 / RFC 8200 8.1): addresses, protocol, UDP length
    const a = out.outerSrcOffset;
    const pseudo = sum16(buf, a, a + (out.outerFamily === 4 ? 8 : 32)) + IpProto.udp + udpLen;
    if (finish(sum16(buf, udp, frameEnd, pseudo)) !== 0) return DecapStatus.badUdpChecksum;
  }
  if ((buf[vx]! & vxlanFlagI) === 0) return DecapStatus.badFlags;
  out.vni = u32(buf, vx + 4) >>> 8;
  out.srcPort = u16(buf, udp);
  out.frameStart = vx + vxlanHeaderLength;
  out.frameEnd = frameEnd;
  return DecapStatus.ok;
}

/** What the outer headers of full mode are made of (fixed per local/remote VTEP pair). */
export interface OuterHeaderSpec {
  /** The next hop's MAC toward the remote VTEP (6 bytes). */
  readonly dstMac: Buffer;
  /** Our underlay interface MAC (6 bytes). */
  readonly srcMac: Buffer;
  /** Local and remote VTEP addresses, both 4 or both 16 bytes. */
  readonly srcIp: Buffer;
  readonly dstIp: Buffer;
  readonly ttl?: number;
  readonly dstPort?: number;
  /** IPv6 only: compute the UDP checksum (default) or send zero (RFC 6935, the receiver must allow it). */
  readonly udp6Checksum?: 'compute' | 'zero';
}

/**
 * A preallocated outer header for full mode. `encap` copies the constant bytes in front of the
 * frame and patches the lengths, the IPv4 checksum (from a precomputed partial sum), the UDP
 * source port and the VNI.
 */
export class OuterTemplate {
  readonly family: 4 | 6;
  /** Bytes in front of the frame: 50 (IPv4) or 70 (IPv6). */
  readonly overhead: number;
  private readonly bytes: Buffer;
  private readonly ipSum: number;
  private readonly pseudoSum: number;
  private readonly computeUdp6: boolean;

  constructor(spec: OuterHeaderSpec) {
    const v6 = spec.srcIp.length === 16;
    if (spec.dstIp.length !== spec.srcIp.length || (spec.srcIp.length !== 4 && !v6)) throw new TypeError('outer addresses must both be IPv4 or both IPv6');
    this.family = v6 ? 6 : 4;
    this.overhead = v6 ? fullOverhead6 : fullOverhead4;
    this.computeUdp6 = v6 && spec.udp6Checksum !== 'zero';
    const b = Buffer.alloc(this.overhead);
    spec.dstMac.copy(b, 0, 0, 6);
    spec.srcMac.copy(b, 6, 0, 6);
    const ip = ethernetHeaderLength;
    let udp: number;
    if (v6) {
      w16(b, 12, EtherType.ipv6);
      w32(b, ip, 0x60000000);
      b[ip + 6] = IpProto.udp;
      b[ip + 7] = spec.ttl ?? 64;
      spec.srcIp.copy(b, ip + 8);
      spec.dstIp.copy(b, ip + 24);
      udp = ip + ipv6HeaderLength;
      this.ipSum = 0;
      this.pseudoSum = sum16(b, ip + 8, ip + 40) + IpProto.udp;
    } else {
      w16(b, 12, EtherType.ipv4);
      b[ip] = 0x45;
      // RFC 7348 4.3: VTEPs MUST NOT fragment; DF set, ID zero (RFC 6864 4.1: atomic datagram)
      w16(b, ip + 6, 0x4000);
      b[ip + 8] = spec.ttl ?? 64;
      b[ip + 9] = IpProto.udp;
      spec.srcIp.copy(b, ip + 12);
      spec.dstIp.copy(b, ip + 16);
      udp = ip + ipv4HeaderLength;
      this.ipSum = ipv4SumWithoutLength(b, ip);
      this.pseudoSum = sum16(b, ip + 12, ip + 20) + IpProto.udp;
    }
    w16(b, udp + 2, spec.dstPort ?? vxlanPort);
    w32(b, udp + udpHeaderLength, 0x08000000);
    this.bytes = b;
  }

  /**
   * Writes the outer headers into the `overhead` bytes in front of `frameStart` for the frame
   * `buf[frameStart..frameEnd)` and returns the packet start. `srcPort` is the entropy port
   * (see entropy.ts). The caller guarantees the headroom.
   */
  encap(buf: Buffer, frameStart: number, frameEnd: number, vni: number, srcPort: number): number {
    const start = frameStart - this.overhead;
    buf.set(this.bytes, start);
    const ip = start + ethernetHeaderLength;
    const frameLen = frameEnd - frameStart;
    const udpLen = udpHeaderLength + vxlanHeaderLength + frameLen;
    const vniWord = (vni & vxlanMaxVni) * 256;
    let udp: number;
    if (this.family === 4) {
      const total = ipv4HeaderLength + udpLen;
      w16(buf, ip + 2, total);
      w16(buf, ip + 10, finish(this.ipSum + total));
      udp = ip + ipv4HeaderLength;
    } else {
      w16(buf, ip + 4, udpLen);
      udp = ip + ipv6HeaderLength;
    }
    w16(buf, udp, srcPort);
    w16(buf, udp + 4, udpLen);
    w32(buf, udp + 12, vniWord);
    if (this.computeUdp6) {
      // RFC 8200 8.1: the pseudo-header and the whole datagram; a zero result is sent as 0xffff
      const s = this.pseudoSum + udpLen + srcPort + (u16(this.bytes, udp - start + 2)) + udpLen +
        0x0800 + Math.floor(vniWord / 0x10000) + (vniWord & 0xffff) + sum16(buf, frameStart, frameEnd);
      const c = finish(s);
      w16(buf, udp + 6, c === 0 ? 0xffff : c);
    } else {
      // RFC 7348 5: the UDP checksum SHOULD be zero over IPv4; zero over IPv6 per RFC 6935
      w16(buf, udp + 6, 0);
    }
    return start;
  }
}
