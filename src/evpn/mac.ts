/**
 * MAC addresses at the EVPN edge: the shared text <-> bytes helpers of `src/net/mac.ts`, with
 * the builder's typed error (EvpnInputError) for bad input.
 */
import { macText, tryWriteMac } from '../net/mac.js';
import { EvpnInputError } from './errors.js';

export { isMac, macText, writeHexBytes } from '../net/mac.js';

/** Write a MAC given as text; throws EvpnInputError if it is not `aa:bb:cc:dd:ee:ff`/`aa-bb-..`. */
export function writeMac(text: string, buf: Buffer, offset: number): void {
  if (!tryWriteMac(text, buf, offset)) {
    throw new EvpnInputError('mac', text, 'expected six hex bytes like aa:bb:cc:dd:ee:ff');
  }
}

const scratch = Buffer.alloc(6);

/** The canonical (lower-case, colon) form of a MAC; throws EvpnInputError if it is not one. */
export function normalizeMac(text: string): string {
  writeMac(text, scratch, 0);
  return macText(scratch, 0);
}

/** RFC 7432 / IEEE 802: the group (multicast) bit is the low bit of the first octet. */
export function isMulticastMac(text: string): boolean {
  writeMac(text, scratch, 0);
  return (scratch[0]! & 1) === 1;
}
