/**
 * Entry points: one whole message in, a typed value out, and back.
 *
 * - `decodeMessage(bytes, options)`: bytes = one message including its header (as the framer
 *   yields it). Throws only BgpError; RFC 7606 non-fatal UPDATE errors come back in `error`.
 * - `encodeMessage(message, options)`: computes the length once, allocates once.
 * - `encodeMessageInto(message, buf, offset, options)`: writes into the caller's buffer.
 * - `toNotification(err)`: the one mapping from a decode error to a NOTIFICATION.
 */
import { BgpError, MessageHeaderError, OpenMessageError, UpdateMessageError, asBgpError } from './errors.js';
import { ErrorCode, Header, HeaderSubcode, MessageType, OpenSubcode, UpdateSubcode } from './iana.js';
import { attrContext } from './attributes/path-attributes.js';
import type { AttrContext } from './attributes/registry.js';
import { checkHeader, writeHeader } from './messages/header.js';
import { decodeNotification, encodeNotification, notificationBodyLength } from './messages/notification.js';
import { decodeOpen, encodeOpen, openBodyLength } from './messages/open.js';
import { keepalive } from './messages/keepalive.js';
import { decodeRouteRefresh, encodeRouteRefresh } from './messages/route-refresh.js';
import { decodeUpdate, encodeUpdate, updateBodyLength } from './messages/update.js';
import './nlri/ipv4.js';
import type { BgpMessage, CodecOptions, NotificationMessage } from './types.js';

export { parseUpdateRaw, type RawUpdate, type RawNlriSet, type RawNlriMode } from './messages/update-raw.js';
export { encodeUpdateRaw, updateRoom, type UpdateShape, type RawUpdateInput } from './messages/update-pack.js';

type Of<K extends BgpMessage['type']> = Extract<BgpMessage, { type: K }>;

interface MessageCodec<T extends BgpMessage> {
  readonly type: T['type'];
  readonly code: number;
  /** Decode the message `[start, end)`, header included. */
  decode(buf: Buffer, start: number, end: number, options: CodecOptions | undefined): T;
  bodyLength(m: T, ctx: AttrContext): number;
  encodeBody(m: T, buf: Buffer, offset: number, ctx: AttrContext): number;
  /** The error a stray exception becomes (a bug: the root cause must still be fixed). */
  fallback(message: string): BgpError;
}
type AnyMessageCodec = { [K in BgpMessage['type']]: MessageCodec<Of<K>> }[BgpMessage['type']];

const H = Header.length;

/** Message codecs by type code. */
export const messageCodecs = {
  [MessageType.open]: {
    type: 'open',
    code: MessageType.open,
    decode: (buf, start, end) => decodeOpen(buf, start + H, end),
    bodyLength: (m) => openBodyLength(m),
    encodeBody: (m, buf, offset) => encodeOpen(m, buf, offset),
    fallback: (msg) => new OpenMessageError(OpenSubcode.unspecific, msg),
  } satisfies MessageCodec<Of<'open'>>,
  [MessageType.update]: {
    type: 'update',
    code: MessageType.update,
    decode: (buf, start, end, options) => decodeUpdate(buf, start + H, end, options),
    bodyLength: (m, ctx) => updateBodyLength(m, ctx),
    encodeBody: (m, buf, offset, ctx) => encodeUpdate(m, buf, offset, ctx),
    fallback: (msg) => new UpdateMessageError(UpdateSubcode.malformedAttributeList, msg),
  } satisfies MessageCodec<Of<'update'>>,
  [MessageType.notification]: {
    type: 'notification',
    code: MessageType.notification,
    decode: (buf, start, end) => decodeNotification(buf, start + H, end),
    bodyLength: (m) => notificationBodyLength(m),
    encodeBody: (m, buf, offset) => encodeNotification(m, buf, offset),
    fallback: (msg) => new MessageHeaderError(HeaderSubcode.unspecific, msg),
  } satisfies MessageCodec<Of<'notification'>>,
  [MessageType.keepalive]: {
    type: 'keepalive',
    code: MessageType.keepalive,
    decode: () => keepalive,
    bodyLength: () => 0,
    encodeBody: (_m, _buf, offset) => offset,
    fallback: (msg) => new MessageHeaderError(HeaderSubcode.unspecific, msg),
  } satisfies MessageCodec<Of<'keepalive'>>,
  [MessageType.routeRefresh]: {
    type: 'route-refresh',
    code: MessageType.routeRefresh,
    decode: (buf, start, end) => decodeRouteRefresh(buf, start, end),
    bodyLength: () => 4,
    encodeBody: (m, buf, offset) => encodeRouteRefresh(m, buf, offset),
    fallback: (msg) => new MessageHeaderError(HeaderSubcode.unspecific, msg),
  } satisfies MessageCodec<Of<'route-refresh'>>,
} satisfies Record<number, AnyMessageCodec>;

