/**
 * Configuration errors at the API edge (not wire errors: those are `BgpError`).
 */
import { isIP } from 'node:net';

/** A peer configuration value `BgpSpeaker.addPeer` refuses, e.g. an address that is not an IP address. */
export class PeerConfigError extends TypeError {
  override readonly name: string = 'PeerConfigError';
  /** The offending field of `PeerConfig` (`address`, `localAddress`). */
  readonly field: string;
  /** The value given. */
  readonly value: unknown;

  constructor(field: string, value: unknown, message: string) {
    super(`${field}: ${message} (got ${JSON.stringify(value) ?? String(value)})`);
    this.field = field;
    this.value = value;
  }
}

/** Throws a `PeerConfigError` unless `value` is an IPv4 or IPv6 address in text form. */
export function checkIpAddress(field: string, value: unknown): void {
  if (typeof value !== 'string' || isIP(value) === 0) throw new PeerConfigError(field, value, 'expected an IPv4 or IPv6 address');
}
