/**
 * End-of-RIB (RFC 4724 2), in one place: the marker as a decoded UPDATE and as the bytes a
 * session sends, and the family an UPDATE is the marker of, read from the decoded UPDATE or from
 * the bytes (what the session and parseUpdateRaw use).
 */
import { Afi, AttrFlag, AttrType, MessageType, Safi } from '../iana.js';
import type { Family, UpdateMessage } from '../types.js';
import { writeHeader } from './header.js';

/**
 * The family whose End-of-RIB marker this UPDATE is, or undefined. IPv4 unicast: an UPDATE with
 * no withdrawn routes, no attributes and no NLRI. Other families: an UPDATE whose only attribute
 * is an empty MP_UNREACH_NLRI for the family.
 */
export function endOfRib(update: UpdateMessage): Family | undefined {
  if (update.withdrawn.length > 0 || update.nlri.length > 0) return undefined;
  if (update.attributes.length === 0) return { afi: Afi.ipv4, safi: Safi.unicast };
  if (update.attributes.length !== 1) return undefined;
  const a = update.attributes[0]!;
  if (a.type !== 'mp-unreach' || a.withdrawn.length > 0) return undefined;
  return { afi: a.afi, safi: a.safi };
}

/** The End-of-RIB marker of a family (RFC 4724 2). */
export function endOfRibMessage(family: Family): UpdateMessage {
  if (family.afi === Afi.ipv4 && family.safi === Safi.unicast) return { type: 'update', withdrawn: [], attributes: [], nlri: [] };
  return { type: 'update', withdrawn: [], attributes: [{ type: 'mp-unreach', afi: family.afi, safi: family.safi, withdrawn: [] }], nlri: [] };
}

/** The End-of-RIB marker of a family as a whole message, in one allocation (what a session sends). */
export function encodeEndOfRib(family: Family): Buffer {
  if (family.afi === Afi.ipv4 && family.safi === Safi.unicast) {
    const b = Buffer.allocUnsafe(23);
    b.writeUInt32BE(0, writeHeader(b, 0, 23, MessageType.update));
    return b;
  }
  const b = Buffer.allocUnsafe(29);
  const p = writeHeader(b, 0, 29, MessageType.update);
  b.writeUInt16BE(0, p); // withdrawn routes length
  b.writeUInt16BE(6, p + 2); // total path attribute length
  b[p + 4] = AttrFlag.optional;
  b[p + 5] = AttrType.mpUnreach;
  b[p + 6] = 3;
  b.writeUInt16BE(family.afi, p + 7);
  b[p + 9] = family.safi;
  return b;
}

/**
 * The family a received UPDATE (a whole message, header included) is the End-of-RIB marker of,
 * or undefined. Checked on the bytes, before any parsing: cheap enough for every UPDATE.
 */
export function endOfRibFamily(msg: Buffer): Family | undefined {
  if (msg.length === 23 && msg.readUInt32BE(19) === 0) return { afi: Afi.ipv4, safi: Safi.unicast };
  if (msg.length === 29 && msg.readUInt16BE(19) === 0 && msg.readUInt16BE(21) === 6 && msg[24] === AttrType.mpUnreach && msg[25] === 3 && (msg[23]! & AttrFlag.extendedLength) === 0) {
    return { afi: msg.readUInt16BE(26), safi: msg[28]! };
  }
  // the same with the extended-length flag (a 2-byte attribute length)
  if (msg.length === 30 && msg.readUInt16BE(19) === 0 && msg.readUInt16BE(21) === 7 && msg[24] === AttrType.mpUnreach && (msg[23]! & AttrFlag.extendedLength) !== 0 && msg.readUInt16BE(25) === 3) {
    return { afi: msg.readUInt16BE(27), safi: msg[29]! };
  }
  return undefined;
}
