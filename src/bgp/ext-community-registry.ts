/**
 * Extended community codecs (RFC 4360: 8 bytes, a type octet, for extended types a sub-type
 * octet, and 6 or 7 value bytes), registered by (type, subtype). The generic BGP ones (route
 * target, route origin, encapsulation) live in `attributes/extended-communities.ts`; EVPN
 * registers its own (MAC mobility, ESI label, router's MAC, ...) from `src/evpn`.
 * Unknown ones decode to `{ kind: 'raw' }` and re-encode byte for byte.
 */
import type { ExtendedCommunityBase, RawExtendedCommunity } from './types.js';

export interface ExtCommunityCodec<T extends ExtendedCommunityBase = ExtendedCommunityBase> {
  /** The `kind` this codec produces; encode dispatches on it. */
  readonly kind: T['kind'];
  /** (type, subtype) pairs it decodes. */
  readonly codes: readonly (readonly [typeHigh: number, subtype: number])[];
  /** Decode the 8 bytes at `offset`. Total: may return a raw community, never throws. */
  decode(buf: Buffer, offset: number): T | RawExtendedCommunity;
  /** Write 8 bytes at `offset`. */
  encode(value: T, buf: Buffer, offset: number): void;
  /** Text form, e.g. `rt:65000:100`, `encap:vxlan`, `mm:seq=3,sticky`. */
  format?(value: T): string;
}

const byCode = new Map<number, ExtCommunityCodec>();
const byKind = new Map<string, ExtCommunityCodec>();

let version = 0;

/** Bumped by every registration (decoders that cache decoded values start over). */
export function extCommunityRegistryVersion(): number {
  return version;
}

export function registerExtCommunity<T extends ExtendedCommunityBase>(codec: ExtCommunityCodec<T>): void {
  version++;
  const c = codec as unknown as ExtCommunityCodec;
  for (const [t, s] of codec.codes) byCode.set((t << 8) | s, c);
  byKind.set(codec.kind, c);
}

export function extCommunityCodecFor(typeHigh: number, subtype: number): ExtCommunityCodec | undefined {
  return byCode.get((typeHigh << 8) | subtype);
}

export function extCommunityCodecOf(kind: string): ExtCommunityCodec | undefined {
  return byKind.get(kind);
}

/** Decode the 8 bytes at offset (caller checked the length). */
export function decodeExtCommunity(buf: Buffer, offset: number): ExtendedCommunityBase {
  const t = buf[offset]!;
  const s = buf[offset + 1]!;
  const codec = byCode.get((t << 8) | s);
  if (codec !== undefined) return codec.decode(buf, offset);
  return rawExtCommunity(buf, offset);
}

export function rawExtCommunity(buf: Buffer, offset: number): RawExtendedCommunity {
  return {
    kind: 'raw',
    typeHigh: buf[offset]!,
    subtype: buf[offset + 1]!,
    value: buf.toString('hex', offset + 2, offset + 8),
  };
}

/** Encode one community into 8 bytes at offset. Throws TypeError for a kind nobody registered. */
export function encodeExtCommunity(value: ExtendedCommunityBase, buf: Buffer, offset: number): void {
  if (value.kind === 'raw') {
    const r = value as RawExtendedCommunity;
    buf[offset] = r.typeHigh;
    buf[offset + 1] = r.subtype;
    const written = buf.write(r.value.padEnd(12, '0').slice(0, 12), offset + 2, 6, 'hex');
    if (written !== 6) throw new TypeError(`raw extended community value must be 6 bytes of hex: ${r.value}`);
    return;
  }
  const codec = byKind.get(value.kind);
  if (codec === undefined) throw new TypeError(`no extended community codec for kind '${value.kind}'`);
  codec.encode(value, buf, offset);
}
