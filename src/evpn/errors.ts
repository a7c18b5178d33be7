/**
 * Errors of the EVPN layer.
 *
 * Two different things go wrong here and they get two different errors:
 * - bytes from a peer are malformed: decoders throw `UpdateMessageError` (a `BgpError`, with the
 *   RFC 7606 action), made by the helpers below;
 * - a caller hands a builder or encoder a value that cannot be put on the wire (a MAC that is not
 *   a MAC, a VNI above 2^24-1, an RD that does not parse): that is API input, not a protocol
 *   event, so it is an `EvpnInputError`, a `TypeError` that names the field. It never becomes a
 *   NOTIFICATION and never reaches a peer.
 */
import { UpdateMessageError } from '../bgp/errors.js';
import { UpdateSubcode } from '../bgp/iana.js';

/** Which input was rejected. */
export type EvpnInputField =
  | 'rd'
  | 'mac'
  | 'ip'
  | 'esi'
  | 'vni'
  | 'label'
  | 'ethernet-tag'
  | 'next-hop'
  | 'route-target'
  | 'prefix'
  | 'sequence'
  | 'originator'
  | 'route'
  | 'community';

/** A builder or encoder was given a value that cannot be put on the wire. */
export class EvpnInputError extends TypeError {
  override readonly name = 'EvpnInputError';
  /** The offending field. */
  readonly field: EvpnInputField;
  /** The value as given (stringified), for the message and for logs. */
  readonly value: string;

  constructor(field: EvpnInputField, value: unknown, why: string) {
    super(`invalid ${field} ${JSON.stringify(String(value))}: ${why}`);
    this.field = field;
    this.value = String(value);
  }
}

/**
 * RFC 7606 5.3 / RFC 7432: an EVPN NLRI whose length byte framed it but whose fields are wrong.
 * The NLRI can still be located, so the UPDATE is treated as a withdraw, the session stays up.
 */
export function badEvpnField(what: string, data?: Uint8Array): UpdateMessageError {
  return new UpdateMessageError(UpdateSubcode.invalidNetworkField, `EVPN NLRI: ${what}`, {
    action: 'treat-as-withdraw',
    ...(data === undefined ? {} : { data }),
  });
}

/**
 * RFC 7606 5.3: an EVPN NLRI that cannot be located (its length runs past the attribute);
 * nothing after it can be trusted, so the session is reset.
 */
export function unframedEvpn(what: string, data?: Uint8Array): UpdateMessageError {
  return new UpdateMessageError(UpdateSubcode.invalidNetworkField, `EVPN NLRI: ${what}`, {
    action: 'session-reset',
    ...(data === undefined ? {} : { data }),
  });
}
