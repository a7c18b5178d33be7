/**
 * Ethernet Segment Identifiers (RFC 7432 5): 10 bytes, a type octet and a 9-byte value.
 * On the route they are text, `00:11:22:33:44:55:66:77:88:99`; `esiFields` reads the
 * type-specific fields and `esiFromFields` builds an ESI from them.
 *
 * ```
 * type 0: | 0x00 | arbitrary (9)                                  |
 * type 1: | 0x01 | CE LACP system MAC (6) | LACP port key (2) | 0 |
 * type 2: | 0x02 | root bridge MAC (6)    | root priority (2) | 0 |
 * type 3: | 0x03 | system MAC (6)         | local discriminator (3) |
 * type 4: | 0x04 | router ID (4) | local discriminator (4)    | 0 |
 * type 5: | 0x05 | AS number (4) | local discriminator (4)    | 0 |
 * ```
 */
import { readIpv4, tryWriteIpv4 } from '../net/ip.js';
import { hex2 } from '../net/mac.js';
import { EvpnInputError } from './errors.js';
import { EsiType } from './iana.js';
import { macText, writeHexBytes, writeMac } from './mac.js';

/** The all-zero ESI: a single-homed site (RFC 7432 5). */
export const zeroEsi = '00:00:00:00:00:00:00:00:00:00';

/** ESI text of the 10 bytes at `offset` (caller checked bounds). */
export function esiText(buf: Buffer, offset: number): string {
  // most routes are single-homed: the zero ESI costs no string building
  if ((buf.readUInt32BE(offset) | buf.readUInt32BE(offset + 4) | buf.readUInt16BE(offset + 8)) === 0) return zeroEsi;
  let s = hex2[buf[offset]!]!;
  for (let i = 1; i < 10; i++) s += ':' + hex2[buf[offset + i]!]!;
  return s;
}

/** Write an ESI given as text (10 colon-separated hex bytes); throws EvpnInputError. */
export function writeEsi(text: string, buf: Buffer, offset: number): void {
  if (text === zeroEsi) {
    // (Buffer#fill costs more than three writes for 10 bytes)
    buf.writeUInt32BE(0, offset);
    buf.writeUInt32BE(0, offset + 4);
    buf.writeUInt16BE(0, offset + 8);
    return;
  }
  if (typeof text !== 'string' || !writeHexBytes(text, 10, buf, offset)) {
    throw new EvpnInputError('esi', text, 'expected ten hex bytes like 00:11:22:33:44:55:66:77:88:99');
  }
}

const scratch = Buffer.alloc(10);

/** True when `text` is an ESI in text form. */
export function isEsi(text: unknown): text is string {
  return typeof text === 'string' && writeHexBytes(text, 10, scratch, 0);
}

/** The ESI type octet (RFC 7432 5) of an ESI in text form. */
export function esiType(text: string): number {
  writeEsi(text, scratch, 0);
  return scratch[0]!;
}

/** The type-specific fields of an ESI (RFC 7432 5). Types above 5 come back as `raw`. */
export type EsiFields =
  | { readonly type: 0; readonly value: string }
  | { readonly type: 1; readonly systemMac: string; readonly portKey: number }
  | { readonly type: 2; readonly bridgeMac: string; readonly priority: number }
  | { readonly type: 3; readonly systemMac: string; readonly discriminator: number }
  | { readonly type: 4; readonly routerId: string; readonly discriminator: number }
  | { readonly type: 5; readonly asn: number; readonly discriminator: number }
  | { readonly type: number; readonly raw: string };

/** Read the fields of an ESI given as text. */
export function esiFields(text: string): EsiFields {
  const b = Buffer.alloc(10);
  writeEsi(text, b, 0);
  const type = b[0]!;
  // Types 1, 2, 4, 5 end in a zero octet (RFC 7432 5); an ESI that breaks that is shown raw.
  if (b[9] !== 0 && (type === EsiType.lacp || type === EsiType.bridge || type === EsiType.routerId || type === EsiType.asn)) {
    return { type, raw: b.toString('hex', 1, 10) };
  }
  switch (type) {
    case EsiType.arbitrary:
      return { type, value: b.toString('hex', 1, 10) };
    case EsiType.lacp:
      return { type, systemMac: macText(b, 1), portKey: b.readUInt16BE(7) };
    case EsiType.bridge:
      return { type, bridgeMac: macText(b, 1), priority: b.readUInt16BE(7) };
    case EsiType.mac:
      return { type, systemMac: macText(b, 1), discriminator: b.readUIntBE(7, 3) };
    case EsiType.routerId:
      return { type, routerId: readIpv4(b, 1), discriminator: b.readUInt32BE(5) };
    case EsiType.asn:
      return { type, asn: b.readUInt32BE(1), discriminator: b.readUInt32BE(5) };
    default:
      return { type, raw: b.toString('hex', 1, 10) };
  }
}

function uint(field: 'esi', v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EvpnInputError(field, v, `${what} must be an integer 0..${max}`);
  return v;
}

/** Build ESI text from type-specific fields (the inverse of `esiFields`). */
export function esiFromFields(f: EsiFields): string {
  const b = Buffer.alloc(10);
  b[0] = uint('esi', f.type, 255, 'type');
  if ('raw' in f || 'value' in f) {
    const hex = 'raw' in f ? f.raw : f.value;
    if (!/^[0-9a-fA-F]{18}$/.test(hex)) throw new EvpnInputError('esi', hex, 'value must be 9 bytes of hex');
    b.write(hex, 1, 9, 'hex');
  } else if ('portKey' in f) {
    writeMac(f.systemMac, b, 1);
    b.writeUInt16BE(uint('esi', f.portKey, 0xffff, 'port key'), 7);
  } else if ('priority' in f) {
    writeMac(f.bridgeMac, b, 1);
    b.writeUInt16BE(uint('esi', f.priority, 0xffff, 'priority'), 7);
  } else if ('systemMac' in f) {
    writeMac(f.systemMac, b, 1);
    b.writeUIntBE(uint('esi', f.discriminator, 0xffffff, 'discriminator'), 7, 3);
  } else if ('routerId' in f) {
    if (!tryWriteIpv4(f.routerId, b, 1)) throw new EvpnInputError('esi', f.routerId, 'router ID must be an IPv4 address');
    b.writeUInt32BE(uint('esi', f.discriminator, 0xffffffff, 'discriminator'), 5);
  } else {
    b.writeUInt32BE(uint('esi', f.asn, 0xffffffff, 'AS number'), 1);
    b.writeUInt32BE(uint('esi', f.discriminator, 0xffffffff, 'discriminator'), 5);
  }
  return esiText(b, 0);
}
