/**
 * A route as the RIBs keep it: small. The NLRI bytes are copied once out of the socket chunk
 * (so the chunk can be collected) into a one-byte string that belongs to the route alone: no
 * Buffer object per route, and nothing outlives the route. (An earlier shared 256 KiB slab let
 * one long-lived route pin its whole block: 200 routes kept after churn held 50 MiB.) The
 * attributes are an interned, shared `AttrSet`.
 *
 * Cost per route: the Route object (4 fields), its key string and the NLRI string (V8: 16 bytes
 * + the NLRI length, rounded up to 8 — 56 bytes for a 35-byte Type-2).
 */
import type { AttrSet } from './attr-set.js';
import type { RibPeer } from './rib-peer.js';

export type { RibPeer } from './rib-peer.js';

/**
 * One path to one destination, from one peer. Four fields: the peer is that of the interned
 * attribute set (sets are per peer), and the path id exists only on `AddPathRoute`s.
 */
export class Route {
  constructor(
    /** The NLRI bytes (after any ADD-PATH path id) as a latin1 string, owned by this route. */
    readonly bytes: string,
    /** Family route key (binary latin1, without path id): the Loc-RIB destination. */
    readonly key: string,
    /** Interned attributes (of the peer the route came from). */
    readonly attrs: AttrSet,
  ) {}

  /** Where the route came from. */
  get peer(): RibPeer {
    return this.attrs.peer;
  }

  /** RFC 7911 path identifier, or -1 without ADD-PATH. */
  get pathId(): number {
    return -1;
  }

  /** Length of the NLRI in bytes. */
  get length(): number {
    return this.bytes.length;
  }

  /** The NLRI bytes (a fresh Buffer, no path id). */
  get nlri(): Buffer {
    return Buffer.from(this.bytes, 'latin1');
  }

  /** Whether this route's NLRI equals `[start, end)` of `buf`. */
  sameNlri(buf: Buffer, start: number, end: number): boolean {
    const b = this.bytes;
    if (b.length !== end - start) return false;
    for (let i = 0; i < b.length; i++) if (b.charCodeAt(i) !== buf[start + i]) return false;
    return true;
  }
}

/** A route received with an ADD-PATH path identifier (RFC 7911). */
export class AddPathRoute extends Route {
  constructor(bytes: string, key: string, attrs: AttrSet, private readonly id: number) {
    super(bytes, key, attrs);
  }

  override get pathId(): number {
    return this.id;
  }
}

/** A `Route`, or an `AddPathRoute` when `pathId >= 0`. The peer is `attrs.peer`. */
export function newRoute(bytes: string, key: string, attrs: AttrSet, pathId: number): Route {
  return pathId < 0 ? new Route(bytes, key, attrs) : new AddPathRoute(bytes, key, attrs, pathId);
}

/** `[start, end)` of `buf` as the latin1 string a Route keeps (a copy: the buffer may go). */
export function nlriBytes(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
}

/** Key of a path inside a destination or an Adj-RIB-In: the route key plus the path id. */
export function pathKey(key: string, pathId: number): string {
  return pathId < 0 ? key : key + String.fromCharCode(pathId >>> 16, pathId & 0xffff);
}

/**
 * RFC 4271 9.1.2.2 g: a binary string that sorts like the address (IPv4 before IPv6); the
 * ordering key of `src/net` (AddressError for text that is not an address).
 */
export { addressOrderKey as addressRank } from '../../net/address-key.js';
