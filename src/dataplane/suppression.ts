/**
 * ARP/ND suppression (RFC 9161): a request from a local port for an IP the VNI's table (or the
 * lookup hook) knows is answered locally with a reply built in place; unknown targets are left
 * to flooding. Counters: answered, flooded, suppressed.
 */
import { formatIp4, formatIp6 } from './addr.js';
import { ArpOp, arpReplyInPlace, isArpIpv4 } from './arp.js';
import { u16, u32 } from './bytes.js';
import { NaFlag, naLength, neighborAdvertInPlace } from './icmpv6.js';
import { ipv6HeaderLength } from './ipv6.js';
import { macKey, macKeyFromText, macKeyToText } from './mac.js';
import type { BufferPool } from './pool.js';
import type { PortState, VniState } from './vni-state.js';

/** Delivers a frame to a local port (the engine, which counts it). */
export interface Deliver {
deliver(ps: PortState, buf: Buffer, start: number, end: number): void;
}

function lookupMac(vs: VniState, family: 4 | 6, buf: Buffer, senderMacOff: number, senderIp: string, targetIp: string): number | undefined {
  if (vs.lookup === undefined) return undefined;
  try {
    const mac = vs.lookup({ vni: vs.vni, family, senderMac: macKeyToText(macKey(buf, senderMacOff)), senderIp, targetIp });
    return mac === undefined ? undefined : macKeyFromText(mac);
  } catch {
    return undefined;
  }
}

/**
 * An ARP request from a local port (RFC 9161 section 3.1): answered in place when the target
 * is known, otherwise left to flooding. Gratuitous ARP and RFC 5227 probes are never
 * answered (answering a probe would report a conflict).
 */
export function suppressArp(out: Deliver, vs: VniState, ps: PortState, buf: Buffer, start: number, p: number, end: number): boolean {
  if (!isArpIpv4(buf, p, end) || u16(buf, p + 6) !== ArpOp.request) return false;
  const spa = u32(buf, p + 14);
  const tpa = u32(buf, p + 24);
  const c = vs.counters;
  if (spa === tpa || spa === 0) {
    // a gratuitous ARP still tells the control plane the sender's binding (never answered)
    if (spa !== 0) lookupMac(vs, 4, buf, p + 8, formatIp4(buf, p + 14), formatIp4(buf, p + 24));
    if (spa !== 0 && vs.arp4.get(tpa) === macKey(buf, p + 8)) {
      // an announcement the fabric already knows: local ports only
      c.arpSuppressed++;
      const ports = vs.ports;
      for (let i = 0; i < ports.length; i++) if (ports[i] !== ps) out.deliver(ports[i]!, buf, start, end);
      return true;
    }
    return false;
  }
  // the hook first: it also learns the sender's own binding (RFC 9161 3.1), which a request
  // answered from the table alone would hide from the control plane; then the table
  const mac = lookupMac(vs, 4, buf, p + 8, formatIp4(buf, p + 14), formatIp4(buf, p + 24)) ?? vs.arp4.get(tpa);
  if (mac === undefined) {
    c.arpFlooded++;
    return false;
  }
  arpReplyInPlace(buf, start, p, mac);
  c.arpAnswered++;
  c.arpSuppressed++;
  out.deliver(ps, buf, start, end);
  return true;
}

/**
 * A Neighbor Solicitation from a local port (RFC 9161 section 3.2): a valid NS (hop limit
 * 255, RFC 4861 7.1.1) for a known target is answered with an NA built in place; DAD probes
 * (unspecified source) are never answered.
 */
export function suppressNd(out: Deliver, pool: BufferPool, vs: VniState, ps: PortState, buf: Buffer, start: number, ip: number, end: number): boolean {
  const plen = u16(buf, ip + 4);
  if (buf[ip + 7] !== 255 || buf[ip + 41] !== 0 || plen < 24 || ip + ipv6HeaderLength + plen > end) return false;
  if (u32(buf, ip + 8) === 0 && u32(buf, ip + 12) === 0 && u32(buf, ip + 16) === 0 && u32(buf, ip + 20) === 0) return false;
  const target = ip + ipv6HeaderLength + 8;
  const c = vs.counters;
  const mac = lookupMac(vs, 6, buf, start + 6, formatIp6(buf, ip + 8), formatIp6(buf, target)) ??
    vs.arp6.get(buf.toString('latin1', target, target + 16));
  if (mac === undefined) {
    c.ndFlooded++;
    return false;
  }
  const needed = ip + ipv6HeaderLength + naLength;
  if (needed <= end) {
    const naEnd = neighborAdvertInPlace(buf, start, ip, mac, NaFlag.override);
    out.deliver(ps, buf, start, naEnd);
  } else {
    // an NS without a source link-layer option is 8 bytes shorter than the NA: use a slot
    const slot = pool.acquire();
    if (slot < 0) return false;
    const mem = pool.memory;
    const off = pool.frameOffset(slot);
    buf.copy(mem, off, start, ip + ipv6HeaderLength + 24);
    const naEnd = neighborAdvertInPlace(mem, off, off + (ip - start), mac, NaFlag.override);
    out.deliver(ps, mem, off, naEnd);
    pool.release(slot);
  }
  c.ndAnswered++;
  c.ndSuppressed++;
  return true;
}

