/**
 * A route as the RIBs keep it: small. The NLRI bytes are copied once out of the socket chunk
 * into a shared slab (so the chunk can be collected) and referenced by offset and length; no
 * Buffer object per route. The attributes are an interned, shared `AttrSet`.
 */
import type { AttrSet } from './attr-set.js';

/** What the RIB needs to know about the peer a route came from. */
export interface RibPeer {
  /** Peer address as configured (text); `local` for routes we originate. */
  readonly address: string;
  /** Peer AS. */
  readonly asn: number;
  /** Peer BGP identifier as an unsigned 32-bit number (RFC 4271 9.1.2.2 f). */
  routerId: number;
  /** Peer address as a sortable binary string (RFC 4271 9.1.2.2 g). */
  readonly addressRank: string;
  /** iBGP (same AS) peer. */
  readonly ibgp: boolean;
  /** RFC 4456: this peer is a route-reflector client of ours. */
  readonly rrClient: boolean;
  /** True only for the pseudo-peer that holds our own announcements. */
  readonly local: boolean;
}

/**
 * One path to one destination, from one peer. Four fields: the peer is that of the interned
 * attribute set (sets are per peer), and the path id exists only on `AddPathRoute`s.
 */
export class Route {
  constructor(
    /** The slab that holds the NLRI bytes (shared by many routes). */
    readonly slab: Buffer,
    /** Offset of the NLRI (after any ADD-PATH path id) in `slab`; its length is in the 2 bytes before. */
    readonly offset: number,
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
    return this.slab.readUInt16BE(this.offset - 2);
  }

  /** A view of the NLRI bytes (no path id). */
  get nlri(): Buffer {
    return this.slab.subarray(this.offset, this.offset + this.slab.readUInt16BE(this.offset - 2));
  }
}

/** A route received with an ADD-PATH path identifier (RFC 7911). */
export class AddPathRoute extends Route {
  constructor(slab: Buffer, offset: number, key: string, attrs: AttrSet, private readonly id: number) {
    super(slab, offset, key, attrs);
  }

  override get pathId(): number {
    return this.id;
  }
}

/** A `Route`, or an `AddPathRoute` when `pathId >= 0`. The peer is `attrs.peer`. */
export function newRoute(slab: Buffer, offset: number, key: string, attrs: AttrSet, pathId: number): Route {
  return pathId < 0 ? new Route(slab, offset, key, attrs) : new AddPathRoute(slab, offset, key, attrs, pathId);
}

/** Key of a path inside a destination or an Adj-RIB-In: the route key plus the path id. */
export function pathKey(key: string, pathId: number): string {
  return pathId < 0 ? key : key + String.fromCharCode(pathId >>> 16, pathId & 0xffff);
}

/**
 * Append-only byte slabs for NLRI. Bytes are copied into the current slab after a 2-byte length
 * (so a route needs no length field); a full slab is left to the routes that point into it and
 * is collected when the last of them goes.
 */
export class Slab {
  /** Current slab; read it right after `store` to get the buffer the offset refers to. */
  buf: Buffer;
  private pos = 0;

  constructor(private readonly size = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Copy `[start, end)` of `src` (at most 65535 bytes) into the slab; returns its offset in `this.buf`. */
  store(src: Buffer, start: number, end: number): number {
    const n = end - start;
    if (this.pos + n + 2 > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(Math.max(this.size, n + 2));
      this.pos = 0;
    }
    const b = this.buf;
    const at = this.pos + 2;
    b[at - 2] = n >>> 8;
    b[at - 1] = n & 0xff;
    // a route's NLRI is a few dozen bytes: a loop beats Buffer#copy's JS wrapper and native call
    if (n <= 64) for (let i = 0; i < n; i++) b[at + i] = src[start + i]!;
    else src.copy(b, at, start, end);
    this.pos = at + n;
    return at;
  }
}

/** RFC 4271 9.1.2.2 g: a binary string that sorts like the address (IPv4 before IPv6). */
export function addressRank(address: string): string {
  if (address.includes(':')) {
    const parts = expandV6(address);
    let s = '6';
    for (const p of parts) s += String.fromCharCode(p);
    return s;
  }
  let s = '4';
  for (const p of address.split('.')) s += String.fromCharCode(Number(p) & 0xff);
  return s;
}

function expandV6(a: string): number[] {
  const [head = '', tail] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const out: number[] = [];
  for (const x of h) out.push(parseInt(x, 16) || 0);
  for (let i = h.length + t.length; i < 8; i++) out.push(0);
  for (const x of t) out.push(parseInt(x, 16) || 0);
  return out.slice(0, 8);
}
