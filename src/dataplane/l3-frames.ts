/**
 * Frames the gateway sends of its own (issue 14), written into a pool slot: the ARP request or
 * Neighbor Solicitation that resolves a routed packet's destination (glean), and ICMP / ICMPv6
 * Time Exceeded (RFC 792, RFC 4443 3.3) quoting the expired packet. Not per data packet.
 */
import { u16, w16, w32 } from './bytes.js';
import { checksum } from './checksum.js';
import { ArpOp } from './arp.js';
import { EtherType } from './ethernet.js';
import { IcmpType } from './icmp.js';
import { Icmp6Type, NdOption, setIcmp6Checksum } from './icmpv6.js';
import { IpProto } from './ipv4.js';
import { writeMacKey } from './mac.js';

/** ICMPv6 Time Exceeded (RFC 4443 3.3). */
const icmp6TimeExceeded = 3;
/** An ICMPv6 error must fit the IPv6 minimum MTU (RFC 4443 2.4 (c)). */
const ipv6MinMtu = 1280;
const minFrame = 60;

/** A broadcast ARP request from (`mac`, `src`) for the IPv4 address at `buf[dstOff..)`; returns the end. */
export function writeGleanArp(mem: Buffer, off: number, mac: number, src: Buffer, buf: Buffer, dstOff: number): number {
  mem.fill(0xff, off, off + 6);
  writeMacKey(mem, off + 6, mac);
  w16(mem, off + 12, EtherType.arp);
  const a = off + 14;
  w32(mem, a, 0x00010800);
  w16(mem, a + 4, 0x0604);
  w16(mem, a + 6, ArpOp.request);
  writeMacKey(mem, a + 8, mac);
  src.copy(mem, a + 14, 0, 4);
  mem.fill(0, a + 18, a + 24);
  buf.copy(mem, a + 24, dstOff, dstOff + 4);
  mem.fill(0, a + 28, off + minFrame);
  return off + minFrame;
}

/**
 * A Neighbor Solicitation from (`mac`, `src`) to the solicited-node multicast group of the
 * IPv6 address at `buf[dstOff..)` (RFC 4861 7.2.2), with our link-layer address; returns the end.
 */
export function writeGleanNs(mem: Buffer, off: number, mac: number, src: Buffer, buf: Buffer, dstOff: number): number {
  // 33:33:ff:xx:xx:xx and ff02::1:ffxx:xxxx (RFC 2464 7, RFC 4291 2.7.1)
  w16(mem, off, 0x3333);
  mem[off + 2] = 0xff;
  buf.copy(mem, off + 3, dstOff + 13, dstOff + 16);
  writeMacKey(mem, off + 6, mac);
  w16(mem, off + 12, EtherType.ipv6);
  const ip = off + 14;
  w32(mem, ip, 0x60000000);
  w16(mem, ip + 4, 32);
  mem[ip + 6] = IpProto.icmpv6;
  mem[ip + 7] = 255;
  src.copy(mem, ip + 8, 0, 16);
  mem.fill(0, ip + 24, ip + 40);
  w16(mem, ip + 24, 0xff02);
  mem[ip + 35] = 1;
  mem[ip + 36] = 0xff;
  buf.copy(mem, ip + 37, dstOff + 13, dstOff + 16);
  const icmp = ip + 40;
  mem[icmp] = Icmp6Type.neighborSolicitation;
  mem.fill(0, icmp + 1, icmp + 8);
  buf.copy(mem, icmp + 8, dstOff, dstOff + 16);
  mem[icmp + 24] = NdOption.sourceLinkLayer;
  mem[icmp + 25] = 1;
  writeMacKey(mem, icmp + 26, mac);
  setIcmp6Checksum(mem, ip);
  return icmp + 32;
}

/**
 * True when an ICMP error may be sent about the IPv4 packet at `p` (RFC 1812 4.3.2.7): not
 * about an ICMP error, a non-initial fragment, or from a source that names no single host.
 */
