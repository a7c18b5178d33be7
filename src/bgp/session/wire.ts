/**
 * The few fixed-shape messages the session writes itself (KEEPALIVE, NOTIFICATION,
 * ROUTE-REFRESH, End-of-RIB), each built in one allocation.
 */
import { AttrFlag, AttrType, Afi, ErrorCode, Header, MessageType, RouteRefreshSubtype, Safi } from '../iana.js';
import type { Family, NotificationMessage } from '../types.js';

function header(length: number, type: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  b.fill(0xff, 0, Header.markerLength);
  b.writeUInt16BE(length, 16);
  b[18] = type;
  return b;
}

/** RFC 4271 4.4: a KEEPALIVE is the header alone. Shared: never mutate. */
export const keepaliveMessage: Buffer = header(Header.length, MessageType.keepalive);

/** RFC 8203 / RFC 9003: Cease 2 and 4 carry a length-prefixed UTF-8 message of up to 255 bytes. */
export function shutdownData(message: string): Buffer {
  let text = Buffer.from(message, 'utf8');
  if (text.length > 255) {
    // cut on a character boundary
    let n = 255;
    while (n > 0 && (text[n]! & 0xc0) === 0x80) n--;
    text = text.subarray(0, n);
  }
  const b = Buffer.allocUnsafe(1 + text.length);
  b[0] = text.length;
  text.copy(b, 1);
  return b;
}

/** RFC 4271 4.5: NOTIFICATION = code, subcode, data. */
export function notificationMessage(n: { code: number; subcode: number; data?: Buffer; shutdownMessage?: string }): Buffer {
  let data = n.data ?? Buffer.alloc(0);
  if (data.length === 0 && n.shutdownMessage !== undefined && n.code === ErrorCode.cease && (n.subcode === 2 || n.subcode === 4)) {
    data = shutdownData(n.shutdownMessage);
  }
  // never exceed the 4096 bytes every peer accepts
  if (data.length > Header.maxLength - 21) data = data.subarray(0, Header.maxLength - 21);
  const b = header(21 + data.length, MessageType.notification);
  b[19] = n.code;
  b[20] = n.subcode;
  data.copy(b, 21);
  return b;
}

/** The NotificationMessage value of what `notificationMessage` wrote (for events). */
export function notificationValue(n: { code: number; subcode: number; data?: Buffer; shutdownMessage?: string }, wire: Buffer): NotificationMessage {
  return {
    type: 'notification',
    code: n.code,
    subcode: n.subcode,
    data: wire.subarray(21),
    ...(n.shutdownMessage === undefined ? {} : { shutdownMessage: n.shutdownMessage }),
  };
}

/** RFC 2918 3 / RFC 7313 3: ROUTE-REFRESH = AFI(2) subtype(1) SAFI(1). */
export function routeRefreshMessage(family: Family, subtype: 'normal' | 'borr' | 'eorr' = 'normal'): Buffer {
  const b = header(23, MessageType.routeRefresh);
  b.writeUInt16BE(family.afi, 19);
  b[21] = RouteRefreshSubtype[subtype];
  b[22] = family.safi;
  return b;
}

/**
 * RFC 4724 2: End-of-RIB. IPv4 unicast: an UPDATE with nothing in it; other families: an UPDATE
 * whose only attribute is an MP_UNREACH_NLRI with no withdrawn routes.
 */
export function endOfRibMessage(family: Family): Buffer {
  if (family.afi === Afi.ipv4 && family.safi === Safi.unicast) {
    const b = header(23, MessageType.update);
    b.writeUInt32BE(0, 19);
    return b;
  }
  const b = header(29, MessageType.update);
  b.writeUInt16BE(0, 19); // withdrawn routes length
  b.writeUInt16BE(6, 21); // total path attribute length
  b[23] = AttrFlag.optional;
  b[24] = AttrType.mpUnreach;
  b[25] = 3;
  b.writeUInt16BE(family.afi, 26);
  b[28] = family.safi;
  return b;
}

/**
 * The family a received End-of-RIB names, or undefined when the UPDATE is not one.
 * Checked on the bytes: cheap enough for every UPDATE.
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
