/**
 * The path attribute codec contract and helpers shared by every attribute file.
 *
 * RFC 4271 4.3 path attribute:
 * ```
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Attr. Flags  |Attr. Type Code|  then Length: 1 octet, or 2 with Extended Length
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 */
import { UpdateMessageError, type ErrorAction } from '../errors.js';
import { AttrFlag, UpdateSubcode } from '../iana.js';
import type { CodecOptions, PathAttribute } from '../types.js';

/** What attribute codecs need to know about the session. Built once per message. */
export interface AttrContext {
  /** RFC 6793: 4-octet AS numbers in AS_PATH / AGGREGATOR. */
  readonly fourOctetAs: boolean;
  readonly options: CodecOptions | undefined;
}

/**
 * One path attribute type. `decode` reads the value in `[start, end)` and throws an
 * UpdateMessageError for a malformed one; the attribute loop then applies `action`
 * (RFC 7606 section 7) and puts the whole attribute in the error's data.
 */
export interface AttrCodec<T extends PathAttribute = PathAttribute> {
  readonly type: T['type'];
  readonly code: number;
  /** The Optional and Transitive bits this attribute must carry (RFC 4271 5). */
  readonly flags: number;
  /** RFC 7606 action for a malformed attribute of this type. */
  readonly action: ErrorAction;
  decode(buf: Buffer, start: number, end: number, ctx: AttrContext): T;
  /** Bytes of the value (without flags, type and length). */
  encodingLength(value: T, ctx: AttrContext): number;
  /** Write the value at `offset`; return the offset after it. */
  encode(value: T, buf: Buffer, offset: number, ctx: AttrContext): number;
}

/** A malformed attribute value. The attribute loop sets the action and the data. */
export function malformed(subcode: number, message: string): UpdateMessageError {
  return new UpdateMessageError(subcode, message);
}

/** RFC 4271 6.3: an attribute whose length does not fit its type is an Attribute Length Error. */
export function lengthError(name: string, length: number, expected: string): UpdateMessageError {
  return new UpdateMessageError(UpdateSubcode.attributeLengthError, `${name}: length ${length}, expected ${expected}`);
}

export const wellKnown = AttrFlag.transitive;
export const optionalTransitive = AttrFlag.optional | AttrFlag.transitive;
export const optionalNonTransitive = AttrFlag.optional;

/** A 4-byte unsigned value (MED, LOCAL_PREF). */
export function u32Codec<T extends PathAttribute & { readonly value: number }>(
  type: T['type'],
  code: number,
  flags: number,
  action: ErrorAction,
): AttrCodec<T> {
  return {
    type,
    code,
    flags,
    action,
    decode(buf, start, end) {
      if (end - start !== 4) throw lengthError(type, end - start, '4');
      return { type, value: buf.readUInt32BE(start) } as T;
    },
    encodingLength: () => 4,
    encode(v, buf, offset) {
      buf.writeUInt32BE(v.value >>> 0, offset);
      return offset + 4;
    },
  };
}
