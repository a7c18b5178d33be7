/**
 * Route distinguishers (RFC 4364 4.2), 8 bytes: a 2-byte type and a 6-byte value.
 *
 * ```
 * type 0: | 0x0000 | AS (2)      | assigned number (4) |   65000:100
 * type 1: | 0x0001 | IPv4 (4)           | number (2)   |   10.0.0.1:100
 * type 2: | 0x0002 | AS (4)             | number (2)   |   4200000000:100
 * ```
 * A type-2 RD whose AS fits in 16 bits is printed with the Junos `L` suffix (`65000L:100`) so
 * that the text names exactly one byte string. Types that RFC 4364 does not define are printed
 * `rd<type>:<12 hex digits>` and re-encoded byte for byte.
 */
import { readIpv4, tryWriteIpv4 } from '../net/ip.js';
import { hex2 } from '../net/mac.js';
import { EvpnInputError } from './errors.js';
import { RdType } from './iana.js';

/** RD text of the 8 bytes at `offset` (caller checked bounds). */
export function rdText(buf: Buffer, offset: number): string {
  // routes packed in one UPDATE usually share their RD: remember the last one printed
  const hi = buf.readUInt32BE(offset);
  const lo = buf.readUInt32BE(offset + 4);
  if (hi === lastHi && lo === lastLo && lastText !== '') return lastText;
  lastText = formatRd(buf, offset);
  lastHi = hi;
  lastLo = lo;
  return lastText;
}

let lastHi = 0;
let lastLo = 0;
let lastText = '';

function formatRd(buf: Buffer, offset: number): string {
  const type = buf.readUInt16BE(offset);
  switch (type) {
    case RdType.as2:
      return `${buf.readUInt16BE(offset + 2)}:${buf.readUInt32BE(offset + 4)}`;
    case RdType.ipv4:
      return `${readIpv4(buf, offset + 2)}:${buf.readUInt16BE(offset + 6)}`;
    case RdType.as4: {
      const as = buf.readUInt32BE(offset + 2);
      return `${as}${as <= 0xffff ? 'L' : ''}:${buf.readUInt16BE(offset + 6)}`;
    }
    default: {
      let v = '';
      for (let i = 2; i < 8; i++) v += hex2[buf[offset + i]!]!;
      return `rd${type}:${v}`;
    }
  }
}

function decimal(text: string, start: number, end: number, max: number): number {
  if (end <= start || end - start > 10) return -1;
  if (end - start > 1 && text.charCodeAt(start) === 48) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v > max ? -1 : v;
}

/**
 * Write the RD given as text at `offset` (8 bytes). Returns false when the text is not an RD;
 * `writeRd` throws instead.
 */
export function tryWriteRd(text: string, buf: Buffer, offset: number): boolean {
  if (typeof text !== 'string') return false;
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return false;
  if (text.startsWith('rd')) {
    const type = decimal(text, 2, colon, 0xffff);
    const value = text.slice(colon + 1);
    if (type < 0 || !/^[0-9a-fA-F]{12}$/.test(value)) return false;
    buf.writeUInt16BE(type, offset);
    buf.write(value, offset + 2, 6, 'hex');
    return true;
  }
  if (text.indexOf('.') >= 0) {
    const n = decimal(text, colon + 1, text.length, 0xffff);
    if (n < 0 || !tryWriteIpv4(text.slice(0, colon), buf, offset + 2)) return false;
    buf.writeUInt16BE(RdType.ipv4, offset);
    buf.writeUInt16BE(n, offset + 6);
    return true;
  }
  const long = text.charCodeAt(colon - 1) === 76; /* 'L' */
  const as = decimal(text, 0, long ? colon - 1 : colon, 0xffffffff);
  if (as < 0) return false;
  if (long || as > 0xffff) {
    const n = decimal(text, colon + 1, text.length, 0xffff);
    if (n < 0) return false;
    buf.writeUInt16BE(RdType.as4, offset);
    buf.writeUInt32BE(as, offset + 2);
    buf.writeUInt16BE(n, offset + 6);
    return true;
  }
  const n = decimal(text, colon + 1, text.length, 0xffffffff);
  if (n < 0) return false;
  buf.writeUInt16BE(RdType.as2, offset);
  buf.writeUInt16BE(as, offset + 2);
  buf.writeUInt32BE(n, offset + 4);
  return true;
}

let lastParsed = '';
let parsedHi = 0;
let parsedLo = 0;
const parsed = Buffer.alloc(8);

/** Write the RD given as text; throws EvpnInputError when it does not parse. */
export function writeRd(text: string, buf: Buffer, offset: number): void {
  // routes encoded together usually share their RD: remember the last one parsed
  if (text !== lastParsed) {
    if (!tryWriteRd(text, parsed, 0)) {
      throw new EvpnInputError('rd', text, "expected 'AS:n' (AS < 2^16, n < 2^32), 'IPv4:n' or '4-byte-AS:n' (n < 2^16)");
    }
    lastParsed = text;
    parsedHi = parsed.readUInt32BE(0);
    parsedLo = parsed.readUInt32BE(4);
  }
  buf.writeUInt32BE(parsedHi, offset);
  buf.writeUInt32BE(parsedLo, offset + 4);
}

const scratch = Buffer.alloc(8);

/** True when `text` parses as an RD. */
export function isRd(text: unknown): text is string {
  return typeof text === 'string' && tryWriteRd(text, scratch, 0);
}

/** The canonical text of an RD (`065000:0100` -> rejected, `10.0.0.1:5` kept); throws EvpnInputError. */
export function normalizeRd(text: string): string {
  writeRd(text, scratch, 0);
  return rdText(scratch, 0);
}

/** An RD as bytes (8), e.g. for keys. Throws EvpnInputError. */
export function rdBytes(text: string): Buffer {
  const b = Buffer.alloc(8);
  writeRd(text, b, 0);
  return b;
}
