/**
 * The address-family registry (AFI/SAFI -> NLRI codec). MP_REACH_NLRI and MP_UNREACH_NLRI
 * hand their NLRI bytes to the codec registered for their family; `bgp` itself knows only
 * IPv4 unicast (registered by `nlri/ipv4.ts`). EVPN registers itself from `src/evpn`.
 */
import type { BgpError } from './errors.js';
import type { CodecOptions, NlriBase, PathAttribute } from './types.js';

/** A number that names a family: `afi << 8 | safi` (AFI is 16 bits, SAFI 8). */
export function familyKey(afi: number, safi: number): number {
  return afi * 256 + safi;
}

/** Short human names for families, used in logs and the public API. */
export type FamilyName = 'ipv4-unicast' | 'ipv6-unicast' | 'l2vpn-evpn' | (string & {});

/**
 * An NLRI codec. Every method works on `[start, end)` that the MP attribute's length gave it
 * and throws only BgpError (an UpdateMessageError whose action the codec chooses: RFC 7606
 * 5.3/7.11 make NLRI that cannot be parsed a session-reset or AFI/SAFI-disable, while a
 * well-framed NLRI with a bad field is treat-as-withdraw).
 */
export interface NlriCodec<T extends NlriBase = NlriBase> {
  readonly name: FamilyName;
  readonly afi: number;
  readonly safi: number;
  /** Decode every NLRI in `[start, end)`. `addPath` says whether each carries a path id. */
  decode(buf: Buffer, start: number, end: number, addPath: boolean): T[];
  /** Bytes that `encode` will write for one NLRI. */
  encodingLength(nlri: T, addPath: boolean): number;
  /** Write one NLRI at `offset`; return the offset after it. */
  encode(nlri: T, buf: Buffer, offset: number, addPath: boolean): number;
  /**
   * Find the end of the NLRI that starts at `start` without decoding it, or throw.
   * The RIB uses it to keep NLRI as bytes (one view per route) and decode lazily.
   */
  nextBoundary(buf: Buffer, start: number, end: number, addPath: boolean): number;
  /**
   * The end of the NLRI at `start` by its length fields alone, without checking its fields; throws
   * (session-reset) only when it cannot be located. Lets an UPDATE that is treated as withdraw
   * still withdraw every NLRI it carried (RFC 7606 2) when one of them has a bad field.
   */
  frame?(buf: Buffer, start: number, end: number, addPath: boolean): number;
  /**
   * Whether the NLRI that `frame` located at `[start, end)` has well-formed fields, without
   * building an Error (a flood of malformed NLRI costs a comparison each). With `frame`, it lets
   * treat-as-withdraw find what to withdraw in one linear pass.
   */
  valid?(buf: Buffer, start: number, end: number, addPath: boolean): boolean;
  /**
   * The route key of the NLRI in `[start, end)` as a binary string (latin1; cheap to build and
   * to use in a Map). Two NLRI share a key exactly when they name the same route: for unicast
   * the prefix (and path id); for EVPN the RFC 7432 section 7 fields, never ESI or labels.
   * A RIB keeps the string for the life of the route, as is: build it flat (one `toString` of
   * gathered bytes), not by concatenation, whose V8 cons strings are more than twice as large.
   */
  routeKey(buf: Buffer, start: number, end: number, addPath: boolean): string;
  /** Validate a next hop's length for this family (RFC 7606 7.11); return an error or undefined. */
  checkNextHop?(length: number): BgpError | undefined;
  /**
   * The family's own first step of the decision process, before LOCAL_PREF (EVPN: RFC 7432 15
   * MAC mobility). The generic RIB knows nothing of it but calls it once per interned attribute
   * set. Absent for families that use RFC 4271 9.1 alone.
   */
  readonly preference?: PathPreference;
}

/**
 * A family-specific decision step that runs before every RFC 4271 9.1 step: a rank per attribute
 * set, higher wins, equal ranks fall through to LOCAL_PREF. Computed once per interned set.
 */
export interface PathPreference {
  /** A short name for documentation and debugging, e.g. `'mac-mobility'`. */
  readonly name: string;
  /** The rank of a path with these attributes (a finite number; higher is preferred). */
  rank(attributes: readonly PathAttribute[]): number;
}

const registry = new Map<number, NlriCodec>();
const byName = new Map<string, NlriCodec>();

/**
 * IANA AFI/SAFI pairs by their usual names, so a configuration may name a family before (or
 * without) its codec being registered. Registered codecs add their own names.
 */
const wellKnownFamilies: Readonly<Record<string, { readonly afi: number; readonly safi: number }>> = {
  'ipv4-unicast': { afi: 1, safi: 1 },
  'ipv6-unicast': { afi: 2, safi: 1 },
  'l2vpn-evpn': { afi: 25, safi: 70 },
};

/** The AFI/SAFI of a family name (a registered codec's, or a well-known IANA pair); TypeError if unknown. */
export function familyOfName(name: FamilyName): { afi: number; safi: number } {
  const c = byName.get(name);
  if (c !== undefined) return { afi: c.afi, safi: c.safi };
  const w = Object.hasOwn(wellKnownFamilies, name) ? wellKnownFamilies[name] : undefined;
  if (w !== undefined) return { afi: w.afi, safi: w.safi };
  throw new TypeError(`unknown family ${name}`);
}

/** Register (or replace) the codec of a family. Families are process-wide, like a protocol table. */
export function registerFamily<T extends NlriBase>(codec: NlriCodec<T>): void {
  registry.set(familyKey(codec.afi, codec.safi), codec as unknown as NlriCodec);
  byName.set(codec.name, codec as unknown as NlriCodec);
}

/** The codec of a family, or undefined when none is registered. */
export function familyCodec(afi: number, safi: number): NlriCodec | undefined {
  return registry.get(familyKey(afi, safi));
}

/** The codec registered under a name such as `l2vpn-evpn`. */
export function familyByName(name: FamilyName): NlriCodec | undefined {
  return byName.get(name);
}

/** Every registered family. */
export function registeredFamilies(): NlriCodec[] {
  return [...registry.values()];
}

/** Whether ADD-PATH applies to a family under these options. */
export function hasAddPath(options: CodecOptions | undefined, afi: number, safi: number): boolean {
  return options?.addPath !== undefined && options.addPath.has(familyKey(afi, safi));
}
