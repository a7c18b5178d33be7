import { ErrorCode, maxSubcode } from './iana.js';

/**
 * What a receiver does about a malformed message (RFC 7606 section 2), weakest first.
 * When several errors are found in one UPDATE, the strongest one wins (RFC 7606 3.h).
 */
export type ErrorAction = 'attribute-discard' | 'treat-as-withdraw' | 'afi-safi-disable' | 'session-reset';

const actionRank: Readonly<Record<ErrorAction, number>> = {
  'attribute-discard': 0,
  'treat-as-withdraw': 1,
  'afi-safi-disable': 2,
  'session-reset': 3,
};

/** The stronger of two RFC 7606 actions. */
export function strongerAction(a: ErrorAction, b: ErrorAction): ErrorAction {
  return actionRank[a] >= actionRank[b] ? a : b;
}

/** The stronger of two errors (the first one on a tie, so the earliest cause is reported). */
export function strongerError<E extends BgpError>(a: E | undefined, b: E): E {
  return a === undefined || actionRank[b.action] > actionRank[a.action] ? b : a;
}

const empty = Buffer.alloc(0);

/**
 * The only error a decoder ever throws. It carries everything needed to build the
 * NOTIFICATION (code, subcode, data) and the RFC 7606 action a receiver takes.
 */
export class BgpError extends Error {
  override readonly name: string = 'BgpError';
  /** NOTIFICATION error code (RFC 4271 4.5). */
  readonly code: number;
  /** NOTIFICATION error subcode. */
  readonly subcode: number;
  /** NOTIFICATION data: the offending bytes, as RFC 4271 section 6 asks. */
  readonly data: Buffer;
  /** RFC 7606 outcome. Anything but session-reset lets the session stay up. */
  readonly action: ErrorAction;

  constructor(code: number, subcode: number, message: string, options: { data?: Uint8Array; action?: ErrorAction } = {}) {
    super(message);
    this.code = code;
    this.subcode = subcode;
    const d = options.data;
    this.data = d === undefined ? empty : Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    this.action = options.action ?? 'session-reset';
  }

  /** The same error with another RFC 7606 action (the code and subcode stay, for logging). */
  withAction(action: ErrorAction): BgpError {
    if (action === this.action) return this;
    const e = new BgpError(this.code, this.subcode, this.message, { data: this.data, action });
    return e;
  }

  toJSON(): { name: string; code: number; subcode: number; action: ErrorAction; message: string; data: string } {
    return {
      name: this.name,
      code: this.code,
      subcode: this.subcode,
      action: this.action,
      message: this.message,
      data: this.data.toString('hex'),
    };
  }
}

/** RFC 4271 6.1 */
export class MessageHeaderError extends BgpError {
  override readonly name = 'MessageHeaderError';
  constructor(subcode: number, message: string, data?: Uint8Array) {
    super(ErrorCode.messageHeader, subcode, message, data === undefined ? {} : { data });
  }
}

/** RFC 4271 6.2 */
export class OpenMessageError extends BgpError {
  override readonly name = 'OpenMessageError';
  constructor(subcode: number, message: string, data?: Uint8Array) {
    super(ErrorCode.openMessage, subcode, message, data === undefined ? {} : { data });
  }
}

/** RFC 4271 6.3 with the RFC 7606 action (session-reset unless stated). */
export class UpdateMessageError extends BgpError {
  override readonly name = 'UpdateMessageError';
  constructor(subcode: number, message: string, options: { data?: Uint8Array; action?: ErrorAction } = {}) {
    super(ErrorCode.updateMessage, subcode, message, options);
  }
}

/** RFC 6608 */
export class FsmError extends BgpError {
  override readonly name = 'FsmError';
  constructor(subcode: number, message: string) {
    super(ErrorCode.fsm, subcode, message);
  }
}

/** RFC 4486 */
export class CeaseError extends BgpError {
  override readonly name = 'CeaseError';
  constructor(subcode: number, message: string, data?: Uint8Array) {
    super(ErrorCode.cease, subcode, message, data === undefined ? {} : { data });
  }
}

/** RFC 7313 5 */
export class RouteRefreshError extends BgpError {
  override readonly name = 'RouteRefreshError';
  constructor(subcode: number, message: string, data?: Uint8Array) {
    super(ErrorCode.routeRefresh, subcode, message, data === undefined ? {} : { data });
  }
}

/** True when code/subcode is one RFC 4271 / 4486 / 6608 / 7313 define. */
export function isValidErrorCode(code: number, subcode: number): boolean {
  const max = maxSubcode[code];
  return max !== undefined && Number.isInteger(subcode) && subcode >= 0 && subcode <= max;
}

/**
 * Wraps anything thrown inside a decoder so that only BgpError leaves it.
 * A RangeError here is a bug (a missing bounds check); it still becomes a typed error.
 */
export function asBgpError(e: unknown, fallback: () => BgpError): BgpError {
  return e instanceof BgpError ? e : fallback();
}
