/**
 * NOTIFICATION (RFC 4271 4.5): error code (1), error subcode (1), data (variable).
 * RFC 8203 / RFC 9003: for Cease / Administrative Shutdown (2) and Administrative Reset (4) the
 * data may be a shutdown communication: a length octet and that many bytes of UTF-8 (max 255).
 */
import { isUtf8 } from 'node:buffer';
import { CeaseSubcode, ErrorCode } from '../iana.js';
import type { NotificationMessage } from '../types.js';

function carriesShutdown(code: number, subcode: number): boolean {
  return code === ErrorCode.cease && (subcode === CeaseSubcode.administrativeShutdown || subcode === CeaseSubcode.administrativeReset);
}

/** Decode the body `[start, end)` of a NOTIFICATION (at least 2 bytes; the framer checked). */
export function decodeNotification(buf: Buffer, start: number, end: number): NotificationMessage {
  const code = buf[start]!;
  const subcode = buf[start + 1]!;
  const data = buf.subarray(start + 2, end);
  if (carriesShutdown(code, subcode) && data.length > 1) {
    const n = data[0]!;
    const text = data.subarray(1, 1 + n);
    // RFC 9003 2: an invalid length or invalid UTF-8 is not a communication (but not an error)
    if (n > 0 && 1 + n <= data.length && isUtf8(text)) {
      return { type: 'notification', code, subcode, data, shutdownMessage: text.toString('utf8') };
    }
  }
  return { type: 'notification', code, subcode, data };
}

function shutdownBytes(m: NotificationMessage): number {
  if (m.data.length > 0 || m.shutdownMessage === undefined) return m.data.length;
  const n = Buffer.byteLength(m.shutdownMessage, 'utf8');
  if (n > 255) throw new TypeError(`shutdown communication of ${n} bytes (RFC 9003: at most 255)`);
  return 1 + n;
}

/** Bytes of a NOTIFICATION body. */
export function notificationBodyLength(m: NotificationMessage): number {
  return 2 + shutdownBytes(m);
}

/**
 * Write a NOTIFICATION body. `data` is written as is when non-empty; otherwise a
 * `shutdownMessage` becomes the RFC 9003 length + UTF-8 data.
 */
export function encodeNotification(m: NotificationMessage, buf: Buffer, offset: number): number {
  buf[offset] = m.code;
  buf[offset + 1] = m.subcode;
  const p = offset + 2;
  if (m.data.length > 0 || m.shutdownMessage === undefined) {
    buf.set(m.data, p);
    return p + m.data.length;
  }
  const n = shutdownBytes(m) - 1;
  buf[p] = n;
  buf.write(m.shutdownMessage, p + 1, 'utf8');
  return p + 1 + n;
}

/** A Cease / Administrative Shutdown (or Reset) NOTIFICATION with an RFC 9003 communication. */
export function shutdownNotification(message: string, subcode: number = CeaseSubcode.administrativeShutdown): NotificationMessage {
  return { type: 'notification', code: ErrorCode.cease, subcode, data: Buffer.alloc(0), shutdownMessage: message };
}
