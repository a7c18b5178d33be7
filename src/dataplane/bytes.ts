/**
 * Big-endian loads and stores on the hot path.
 *
 * Measured on Node 20 in this repo's bench: `Buffer#readUInt32BE` / `readUInt16BE` /
 * `writeUInt16BE` cost 20–30 ns per call (argument validation, not inlined), while composing
 * from indexed bytes costs 2–5 ns. The packet paths therefore use these small functions, which
 * TurboFan inlines. The caller has checked the bounds (as every decoder here does before
 * reading); `>>> 0` keeps 32-bit values unsigned (`<< 24` alone can go negative).
 */

/** Unsigned 16-bit big-endian at `o`. */
export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Unsigned 32-bit big-endian at `o`. */
export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Stores the low 16 bits of `v` big-endian at `o`. */
export function w16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

/** Stores the low 32 bits of `v` big-endian at `o`. */
export function w32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
