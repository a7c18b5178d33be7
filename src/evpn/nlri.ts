/**
 * The EVPN NLRI codec for AFI 25 / SAFI 70 (RFC 7432 7), registered with the BGP family
 * registry when this module loads: MP_REACH_NLRI / MP_UNREACH_NLRI hand it their NLRI bytes.
 *
 * ```
 * +-----------------------------------+
 * |    Route Type (1 octet)           |
 * +-----------------------------------+
 * |     Length (1 octet)              |
 * +-----------------------------------+
 * | Route Type specific (variable)    |
 * +-----------------------------------+
 * ```
 * With ADD-PATH (RFC 7911) a 4-byte path identifier precedes each NLRI.
 *
 * Errors (RFC 7606 5.3, 7.11): an NLRI whose length runs past the attribute cannot be located,
 * so nothing after it can be parsed: session-reset. An NLRI that its length framed but whose
 * fields are wrong is treat-as-withdraw. An unknown route type is not an error at all.
 * `nextBoundary` validates the fields too (cheaply, without building values), so a RIB that
 * keeps NLRI as bytes never stores a malformed route, and it reports the same action as `decode`.
 */
import { BgpError, UpdateMessageError } from '../bgp/errors.js';
import { registerFamily, type NlriCodec } from '../bgp/families.js';
import { Afi, Safi, UpdateSubcode } from '../bgp/iana.js';
import { evpnCommunities } from './communities.js';
import { badEvpnField, EvpnInputError, unframedEvpn } from './errors.js';
import { macMobilityPreference } from './preference.js';
import { routeCodec } from './registry.js';
import { copyBytes } from './routes/fields.js';
import { raw } from './routes/raw.js';
import type { EvpnRoute, EvpnRouteBase } from './types.js';

/** Latin1 text of `[start, end)` (Buffer#latin1Slice: no encoding switch, no argument coercion). */
const latin1 = (b: Buffer, start: number, end: number): string =>
  (b as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);

/** Route keys are assembled here: path id (4), route type (1), at most the whole body (255). */
const keyScratch = Buffer.allocUnsafe(4 + 1 + 255);

/** Locate the NLRI at `start`: returns [bodyStart, bodyEnd]; throws session-reset if it overruns. */
function frame(buf: Buffer, start: number, end: number, addPath: boolean): number {
  const p = addPath ? start + 4 : start;
  if (p + 2 > end) throw unframedEvpn(`${end - start} bytes left, too few for ${addPath ? 'a path id, ' : ''}route type and length`, buf.subarray(start, end));
  const bodyEnd = p + 2 + buf[p + 1]!;
  if (bodyEnd > end) throw unframedEvpn(`route type ${buf[p]!} length ${buf[p + 1]!} runs past the attribute (${end - p - 2} bytes left)`, buf.subarray(start, end));
  return bodyEnd;
}

/** Frame every NLRI in `[start, end)` without checking fields; throws session-reset if one overruns. */
function frameRest(buf: Buffer, start: number, end: number, addPath: boolean): void {
  for (let q = start; q < end; ) q = frame(buf, q, end, addPath);
}

function decodeOne(buf: Buffer, p: number, bodyEnd: number): EvpnRouteBase {
  const type = buf[p]!;
  const codec = routeCodec(type);
  return codec === undefined ? raw.decode(buf, p + 2, bodyEnd, type) : codec.decode(buf, p + 2, bodyEnd);
}

function bodyLength(route: EvpnRouteBase): number {
  const codec = routeCodec(route.routeType);
  const isRaw = (route as { raw?: unknown }).raw !== undefined;
  const n = codec === undefined || isRaw ? raw.encodingLength(route as never) : codec.encodingLength(route);
  if (n > 255) throw new EvpnInputError('route', route.routeType, `route body of ${n} bytes does not fit the 1-byte length`);
  return n;
}

