/**
 * A reusable, growable writer. Lengths that are only known afterwards are reserved with
 * `reserve8/16` and filled with `fill8/16` (or `fillLength16`) once the body is written.
 *
 * A writer can also target a caller's buffer at an offset (`Writer.into`): then it never
 * grows and throws a RangeError if the caller gave too little room (an encoder bug, not input).
 *
 * @deprecated Not used by bgp-evpn's own codecs, which compute a message's length and write it in
 * one allocation; kept only because it is exported. It will be removed in 0.2.
 */
export class Writer {
  buf: Buffer;
  pos: number;
  private readonly fixed: boolean;

  constructor(capacity = 4096) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.pos = 0;
    this.fixed = false;
  }

  /** A writer over a caller's buffer starting at `offset`; it never reallocates. */
  static into(buf: Buffer, offset: number): Writer {
    const w = Object.create(Writer.prototype) as Writer;
    (w as { buf: Buffer }).buf = buf;
    (w as { pos: number }).pos = offset;
    (w as unknown as { fixed: boolean }).fixed = true;
    return w;
  }

  /** Forget what was written; keep the memory. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.fixed) throw new RangeError(`writer: target buffer too small (need ${this.pos + n}, have ${this.buf.length})`);
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    const b = this.buf;
    b[this.pos] = (v >>> 16) & 0xff;
    b[this.pos + 1] = (v >>> 8) & 0xff;
    b[this.pos + 2] = v & 0xff;
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  bytes(src: Uint8Array): this {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  fill(value: number, n: number): this {
    this.ensure(n);
    this.buf.fill(value, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Reserve n bytes (zeroed) and return their position for a later fill. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.buf.fill(0, at, at + n);
    this.pos += n;
    return at;
  }

  fill8(at: number, v: number): void {
    this.buf[at] = v;
  }

  fill16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }

  /** Fill a 2-byte length reserved at `at` with the number of bytes written since it. */
  fillLength16(at: number): number {
    const len = this.pos - at - 2;
    this.buf.writeUInt16BE(len, at);
    return len;
  }

  /** A view of what was written from `start` (default 0). Valid until the next write/reset. */
  view(start = 0): Buffer {
    return this.buf.subarray(start, this.pos);
  }

  /** A copy of what was written from `start`, owned by the caller. */
  copy(start = 0): Buffer {
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }
}
