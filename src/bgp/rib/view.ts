/**
 * The public face of RIB entries: routes decoded into plain objects on demand (iteration,
 * events), and the parsing of routes handed to `announce`/`withdraw`.
 */
import { familyCodec, familyKey } from '../families.js';
import type { Family, MpReachAttribute, NlriBase, PathAttribute, Prefix } from '../types.js';
import type { Route } from './route.js';

/** A route as the API shows it: decoded, plain, printable. */
export interface RibRoute {
  readonly family: Family;
  /** The NLRI decoded by the family codec (raw bytes in `{ raw }` when no codec is registered). */
  readonly nlri: NlriBase;
  /** Path attributes (without MP_REACH; the next hops are in `nextHops`). */
  readonly attributes: readonly PathAttribute[];
  /** MP_REACH next hops (text); empty for IPv4 unicast, where NEXT_HOP is an attribute. */
  readonly nextHops: readonly string[];
  /** The peer it came from (address), or `local` for our own announcements. */
  readonly peer: string;
  /** True when it is the Loc-RIB best path of its destination. */
  readonly best: boolean;
  /** Kept from a restarting peer (RFC 4724) or during an enhanced route refresh (RFC 7313). */
  readonly stale: boolean;
}

/** One frozen `{ afi, safi }` per family key: a view per route need not allocate its own. */
const familyObjects = new Map<number, Family>();
function familyObject(family: number): Family {
  let f = familyObjects.get(family);
  if (f === undefined) familyObjects.set(family, (f = Object.freeze({ afi: family >>> 8, safi: family & 0xff })));
  return f;
}

/** Decode a stored route into a `RibRoute`. */
export function viewRoute(family: number, r: Route, best: boolean, stale: boolean): RibRoute {
  const afi = family >>> 8;
  const safi = family & 0xff;
  const codec = familyCodec(afi, safi);
  const bytes = r.nlri;
  let nlri: NlriBase;
  try {
    nlri = codec === undefined ? { raw: Buffer.from(bytes) } as NlriBase : codec.decode(bytes, 0, bytes.length, false)[0] ?? { raw: Buffer.from(bytes) } as NlriBase;
  } catch {
    nlri = { raw: Buffer.from(bytes) } as NlriBase;
  }
  if (r.pathId >= 0) nlri = { ...nlri, pathId: r.pathId };
  return {
    family: familyObject(family),
    nlri,
    attributes: r.attrs.attributes,
    nextHops: r.attrs.nextHops,
    peer: r.peer.address,
    best,
    stale,
  };
}

/**
 * A route given to `announce` / `withdraw`. The EVPN builders return `{ nlri, attributes }`
 * with MP_REACH inside `attributes`: that is enough (family, next hops and NLRI are taken from
 * it). Otherwise name the family (`family` or `afi`/`safi`) and give the NLRI as a decoded
 * value or as bytes; next hops go in `nextHops` (or a NEXT_HOP attribute for IPv4 unicast).
 */
/** A decoded NLRI of any family (`{ prefix }` for unicast, an EVPN route, ...). */
export type NlriInput = NlriBase | Prefix;

export interface RouteInput {
  readonly nlri?: NlriInput | Buffer | readonly (NlriInput | Buffer)[];
  readonly attributes?: readonly PathAttribute[];
  readonly family?: Family;
  readonly afi?: number;
  readonly safi?: number;
  readonly nextHops?: readonly string[];
}

/** A route input resolved to bytes: family, NLRI blobs, attributes without MP_REACH, next hops. */
export interface ParsedInput {
  readonly family: number;
  readonly nlri: Buffer[];
  readonly attributes: PathAttribute[];
  readonly nextHops: readonly string[];
}

/** Resolve a `RouteInput`. Throws TypeError for an input that names no family or NLRI. */
export function parseInput(route: RouteInput): ParsedInput {
  const attrs = route.attributes ?? [];
  let mp: MpReachAttribute | undefined;
  const rest: PathAttribute[] = [];
  for (const a of attrs) {
    if (a.type === 'mp-reach') mp = a;
    else if (a.type !== 'mp-unreach') rest.push(a);
  }
  const afi = route.family?.afi ?? route.afi ?? mp?.afi;
  const safi = route.family?.safi ?? route.safi ?? mp?.safi;
  if (afi === undefined || safi === undefined) throw new TypeError('route: no family (give family, afi/safi, or an mp-reach attribute)');
  const items: (NlriBase | Buffer)[] = [];
  if (route.nlri !== undefined) {
    if (Array.isArray(route.nlri)) items.push(...(route.nlri as readonly (NlriBase | Buffer)[]));
    else items.push(route.nlri as NlriBase | Buffer);
  } else if (mp !== undefined) items.push(...mp.nlri);
  if (items.length === 0) throw new TypeError('route: no NLRI');
  const codec = familyCodec(afi, safi);
  const nlri: Buffer[] = [];
  for (const n of items) {
    if (Buffer.isBuffer(n)) nlri.push(n);
    else if (codec !== undefined) {
      const b = Buffer.allocUnsafe(codec.encodingLength(n, false));
      codec.encode(n, b, 0, false);
      nlri.push(b);
    } else if ('raw' in n && Buffer.isBuffer((n as { raw: unknown }).raw)) nlri.push((n as { raw: Buffer }).raw);
    else throw new TypeError(`route: no codec registered for AFI ${afi} SAFI ${safi}`);
  }
  return { family: familyKey(afi, safi), nlri, attributes: rest, nextHops: route.nextHops ?? mp?.nextHops ?? [] };
}
