/**
 * Compact keys for the VTEP tables: a MAC is a 48-bit number, an IPv4 address a 32-bit number,
 * an IPv6 address a 16-character binary (latin1) string. Text forms exist only at the API edge.
 */

import { ipv4NumberToText as ipv4ToString, parseIpv4 as ipv4ToNumber } from '../net/ip.js';
import { writeMacNumber } from '../net/mac.js';

// MACs as 48-bit numbers: the shared implementation of `src/net/mac.ts`
export { macToNumber, macToString, readMacNumber as macFromBytes } from '../net/mac.js';

/** Write a 48-bit MAC as six bytes at `offset`. */
export function macToBytes(mac: number, buf: Uint8Array, offset: number): void {
  writeMacNumber(mac, buf, offset);
}

// IPv4 as a 32-bit number: the shared parser and printer of `src/net/ip.ts` (-1 when not one)
export { ipv4ToNumber, ipv4ToString };

// IPv6 and any IP as fixed-size keys, and the ordering key: the one implementation of `src/net`
export { AddressError, ipv6ToKey, ipv6KeyToText as ipv6KeyToString, ipToKey, ipKeyToText as ipKeyToString, addressOrderKey as ipOrderKey, type IpKey } from '../net/address-key.js';
