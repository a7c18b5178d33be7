/**
 * Capabilities (RFC 5492 4): code (1), length (1), value. One codec per capability code in a
 * registry; unknown codes are kept raw (RFC 5492 5: they are ignored, not refused).
 */
import { OpenMessageError } from '../errors.js';
import { CapabilityCode, OpenSubcode } from '../iana.js';
import type { AddPathMode, Capability } from '../types.js';

type Of<K extends Capability['type']> = Extract<Capability, { type: K }>;

interface CapCodec<T extends Capability> {
  readonly type: T['type'];
  readonly code: number;
  /** Decode the value in [start, end); throw OpenMessageError if malformed. */
  decode(buf: Buffer, start: number, end: number): T;
  encodingLength(v: T): number;
  encode(v: T, buf: Buffer, offset: number): number;
}

type Known = Exclude<Capability['type'], 'unknown'>;
type AnyCapCodec = { [K in Known]: CapCodec<Of<K>> }[Known];

function bad(what: string, buf: Buffer, start: number, end: number): OpenMessageError {
  return new OpenMessageError(OpenSubcode.unspecific, `capability ${what}: malformed`, buf.subarray(Math.max(0, start - 2), end));
}

function empty<K extends 'route-refresh' | 'route-refresh-cisco' | 'enhanced-route-refresh' | 'extended-message'>(type: K, code: number): CapCodec<Of<K>> {
  return {
    type,
    code,
    decode(buf: Buffer, start: number, end: number) {
      if (end !== start) throw bad(type, buf, start, end);
      return { type } as Of<K>;
    },
    encodingLength: () => 0,
    encode: (_v: Of<K>, _buf: Buffer, offset: number) => offset,
  } as unknown as CapCodec<Of<K>>;
}

const modes: readonly (AddPathMode | undefined)[] = [undefined, 'receive', 'send', 'both'];
const modeCode: Readonly<Record<AddPathMode, number>> = { receive: 1, send: 2, both: 3 };

const codecs = {
  [CapabilityCode.multiprotocol]: {
    type: 'multiprotocol',
    code: CapabilityCode.multiprotocol,
    // RFC 4760 8: AFI (2), reserved (1), SAFI (1)
    decode(buf, start, end) {
      if (end - start !== 4) throw bad('multiprotocol', buf, start, end);
      return { type: 'multiprotocol', afi: buf.readUInt16BE(start), safi: buf[start + 3]! };
    },
    encodingLength: () => 4,
    encode(v, buf, offset) {
      buf.writeUInt16BE(v.afi, offset);
      buf[offset + 2] = 0;
      buf[offset + 3] = v.safi;
      return offset + 4;
    },
  } satisfies CapCodec<Of<'multiprotocol'>>,
  [CapabilityCode.routeRefresh]: empty('route-refresh', CapabilityCode.routeRefresh),
  [CapabilityCode.routeRefreshCisco]: empty('route-refresh-cisco', CapabilityCode.routeRefreshCisco),
  [CapabilityCode.enhancedRouteRefresh]: empty('enhanced-route-refresh', CapabilityCode.enhancedRouteRefresh),
  [CapabilityCode.extendedMessage]: empty('extended-message', CapabilityCode.extendedMessage),
  [CapabilityCode.fourOctetAs]: {
    type: 'four-octet-as',
    code: CapabilityCode.fourOctetAs,
    decode(buf, start, end) {
      if (end - start !== 4) throw bad('four-octet-as', buf, start, end);
      return { type: 'four-octet-as', asn: buf.readUInt32BE(start) };
    },
    encodingLength: () => 4,
    encode(v, buf, offset) {
      buf.writeUInt32BE(v.asn >>> 0, offset);
      return offset + 4;
    },
  } satisfies CapCodec<Of<'four-octet-as'>>,
  [CapabilityCode.gracefulRestart]: {
    type: 'graceful-restart',
    code: CapabilityCode.gracefulRestart,
    // RFC 4724 3: flags (4 bits) + restart time (12 bits), then (AFI, SAFI, flags) per family
    decode(buf, start, end) {
      if (end - start < 2 || (end - start - 2) % 4 !== 0) throw bad('graceful-restart', buf, start, end);
      const w = buf.readUInt16BE(start);
      const families: { afi: number; safi: number; forwardingPreserved: boolean }[] = [];
      for (let p = start + 2; p < end; p += 4) {
        families.push({ afi: buf.readUInt16BE(p), safi: buf[p + 2]!, forwardingPreserved: (buf[p + 3]! & 0x80) !== 0 });
      }
      return { type: 'graceful-restart', restarting: (w & 0x8000) !== 0, notification: (w & 0x4000) !== 0, restartTime: w & 0xfff, families };
    },
    encodingLength: (v) => 2 + 4 * v.families.length,
    encode(v, buf, offset) {
      buf.writeUInt16BE((v.restarting ? 0x8000 : 0) | (v.notification ? 0x4000 : 0) | (v.restartTime & 0xfff), offset);
      let p = offset + 2;
      for (const f of v.families) {
        buf.writeUInt16BE(f.afi, p);
        buf[p + 2] = f.safi;
        buf[p + 3] = f.forwardingPreserved ? 0x80 : 0;
        p += 4;
      }
      return p;
    },
  } satisfies CapCodec<Of<'graceful-restart'>>,
  [CapabilityCode.addPath]: {
    type: 'add-path',
    code: CapabilityCode.addPath,
    // RFC 7911 4: (AFI (2), SAFI (1), Send/Receive (1)) per family
    decode(buf, start, end) {
      if (end === start || (end - start) % 4 !== 0) throw bad('add-path', buf, start, end);
      const families: { afi: number; safi: number; mode: AddPathMode }[] = [];
      for (let p = start; p < end; p += 4) {
        const mode = modes[buf[p + 3]!];
        if (mode === undefined) throw bad('add-path', buf, start, end);
        families.push({ afi: buf.readUInt16BE(p), safi: buf[p + 2]!, mode });
      }
      return { type: 'add-path', families };
    },
    encodingLength: (v) => 4 * v.families.length,
    encode(v, buf, offset) {
      let p = offset;
      for (const f of v.families) {
        buf.writeUInt16BE(f.afi, p);
        buf[p + 2] = f.safi;
        buf[p + 3] = modeCode[f.mode];
        p += 4;
      }
      return p;
    },
  } satisfies CapCodec<Of<'add-path'>>,
  [CapabilityCode.fqdn]: {
    type: 'fqdn',
    code: CapabilityCode.fqdn,
    // draft-walton-bgp-hostname-capability: hostname length (1), hostname, domain length (1), domain
    decode(buf, start, end) {
      if (end - start < 2) throw bad('fqdn', buf, start, end);
      const hl = buf[start]!;
      if (start + 1 + hl + 1 > end) throw bad('fqdn', buf, start, end);
      const dl = buf[start + 1 + hl]!;
      if (start + 2 + hl + dl !== end) throw bad('fqdn', buf, start, end);
      return {
        type: 'fqdn',
        hostname: buf.toString('utf8', start + 1, start + 1 + hl),
        domain: buf.toString('utf8', start + 2 + hl, end),
      };
    },
    encodingLength: (v) => 2 + Buffer.byteLength(v.hostname) + Buffer.byteLength(v.domain),
    encode(v, buf, offset) {
      const hl = Buffer.byteLength(v.hostname);
      const dl = Buffer.byteLength(v.domain);
      if (hl > 255 || dl > 255) throw new TypeError('fqdn: hostname and domain are at most 255 bytes each');
      buf[offset] = hl;
      buf.write(v.hostname, offset + 1, 'utf8');
      buf[offset + 1 + hl] = dl;
      buf.write(v.domain, offset + 2 + hl, 'utf8');
      return offset + 2 + hl + dl;
    },
  } satisfies CapCodec<Of<'fqdn'>>,
} satisfies Record<number, AnyCapCodec>;

