/**
 * RFC 6793 towards a peer without the 4-octet AS capability: AS_TRANS + AS4_PATH /
 * AS4_AGGREGATOR on send (4.2.2), the merge on receipt (4.2.3), discards (6).
 */
import { describe, expect, it } from 'vitest';
import { asPathCount, mergeAs4Path } from '../../src/bgp/attributes/as-path.js';
import { reconcileAs4, toTwoOctetAttributes } from '../../src/bgp/attributes/as4.js';
import { decodeMessage, encodeMessage, encodeUpdateRaw, parseUpdateRaw } from '../../src/bgp/codec.js';
import { AS_TRANS } from '../../src/bgp/iana.js';
import { buildOpen } from '../../src/bgp/session/negotiate.js';
import type { AsPathSegment, PathAttribute, UpdateMessage } from '../../src/bgp/types.js';

const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });
const two = { fourOctetAs: false };
const four = { fourOctetAs: true };
const origin: PathAttribute = { type: 'origin', value: 'igp' };
const nlri = [Buffer.from([24, 198, 51, 100])];

/** The attributes of an UPDATE as tshark would see them: the full decoder, no RFC 6793 view. */
function wire(msg: Buffer, options = two): readonly PathAttribute[] {
  return (decodeMessage(msg, options) as UpdateMessage).attributes;
}
const byType = (attrs: readonly PathAttribute[], t: PathAttribute['type']): PathAttribute | undefined => attrs.find((a) => a.type === t);

describe('mergeAs4Path', () => {
  it('replaces AS_TRANS by the AS4_PATH numbers, keeping the leading 2-octet ones', () => {
    expect(mergeAs4Path([seq(65001, AS_TRANS, AS_TRANS)], [seq(4200000000, 4200000001)])).toEqual([seq(65001, 4200000000, 4200000001)]);
  });
  it('ignores an AS4_PATH longer than the AS_PATH', () => {
    expect(mergeAs4Path([seq(65001)], [seq(1, 2)])).toEqual([seq(65001)]);
  });
  it('counts a SET as one and drops AS4 confederation segments', () => {
    const merged = mergeAs4Path([seq(65001), { type: 'set', asns: [1, 2] }, seq(AS_TRANS)], [{ type: 'confed-sequence', asns: [9] }, seq(4200000000)]);
    expect(merged).toEqual([seq(65001), { type: 'set', asns: [1, 2] }, seq(4200000000)]);
    expect(asPathCount(merged)).toBe(3);
  });
  it('keeps a leading AS_PATH confederation segment and the one next to a prepended segment', () => {
    const confed: AsPathSegment = { type: 'confed-sequence', asns: [64512] };
    expect(mergeAs4Path([confed, seq(AS_TRANS)], [seq(4200000000)])).toEqual([confed, seq(4200000000)]);
    expect(mergeAs4Path([seq(65001), confed, seq(AS_TRANS)], [seq(4200000000)])).toEqual([seq(65001), confed, seq(4200000000)]);
  });
  it('without AS4_PATH the AS_PATH stands', () => {
    expect(mergeAs4Path([seq(1, 2)], undefined)).toEqual([seq(1, 2)]);
  });
});

