/**
 * MAC addresses. Text (`aa:bb:cc:dd:ee:ff`) at the API edge; inside, a MAC is a 48-bit number
 * read with two loads, so tables are keyed by numbers and a lookup allocates nothing.
 */
import { macText } from '../net/mac.js';
import { u16, u32, w16, w32 } from './bytes.js';

const two32 = 4294967296;

/** The broadcast address ff:ff:ff:ff:ff:ff as a key. */
export const broadcastMacKey = 0xffffffffffff;

/** The 48-bit key of the MAC at `buf[off..off+6)`. The caller has checked the bounds. */
export function macKey(buf: Buffer, off: number): number {
  return u16(buf, off) * two32 + u32(buf, off + 2);
}

/** Writes a 48-bit key as 6 bytes at `off`; returns the next offset. */
export function writeMacKey(buf: Buffer, off: number, key: number): number {
  w16(buf, off, Math.floor(key / two32));
  w32(buf, off + 2, key % two32);
  return off + 6;
}

/** True for group (broadcast and multicast) addresses: the I/G bit (IEEE 802, bit 0 of octet 0). */
export function isGroupMac(buf: Buffer, off: number): boolean {
  return (buf[off]! & 1) === 1;
}

/** True for a group-address key. */
export function isGroupMacKey(key: number): boolean {
  return Math.floor(key / 0x10000000000) % 2 === 1;
}

const macRe = /^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$/i;

/** Parses `aa:bb:cc:dd:ee:ff` (or with dashes) into a key. Throws a TypeError on bad text (API edge). */
export function macKeyFromText(text: string): number {
  const m = macRe.exec(text.trim());
  if (m === null) throw new TypeError(`not a MAC address: ${JSON.stringify(text)}`);
  let key = 0;
  for (let i = 1; i <= 6; i++) key = key * 256 + parseInt(m[i]!, 16);
  return key;
}

/** Parses MAC text into 6 bytes. */
export function macBytes(text: string): Buffer {
  const b = Buffer.allocUnsafe(6);
  writeMacKey(b, 0, macKeyFromText(text));
  return b;
}

/** Lower-case colon text of a key. */
export function macKeyToText(key: number): string {
  let s = '';
  for (let shift = 40; shift >= 0; shift -= 8) {
    const byte = Math.floor(key / 2 ** shift) % 256;
    s += (shift === 40 ? '' : ':') + (byte < 16 ? '0' : '') + byte.toString(16);
  }
  return s;
}

/** Lower-case colon text of the MAC at `buf[off..off+6)` (the shared formatter of `src/net`). */
export const formatMac: (buf: Buffer, off: number) => string = macText;
