/** parseUpdateRaw / encodeUpdateRaw: the RIB's path agrees with the full decoder. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, encodeUpdateRaw, parseUpdateRaw } from '../../src/bgp/codec.js';
import { familyKey } from '../../src/bgp/families.js';
import { decodeIpv4Prefixes } from '../../src/bgp/nlri/ipv4.js';
import { endOfRibMessage } from '../../src/bgp/messages/update.js';
import { reconcileAs4 } from '../../src/bgp/attributes/as4.js';
import type { CodecOptions, PathAttribute, Prefix, UpdateMessage } from '../../src/bgp/types.js';
import { arbUpdate } from '../../src/testing/bgp.js';
import { plain } from '../helpers/roundtrip.js';

const prefixesOf = (views: Buffer[], addPath = false): Prefix[] => views.flatMap((v) => decodeIpv4Prefixes(v, 0, v.length, addPath));

const attrs: PathAttribute[] = [
  { type: 'origin', value: 'igp' },
  { type: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] },
  { type: 'local-pref', value: 100 },
];

describe('parseUpdateRaw', () => {
  for (const [name, options] of [['plain', {}], ['ADD-PATH', { addPath: new Set([familyKey(1, 1)]) }], ['2-octet AS', { fourOctetAs: false }]] as [string, CodecOptions][]) {
    it(`agrees with decodeMessage on random UPDATEs (${name})`, () => {
      const addPath = options.addPath !== undefined;
      fc.assert(
        fc.property(arbUpdate(options), (m) => {
          const bytes = encodeMessage(m, options);
          const raw = parseUpdateRaw(bytes, options);
          const full = decodeMessage(bytes, options) as UpdateMessage;
          // the RIB's view: RFC 6793 applied (AS4_PATH / AS4_AGGREGATOR merged or discarded)
          const want = reconcileAs4(full.attributes.filter((a) => a.type !== 'mp-reach' && a.type !== 'mp-unreach'), options.fourOctetAs ?? true, undefined);
          expect(plain(raw.attributes)).toEqual(plain(want.attributes));
          expect(raw.attributes.some((a) => a.type === 'as4-path' || a.type === 'as4-aggregator')).toBe(false);
          const v4 = raw.announced.find((s) => s.afi === 1 && s.safi === 1 && s.nextHops?.length === 1 && !s.nextHops[0]!.includes(':') && m.nlri.length > 0);
          expect(prefixesOf(v4?.nlri ?? [], addPath)).toEqual(full.nlri);
          const w4 = raw.withdrawn.filter((s) => s.afi === 1 && s.safi === 1);
          const mpUnreach = full.attributes.find((a) => a.type === 'mp-unreach');
          const expectedW = [...full.withdrawn, ...(mpUnreach?.afi === 1 ? (mpUnreach.withdrawn as Prefix[]) : [])];
          expect(w4.flatMap((s) => prefixesOf(s.nlri, addPath))).toEqual(expectedW);
          expect(raw.error?.action).toBe(want.error?.action);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('attributesKey: equal sets give equal keys, different sets (or next hops) different keys', () => {
    const a: UpdateMessage = { type: 'update', withdrawn: [], attributes: [...attrs, { type: 'next-hop', value: '10.0.0.1' }], nlri: [{ prefix: '10.0.0.0/24' }] };
    const b: UpdateMessage = { ...a, nlri: [{ prefix: '10.9.0.0/16' }, { prefix: '10.8.0.0/16' }] };
    const c: UpdateMessage = { ...a, attributes: [...attrs, { type: 'next-hop', value: '10.0.0.2' }] };
    const ka = parseUpdateRaw(encodeMessage(a)).attributesKey;
    expect(parseUpdateRaw(encodeMessage(b)).attributesKey).toBe(ka);
    expect(parseUpdateRaw(encodeMessage(c)).attributesKey).not.toBe(ka);
    const mp = (nh: string, p: string): UpdateMessage => ({
      type: 'update',
      withdrawn: [],
      attributes: [{ type: 'mp-reach', afi: 1, safi: 1, nextHops: [nh], nlri: [{ prefix: p } as Prefix] }, ...attrs],
      nlri: [],
    });
    const k1 = parseUpdateRaw(encodeMessage(mp('10.0.0.1', '10.1.0.0/16'))).attributesKey;
    expect(parseUpdateRaw(encodeMessage(mp('10.0.0.1', '10.2.0.0/16'))).attributesKey).toBe(k1);
    expect(parseUpdateRaw(encodeMessage(mp('10.0.0.3', '10.2.0.0/16'))).attributesKey).not.toBe(k1);
  });

  it('decodes each distinct attribute set once: equal bytes share one frozen array, per options', () => {
    const a: UpdateMessage = { type: 'update', withdrawn: [], attributes: [...attrs, { type: 'next-hop', value: '10.0.0.1' }], nlri: [{ prefix: '10.0.0.0/24' }] };
    const b: UpdateMessage = { ...a, nlri: [{ prefix: '10.7.0.0/16' }] };
    const ra = parseUpdateRaw(encodeMessage(a));
    const rb = parseUpdateRaw(encodeMessage(b));
    expect(rb.attributes).toBe(ra.attributes);
    expect(Object.isFrozen(ra.attributes)).toBe(true);
    // another options object decodes on its own (AS numbers are 2 octets here)
    const two = { fourOctetAs: false };
    const bytes2 = encodeMessage({ ...a, attributes: [{ type: 'as-path', segments: [{ type: 'sequence', asns: [1, 2] }] }, ...a.attributes.filter((x) => x.type !== 'as-path')] }, two);
    const r2 = parseUpdateRaw(bytes2, two);
    expect(r2.attributes[0]).toEqual({ type: 'as-path', segments: [{ type: 'sequence', asns: [1, 2] }] });
    expect(r2.error).toBeUndefined();
    // read with 4-octet AS numbers the same bytes are a malformed AS_PATH
    expect(parseUpdateRaw(bytes2).error).toMatchObject({ code: 3, subcode: 11, action: 'treat-as-withdraw' });
    expect(parseUpdateRaw(bytes2, two).error).toBeUndefined();
    // sets holding views of the message (unknown attributes) are not cached: they would pin it
    const u: UpdateMessage = { ...a, attributes: [...a.attributes, { type: 'unknown', typeCode: 99, flags: 0xe0, value: Buffer.from('ab', 'hex') }] };
    expect(parseUpdateRaw(encodeMessage(u)).attributes).not.toBe(parseUpdateRaw(encodeMessage(u)).attributes);
    // the same soft error comes back (decoded again: errors hold views too)
    const bad: UpdateMessage = { ...a, attributes: a.attributes.filter((x) => x.type !== 'origin') };
    const e1 = parseUpdateRaw(encodeMessage(bad)).error;
    const e2 = parseUpdateRaw(encodeMessage(bad)).error;
    expect(e1).toMatchObject({ code: 3, subcode: 3, action: 'treat-as-withdraw' });
    expect(e2).toMatchObject({ code: 3, subcode: 3, action: 'treat-as-withdraw' });
  });

  it('End-of-RIB markers', () => {
    expect(parseUpdateRaw(encodeMessage(endOfRibMessage({ afi: 1, safi: 1 }))).endOfRib).toEqual({ afi: 1, safi: 1 });
    expect(parseUpdateRaw(encodeMessage(endOfRibMessage({ afi: 25, safi: 70 }))).endOfRib).toEqual({ afi: 25, safi: 70 });
    const notEor: UpdateMessage = { type: 'update', withdrawn: [{ prefix: '10.0.0.0/8' }], attributes: [], nlri: [] };
    expect(parseUpdateRaw(encodeMessage(notEor)).endOfRib).toBeUndefined();
  });

  it('missing well-known attributes: treat-as-withdraw, NLRI still returned', () => {
    const m: UpdateMessage = { type: 'update', withdrawn: [], attributes: [{ type: 'origin', value: 'igp' }], nlri: [{ prefix: '10.0.0.0/8' }] };
    const raw = parseUpdateRaw(encodeMessage(m));
    expect(raw.error).toMatchObject({ code: 3, subcode: 3, action: 'treat-as-withdraw' });
    expect(raw.announced[0]!.nlri.length).toBe(1);
  });
});

describe('encodeUpdateRaw', () => {
  const many = Array.from({ length: 3000 }, (_, i) => Buffer.from([24, 10, (i >> 8) & 255, i & 255]));

  it('packs IPv4 unicast into classic UPDATEs of at most 4096 bytes, losing nothing', () => {
    const msgs = encodeUpdateRaw({ attributes: attrs, afi: 1, safi: 1, nextHops: ['10.0.0.1'], nlri: many, withdrawn: many.slice(0, 1500) });
    expect(msgs.length).toBeGreaterThan(3);
    let announced = 0;
    let withdrawn = 0;
    for (const b of msgs) {
      expect(b.length).toBeLessThanOrEqual(4096);
      const m = decodeMessage(b) as UpdateMessage;
      expect(m.error).toBeUndefined();
      announced += m.nlri.length;
      withdrawn += m.withdrawn.length;
      if (m.nlri.length > 0) expect(m.attributes.find((a) => a.type === 'next-hop')).toEqual({ type: 'next-hop', value: '10.0.0.1' });
    }
    expect(announced).toBe(3000);
    expect(withdrawn).toBe(1500);
    const first = parseUpdateRaw(msgs.find((b) => b.readUInt16BE(19) === 0)!);
    expect(first.announced[0]!.nlri[0]!.equals(many[0]!)).toBe(true);
  });

  it('uses MP_REACH / MP_UNREACH for an IPv6 next hop, and 65535-byte messages when extended', () => {
    const msgs = encodeUpdateRaw({ attributes: attrs, afi: 1, safi: 1, nextHops: ['2001:db8::1'], nlri: many, withdrawn: many.slice(0, 10) }, { extendedMessage: true });
    expect(msgs.length).toBe(2);
    const w = decodeMessage(msgs[0]!, { extendedMessage: true }) as UpdateMessage;
    expect(w.attributes[0]).toMatchObject({ type: 'mp-unreach', afi: 1, safi: 1 });
    const a = decodeMessage(msgs[1]!, { extendedMessage: true }) as UpdateMessage;
    expect(a.attributes[0]).toMatchObject({ type: 'mp-reach', afi: 1, safi: 1, nextHops: ['2001:db8::1'] });
    expect((a.attributes[0] as unknown as { nlri: unknown[] }).nlri.length).toBe(3000);
    expect(a.error).toBeUndefined();
  });

  it('round-trips through parseUpdateRaw (views in, views out)', () => {
    const msgs = encodeUpdateRaw({ attributes: attrs, afi: 1, safi: 1, nextHops: ['10.0.0.1'], nlri: many.slice(0, 5) });
    const raw = parseUpdateRaw(msgs[0]!);
    const again = encodeUpdateRaw({ attributes: raw.attributes, afi: 1, safi: 1, nextHops: raw.announced[0]!.nextHops!, nlri: raw.announced[0]!.nlri });
    expect(again.length).toBe(1);
    expect(again[0]!.equals(msgs[0]!)).toBe(true);
  });

  it('a single NLRI too large for a message is a TypeError', () => {
    expect(() => encodeUpdateRaw({ attributes: attrs, afi: 3, safi: 1, nextHops: ['10.0.0.1'], nlri: [Buffer.alloc(5000)] })).toThrow(TypeError);
  });
});
