/**
 * Route types without a codec here (RFC 9251 SMET/IGMP sync, future types): kept as their
 * body bytes, re-encoded byte for byte, keyed on the whole body. An unknown route type is never
 * an error (RFC 7432 7: a speaker ignores route types it does not understand; it must not reset
 * the session over them).
 */
import { EvpnInputError } from '../errors.js';
import type { RawEvpnRoute } from '../types.js';
import { copyBytes } from './fields.js';

export const raw = {
  name: 'unknown route type',
  encodingLength(r: RawEvpnRoute): number {
    return r.raw.length;
  },
  encode(r: RawEvpnRoute, buf: Buffer, offset: number): number {
    if (!Buffer.isBuffer(r.raw) || r.raw.length > 255) throw new EvpnInputError('route', r.routeType, 'raw route body must be a Buffer of at most 255 bytes');
    r.raw.copy(buf, offset);
    return offset + r.raw.length;
  },
  /** A view of the body, not a copy: copy it (`Buffer.from`) to keep it past the message. */
  decode(buf: Buffer, start: number, end: number, routeType: number): RawEvpnRoute {
    return { routeType, raw: buf.subarray(start, end) };
  },
  keyInto(buf: Buffer, start: number, end: number, out: Buffer, offset: number): number {
    return copyBytes(buf, start, end, out, offset);
  },
} as const;
