import type { BgpError } from './errors.js';

/**
 * A bounds-checked cursor over `[pos, end)` of a Buffer. `bytes(n)` returns a view, never a copy.
 * Running past `end` throws the error that the caller's context defines (a truncated attribute
 * is an UPDATE error, a truncated OPEN an OPEN error), so only BgpError leaves a decoder.
 *
 * @deprecated Not used by bgp-evpn's own codecs, which read the Buffer directly with bounds checked
 * per field; kept only because it is exported. It will be removed in 0.2.
 */
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    end: number,
    private readonly short: (what: string) => BgpError,
  ) {
    if (start < 0 || end > buf.length || start > end) throw short('range outside buffer');
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Throws the context's error unless n more bytes are available. */
  need(n: number, what: string): void {
    if (this.end - this.pos < n) throw this.short(what);
  }

  u8(what = 'u8'): number {
    if (this.end - this.pos < 1) throw this.short(what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'u16'): number {
    if (this.end - this.pos < 2) throw this.short(what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(what = 'u24'): number {
    if (this.end - this.pos < 3) throw this.short(what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(what = 'u32'): number {
    if (this.end - this.pos < 4) throw this.short(what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view of the next n bytes. */
  bytes(n: number, what = 'bytes'): Buffer {
    if (n < 0 || this.end - this.pos < n) throw this.short(what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A view of everything left. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  skip(n: number, what = 'skip'): void {
    if (n < 0 || this.end - this.pos < n) throw this.short(what);
    this.pos += n;
  }
}
