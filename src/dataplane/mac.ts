/**
 * MAC addresses. Text (`aa:bb:cc:dd:ee:ff`) at the API edge; inside, a MAC is a 48-bit number
 * read with two loads, so tables are keyed by numbers and a lookup allocates nothing.
 */
import { macText, macToNumber, macToString, readMacNumber, writeMacNumber } from '../net/mac.js';

/** The broadcast address ff:ff:ff:ff:ff:ff as a key. */
export const broadcastMacKey = 0xffffffffffff;

/** The 48-bit key of the MAC at `buf[off..off+6)`. The caller has checked the bounds. */
export const macKey: (buf: Buffer, off: number) => number = readMacNumber;

/** Writes a 48-bit key as 6 bytes at `off`; returns the next offset. */
export function writeMacKey(buf: Buffer, off: number, key: number): number {
  return writeMacNumber(key, buf, off);
}

/** True for group (broadcast and multicast) addresses: the I/G bit (IEEE 802, bit 0 of octet 0). */
export function isGroupMac(buf: Buffer, off: number): boolean {
  return (buf[off]! & 1) === 1;
}

/** True for a group-address key. */
export function isGroupMacKey(key: number): boolean {
  return Math.floor(key / 0x10000000000) % 2 === 1;
}

/** Parses MAC text into a key. Throws a TypeError on bad text (API edge). */
export const macKeyFromText: (text: string) => number = macToNumber;

/** Parses MAC text into 6 bytes. */
export function macBytes(text: string): Buffer {
  const b = Buffer.allocUnsafe(6);
  writeMacKey(b, 0, macKeyFromText(text));
  return b;
}

/** Lower-case colon text of a key. */
export const macKeyToText: (key: number) => string = macToString;

/** Lower-case colon text of the MAC at `buf[off..off+6)` (the shared formatter of `src/net`). */
export const formatMac: (buf: Buffer, off: number) => string = macText;