export function icmp4ErrorAllowed(buf: Buffer, p: number, hl: number, total: number): boolean {
  if ((u16(buf, p + 6) & 0x1fff) !== 0) return false;
  const s0 = buf[p + 12]!;
  if (s0 === 0 || s0 >= 224 || s0 === 127) return false;
  if (buf[p + 9] === IpProto.icmp && total >= hl + 1) {
    const t = buf[p + hl]!;
    if (t !== IcmpType.echoRequest && t !== IcmpType.echoReply && t !== 13 && t !== 14) return false;
  }
  return true;
}

/**
 * ICMP Time Exceeded (type 11, code 0) from `src` to the sender of the IPv4 packet at `p`,
 * quoting its header and 8 bytes (RFC 792); Ethernet addressed back to the frame's source
 * (routing rewrites it). Returns the end.
 */
export function writeTimeExceeded4(mem: Buffer, off: number, mac: number, src: Buffer, buf: Buffer, start: number, p: number, hl: number, total: number): number {
  const quote = Math.min(total, hl + 8);
  buf.copy(mem, off, start + 6, start + 12);
  writeMacKey(mem, off + 6, mac);
  w16(mem, off + 12, EtherType.ipv4);
  const ip = off + 14;
  mem[ip] = 0x45;
  mem[ip + 1] = 0xc0; // DSCP CS6, network control (RFC 4594)
  w16(mem, ip + 2, 20 + 8 + quote);
  w32(mem, ip + 4, 0);
  mem[ip + 8] = 64;
  mem[ip + 9] = IpProto.icmp;
  w16(mem, ip + 10, 0);
  src.copy(mem, ip + 12, 0, 4);
  buf.copy(mem, ip + 16, p + 12, p + 16);
  w16(mem, ip + 10, checksum(mem, ip, ip + 20));
  const icmp = ip + 20;
  mem[icmp] = IcmpType.timeExceeded;
  mem.fill(0, icmp + 1, icmp + 8);
  buf.copy(mem, icmp + 8, p, p + quote);
  const end = icmp + 8 + quote;
  w16(mem, icmp + 2, checksum(mem, icmp, end));
  return Math.max(end, off + minFrame);
}

/** True when an ICMPv6 error may be sent about the IPv6 packet at `p` (RFC 4443 2.4 (e)). */
export function icmp6ErrorAllowed(buf: Buffer, p: number, end: number): boolean {
  if (buf[p + 8] === 0xff) return false; // multicast source: never
  let zero = true;
  for (let i = p + 8; i < p + 24; i++) if (buf[i] !== 0) zero = false;
  if (zero) return false;
  if (buf[p + 6] === IpProto.icmpv6 && end - p > 40 && buf[p + 40]! < 128) return false;
  return true;
}

/**
 * ICMPv6 Time Exceeded (type 3, code 0, RFC 4443 3.3) from `src` to the sender of the IPv6
 * packet at `p`, quoting as much of it as fits in 1280 bytes. Returns the end.
 */
export function writeTimeExceeded6(mem: Buffer, off: number, mac: number, src: Buffer, buf: Buffer, start: number, p: number, ipEnd: number): number {
  const quote = Math.min(ipEnd - p, ipv6MinMtu - 48);
  buf.copy(mem, off, start + 6, start + 12);
  writeMacKey(mem, off + 6, mac);
  w16(mem, off + 12, EtherType.ipv6);
  const ip = off + 14;
  w32(mem, ip, 0x6e000000); // traffic class CS6
  w16(mem, ip + 4, 8 + quote);
  mem[ip + 6] = IpProto.icmpv6;
  mem[ip + 7] = 64;
  src.copy(mem, ip + 8, 0, 16);
  buf.copy(mem, ip + 24, p + 8, p + 24);
  const icmp = ip + 40;
  mem[icmp] = icmp6TimeExceeded;
  mem.fill(0, icmp + 1, icmp + 8);
  buf.copy(mem, icmp + 8, p, p + quote);
  setIcmp6Checksum(mem, ip);
  return icmp + 8 + quote;
}
