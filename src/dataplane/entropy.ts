/**
 * UDP source port entropy (RFC 7348 section 5): "a hash of fields from the inner packet", in
 * the dynamic range 49152–65535, so that ECMP in the underlay spreads flows while every packet
 * of one flow takes one path (and stays in order).
 *
 * The flow is: inner MACs and EtherType, plus for IPv4/IPv6 the addresses and protocol, plus
 * the TCP/UDP ports of first fragments. Each 32-bit word costs an xor, a Math.imul and a
 * rotation; murmur3's finalizer spreads the bits at the end. No allocation.
 */
import { EtherType, ethernetPayloadOffset } from './ethernet.js';
import { IpProto } from './ipv4.js';
import { u16 } from './bytes.js';

/** The lowest entropy port (IANA dynamic range). */
export const entropyPortMin = 49152;
/** Ports in the range: 2^14. */
export const entropyPortCount = 16384;

/** A signed 32-bit load: the sign does not matter to the hash and int32 values stay unboxed. */
function i32(b: Buffer, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** One word into the state: xor, multiply by the golden-ratio constant, rotate (2 ops + imul). */
function mix(h: number, w: number): number {
  const x = Math.imul(h ^ w, 0x9e3779b1);
  return (x << 13) | (x >>> 19);
}

/** murmur3's fmix32: every input bit reaches every output bit. */
function final(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function hasPorts(proto: number): boolean {
  return proto === IpProto.udp || proto === IpProto.tcp || proto === 132 /* SCTP */;
}

/** A 32-bit hash of the inner flow of the frame `buf[start..end)`. Never throws. */
export function flowHash(buf: Buffer, start: number, end: number): number {
  if (start < 0 || end > buf.length || end - start < 14) return 0;
  let h = mix(0x5bd1e995, i32(buf, start));
  h = mix(h, i32(buf, start + 4));
  h = mix(h, i32(buf, start + 8));
  const p = ethernetPayloadOffset(buf, start, end);
  if (p < 0) return final(h);
  const et = u16(buf, p - 2);
  h = mix(h, et);
  if (et === EtherType.ipv4 && end - p >= 20 && buf[p]! >>> 4 === 4) {
    const proto = buf[p + 9]!;
    h = mix(h, i32(buf, p + 12));
    h = mix(h, i32(buf, p + 16));
    h = mix(h, proto);
    const l4 = p + (buf[p]! & 0x0f) * 4;
    // only a first fragment (offset 0) carries the ports
    if (hasPorts(proto) && (u16(buf, p + 6) & 0x1fff) === 0 && l4 + 4 <= end) h = mix(h, i32(buf, l4));
  } else if (et === EtherType.ipv6 && end - p >= 40 && buf[p]! >>> 4 === 6) {
    const proto = buf[p + 6]!;
    for (let i = p + 8; i < p + 40; i += 4) h = mix(h, i32(buf, i));
    h = mix(h, proto);
    h = mix(h, i32(buf, p) & 0xfffff); // the flow label (RFC 6438)
    if (hasPorts(proto) && p + 44 <= end) h = mix(h, i32(buf, p + 40));
  }
  return final(h);
}

/** The UDP source port for a flow hash: 49152 + (hash mod 16384). */
export function entropyPort(hash: number): number {
  return entropyPortMin + (hash & (entropyPortCount - 1));
}
