/**
 * Max-prefix: the most routes one peer may have installed (all families together), checked per
 * route as it is learned. With `teardown` the route that would exceed the limit is not
 * installed, nor is any route after it on this session, and the session is closed with
 * Cease / Maximum Number of Prefixes Reached (RFC 4486 4) whose data names the family and the
 * limit. With `warn` every route is installed and the crossing is reported once per session.
 */
import { CeaseError } from '../errors.js';
import { CeaseSubcode } from '../iana.js';

/** A peer's max-prefix setting (`PeerConfig.maxPrefixes`). */
export interface MaxPrefixConfig {
  readonly limit: number;
  readonly action: 'warn' | 'teardown';
}

/**
 * RFC 4486 4: "If a BGP speaker decides to terminate its peering because the number of address
 * prefixes received exceeds the locally configured upper bound ... the speaker MUST send the
 * neighbor a NOTIFICATION message with the Error Code Cease and the Error Subcode 'Maximum
 * Number of Prefixes Reached'. The message MAY optionally include the Address Family
 * information [BGP-MP] and the upper bound in the 'Data' field":
 *
 * ```
 *  +-------------------------------+----------------+-------------------------------+
 *  | AFI (2 octets)                | SAFI (1 octet) | Prefix upper bound (4 octets) |
 *  +-------------------------------+----------------+-------------------------------+
 * ```
 */
export function maxPrefixError(afi: number, safi: number, limit: number): CeaseError {
  const data = Buffer.allocUnsafe(7);
  data.writeUInt16BE(afi, 0);
  data.writeUInt8(safi, 2);
  data.writeUInt32BE(Math.min(limit, 0xffffffff), 3);
  return new CeaseError(CeaseSubcode.maxPrefixes, `more than ${limit} prefixes (AFI ${afi} SAFI ${safi})`, data);
}

/** The per-session state of the check: one comparison per new route while under the limit. */
export class MaxPrefixGuard {
  /** The limit was hit with `teardown`: nothing more is installed until the next session. */
  tripped = false;
  private warned = false;

  constructor(
    private readonly config: MaxPrefixConfig | undefined,
    /** Told once per session, with the family of the route and the count it would have made. */
    private readonly exceeded: (family: number, count: number, action: MaxPrefixConfig['action']) => void,
  ) {}

  /** A new session: the count starts over with it. */
  reset(): void {
    this.tripped = false;
    this.warned = false;
  }

  /** Whether one more route of `family` may be installed while the peer holds `held` routes. */
  admit(family: number, held: number): boolean {
    const m = this.config;
    if (m === undefined || held < m.limit) return true;
    if (m.action === 'warn') {
      if (!this.warned) this.exceeded(family, held + 1, 'warn');
      this.warned = true;
      return true;
    }
    if (!this.tripped) this.exceeded(family, held + 1, 'teardown');
    this.tripped = true;
    return false;
  }
}
