/**
 * `updateRoom` is what the Adj-RIB-Out asks before packing: it must agree with `encodeUpdateRaw`
 * to the byte, or a route the check let through would still throw in the flush.
 */
import { describe, expect, it } from 'vitest';
import { encodeUpdateRaw, updateRoom, type RawUpdateInput } from '../../src/bgp/codec.js';
import type { CodecOptions } from '../../src/bgp/types.js';
import { ibgpAttrs } from './helpers.js';

const cases: [string, Omit<RawUpdateInput, 'nlri'>][] = [
  ['EVPN, IPv4 next hop', { attributes: ibgpAttrs, afi: 25, safi: 70, nextHops: ['192.0.2.1'] }],
  ['EVPN, IPv6 next hop', { attributes: ibgpAttrs, afi: 25, safi: 70, nextHops: ['2001:db8::1'] }],
  ['IPv4 unicast, classic fields', { attributes: ibgpAttrs, afi: 1, safi: 1, nextHops: ['192.0.2.1'] }],
  ['big attributes', { attributes: [...ibgpAttrs, { type: 'communities', values: Array.from({ length: 900 }, (_, i) => i) }], afi: 25, safi: 70, nextHops: ['192.0.2.1'] }],
];
const optionSets: [string, CodecOptions][] = [
  ['4096', { fourOctetAs: true }],
  ['65535', { fourOctetAs: true, extendedMessage: true }],
];

describe('updateRoom agrees with encodeUpdateRaw', () => {
  for (const [name, shape] of cases) {
    for (const [size, options] of optionSets) {
      it(`${name}, messages up to ${size} bytes`, () => {
        const room = updateRoom(shape, options);
        expect(room).toBeGreaterThan(0);
        // an NLRI of exactly `room` bytes fills one message to the limit; one byte more cannot be sent
        const [msg] = encodeUpdateRaw({ ...shape, nlri: [Buffer.alloc(room, 1)] }, options);
        expect(msg!.length).toBe(options.extendedMessage ? 65535 : 4096);
        expect(() => encodeUpdateRaw({ ...shape, nlri: [Buffer.alloc(room + 1, 1)] }, options)).toThrow(/does not fit/);
        const wroom = updateRoom(shape, options, true);
        const [w] = encodeUpdateRaw({ ...shape, nlri: [], withdrawn: [Buffer.alloc(wroom, 1)] }, options);
        expect(w!.length).toBe(options.extendedMessage ? 65535 : 4096);
        expect(() => encodeUpdateRaw({ ...shape, nlri: [], withdrawn: [Buffer.alloc(wroom + 1, 1)] }, options)).toThrow(/does not fit/);
      });
    }
  }

  it('attributes larger than the message: negative room', () => {
    const huge = { attributes: [...ibgpAttrs, { type: 'communities' as const, values: Array.from({ length: 1100 }, (_, i) => i) }], afi: 25, safi: 70, nextHops: ['192.0.2.1'] };
    expect(updateRoom(huge, { fourOctetAs: true })).toBeLessThan(0);
    expect(updateRoom(huge, { fourOctetAs: true, extendedMessage: true })).toBeGreaterThan(0);
  });
});
