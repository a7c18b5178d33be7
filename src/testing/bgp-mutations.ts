/**
 * Near-valid BGP-4 message bytes for fuzzing a decoder or a peer: valid messages (bgp.ts) with
 * lying lengths, bad flags, truncated and duplicated attributes, or random bodies.
 */
import fc from 'fast-check';
import { encodeMessage } from '../bgp/codec.js';
import { Header, MessageType } from '../bgp/iana.js';
import type { CodecOptions } from '../bgp/types.js';
import { arbMessage } from './bgp.js';

const arbBytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));

/** The mutations `arbMutatedMessage` applies. */
export type Mutation =
  | 'flip-byte'
  | 'lie-message-length'
  | 'truncate'
  | 'lie-withdrawn-length'
  | 'lie-attributes-length'
  | 'lie-attribute-length'
  | 'bad-attribute-flags'
  | 'duplicate-attribute'
  | 'truncate-attribute'
  | 'lie-open-parameter-length'
  | 'random-body';

function setLength(b: Buffer): Buffer {
  if (b.length >= Header.length) b.writeUInt16BE(Math.min(b.length, 0xffff), 16);
  return b;
}

/** Offset of the first path attribute of an UPDATE, or -1. */
function firstAttribute(b: Buffer): number {
  if (b[18] !== MessageType.update || b.length < 23) return -1;
  const wl = b.readUInt16BE(19);
  const at = 21 + wl;
  if (at + 2 > b.length || b.readUInt16BE(at) < 3) return -1;
  return at + 2;
}

function attrEnd(b: Buffer, at: number): number {
  const ext = (b[at]! & 0x10) !== 0;
  return at + (ext ? 4 + b.readUInt16BE(at + 2) : 3 + b[at + 2]!);
}

function mutate(src: Buffer, m: Mutation, pos: number, value: number, body: Buffer): Buffer {
  const b = Buffer.from(src);
  const attr = firstAttribute(b);
  switch (m) {
    case 'flip-byte':
      b[pos % b.length] = value & 0xff;
      return b;
    case 'lie-message-length':
      b.writeUInt16BE(value & 0xffff, 16);
      return b;
    case 'truncate':
      return setLength(b.subarray(0, Math.max(Header.length, pos % (b.length + 1))));
    case 'lie-withdrawn-length':
      if (b[18] === MessageType.update && b.length >= 21) b.writeUInt16BE(value & 0xffff, 19);
      return b;
    case 'lie-attributes-length': {
      if (b[18] !== MessageType.update || b.length < 23) return b;
      const at = 21 + b.readUInt16BE(19);
      if (at + 2 <= b.length) b.writeUInt16BE(value & 0xffff, at);
      return b;
    }
    case 'lie-attribute-length':
      if (attr >= 0) {
        if (b[attr]! & 0x10) b.writeUInt16BE(value & 0xffff, attr + 2);
        else b[attr + 2] = value & 0xff;
      }
      return b;
    case 'bad-attribute-flags':
      if (attr >= 0) b[attr] = (value & 0xe0) | (b[attr]! & 0x10);
      return b;
    case 'duplicate-attribute': {
      if (attr < 0) return b;
      const e = attrEnd(b, attr);
      if (e > b.length) return b;
      const copy = b.subarray(attr, e);
      const out = Buffer.concat([b.subarray(0, e), copy, b.subarray(e)]);
      const at = attr - 2;
      out.writeUInt16BE(Math.min(0xffff, out.readUInt16BE(at) + copy.length), at);
      return setLength(out);
    }
    case 'truncate-attribute': {
      if (attr < 0) return b;
      const e = attrEnd(b, attr);
      const cut = Math.min(e, b.length) - 1 - (pos % 3);
      if (cut <= attr) return b;
      const out = Buffer.concat([b.subarray(0, cut), b.subarray(Math.min(e, b.length))]);
      const at = attr - 2;
      out.writeUInt16BE(Math.max(0, out.readUInt16BE(at) - (Math.min(e, b.length) - cut)), at);
      return setLength(out);
    }
    case 'lie-open-parameter-length':
      // OPEN: byte 28 = Opt Parm Len, 30 = first parameter length, 32 = first capability length
      if (b[18] === MessageType.open && b.length > 28) b[[28, 30, 32][pos % 3]! < b.length ? [28, 30, 32][pos % 3]! : 28] = value & 0xff;
      return b;
    case 'random-body': {
      const out = Buffer.concat([b.subarray(0, Header.length), body]);
      out[18] = 1 + (value % 5);
      return setLength(out);
    }
  }
}

const mutations: readonly Mutation[] = [
  'flip-byte',
  'lie-message-length',
  'truncate',
  'lie-withdrawn-length',
  'lie-attributes-length',
  'lie-attribute-length',
  'bad-attribute-flags',
  'duplicate-attribute',
  'truncate-attribute',
  'lie-open-parameter-length',
  'random-body',
];

/**
 * Near-valid message bytes: a valid message (encoded under `options`) with one to three
 * mutations (lying lengths, bad flags, truncated or duplicated attributes, a random body).
 * The header length is fixed up after most mutations so the decoder looks past the header.
 * Decoding one must either succeed or throw a BgpError with a valid code/subcode.
 */
export function arbMutatedMessage(options: CodecOptions = {}): fc.Arbitrary<Buffer> {
  const step = fc.record({ m: fc.constantFrom(...mutations), pos: fc.nat(), value: fc.nat(0xffff), body: arbBytes(64) });
  return fc.tuple(arbMessage(options), fc.array(step, { minLength: 1, maxLength: 3 })).map(([msg, steps]) => {
    let b = encodeMessage(msg, options);
    for (const s of steps) b = mutate(b, s.m, s.pos, s.value, s.body);
    return b;
  });
}

/** Random bytes behind a valid marker, length and type: the decoder's worst day. */
export function arbRandomMessage(): fc.Arbitrary<Buffer> {
  return fc.tuple(fc.integer({ min: 1, max: 5 }), arbBytes(200)).map(([type, body]) => {
    const b = Buffer.alloc(Header.length + body.length, 0xff);
    body.copy(b, Header.length);
    b.writeUInt16BE(b.length, 16);
    b[18] = type;
    return b;
  });
}
