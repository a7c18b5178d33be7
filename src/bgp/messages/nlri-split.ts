/**
 * NLRI of one family found in an UPDATE, without decoding them: the splitters walk a field with
 * the family codec's `nextBoundary` and record each NLRI's `[start, end)` in a module-level
 * scratch array (parsing is synchronous, so one array serves every session), from which
 * `makeSet` builds the set a RIB takes, as Buffer views or as bounds.
 */
import { UpdateMessageError } from '../errors.js';
import { familyCodec, hasAddPath } from '../families.js';
import { Afi, Safi, UpdateSubcode } from '../iana.js';
import { ipv4Unicast } from '../nlri/ipv4.js';
import type { CodecOptions } from '../types.js';

/** NLRI of one family, one Buffer view per route. */
export interface RawNlriSet {
  readonly afi: number;
  readonly safi: number;
  /** Next hops (text) for announced sets: MP_REACH next hops, or the NEXT_HOP attribute for IPv4. */
  readonly nextHops?: readonly string[];
  /** One view per NLRI (path id included under ADD-PATH). Empty in 'bounds' mode. */
  readonly nlri: Buffer[];
  /** 'bounds' mode: the message the NLRI lie in. */
  readonly buf?: Buffer;
  /**
   * 'bounds' mode: `[start, end)` of each NLRI in `buf`, as pairs (NLRI i is
   * `bounds[2i]..bounds[2i+1]`). One allocation per set instead of one view per NLRI.
   */
  readonly bounds?: readonly number[];
}

/** How parseUpdateRaw hands NLRI over. */
export type RawNlriMode = 'views' | 'bounds';

// [start, end) pairs of the NLRI found by the splitters (module state: parsing is synchronous)
let scratch = new Uint32Array(2048);

/** Record NLRI number `n` as `[start, end)`; return n + 1. */
function put(n: number, start: number, end: number): number {
  if (2 * n + 2 > scratch.length) {
    const next = new Uint32Array(scratch.length * 2);
    next.set(scratch);
    scratch = next;
  }
  scratch[2 * n] = start;
  scratch[2 * n + 1] = end;
  return n + 1;
}

/** Split IPv4 prefixes into `scratch`; return how many. */
export function splitIpv4(buf: Buffer, start: number, end: number, addPath: boolean): number {
  let n = 0;
  let p = start;
  while (p < end) {
    let next: number;
    if (addPath) {
      next = ipv4Unicast.nextBoundary(buf, p, end, true);
    } else {
      // the hot path: no call per prefix
      const bits = buf[p]!;
      next = p + 1 + ((bits + 7) >>> 3);
      if (bits > 32 || next > end) ipv4Unicast.nextBoundary(buf, p, end, false); // throws the right error
    }
    n = put(n, p, next);
    p = next;
  }
  return n;
}

/** Split the NLRI of any family into `scratch`; return how many. */
export function splitFamily(buf: Buffer, start: number, end: number, afi: number, safi: number, options: CodecOptions | undefined): number {
  if (afi === Afi.ipv4 && safi === Safi.unicast) return splitIpv4(buf, start, end, hasAddPath(options, afi, safi));
  const codec = familyCodec(afi, safi);
  if (codec === undefined) {
    return start === end ? 0 : put(0, start, end);
  }
  const addPath = hasAddPath(options, afi, safi);
  let n = 0;
  let p = start;
  while (p < end) {
    const next = codec.nextBoundary(buf, p, end, addPath);
    if (!(next > p && next <= end)) {
      throw new UpdateMessageError(UpdateSubcode.optionalAttributeError, `${codec.name}: NLRI boundary out of range`, { action: 'session-reset' });
    }
    n = put(n, p, next);
    p = next;
  }
  return n;
}

/**
 * The well-formed NLRI of a family in `[start, end)`, skipping (by framing) those whose fields
 * are bad: what an UPDATE treated as withdraw still withdraws (RFC 7606 2). One linear pass, no
 * Error built per bad NLRI. Returns 0 when the family cannot frame and check its NLRI this way.
 */
export function splitWellFormed(buf: Buffer, start: number, end: number, afi: number, safi: number, options: CodecOptions | undefined): number {
  const codec = familyCodec(afi, safi);
  if (codec?.frame === undefined || codec.valid === undefined) return 0;
  const addPath = hasAddPath(options, afi, safi);
  let n = 0;
  for (let p = start; p < end; ) {
    const next = codec.frame(buf, p, end, addPath);
    if (!(next > p && next <= end)) return n;
    // a bad field: that route never reached a RIB, there is nothing to withdraw
    if (codec.valid(buf, p, next, addPath)) n = put(n, p, next);
    p = next;
  }
  return n;
}

/** The set of the `n` NLRI in `scratch`: Buffer views, or the bounds alone. */
export function makeSet(buf: Buffer, afi: number, safi: number, nextHops: readonly string[] | undefined, n: number, mode: RawNlriMode): RawNlriSet {
  if (mode === 'bounds') {
    // a plain array: cheaper to allocate than a typed array for the usual few NLRI
    const bounds: number[] = new Array<number>(2 * n);
    for (let i = 0; i < 2 * n; i++) bounds[i] = scratch[i]!;
    return nextHops === undefined ? { afi, safi, nlri: [], buf, bounds } : { afi, safi, nextHops, nlri: [], buf, bounds };
  }
  const nlri: Buffer[] = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) nlri[i] = buf.subarray(scratch[2 * i]!, scratch[2 * i + 1]!);
  return nextHops === undefined ? { afi, safi, nlri } : { afi, safi, nextHops, nlri };
}
