/** The typed error of the Open vSwitch dataplane. */

/**
 * Why an `OvsDataplane` call failed:
 * - `unsupported`: the call has no meaning for OVS (an in-process `LocalPort`: OVS ports are
 *   attached by name or OpenFlow port number with `attachOvsPort`);
 * - `unknown-port`: no such port on the bridge;
 * - `ofctl`: `ovs-ofctl` failed (its stderr is in the message);
 * - `closed`: the dataplane was stopped.
 */
export type OvsErrorCode = 'unsupported' | 'unknown-port' | 'ofctl' | 'closed';

/** An error of the Open vSwitch dataplane with a machine-readable `code`. */
export class OvsDataplaneError extends Error {
  /** What went wrong (see `OvsErrorCode`). */
  readonly code: OvsErrorCode;

  constructor(code: OvsErrorCode, message: string) {
    super(message);
    this.name = 'OvsDataplaneError';
    this.code = code;
  }
}
