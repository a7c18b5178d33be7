/**
 * The few fixed-shape messages the session writes itself (KEEPALIVE, NOTIFICATION,
 * ROUTE-REFRESH), each built in one allocation. End-of-RIB: messages/end-of-rib.ts.
 */
import { ErrorCode, Header, MessageType, RouteRefreshSubtype } from '../iana.js';
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
