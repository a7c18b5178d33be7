/**
 * ARP for IPv4 over Ethernet (RFC 826), as views, and the in-place request → reply rewrite used
 * by ARP suppression (RFC 9161 section 3) and the virtual host.
 *
 * ```
 * +-------------------------------+-------------------------------+
 * |  HTYPE = 1 (Ethernet)         |  PTYPE = 0x0800 (IPv4)        |
 * +---------------+---------------+-------------------------------+
 * |  HLEN = 6     |  PLEN = 4     |  OPER (1 request, 2 reply)    |
 * +---------------+---------------+-------------------------------+
 * |  SHA (6)  |  SPA (4)  |  THA (6)  |  TPA (4)                   |
 * +---------------------------------------------------------------+
 * ```
 */
import { macKey, writeMacKey } from './mac.js';
import { EtherType } from './ethernet.js';
import { u16, u32, w16, w32 } from './bytes.js';

/** ARP operation codes (RFC 826; IANA arp-parameters). */
export const ArpOp = { request: 1, reply: 2 } as const;

/** The length of an Ethernet/IPv4 ARP packet. */
export const arpLength = 28;

/** A decoded Ethernet/IPv4 ARP packet; addresses are views. */
export interface ArpPacket {
  readonly op: number;
  readonly senderMac: Buffer;
  readonly senderIp: Buffer;
  readonly targetMac: Buffer;
  readonly targetIp: Buffer;
}

/**
 * True when `buf[start..end)` holds an Ethernet/IPv4 ARP packet (hardware type 1, protocol
 * 0x0800, lengths 6 and 4). Other hardware or protocol types are not ours to answer.
 */
export function isArpIpv4(buf: Buffer, start: number, end: number): boolean {
  return start >= 0 && end <= buf.length && end - start >= arpLength &&
    u32(buf, start) === 0x00010800 && u16(buf, start + 4) === 0x0604;
}

/** Decodes the ARP packet at `buf[start..end)`, or undefined when it is not Ethernet/IPv4 ARP. */
export function decodeArp(buf: Buffer, start: number, end: number): ArpPacket | undefined {
  if (!isArpIpv4(buf, start, end)) return undefined;
  return {
    op: u16(buf, start + 6),
    senderMac: buf.subarray(start + 8, start + 14),
    senderIp: buf.subarray(start + 14, start + 18),
    targetMac: buf.subarray(start + 18, start + 24),
    targetIp: buf.subarray(start + 24, start + 28),
  };
}

/** Writes an Ethernet/IPv4 ARP packet at `offset`; returns the next offset. */
export function encodeArp(v: ArpPacket, buf: Buffer, offset: number): number {
  w32(buf, offset, 0x00010800);
  w16(buf, offset + 4, 0x0604);
  w16(buf, offset + 6, v.op);
  v.senderMac.copy(buf, offset + 8, 0, 6);
  v.senderIp.copy(buf, offset + 14, 0, 4);
  v.targetMac.copy(buf, offset + 18, 0, 6);
  v.targetIp.copy(buf, offset + 24, 0, 4);
  return offset + arpLength;
}

/**
 * Turns the ARP request frame at `buf[frameStart..)` (ARP packet at `arpOff`) into the reply
 * that the owner of the target IP would send, in place: Ethernet destination = the requester,
 * source = `answerMac`; OPER = reply; sender = (answerMac, target IP); target = the requester
 * (RFC 826 "Packet Reception": swap, fill in the hardware address, set the opcode to reply).
 * Any VLAN tag stays as it was. The frame length does not change.
 */
export function arpReplyInPlace(buf: Buffer, frameStart: number, arpOff: number, answerMac: number): void {
  const requesterMac = macKey(buf, arpOff + 8);
  const requesterIp = u32(buf, arpOff + 14);
  const targetIp = u32(buf, arpOff + 24);
  writeMacKey(buf, frameStart, requesterMac);
  writeMacKey(buf, frameStart + 6, answerMac);
  w16(buf, arpOff + 6, ArpOp.reply);
  writeMacKey(buf, arpOff + 8, answerMac);
  w32(buf, arpOff + 14, targetIp);
  writeMacKey(buf, arpOff + 18, requesterMac);
  w32(buf, arpOff + 24, requesterIp);
}

/** Bytes of an untagged Ethernet ARP frame (without padding to 60). */
export const arpFrameLength = 14 + arpLength;

/** Writes a whole untagged ARP frame at `offset`; returns the next offset. */
export function encodeArpFrame(dst: Buffer, src: Buffer, v: ArpPacket, buf: Buffer, offset: number): number {
  dst.copy(buf, offset, 0, 6);
  src.copy(buf, offset + 6, 0, 6);
  w16(buf, offset + 12, EtherType.arp);
  return encodeArp(v, buf, offset + 14);
}