describe('sending to a 2-octet peer (RFC 6793 4.2.2)', () => {
  it('AS_TRANS in AS_PATH and AGGREGATOR, the real values in AS4_PATH and AS4_AGGREGATOR', () => {
    const confed: AsPathSegment = { type: 'confed-sequence', asns: [64512] };
    const attrs: PathAttribute[] = [
      origin,
      { type: 'as-path', segments: [confed, seq(65001, 4200000010), { type: 'set', asns: [4200000011, 7] }] },
      { type: 'aggregator', asn: 4200000010, address: '10.0.0.9' },
    ];
    const out = toTwoOctetAttributes(attrs);
    expect(byType(out, 'as-path')).toEqual({ type: 'as-path', segments: [confed, seq(65001, AS_TRANS), { type: 'set', asns: [AS_TRANS, 7] }] });
    // RFC 6793 4.2.2: AS4_PATH without confederation segments
    expect(byType(out, 'as4-path')).toEqual({ type: 'as4-path', segments: [seq(65001, 4200000010), { type: 'set', asns: [4200000011, 7] }] });
    expect(byType(out, 'aggregator')).toEqual({ type: 'aggregator', asn: AS_TRANS, address: '10.0.0.9' });
    expect(byType(out, 'as4-aggregator')).toEqual({ type: 'as4-aggregator', asn: 4200000010, address: '10.0.0.9' });
  });

  it('AS4_PATH and AS4_AGGREGATOR take their place in type-code order (RFC 4271 5)', () => {
    const attrs: PathAttribute[] = [
      origin,
      { type: 'aggregator', asn: 4200000010, address: '10.0.0.9' },
      { type: 'as-path', segments: [seq(4200000010)] },
      { type: 'extended-communities', values: [] },
      { type: 'large-communities', values: [{ global: 4200000010, local1: 1, local2: 2 }] },
    ];
    expect(toTwoOctetAttributes(attrs).map((a) => a.type)).toEqual(['origin', 'aggregator', 'as-path', 'extended-communities', 'as4-path', 'as4-aggregator', 'large-communities']);
  });

  it('no AS4_PATH / AS4_AGGREGATOR when every AS fits 2 octets: the same array back', () => {
    const attrs: PathAttribute[] = [origin, { type: 'as-path', segments: [seq(65001, 65002)] }, { type: 'aggregator', asn: 65001, address: '10.0.0.9' }];
    expect(toTwoOctetAttributes(attrs)).toBe(attrs);
    // stale AS4 attributes handed in are never passed on
    const stale: PathAttribute[] = [...attrs, { type: 'as4-path', segments: [seq(4200000000)] }];
    expect(toTwoOctetAttributes(stale)).toEqual(attrs);
  });

  it('encodeUpdateRaw towards a 2-octet peer (used to throw a TypeError)', () => {
    const attrs: PathAttribute[] = [origin, { type: 'as-path', segments: [seq(4200000010)] }, { type: 'aggregator', asn: 4200000010, address: '10.0.0.9' }];
    const [msg] = encodeUpdateRaw({ attributes: attrs, afi: 1, safi: 1, nextHops: ['10.0.0.1'], nlri }, two);
    const w = wire(msg!);
    expect(byType(w, 'as-path')).toEqual({ type: 'as-path', segments: [seq(AS_TRANS)] });
    expect(byType(w, 'as4-path')).toEqual({ type: 'as4-path', segments: [seq(4200000010)] });
    expect(byType(w, 'aggregator')).toEqual({ type: 'aggregator', asn: AS_TRANS, address: '10.0.0.9' });
    expect(byType(w, 'as4-aggregator')).toEqual({ type: 'as4-aggregator', asn: 4200000010, address: '10.0.0.9' });
    // AS4_PATH flags: optional transitive (0xc0), type 17
    expect(msg!.includes(Buffer.from('c011060201fa56ea0a', 'hex'))).toBe(true);
    // and back: the 2-octet receiver's RIB view is the original path
    const back = parseUpdateRaw(msg!, two);
    expect(back.error).toBeUndefined();
    expect(back.attributes).toEqual([origin, { type: 'as-path', segments: [seq(4200000010)] }, { type: 'aggregator', asn: 4200000010, address: '10.0.0.9' }, { type: 'next-hop', value: '10.0.0.1' }]);
  });

  it('towards a 4-octet peer nothing changes, and AS4 attributes are never sent (RFC 6793 6)', () => {
    const attrs: PathAttribute[] = [origin, { type: 'as-path', segments: [seq(4200000010)] }, { type: 'as4-path', segments: [seq(4200000010)] }];
    const [msg] = encodeUpdateRaw({ attributes: attrs, afi: 1, safi: 1, nextHops: ['10.0.0.1'], nlri }, four);
    expect(wire(msg!, four)).toEqual([origin, { type: 'as-path', segments: [seq(4200000010)] }, { type: 'next-hop', value: '10.0.0.1' }]);
  });

  it('our OPEN: AS_TRANS in My AS when our AS needs 4 octets; the capability can only be left out with a 2-octet AS', () => {
    const base = { routerId: '1.1.1.1', peerAddress: '127.0.0.1', peerAsn: 65002 };
    expect(buildOpen({ ...base, localAsn: 4200000010 })).toMatchObject({ myAs: AS_TRANS, capabilities: expect.arrayContaining([{ type: 'four-octet-as', asn: 4200000010 }]) });
    expect(buildOpen({ ...base, localAsn: 65001, fourOctetAs: false }).capabilities.some((c) => c.type === 'four-octet-as')).toBe(false);
    expect(() => buildOpen({ ...base, localAsn: 4200000010, fourOctetAs: false })).toThrow(TypeError);
  });
});

/** An UPDATE as a 2-octet peer sends it (AS numbers 2 octets wide). */
function fromOldPeer(attrs: PathAttribute[]): Buffer {
  return encodeMessage({ type: 'update', withdrawn: [], attributes: [origin, ...attrs, { type: 'next-hop', value: '10.0.0.1' }], nlri: [{ prefix: '198.51.100.0/24' }] }, two);
}