const byCode: (MessageCodec<BgpMessage> | undefined)[] = [];
const byType = new Map<string, MessageCodec<BgpMessage>>();
for (const c of Object.values(messageCodecs)) {
  byCode[c.code] = c as unknown as MessageCodec<BgpMessage>;
  byType.set(c.type, c as unknown as MessageCodec<BgpMessage>);
}

/**
 * Decode one whole message (header included). Throws BgpError (and only BgpError) for
 * anything that ends the session; RFC 7606 non-fatal UPDATE errors are in the result's `error`.
 */
export function decodeMessage(bytes: Buffer, options?: CodecOptions): BgpMessage {
  if (bytes.length < H) {
    throw new MessageHeaderError(HeaderSubcode.badMessageLength, `message of ${bytes.length} bytes is shorter than its header`);
  }
  const length = checkHeader(bytes, 0, options?.extendedMessage ?? false);
  if (length !== bytes.length) {
    throw new MessageHeaderError(HeaderSubcode.badMessageLength, `length field ${length} but ${bytes.length} bytes`, bytes.subarray(16, 18));
  }
  const codec = byCode[bytes[18]!]!;
  try {
    return codec.decode(bytes, 0, length, options);
  } catch (e) {
    throw asBgpError(e, () => codec.fallback(`internal error in ${codec.type}: ${String(e)}`));
  }
}

function codecOf(message: BgpMessage): MessageCodec<BgpMessage> {
  const c = byType.get(message.type);
  if (c === undefined) throw new TypeError(`unknown message type '${String((message as { type: unknown }).type)}'`);
  return c;
}

function maxFor(message: BgpMessage, options: CodecOptions | undefined): number {
  // RFC 8654 4: OPEN is never extended
  return options?.extendedMessage && message.type !== 'open' ? Header.maxExtendedLength : Header.maxLength;
}

function lengthOf(message: BgpMessage, codec: MessageCodec<BgpMessage>, ctx: AttrContext, options: CodecOptions | undefined): number {
  const n = H + codec.bodyLength(message, ctx);
  const max = maxFor(message, options);
  // an oversize message is a programming error of whoever built it, not bad input
  if (n > max) throw new TypeError(`${message.type} message of ${n} bytes exceeds ${max}`);
  return n;
}

/** Bytes `encodeMessage` will produce. TypeError if the message exceeds the size limit. */
export function encodedLength(message: BgpMessage, options?: CodecOptions): number {
  return lengthOf(message, codecOf(message), attrContext(options), options);
}

/** Encode a message into a new Buffer (computed once, allocated once). */
export function encodeMessage(message: BgpMessage, options?: CodecOptions): Buffer {
  const codec = codecOf(message);
  const ctx = attrContext(options);
  const n = lengthOf(message, codec, ctx, options);
  const buf = Buffer.allocUnsafe(n);
  write(message, codec, buf, 0, n, ctx);
  return buf;
}

/** Encode a message into `buf` at `offset`; return the offset after it. RangeError if it does not fit. */
export function encodeMessageInto(message: BgpMessage, buf: Buffer, offset: number, options?: CodecOptions): number {
  const codec = codecOf(message);
  const ctx = attrContext(options);
  const n = lengthOf(message, codec, ctx, options);
  if (offset < 0 || offset + n > buf.length) throw new RangeError(`encodeMessageInto: need ${n} bytes at ${offset}, buffer has ${buf.length}`);
  return write(message, codec, buf, offset, n, ctx);
}

function write(message: BgpMessage, codec: MessageCodec<BgpMessage>, buf: Buffer, offset: number, n: number, ctx: AttrContext): number {
  const body = writeHeader(buf, offset, n, codec.code);
  const end = codec.encodeBody(message, buf, body, ctx);
  if (end !== offset + n) throw new TypeError(`${message.type}: wrote ${end - offset} bytes, announced ${n}`);
  return end;
}

/** The NOTIFICATION that reports a decode error (RFC 4271 6; data cut to fit 4096 bytes). */
export function toNotification(err: BgpError): NotificationMessage {
  const room = Header.maxLength - H - 2;
  const data = err.data.length > room ? err.data.subarray(0, room) : err.data;
  return { type: 'notification', code: err.code, subcode: err.subcode, data };
}

/** Whether an error ends the session (RFC 7606: only session-reset does). */
export function isFatal(err: BgpError): boolean {
  return err.action === 'session-reset';
}

/** The NOTIFICATION for a hold timer expiry (RFC 4271 6.5). */
export const holdTimerExpired: NotificationMessage = Object.freeze({ type: 'notification', code: ErrorCode.holdTimerExpired, subcode: 0, data: Buffer.alloc(0) });