const byCode = new Map<number, CapCodec<Capability>>();
const byType = new Map<string, CapCodec<Capability>>();
for (const [code, c] of Object.entries(codecs)) {
  byCode.set(Number(code), c as unknown as CapCodec<Capability>);
  byType.set(c.type, c as unknown as CapCodec<Capability>);
}

/** Decode the capabilities in one optional parameter value `[start, end)`, appending to `out`. */
export function decodeCapabilities(buf: Buffer, start: number, end: number, out: Capability[]): void {
  let p = start;
  while (p < end) {
    if (end - p < 2) throw new OpenMessageError(OpenSubcode.unspecific, 'truncated capability header', buf.subarray(p, end));
    const code = buf[p]!;
    const len = buf[p + 1]!;
    const vs = p + 2;
    const ve = vs + len;
    if (ve > end) throw new OpenMessageError(OpenSubcode.unspecific, `capability ${code} overruns its parameter`, buf.subarray(p, end));
    const codec = byCode.get(code);
    out.push(codec === undefined ? { type: 'unknown', code, value: buf.subarray(vs, ve) } : codec.decode(buf, vs, ve));
    p = ve;
  }
}

/** Bytes of one capability including its 2-byte header. */
export function capabilityLength(cap: Capability): number {
  if (cap.type === 'unknown') return 2 + cap.value.length;
  const c = byType.get(cap.type);
  if (c === undefined) throw new TypeError(`unknown capability type '${String((cap as { type: unknown }).type)}'`);
  const n = c.encodingLength(cap);
  if (n > 255) throw new TypeError(`capability ${cap.type} of ${n} bytes (max 255)`);
  return 2 + n;
}

/** Write one capability; return the offset after it. */
export function encodeCapability(cap: Capability, buf: Buffer, offset: number): number {
  const n = capabilityLength(cap) - 2;
  if (cap.type === 'unknown') {
    buf[offset] = cap.code;
    buf[offset + 1] = n;
    buf.set(cap.value, offset + 2);
    return offset + 2 + n;
  }
  const c = byType.get(cap.type)!;
  buf[offset] = c.code;
  buf[offset + 1] = n;
  return c.encode(cap, buf, offset + 2);
}
