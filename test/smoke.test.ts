import { describe, expect, it } from 'vitest';
import { Reader } from '../src/bgp/reader.js';
import { Writer } from '../src/bgp/writer.js';
import { BgpError, strongerAction } from '../src/bgp/errors.js';

describe('foundation', () => {
  it('reader returns views and throws the context error past the end', () => {
    const buf = Buffer.from([1, 2, 3, 4, 5]);
    const r = new Reader(buf, 1, 4, (what) => new BgpError(3, 1, what));
    expect(r.u8()).toBe(2);
    const v = r.bytes(2);
    expect(v.buffer).toBe(buf.buffer);
    expect([...v]).toEqual([3, 4]);
    expect(() => r.u8('x')).toThrow(BgpError);
  });
  it('writer fills lengths afterwards and writes at an offset without growing', () => {
    const w = new Writer(2);
    const at = w.reserve(2);
    w.u32(0xffffffff).u8(7);
    expect(w.fillLength16(at)).toBe(5);
    expect(w.view().toString('hex')).toBe('0005ffffffff07');
    const target = Buffer.alloc(6);
    const f = Writer.into(target, 3);
    f.u16(0xabcd);
    expect(target.toString('hex')).toBe('000000abcd00');
    expect(() => f.u16(1)).toThrow(RangeError);
  });
  it('the strongest RFC 7606 action wins', () => {
    expect(strongerAction('attribute-discard', 'treat-as-withdraw')).toBe('treat-as-withdraw');
    expect(strongerAction('session-reset', 'afi-safi-disable')).toBe('session-reset');
  });
});
