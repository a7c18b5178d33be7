/** The framer yields the same messages however the stream is split, and refuses bad headers early. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../src/bgp/codec.js';
import { MessageHeaderError } from '../../src/bgp/errors.js';
import { Framer } from '../../src/bgp/framer.js';
import { arbMessage } from '../../src/testing/bgp.js';

function collect(framer: Framer, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) for (const m of framer.push(c)) out.push(Buffer.from(m));
  return out;
}

const stream = Buffer.concat([
  encodeMessage({ type: 'keepalive' }),
  encodeMessage({ type: 'open', version: 4, myAs: 65001, holdTime: 90, routerId: '1.1.1.1', capabilities: [{ type: 'route-refresh' }] }),
  encodeMessage({ type: 'update', withdrawn: [{ prefix: '10.0.0.0/8' }], attributes: [], nlri: [] }),
  encodeMessage({ type: 'route-refresh', afi: 1, safi: 1, subtype: 'normal' }),
]);
const lengths = [19, 0, 0, 23];
lengths[1] = stream.readUInt16BE(19 + 16);
lengths[2] = stream.readUInt16BE(19 + lengths[1]! + 16);

function expectWhole(out: Buffer[]): void {
  expect(out.map((b) => b.length)).toEqual(lengths);
  expect(Buffer.concat(out).equals(stream)).toBe(true);
}

describe('framer', () => {
  it('one chunk: every message is a view of it (no copy)', () => {
    const f = new Framer();
    const out = [...f.push(stream)];
    expect(out.map((b) => b.length)).toEqual(lengths);
    for (const m of out) expect(m.buffer).toBe(stream.buffer);
    expect(f.buffered).toBe(0);
  });

  it('split at every byte offset, into two chunks', () => {
    for (let i = 0; i <= stream.length; i++) {
      expectWhole(collect(new Framer(), [stream.subarray(0, i), stream.subarray(i)]));
    }
  });

  it('one byte at a time', () => {
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expectWhole(collect(new Framer(), chunks));
  });

  it('random chunks of random messages', () => {
    fc.assert(
      fc.property(fc.array(arbMessage(), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (msgs, cuts) => {
        const parts = msgs.map((m) => encodeMessage(m));
        const all = Buffer.concat(parts);
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(all.subarray(prev, p));
          prev = p;
        }
        chunks.push(all.subarray(prev));
        const out = collect(new Framer(), chunks);
        expect(out.length).toBe(parts.length);
        out.forEach((b, i) => expect(b.equals(parts[i]!)).toBe(true));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a bad length as soon as the header is complete (before the body)', () => {
    const hdr = Buffer.alloc(19, 0xff);
    hdr.writeUInt16BE(5000, 16);
    hdr[18] = 2;
    const f = new Framer();
    expect([...f.push(hdr.subarray(0, 18))]).toEqual([]);
    let err: unknown;
    try {
      [...f.push(hdr.subarray(18))];
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MessageHeaderError);
    expect((err as MessageHeaderError).subcode).toBe(2);
    expect((err as MessageHeaderError).data.toString('hex')).toBe('1388');
  });

  it('accepts up to 65535 with extended messages, but never for OPEN', () => {
    const big = Buffer.alloc(19, 0xff);
    big.writeUInt16BE(5000, 16);
    big[18] = 2;
    const f = new Framer({ extendedMessage: true });
    expect([...f.push(big)]).toEqual([]);
    expect(f.buffered).toBe(19);
    big[18] = 1;
    expect(() => [...new Framer({ extendedMessage: true }).push(big)]).toThrow(MessageHeaderError);
  });

  it('bad marker is 1/1, bad type is 1/3 with the type as data, short KEEPALIVE 1/2', () => {
    const ka = encodeMessage({ type: 'keepalive' });
    const bad = Buffer.from(ka);
    bad[3] = 0;
    expect(() => [...new Framer().push(bad)]).toThrow(expect.objectContaining({ code: 1, subcode: 1 }));
    const t = Buffer.from(ka);
    t[18] = 9;
    expect(() => [...new Framer().push(t)]).toThrow(expect.objectContaining({ code: 1, subcode: 3, data: Buffer.from([9]) }));
    const l = Buffer.concat([ka, Buffer.alloc(1)]);
    l.writeUInt16BE(20, 16);
    expect(() => [...new Framer().push(l)]).toThrow(expect.objectContaining({ code: 1, subcode: 2 }));
    const o = Buffer.from(ka);
    o[18] = 1; // OPEN of 19 bytes: below its 29-byte minimum
    expect(() => [...new Framer().push(o)]).toThrow(expect.objectContaining({ code: 1, subcode: 2, data: Buffer.from([0, 19]) }));
  });
});

describe('framer: a consumer that stops early', () => {
  it('keeps what it did not take for the next push / drain', () => {
    const f = new Framer();
    const first: Buffer[] = [];
    for (const m of f.push(stream)) {
      first.push(Buffer.from(m));
      break;
    }
    expect(first.length).toBe(1);
    expect(f.buffered).toBe(stream.length - lengths[0]!);
    const rest = [...f.drain()].map((b) => Buffer.from(b));
    expectWhole([...first, ...rest]);
  });
});
