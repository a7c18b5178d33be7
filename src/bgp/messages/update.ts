/**
 * UPDATE (RFC 4271 4.3):
 * ```
 * +-----------------------------------------------------+
 * |   Withdrawn Routes Length (2 octets)                |
 * |   Withdrawn Routes (variable)                       |
 * |   Total Path Attribute Length (2 octets)            |
 * |   Path Attributes (variable)                        |
 * |   Network Layer Reachability Information (variable) |
 * +-----------------------------------------------------+
 * ```
 * Error handling follows RFC 7606: session-reset errors are thrown; weaker ones are returned
 * in `error` (the strongest one wins).
 */
import { UpdateMessageError, strongerError, type BgpError } from '../errors.js';
import { hasAddPath } from '../families.js';
import { Afi, AttrType, Safi, UpdateSubcode } from '../iana.js';
import { attrContext, attributesLength, decodeAttributes, encodeAttributes } from '../attributes/path-attributes.js';
import type { AttrContext } from '../attributes/registry.js';
import { decodeIpv4Prefixes, encodeIpv4Prefixes, ipv4PrefixesLength } from '../nlri/ipv4.js';
import type { CodecOptions, Family, MpReachAttribute, UpdateMessage } from '../types.js';

function malformedList(message: string): UpdateMessageError {
  return new UpdateMessageError(UpdateSubcode.malformedAttributeList, message);
}

/**
 * Locate the three fields of the UPDATE body `[start, end)`: returns
 * [withdrawnStart, withdrawnEnd, attrsStart, attrsEnd] (the NLRI run from attrsEnd to end).
 * RFC 4271 6.3: lengths that overrun the message are Malformed Attribute List (session-reset).
 */
export function updateLayout(buf: Buffer, start: number, end: number): [number, number, number, number] {
  if (end - start < 4) throw malformedList('UPDATE body shorter than 4 bytes');
  const wl = buf.readUInt16BE(start);
  const ws = start + 2;
  const we = ws + wl;
  if (we + 2 > end) throw malformedList(`withdrawn routes length ${wl} overruns the message`);
  const tl = buf.readUInt16BE(we);
  const as = we + 2;
  const ae = as + tl;
  if (ae > end) throw malformedList(`total path attribute length ${tl} overruns the message`);
  return [ws, we, as, ae];
}

/** RFC 7606 3.d: the well-known mandatory attributes missing from an UPDATE that carries NLRI. */
export function missingMandatory(mandatory: number, ipv4Nlri: boolean, mpNlri: boolean): BgpError | undefined {
  if (!ipv4Nlri && !mpNlri) return undefined;
  // NEXT_HOP is needed only for NLRI in the UPDATE's own field (RFC 4760 3)
  const need = ipv4Nlri ? 0b111 : 0b011;
  const missing = need & ~mandatory;
  if (missing === 0) return undefined;
  const code = missing & 1 ? AttrType.origin : missing & 2 ? AttrType.asPath : AttrType.nextHop;
  // RFC 4271 6.3: data = the type code of the missing attribute
  return new UpdateMessageError(UpdateSubcode.missingWellKnownAttribute, `missing well-known attribute ${code}`, {
    data: Buffer.from([code]),
    action: 'treat-as-withdraw',
  });
}

/** Decode the UPDATE body `[start, end)`. */
export function decodeUpdate(buf: Buffer, start: number, end: number, options?: CodecOptions): UpdateMessage {
  const [ws, we, as, ae] = updateLayout(buf, start, end);
  const addPath = hasAddPath(options, Afi.ipv4, Safi.unicast);
  const withdrawn = decodeIpv4Prefixes(buf, ws, we, addPath);
  const ctx = attrContext(options);
  const decoded = decodeAttributes(buf, as, ae, ctx);
  const nlri = decodeIpv4Prefixes(buf, ae, end, addPath);
  let error = decoded.error;
  let mpNlri = false;
  for (const a of decoded.attributes) if (a.type === 'mp-reach' && a.nlri.length > 0) mpNlri = true;
  // RFC 7606 5.2: no NLRI anywhere means missing attributes do not matter
  const missing = missingMandatory(decoded.mandatory, nlri.length > 0, mpNlri);
  if (missing !== undefined) error = strongerError(error, missing);
  const msg: UpdateMessage = { type: 'update', withdrawn, attributes: decoded.attributes, nlri };
  return error === undefined ? msg : { ...msg, error };
}

/** Bytes of an UPDATE body. */
export function updateBodyLength(m: UpdateMessage, ctx: AttrContext): number {
  const addPath = hasAddPath(ctx.options, Afi.ipv4, Safi.unicast);
  return 4 + ipv4PrefixesLength(m.withdrawn, addPath) + attributesLength(m.attributes, ctx) + ipv4PrefixesLength(m.nlri, addPath);
}

/** Write an UPDATE body at `offset`; return the offset after it. */
export function encodeUpdate(m: UpdateMessage, buf: Buffer, offset: number, ctx: AttrContext): number {
  const addPath = hasAddPath(ctx.options, Afi.ipv4, Safi.unicast);
  let p = encodeIpv4Prefixes(m.withdrawn, buf, offset + 2, addPath);
  buf.writeUInt16BE(p - offset - 2, offset);
  const at = p;
  p = encodeAttributes(m.attributes, buf, p + 2, ctx);
  buf.writeUInt16BE(p - at - 2, at);
  return encodeIpv4Prefixes(m.nlri, buf, p, addPath);
}

// End-of-RIB (RFC 4724 2): end-of-rib.ts
export { endOfRib, endOfRibMessage } from './end-of-rib.js';

/** The MP_REACH_NLRI of an UPDATE, if any. */
export function mpReachOf(update: UpdateMessage): MpReachAttribute | undefined {
  for (const a of update.attributes) if (a.type === 'mp-reach') return a;
  return undefined;
}
