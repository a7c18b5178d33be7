/**
 * Hostile UPDATEs, built byte by byte (the encoders refuse to make them): a 65,535-byte MP_REACH
 * of malformed EVPN NLRI, thousands of duplicate ORIGINs around a valid Type-2, and 64 kB UPDATEs
 * whose attribute sets are all distinct (what fills a per-session attribute cache).
 */
import { AttrType } from '../../src/bgp/iana.js';

/** The largest message of an extended-message session (RFC 8654). */
export const maxExtended = 65_535;

const header = (total: number): Buffer => {
  const h = Buffer.alloc(19, 0xff);
  h.writeUInt16BE(total, 16);
  h[18] = 2;
  return h;
};

/** One attribute: flags, type, length (extended when needed), value. */
export function attribute(flags: number, code: number, value: Buffer): Buffer {
  const ext = value.length > 255 || (flags & 0x10) !== 0;
  const h = Buffer.from(ext ? [flags | 0x10, code, value.length >> 8, value.length & 0xff] : [flags, code, value.length]);
  return Buffer.concat([h, value]);
}

/** An UPDATE with no withdrawn routes, these attributes and no IPv4 NLRI. */
export function update(attrs: readonly Buffer[]): Buffer {
  const body = Buffer.concat(attrs);
  const fixed = Buffer.alloc(4);
  fixed.writeUInt16BE(body.length, 2);
  return Buffer.concat([header(19 + 4 + body.length), fixed, body]);
}

export const origin = attribute(0x40, AttrType.origin, Buffer.from([0]));
const asPath = (asn: number): Buffer => {
  const v = Buffer.alloc(6);
  v[0] = 2;
  v[1] = 1;
  v.writeUInt32BE(asn, 2);
  return attribute(0x40, AttrType.asPath, v);
};

/** A Type-2 NLRI (RFC 7432 7.2): RD 192.0.2.1:n, MAC 02:00:00:xx:xx:xx, no IP, one label. */
export function type2(n: number): Buffer {
  const b = Buffer.alloc(35);
  b[0] = 2;
  b[1] = 33;
  b.writeUInt16BE(1, 2); // RD type 1: IPv4 administrator
  Buffer.from([192, 0, 2, 1]).copy(b, 4);
  b.writeUInt16BE(n & 0xffff, 8);
  b[24] = 48; // MAC length in bits
  b[25] = 2;
  b.writeUIntBE(n & 0xffffff, 28, 3);
  b.writeUIntBE(100 << 4, 32, 3); // label 100, no IP (length byte 31 stays 0)
  return b;
}

/** MP_REACH_NLRI for EVPN (AFI 25 / SAFI 70) with next hop `nh` and these NLRI bytes. */
export function evpnReach(nlri: Buffer, nh = '192.0.2.1'): Buffer {
  const v = Buffer.concat([Buffer.from([0, 25, 70, 4, ...nh.split('.').map(Number), 0]), nlri]);
  return attribute(0x90, AttrType.mpReach, v);
}

/** MP_UNREACH_NLRI for EVPN. */
export function evpnUnreach(nlri: Buffer): Buffer {
  return attribute(0x90, AttrType.mpUnreach, Buffer.concat([Buffer.from([0, 25, 70]), nlri]));
}

/** A 65,535-byte UPDATE whose MP_REACH holds `02 00` repeated (Type-2 routes of length 0). */
export function badNlriFlood(): Buffer {
  const fixedBytes = 19 + 4 + origin.length + asPath(65001).length + 4 + 9;
  const pairs = (maxExtended - fixedBytes) >> 1;
  const nlri = Buffer.alloc(2 * pairs);
  for (let i = 0; i < pairs; i++) nlri[2 * i] = 2;
  const m = update([origin, asPath(65001), evpnReach(nlri)]);
  return m.length === maxExtended ? m : update([origin, asPath(65001), evpnReach(Buffer.concat([nlri, Buffer.from([2])]))]);
}

/** 16,000 duplicate ORIGINs, half before and half after a valid Type-2's MP_REACH. */
export function duplicateOrigins(count = 16_000): Buffer {
  const half = Buffer.concat(new Array<Buffer>(count / 2).fill(origin));
  return update([half, asPath(65001), evpnReach(type2(1)), half]);
}

/**
 * A ~64 kB UPDATE carrying Type-2 number `n` whose attribute set is unlike any other's: a long
 * LARGE_COMMUNITY list that starts with `n`.
 */
export function distinctUpdate(n: number, size = 64_000): Buffer {
  const reach = evpnReach(type2(n));
  const room = size - 19 - 4 - origin.length - asPath(65001).length - reach.length - 4;
  const lc = Buffer.alloc(room - (room % 12));
  for (let p = 0; p < lc.length; p += 12) lc.writeUInt32BE(65001, p);
  lc.writeUInt32BE(n, 4);
  return update([origin, asPath(65001), attribute(0xc0, AttrType.largeCommunities, lc), reach]);
}

/** The withdraw of Type-2 number `n`. */
export function withdrawType2(n: number): Buffer {
  return update([evpnUnreach(type2(n))]);
}

/**
 * Route number `n` of an EVPN route type this speaker keeps raw (type 200, RFC 7432 7: unknown
 * types are kept, keyed on the body): 255 body bytes, so few routes fill a lot of storage.
 */
export function rawRoute(n: number): Buffer {
  const b = Buffer.alloc(257, 0xab);
  b[0] = 200;
  b[1] = 255;
  b.writeUInt32BE(n, 2);
  return b;
}

/** One UPDATE announcing `routes` (EVPN NLRI bytes) with a fixed attribute set. */
export function announce(routes: readonly Buffer[]): Buffer {
  return update([origin, asPath(65001), evpnReach(Buffer.concat(routes))]);
}

/** One UPDATE withdrawing `routes`. */
export function withdraw(routes: readonly Buffer[]): Buffer {
  return update([evpnUnreach(Buffer.concat(routes))]);
}
