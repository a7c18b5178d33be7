/**
 * OPEN (RFC 4271 4.2, RFC 5492 capabilities, RFC 9072 extended optional parameters length):
 * ```
 * +---------+-----------------+-----------+-------------------+--------------+-----------+
 * | Version | My AS (2)       | Hold (2)  | BGP Identifier (4)| Opt Parm Len | Opt Parms |
 * +---------+-----------------+-----------+-------------------+--------------+-----------+
 * Optional parameter: type (1), length (1) | value   (RFC 9072: length is 2 octets when
 * Opt Parm Len = 255 and the next octet is 255, followed by a 2-octet extended length)
 * ```
 */
import { parseIpv4, readIpv4 } from '../../net/ip.js';
import { OpenMessageError } from '../errors.js';
import { OpenSubcode, OptionalParameter } from '../iana.js';
import type { Capability, OpenMessage } from '../types.js';
import { capabilityLength, decodeCapabilities, encodeCapability } from './capabilities.js';

/** The only BGP version (RFC 4271 4.2). */
export const bgpVersion = 4;

/** Decode the body `[start, end)` of an OPEN. Throws OpenMessageError. */
export function decodeOpen(buf: Buffer, start: number, end: number): OpenMessage {
  if (end - start < 10) throw new OpenMessageError(OpenSubcode.unspecific, 'OPEN shorter than 29 bytes');
  const version = buf[start]!;
  // RFC 4271 6.2: Unsupported Version Number, data = the largest version we support (2 octets)
  if (version !== bgpVersion) {
    throw new OpenMessageError(OpenSubcode.unsupportedVersion, `unsupported BGP version ${version}`, Buffer.from([0, bgpVersion]));
  }
  const myAs = buf.readUInt16BE(start + 1);
  const holdTime = buf.readUInt16BE(start + 3);
  // RFC 4271 6.2: a hold time of 1 or 2 seconds must be refused
  if (holdTime === 1 || holdTime === 2) {
    throw new OpenMessageError(OpenSubcode.unacceptableHoldTime, `unacceptable hold time ${holdTime}`);
  }
  const id = buf.readUInt32BE(start + 5);
  // RFC 4271 6.2 / RFC 6286 2.2: the BGP Identifier is a non-zero 4-octet value
  if (id === 0) throw new OpenMessageError(OpenSubcode.badBgpIdentifier, 'BGP identifier 0.0.0.0', buf.subarray(start + 5, start + 9));
  const routerId = readIpv4(buf, start + 5);
  let optLen = buf[start + 9]!;
  let p = start + 10;
  let wide = false;
  // RFC 9072 2: Non-Ext OP Len 255 and Non-Ext OP Type 255 announce the extended format
  if (optLen === 255 && end - p >= 3 && buf[p] === OptionalParameter.extendedLength) {
    optLen = buf.readUInt16BE(p + 1);
    p += 3;
    wide = true;
  }
  if (p + optLen !== end) {
    throw new OpenMessageError(OpenSubcode.unspecific, `optional parameters length ${optLen} does not match the message`, buf.subarray(start + 9, end));
  }
  const capabilities: Capability[] = [];
  let otherParameters: { type: number; value: Buffer }[] | undefined;
  const head = wide ? 3 : 2;
  let capabilityParameters = 0;
  while (p < end) {
    if (end - p < head) throw new OpenMessageError(OpenSubcode.unspecific, 'truncated optional parameter', buf.subarray(p, end));
    const type = buf[p]!;
    const len = wide ? buf.readUInt16BE(p + 1) : buf[p + 1]!;
    const vs = p + head;
    const ve = vs + len;
    if (ve > end) throw new OpenMessageError(OpenSubcode.unspecific, `optional parameter ${type} overruns the OPEN`, buf.subarray(p, end));
    if (type === OptionalParameter.capabilities) {
      decodeCapabilities(buf, vs, ve, capabilities);
      capabilityParameters++;
    } else (otherParameters ??= []).push({ type, value: buf.subarray(vs, ve) });
    p = ve;
  }
  const perCapability = !wide && capabilities.length > 1 && capabilityParameters === capabilities.length;
  const open: OpenMessage = { type: 'open', version, myAs, holdTime, routerId, capabilities };
  const laid = perCapability ? { ...open, parameterLayout: 'per-capability' as const } : open;
  return otherParameters === undefined ? laid : { ...laid, otherParameters };
}

