/**
 * Canonical message layout, for comparing our re-encoding with a peer's bytes.
 */

/**
 * The same message in the compact layout our encoder writes, and what had to change.
 *
 * Two encoding choices of real peers are allowed by the RFCs but are not kept in a decoded
 * value, so our encoder cannot reproduce them byte for byte:
 * - `attribute-extended-length`: FRR sets the Extended Length bit (RFC 4271 4.3: it only says
 *   the length is then two octets) on short attributes (MP_REACH/MP_UNREACH `0x90`, AS_PATH
 *   `0x50`); we use it only for values over 255 bytes.
 * - `capabilities-one-per-parameter`: FRR puts each capability in its own Optional Parameter
 *   (RFC 5492 4 allows one or many per parameter); we put them all in one.
 * A test compares our re-encoding with this canonical form and also checks that the original
 * and the canonical bytes decode to the same value (so the difference is layout only).
 */
export function canonicalLayout(hex: string): { hex: string; changes: string[] } {
  const b = Buffer.from(hex, 'hex');
  const changes = new Set<string>();
  let body: Buffer;
  if (b[18] === 1) {
    // OPEN: version(1) myAs(2) hold(2) id(4) optLen(1) params
    const optLen = b[28]!;
    const params: Buffer[] = [];
    const caps: Buffer[] = [];
    let p = 29;
    while (p + 2 <= 29 + optLen) {
      const len = b[p + 1]!;
      if (b[p] === 2) caps.push(b.subarray(p + 2, p + 2 + len));
      else params.push(b.subarray(p, p + 2 + len));
      p += 2 + len;
    }
    const allCaps = Buffer.concat(caps);
    if (caps.length > 1 && allCaps.length <= 255) {
      changes.add('capabilities-one-per-parameter');
      const merged = Buffer.concat([Buffer.from([2, allCaps.length]), allCaps, ...params]);
      body = Buffer.concat([b.subarray(19, 28), Buffer.from([merged.length]), merged]);
    } else {
      body = b.subarray(19);
    }
  } else if (b[18] === 2) {
    const wl = b.readUInt16BE(19);
    const attrStart = 21 + wl + 2;
    const attrLen = b.readUInt16BE(21 + wl);
    const out: Buffer[] = [];
    let p = attrStart;
    while (p + 3 <= attrStart + attrLen) {
      const flags = b[p]!;
      const ext = (flags & 0x10) !== 0;
      const len = ext ? b.readUInt16BE(p + 2) : b[p + 2]!;
      const vs = p + (ext ? 4 : 3);
      if (ext && len <= 255) {
        changes.add('attribute-extended-length');
        out.push(Buffer.from([flags & ~0x10, b[p + 1]!, len]), b.subarray(vs, vs + len));
      } else {
        out.push(b.subarray(p, vs + len));
      }
      p = vs + len;
    }
    const attrs = Buffer.concat(out);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(attrs.length);
    body = Buffer.concat([b.subarray(19, 21 + wl), len, attrs, b.subarray(attrStart + attrLen)]);
  } else {
    body = b.subarray(19);
  }
  const head = Buffer.from(b.subarray(0, 19));
  head.writeUInt16BE(19 + body.length, 16);
  return { hex: Buffer.concat([head, body]).toString('hex'), changes: [...changes] };
}