/** The EVPN family codec (AFI 25, SAFI 70). */
export const evpnNlri: NlriCodec<EvpnRoute> = {
  name: 'l2vpn-evpn',
  afi: Afi.l2vpn,
  safi: Safi.evpn,

  decode(buf: Buffer, start: number, end: number, addPath: boolean): EvpnRoute[] {
    const out: EvpnRoute[] = [];
    let p = start;
    while (p < end) {
      const bodyEnd = frame(buf, p, end, addPath);
      const q = addPath ? p + 4 : p;
      try {
        const route = decodeOne(buf, q, bodyEnd);
        if (addPath) (route as { pathId?: number }).pathId = buf.readUInt32BE(p);
        out.push(route as EvpnRoute);
      } catch (e) {
        // A framed NLRI with a bad field: decoding stops here (one error per field, not one per
        // route: a flood of bad routes stays linear). The rest is only framed, so that a later
        // unframed NLRI still resets the session (the strongest action wins, RFC 7606 3.h).
        const err = e instanceof BgpError ? e : badEvpnField(`route type ${buf[q]!}: ${(e as Error).message}`);
        frameRest(buf, bodyEnd, end, addPath);
        throw err;
      }
      p = bodyEnd;
    }
    return out;
  },

  encodingLength(route: EvpnRoute, addPath: boolean): number {
    return (addPath ? 6 : 2) + bodyLength(route);
  },

  encode(route: EvpnRoute, buf: Buffer, offset: number, addPath: boolean): number {
    let p = offset;
    if (addPath) {
      buf.writeUInt32BE((route.pathId ?? 0) >>> 0, p);
      p += 4;
    }
    const type = route.routeType;
    if (!Number.isInteger(type) || type < 0 || type > 255) throw new EvpnInputError('route', type, 'route type is one octet');
    const codec = routeCodec(type);
    const isRaw = (route as { raw?: unknown }).raw !== undefined;
    buf[p] = type;
    const bodyStart = p + 2;
    const bodyEnd = codec === undefined || isRaw ? raw.encode(route as never, buf, bodyStart) : codec.encode(route, buf, bodyStart);
    const n = bodyEnd - bodyStart;
    if (n > 255) throw new EvpnInputError('route', type, `route body of ${n} bytes does not fit the 1-byte length`);
    buf[p + 1] = n;
    return bodyEnd;
  },

  nextBoundary(buf: Buffer, start: number, end: number, addPath: boolean): number {
    const bodyEnd = frame(buf, start, end, addPath);
    const p = addPath ? start + 4 : start;
    const codec = routeCodec(buf[p]!);
    if (codec !== undefined && !codec.valid(buf, p + 2, bodyEnd)) {
      // a framed NLRI with a bad field must not reach the RIB as bytes: treat-as-withdraw,
      // unless something after it cannot be located: then the session resets (RFC 7606 3.h).
      // Callers stop at the first throw, so the rest is framed once per field.
      frameRest(buf, bodyEnd, end, addPath);
      codec.check(buf, p + 2, bodyEnd);
    }
    return bodyEnd;
  },

  frame,

  valid(buf: Buffer, start: number, end: number, addPath: boolean): boolean {
    const p = addPath ? start + 4 : start;
    const codec = routeCodec(buf[p]!);
    return codec === undefined || codec.valid(buf, p + 2, end);
  },

  routeKey(buf: Buffer, start: number, end: number, addPath: boolean): string {
    const bodyEnd = frame(buf, start, end, addPath);
    const p = addPath ? start + 4 : start;
    const type = buf[p]!;
    const codec = routeCodec(type);
    // The key fields are gathered in a scratch buffer and read out with one toString: a flat
    // one-byte string (~48 bytes for a Type-2 key), where concatenated pieces would make a V8
    // cons string of ~120 bytes that a RIB keeping a million keys would have to flatten.
    const out = keyScratch;
    // RFC 7911: with ADD-PATH the path identifier is part of what names the path.
    let n = addPath ? copyBytes(buf, start, p, out, 0) : 0;
    out[n++] = type;
    n = codec === undefined ? raw.keyInto(buf, p + 2, bodyEnd, out, n) : codec.keyInto(buf, p + 2, bodyEnd, out, n);
    return latin1(out, 0, n);
  },

  preference: macMobilityPreference,

  checkNextHop(length: number): BgpError | undefined {
    // RFC 7432 7 / RFC 8365 5.1.1: the next hop is the VTEP address, IPv4 or IPv6.
    // RFC 7606 7.11: a wrong next hop length means the NLRI after it cannot be located.
    if (length === 4 || length === 16 || length === 32) return undefined;
    return new UpdateMessageError(UpdateSubcode.optionalAttributeError, `EVPN MP_REACH next hop length ${length}, expected 4, 16 or 32`, {
      action: 'session-reset',
    });
  },
};

registerFamily(evpnNlri);
// Decoding EVPN implies its extended communities are known (MAC mobility, router's MAC, ...).
evpnCommunities.register();

/**
 * Make sure the EVPN family and its extended communities are registered. Loading this module
 * does it already; call this where a bundler may drop modules imported only for side effects.
 */
export function registerEvpn(): void {
  registerFamily(evpnNlri);
  evpnCommunities.register();
}

/** Encode one route (no path id) into a fresh buffer: type, length, body. */
export function encodeEvpnRoute(route: EvpnRoute): Buffer {
  const b = Buffer.allocUnsafe(evpnNlri.encodingLength(route, false));
  evpnNlri.encode(route, b, 0, false);
  return b;
}

/** Decode every route in `buf` (no path ids). Throws BgpError as the family codec does. */
export function decodeEvpnRoutes(buf: Buffer): EvpnRoute[] {
  return evpnNlri.decode(buf, 0, buf.length, false);
}

/** The RFC 7432 7 route key of a route value (encodes it first; the RIB keys the received bytes instead). */
export function evpnRouteKey(route: EvpnRoute): string {
  const b = encodeEvpnRoute(route);
  return evpnNlri.routeKey(b, 0, b.length, false);
}
