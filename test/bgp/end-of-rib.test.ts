/**
 * End-of-RIB (RFC 4724 2) has one home, messages/end-of-rib.ts: the decoded marker, the bytes a
 * session sends, and the detectors on the decoded UPDATE and on the bytes (which the session and
 * parseUpdateRaw both use) agree on every marker and on UPDATEs that are not one.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, parseUpdateRaw } from '../../src/bgp/codec.js';
import { encodeEndOfRib, endOfRib, endOfRibFamily, endOfRibMessage } from '../../src/bgp/messages/end-of-rib.js';
import type { Family, Prefix, UpdateMessage } from '../../src/bgp/types.js';

const families: Family[] = [
  { afi: 1, safi: 1 },
  { afi: 2, safi: 1 },
  { afi: 25, safi: 70 },
  { afi: 1, safi: 128 },
];

/** Every detector's answer for one whole message. */
function detected(msg: Buffer): (Family | undefined)[] {
  return [endOfRibFamily(msg), parseUpdateRaw(msg).endOfRib, endOfRib(decodeMessage(msg) as UpdateMessage)];
}

describe('End-of-RIB', () => {
  it('the bytes a session sends are the encoded decoded marker, and every detector names the family', () => {
    for (const f of families) {
      const sent = encodeEndOfRib(f);
      expect(sent.equals(encodeMessage(endOfRibMessage(f)))).toBe(true);
      expect(detected(sent)).toEqual([f, f, f]);
    }
  });

  it('the extended-length MP_UNREACH form is a marker too', () => {
    // flags 0x90 (optional, extended length), length 0x0003, AFI 25 SAFI 70
    const body = Buffer.from('0000' + '0007' + '900f0003' + '001946', 'hex');
    const msg = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 19 + body.length, 2]), body]);
    expect(detected(msg)).toEqual([{ afi: 25, safi: 70 }, { afi: 25, safi: 70 }, { afi: 25, safi: 70 }]);
  });

  it('UPDATEs that withdraw, announce or carry attributes are not markers', () => {
    const updates: UpdateMessage[] = [
      { type: 'update', withdrawn: [{ prefix: '10.0.0.0/8' }], attributes: [], nlri: [] },
      { type: 'update', withdrawn: [], attributes: [{ type: 'mp-unreach', afi: 1, safi: 1, withdrawn: [{ prefix: '10.0.0.0/8' } as Prefix] }], nlri: [] },
      { type: 'update', withdrawn: [], attributes: [{ type: 'mp-unreach', afi: 25, safi: 70, withdrawn: [] }, { type: 'local-pref', value: 100 }], nlri: [] },
      { type: 'update', withdrawn: [], attributes: [{ type: 'origin', value: 'igp' }, { type: 'as-path', segments: [] }, { type: 'next-hop', value: '192.0.2.1' }], nlri: [{ prefix: '10.0.0.0/8' }] },
    ];
    for (const u of updates) expect(detected(encodeMessage(u))).toEqual([undefined, undefined, undefined]);
  });
});
