/**
 * Addresses as fixed-size binary keys, the one place that turns IP text into keys and back:
 * an IPv4 address is a 32-bit number, an IPv6 address a 16-character latin1 string (its 16
 * bytes), and every address has an ordering key that sorts like the address (IPv4 before IPv6).
 * The parser and printer are those of `ip.ts` (RFC 4291 in, RFC 5952 out), so a key printed
 * here reads exactly like the same address printed from a packet or an UPDATE.
 */
import { parseIpv4, readIpv6, tryWriteIpv6 } from './ip.js';

/** Text that is not the address it should be: the typed error of the address module. */
export class AddressError extends TypeError {
  constructor(
    /** What was given. */
    readonly input: unknown,
    /** What was expected. */
    readonly expected: 'IPv4' | 'IPv6' | 'IP' = 'IP',
  ) {
    super(`not an ${expected} address: ${JSON.stringify(input)}`);
    this.name = 'AddressError';
  }
}

const scratch = Buffer.alloc(16);

/** IPv6 text as its 16 bytes in a latin1 string, or undefined when it is not IPv6 text. */
export function ipv6ToKey(text: string): string | undefined {
  if (!tryWriteIpv6(text, scratch, 0)) return undefined;
  return scratch.toString('latin1', 0, 16);
}

/** A 16-byte IPv6 key back to RFC 5952 text. */
export function ipv6KeyToText(key: string): string {
  scratch.write(key, 0, 16, 'latin1');
  return readIpv6(scratch, 0);
}

/** An address key: IPv4 as an unsigned 32-bit number, IPv6 as a 16-byte latin1 string. */
export type IpKey = number | string;

/** IP text to its key; AddressError for anything else. */
export function ipToKey(text: string): IpKey {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return v4;
  const v6 = ipv6ToKey(text);
  if (v6 === undefined) throw new AddressError(text);
  return v6;
}

/** A key back to text (dotted quad, RFC 5952). */
export function ipKeyToText(key: IpKey): string {
  if (typeof key === 'string') return ipv6KeyToText(key);
  return `${key >>> 24}.${(key >>> 16) & 255}.${(key >>> 8) & 255}.${key & 255}`;
}

/**
 * A binary string that sorts like the address, IPv4 before IPv6 (a length byte, then the
 * address bytes): RFC 4271 9.1.2.2 g "lowest peer address", RFC 7432 15.1 "lowest IP address".
 * AddressError for anything that is not IP text.
 */
export function addressOrderKey(text: string): string {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return String.fromCharCode(4, v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255);
  const v6 = ipv6ToKey(text);
  if (v6 === undefined) throw new AddressError(text);
  return String.fromCharCode(16) + v6;
}