/** Capabilities grouped into parameters of at most 255 bytes (non-extended format). */
function paramsLength(m: OpenMessage): { total: number; wide: boolean } {
  let total = 0;
  let group = -1; // bytes in the current capability parameter, -1 = none open
  let caps = 0;
  const split = m.parameterLayout === 'per-capability';
  for (const c of m.capabilities) {
    const n = capabilityLength(c);
    caps += n;
    if (split || group < 0 || group + n > 255) {
      total += 2 + n;
      group = n;
    } else {
      total += n;
      group += n;
    }
  }
  let others = 0;
  for (const o of m.otherParameters ?? []) {
    if (o.value.length > 255) return { total: wideLength(m, caps), wide: true };
    others += 2 + o.value.length;
  }
  total += others;
  if (total <= 254) return { total, wide: false };
  return { total: wideLength(m, caps), wide: true };
}

function wideLength(m: OpenMessage, caps: number): number {
  let n = 3 + (m.capabilities.length > 0 ? 3 + caps : 0);
  for (const o of m.otherParameters ?? []) n += 3 + o.value.length;
  return n;
}

/** Bytes of an OPEN body. */
export function openBodyLength(m: OpenMessage): number {
  return 10 + paramsLength(m).total;
}

/** Write an OPEN body at `offset`; return the offset after it. */
export function encodeOpen(m: OpenMessage, buf: Buffer, offset: number): number {
  buf[offset] = m.version;
  buf.writeUInt16BE(m.myAs, offset + 1);
  buf.writeUInt16BE(m.holdTime, offset + 3);
  const id = parseIpv4(m.routerId);
  if (id < 0) throw new TypeError(`OPEN: router id is not an IPv4 address: ${m.routerId}`);
  buf.writeUInt32BE(id, offset + 5);
  const { total, wide } = paramsLength(m);
  let p = offset + 10;
  if (wide) {
    // RFC 9072 2
    buf[offset + 9] = 255;
    buf[p] = OptionalParameter.extendedLength;
    buf.writeUInt16BE(total - 3, p + 1);
    p += 3;
    if (m.capabilities.length > 0) {
      buf[p] = OptionalParameter.capabilities;
      const at = p + 1;
      p += 3;
      for (const c of m.capabilities) p = encodeCapability(c, buf, p);
      buf.writeUInt16BE(p - at - 2, at);
    }
    for (const o of m.otherParameters ?? []) {
      buf[p] = o.type;
      buf.writeUInt16BE(o.value.length, p + 1);
      buf.set(o.value, p + 3);
      p += 3 + o.value.length;
    }
    return p;
  }
  buf[offset + 9] = total;
  let lenAt = -1;
  for (const c of m.capabilities) {
    const n = capabilityLength(c);
    if (m.parameterLayout === 'per-capability' || lenAt < 0 || p - lenAt - 1 + n > 255) {
      buf[p] = OptionalParameter.capabilities;
      lenAt = p + 1;
      buf[lenAt] = 0;
      p += 2;
    }
    p = encodeCapability(c, buf, p);
    buf[lenAt] = p - lenAt - 1;
  }
  for (const o of m.otherParameters ?? []) {
    buf[p] = o.type;
    buf[p + 1] = o.value.length;
    buf.set(o.value, p + 2);
    p += 2 + o.value.length;
  }
  return p;
}

/**
 * RFC 4271 6.2: an OPEN carrying an optional parameter other than capabilities must be refused
 * with Unsupported Optional Parameter (2/4). The decoder keeps such parameters (`otherParameters`)
 * so the session decides; this gives it the error to send, or undefined.
 */
export function unsupportedParameterError(open: OpenMessage): OpenMessageError | undefined {
  const p = open.otherParameters?.[0];
  if (p === undefined) return undefined;
  return new OpenMessageError(OpenSubcode.unsupportedOptionalParameter, `unsupported optional parameter ${p.type}`);
}