describe('receiving from a 2-octet peer (RFC 6793 4.2.3)', () => {
  it('merges AS4_PATH into AS_PATH and takes AS4_AGGREGATOR when AGGREGATOR is AS_TRANS', () => {
    const u = parseUpdateRaw(fromOldPeer([
      { type: 'as-path', segments: [seq(65020, AS_TRANS, 65030)] },
      { type: 'aggregator', asn: AS_TRANS, address: '10.0.0.9' },
      { type: 'as4-path', segments: [seq(4200000010, 65030)] },
      { type: 'as4-aggregator', asn: 4200000010, address: '10.0.0.8' },
    ]), two);
    expect(u.error).toBeUndefined();
    expect(byType(u.attributes, 'as-path')).toEqual({ type: 'as-path', segments: [seq(65020, 4200000010, 65030)] });
    expect(byType(u.attributes, 'aggregator')).toEqual({ type: 'aggregator', asn: 4200000010, address: '10.0.0.8' });
    expect(u.attributes.some((a) => a.type === 'as4-path' || a.type === 'as4-aggregator')).toBe(false);
  });

  it('an AGGREGATOR that is not AS_TRANS makes AS4_PATH and AS4_AGGREGATOR ignored', () => {
    const u = parseUpdateRaw(fromOldPeer([
      { type: 'as-path', segments: [seq(65020, AS_TRANS)] },
      { type: 'aggregator', asn: 65020, address: '10.0.0.9' },
      { type: 'as4-path', segments: [seq(4200000010)] },
      { type: 'as4-aggregator', asn: 4200000010, address: '10.0.0.8' },
    ]), two);
    expect(byType(u.attributes, 'as-path')).toEqual({ type: 'as-path', segments: [seq(65020, AS_TRANS)] });
    expect(byType(u.attributes, 'aggregator')).toEqual({ type: 'aggregator', asn: 65020, address: '10.0.0.9' });
    expect(u.attributes.length).toBe(4);
  });

  it('an AS4_PATH longer than AS_PATH is ignored; an AS4_AGGREGATOR without AGGREGATOR too', () => {
    const u = parseUpdateRaw(fromOldPeer([
      { type: 'as-path', segments: [seq(AS_TRANS)] },
      { type: 'as4-path', segments: [seq(4200000010, 4200000011)] },
      { type: 'as4-aggregator', asn: 4200000010, address: '10.0.0.8' },
    ]), two);
    expect(u.attributes).toEqual([origin, { type: 'as-path', segments: [seq(AS_TRANS)] }, { type: 'next-hop', value: '10.0.0.1' }]);
  });

  it('confederation segments of AS4_PATH are dropped and logged (RFC 6793 6)', () => {
    const u = parseUpdateRaw(fromOldPeer([
      { type: 'as-path', segments: [seq(65020, AS_TRANS)] },
      { type: 'as4-path', segments: [{ type: 'confed-sequence', asns: [7] }, seq(4200000010)] },
    ]), two);
    expect(byType(u.attributes, 'as-path')).toEqual({ type: 'as-path', segments: [seq(65020, 4200000010)] });
    expect(u.error).toMatchObject({ code: 3, action: 'attribute-discard' });
    expect(u.announced[0]!.nlri.length).toBe(1);
  });

  it('a malformed AS4_PATH is discarded (RFC 7606 7 / RFC 6793 6): AS_PATH stands, the route stays', () => {
    const ok = fromOldPeer([{ type: 'as-path', segments: [seq(65020, AS_TRANS)] }]);
    const variants: [string, string][] = [
      ['empty', 'c01100'],
      ['zero-length segment', 'c011020200'],
      ['unknown segment type', 'c011060901fa56ea0a'],
      ['segment overrunning the attribute', 'c011060202fa56ea0a'],
    ];
    for (const [name, hex] of variants) {
      // the malformed AS4_PATH goes after the other attributes, before the 4 bytes of NLRI
      const msg = Buffer.concat([ok.subarray(0, ok.length - 4), Buffer.from(hex, 'hex'), ok.subarray(ok.length - 4)]);
      msg.writeUInt16BE(msg.length, 16);
      msg.writeUInt16BE(msg.readUInt16BE(21) + hex.length / 2, 21);
      const u = parseUpdateRaw(msg, two);
      expect(u.error, name).toMatchObject({ code: 3, action: 'attribute-discard' });
      expect(byType(u.attributes, 'as-path'), name).toEqual({ type: 'as-path', segments: [seq(65020, AS_TRANS)] });
      expect(u.announced[0]!.nlri.length, name).toBe(1);
    }
  });
});

describe('receiving from a 4-octet peer (RFC 6793 6)', () => {
  it('AS4_PATH and AS4_AGGREGATOR are discarded and logged, the route stays', () => {
    const msg = encodeMessage({
      type: 'update',
      withdrawn: [],
      attributes: [origin, { type: 'as-path', segments: [seq(4200000010)] }, { type: 'next-hop', value: '10.0.0.1' }, { type: 'as4-path', segments: [seq(1)] }, { type: 'as4-aggregator', asn: 1, address: '10.0.0.8' }],
      nlri: [{ prefix: '198.51.100.0/24' }],
    }, four);
    const u = parseUpdateRaw(msg, four);
    expect(u.attributes).toEqual([origin, { type: 'as-path', segments: [seq(4200000010)] }, { type: 'next-hop', value: '10.0.0.1' }]);
    expect(u.error).toMatchObject({ code: 3, subcode: 9, action: 'attribute-discard' });
    expect(u.announced[0]!.nlri.length).toBe(1);
  });

  it('without AS4 attributes the decoded list is passed through untouched', () => {
    const attrs: PathAttribute[] = [origin, { type: 'as-path', segments: [seq(4200000010)] }];
    expect(reconcileAs4(attrs, true, undefined).attributes).toBe(attrs);
    expect(reconcileAs4(attrs, false, undefined).attributes).toBe(attrs);
  });
});
