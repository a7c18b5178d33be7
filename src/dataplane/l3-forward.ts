/**
 * Routing in the engine (issue 14), in place and allocation-free for IPv4: a frame to a
 * gateway's anycast MAC in an L2VNI, or from a VRF's L3VNI to our router MAC, is looked up in
 * the VRF (LPM) and either
 * - sent over the L3VNI to a VTEP with inner MACs (our router MAC → its router MAC): symmetric
 *   IRB (RFC 9135), or
 * - resolved in an L2VNI's ARP/ND tables (the control plane's, then the bindings the gateway
 *   learned) and bridged there from the gateway MAC: a local port, or a remote VTEP over the
 *   L2VNI (asymmetric IRB). Unresolved: the gateway sends an ARP request / NS and drops.
 * TTL / hop limit is decremented (IPv4 checksum updated per RFC 1624); at 1 an ICMP / ICMPv6
 * Time Exceeded goes back from the gateway address. Split horizon: what came from the overlay
 * is never sent back into it. ARP requests and NS for a gateway address from a local port are
 * answered here with the anycast MAC and never flooded.
 */
import { u16, u32, w16 } from './bytes.js';
import { checksum, updateChecksum } from './checksum.js';
import { flowHash } from './entropy.js';
import { ArpOp, arpReplyInPlace, isArpIpv4 } from './arp.js';
import { EtherType } from './ethernet.js';
import { IcmpType, icmpEchoReplyInPlace } from './icmp.js';
import { Icmp6Type, NaFlag, icmp6EchoReplyInPlace, naLength, neighborAdvertInPlace } from './icmpv6.js';
import { IpProto } from './ipv4.js';
import { NextHops, NhKind, type GatewayState, type L3Host, type VrfState } from './l3-state.js';
import {
  icmp4ErrorAllowed, icmp6ErrorAllowed, writeGleanArp, writeGleanNs, writeTimeExceeded4, writeTimeExceeded6,
} from './l3-frames.js';
import { formatIp4, formatIp6 } from './addr.js';
import { macKey, macKeyToText, writeMacKey } from './mac.js';
import type { PortState, VniState } from './vni-state.js';

/** Where a frame to route came from: a local port, the overlay, or the gateway itself. */
const From = { port: 0, overlay: 1, generated: 2 } as const;
type From = (typeof From)[keyof typeof From];

/** The forwarding half of the engine's layer 3 (the configuration half is `EngineL3`). */
export class L3Forwarder {
  protected readonly nhs = new NextHops();
  /** VRFs by L3VNI. */
  protected readonly byL3vni = new Map<number, VrfState>();

  /** @internal the engine creates it with closures over its tables */
  constructor(protected readonly host: L3Host) {}

  /**
   * A frame from a local port of a VNI that has a gateway: -1 when it is not for the gateway
   * (bridge it as usual), 0 when it was dropped, 1 when it was handled.
   * @internal
   */
  fromPort(vs: VniState, ps: PortState, buf: Buffer, start: number, p: number, end: number): number {
    const gw = vs.gw as GatewayState;
    const et = (buf[p - 2]! << 8) | buf[p - 1]!;
    if (et === EtherType.ipv4) {
      if (macKey(buf, start) !== gw.macKey) return -1;
      if (p !== start + 14) return this.malformed(gw.vrf);
      return this.route4(gw.vrf, gw, buf, start, end, From.port) ? 1 : 0;
    }
    if (et === EtherType.ipv6) {
      if (end - p >= 64 && buf[p + 6] === IpProto.icmpv6 && (buf[p + 40] === Icmp6Type.neighborSolicitation || buf[p + 40] === Icmp6Type.neighborAdvertisement)) {
        const r = this.neighbor6(gw, vs, ps, buf, start, p, end);
        if (r >= 0) return r;
      }
      if (macKey(buf, start) !== gw.macKey) return -1;
      if (p !== start + 14) return this.malformed(gw.vrf);
      return this.route6(gw.vrf, gw, buf, start, end, From.port) ? 1 : 0;
    }
    if (et === EtherType.arp) return this.arp(gw, vs, ps, buf, start, p, end);
    if (macKey(buf, start) !== gw.macKey) return -1;
    gw.vrf.counters.noRoute++; // neither IPv4 nor IPv6 to the gateway: nothing to route
    return 0;
  }

  /** A frame from the underlay for an L3VNI: false when `vni` is no VRF's. @internal */
  receiveL3(vni: number, buf: Buffer, start: number, end: number): boolean {
    const vrf = this.byL3vni.get(vni);
    if (vrf === undefined) return false;
    const c = vrf.counters;
    c.decapFrames++;
    c.decapBytes += end - start;
    if (end - start < 34 || macKey(buf, start) !== vrf.routerMac) {
      c.notRouterMac++;
      return true;
    }
    const et = u16(buf, start + 12);
    if (et === EtherType.ipv4) this.route4(vrf, undefined, buf, start, end, From.overlay);
    else if (et === EtherType.ipv6) this.route6(vrf, undefined, buf, start, end, From.overlay);
    else c.malformed++;
    return true;
  }

  /** A frame from the underlay in an L2VNI, to its gateway's MAC (a VTEP without the VRF bridged it). @internal */
  receiveL2(vs: VniState, buf: Buffer, start: number, end: number): void {
    const gw = vs.gw as GatewayState;
    const et = u16(buf, start + 12);
    if (et === EtherType.ipv4) this.route4(gw.vrf, gw, buf, start, end, From.overlay);
    else if (et === EtherType.ipv6) this.route6(gw.vrf, gw, buf, start, end, From.overlay);
    else gw.vrf.counters.malformed++;
  }

  private malformed(vrf: VrfState): number {
    vrf.counters.malformed++;
    return 0;
  }

  private route4(vrf: VrfState, gw: GatewayState | undefined, buf: Buffer, start: number, end: number, from: From): boolean {
    const p = start + 14;
    const c = vrf.counters;
    const hl = (buf[p]! & 15) * 4;
    const total = end - p >= 20 ? u16(buf, p + 2) : 0;
    if ((buf[p]! >> 4) !== 4 || hl < 20 || total < hl || p + total > end || checksum(buf, p, p + hl) !== 0) {
      c.malformed++;
      return false;
    }
    const nh = vrf.lpm4.lookup(buf, p + 16);
    if (nh === 0) {
      c.noRoute++;
      return false;
    }
    const kind = this.nhs.kind[nh]!;
    if (kind === NhKind.local) return from !== From.generated && this.echo4(vrf, buf, start, end, p, hl);
    const ttl = buf[p + 8]!;
    if (ttl <= 1) {
      c.ttlExceeded++;
      if (from !== From.generated && icmp4ErrorAllowed(buf, p, hl, total)) this.timeExceeded(vrf, gw, 4, buf, start, p, hl, total);
      return false;
    }
    const old = (ttl << 8) | buf[p + 9]!;
    buf[p + 8] = ttl - 1;
    w16(buf, p + 10, updateChecksum(u16(buf, p + 10), old, old - 256));
    return this.forward(vrf, nh, kind, buf, start, end, p + 16, 4, from === From.overlay);
  }

  private route6(vrf: VrfState, gw: GatewayState | undefined, buf: Buffer, start: number, end: number, from: From): boolean {
    const p = start + 14;
    const c = vrf.counters;
    if (end - p < 40 || (buf[p]! >> 4) !== 6 || p + 40 + u16(buf, p + 4) > end) {
      c.malformed++;
      return false;
    }
    // never forwarded: multicast and link-local destinations, link-local sources (RFC 4291 2.5.6)
    if (buf[p + 24] === 0xff || (buf[p + 24] === 0xfe && (buf[p + 25]! & 0xc0) === 0x80) || (buf[p + 8] === 0xfe && (buf[p + 9]! & 0xc0) === 0x80)) {
      c.noRoute++;
      return false;
    }
    const nh = vrf.lpm6.lookup(buf, p + 24);
    if (nh === 0) {
      c.noRoute++;
      return false;
    }
    const kind = this.nhs.kind[nh]!;
    if (kind === NhKind.local) return from !== From.generated && this.echo6(vrf, buf, start, end, p);
    const hops = buf[p + 7]!;
    if (hops <= 1) {
      c.ttlExceeded++;
      if (from !== From.generated && icmp6ErrorAllowed(buf, p, end)) this.timeExceeded(vrf, gw, 6, buf, start, p, 40, 40 + u16(buf, p + 4));
      return false;
    }
    buf[p + 7] = hops - 1;
    return this.forward(vrf, nh, kind, buf, start, end, p + 24, 6, from === From.overlay);
  }

  private forward(vrf: VrfState, nh: number, kind: number, buf: Buffer, start: number, end: number, dstOff: number, family: 4 | 6, fromOverlay: boolean): boolean {
    const c = vrf.counters;
    const nhs = this.nhs;
    if (kind === NhKind.vtep) {
      if (fromOverlay) {
        c.splitHorizon++;
        return false;
      }
      writeMacKey(buf, start, nhs.mac[nh]!);
      writeMacKey(buf, start + 6, vrf.routerMac);
      if (!this.host.encap(vrf.tx, c, nhs.vtep[nh]!, buf, start, end, flowHash(buf, start, end))) return false;
      c.routed++;
      return true;
    }
    const vs = nhs.vniState[nh];
    if (vs === undefined) {
      c.noRoute++;
      return false;
    }
    const gw = vs.gw as GatewayState | undefined;
    const mac = family === 4 ? vs.arp4.get(u32(buf, dstOff)) ?? gw?.learned4.get(u32(buf, dstOff)) : this.resolve6(vs, gw, buf, dstOff);
    if (mac === undefined) {
      c.unresolved++;
      this.glean(vrf, vs, gw, family, buf, dstOff);
      return false;
    }
    writeMacKey(buf, start, mac);
    writeMacKey(buf, start + 6, gw === undefined ? vrf.routerMac : gw.macKey);
    const lp = vs.local.getAt(buf, start);
    if (lp !== undefined) {
      this.host.deliver(lp, buf, start, end);
      c.routed++;
      return true;
    }
    const r = vs.remote.getAt(buf, start);
    if (r !== undefined) {
      if (fromOverlay) {
        c.splitHorizon++;
        return false;
      }
      if (!this.host.encap(vs.tx, vs.counters, r, buf, start, end, flowHash(buf, start, end))) return false;
      c.routed++;
      return true;
    }
    // the IP is bound but where its MAC lives is not known yet: flood in the VNI, as a bridge would
    vs.counters.unknownUnicast++;
    this.host.flood(vs, undefined, buf, start, end, !fromOverlay);
    c.routed++;
    return true;
  }

  private resolve6(vs: VniState, gw: GatewayState | undefined, buf: Buffer, off: number): number | undefined {
    const key = buf.toString('latin1', off, off + 16);
    return vs.arp6.get(key) ?? gw?.learned6.get(key);
  }

  /** Sends an ARP request / NS for the destination from the VNI's gateway (one per 16 misses of a target). */
  private glean(vrf: VrfState, vs: VniState, gw: GatewayState | undefined, family: 4 | 6, buf: Buffer, dstOff: number): void {
    const target = buf.toString('latin1', dstOff, dstOff + (family === 4 ? 4 : 16));
    const limiter = gw ?? vrf;
    if (limiter.lastGlean === target && (++limiter.gleanSkip & 15) !== 0) return;
    limiter.lastGlean = target;
    limiter.gleanSkip = 0;
    const src = gw?.sourceFor(family, buf, dstOff) ?? vrf.anyAddress(family);
    const pool = this.host.pool;
    const slot = src === undefined ? -1 : pool.acquire();
    if (slot < 0) return;
    const mem = pool.memory;
    const off = pool.frameOffset(slot);
    const mac = gw === undefined ? vrf.routerMac : gw.macKey;
    const end = family === 4 ? writeGleanArp(mem, off, mac, src!, buf, dstOff) : writeGleanNs(mem, off, mac, src!, buf, dstOff);
    this.host.flood(vs, undefined, mem, off, end, true);
    vrf.counters.gleans++;
    pool.release(slot);
  }

  /** Time Exceeded back to the sender, from the ingress gateway's address, routed like any packet. */
  private timeExceeded(vrf: VrfState, gw: GatewayState | undefined, family: 4 | 6, buf: Buffer, start: number, p: number, hl: number, total: number): void {
    const srcOff = family === 4 ? p + 12 : p + 8;
    const src = gw?.sourceFor(family, buf, srcOff) ?? vrf.anyAddress(family);
    const pool = this.host.pool;
    const slot = src === undefined ? -1 : pool.acquire();
    if (slot < 0) return;
    const mem = pool.memory;
    const off = pool.frameOffset(slot);
    const mac = gw === undefined ? vrf.routerMac : gw.macKey;
    if (family === 4) {
      const end = writeTimeExceeded4(mem, off, mac, src!, buf, start, p, hl, total);
      if (this.route4(vrf, undefined, mem, off, end, From.generated)) vrf.counters.icmpErrorsSent++;
    } else {
      const end = writeTimeExceeded6(mem, off, mac, src!, buf, start, p, p + total);
      if (this.route6(vrf, undefined, mem, off, end, From.generated)) vrf.counters.icmpErrorsSent++;
    }
    pool.release(slot);
  }

  /** An echo request to a gateway address: turned into the reply in place and routed back. */
  private echo4(vrf: VrfState, buf: Buffer, start: number, end: number, p: number, hl: number): boolean {
    if (buf[p + 9] !== IpProto.icmp || buf[p + hl] !== IcmpType.echoRequest || (u16(buf, p + 6) & 0x3fff) !== 0) return false;
    for (let i = 0; i < 4; i++) {
      const t = buf[p + 12 + i]!;
      buf[p + 12 + i] = buf[p + 16 + i]!;
      buf[p + 16 + i] = t;
    }
    icmpEchoReplyInPlace(buf, p + hl);
    const old = u16(buf, p + 8);
    const ttl = (65 << 8) | (old & 0xff); // routing takes it to 64
    buf[p + 8] = 65;
    w16(buf, p + 10, updateChecksum(u16(buf, p + 10), old, ttl));
    vrf.counters.gatewayEchoAnswered++;
    return this.route4(vrf, undefined, buf, start, end, From.generated);
  }

  private echo6(vrf: VrfState, buf: Buffer, start: number, end: number, p: number): boolean {
    if (buf[p + 6] !== IpProto.icmpv6 || buf[p + 40] !== Icmp6Type.echoRequest) return false;
    icmp6EchoReplyInPlace(buf, p);
    buf[p + 7] = 65;
    vrf.counters.gatewayEchoAnswered++;
    return this.route6(vrf, undefined, buf, start, end, From.generated);
  }

  /**
   * ARP from a local port: the sender's binding is learned (for routing back to it); a request
   * for a gateway address is answered in place with the anycast MAC; a reply to the gateway
   * (to our glean) ends here.
   */
  private arp(gw: GatewayState, vs: VniState, ps: PortState, buf: Buffer, start: number, p: number, end: number): number {
    if (!isArpIpv4(buf, p, end)) return -1;
    const op = u16(buf, p + 6);
    const spa = u32(buf, p + 14);
    if (spa !== 0 && gw.inSubnet(4, buf, p + 14)) gw.learned4.set(spa, macKey(buf, p + 8));
    if (op === ArpOp.request && spa !== 0 && spa !== u32(buf, p + 24) && gw.isOwn(4, buf, p + 24)) {
      this.tellControlPlane(vs, 4, buf, start, p + 14, p + 24);
      arpReplyInPlace(buf, start, p, gw.macKey);
      gw.vrf.counters.gatewayArpAnswered++;
      this.host.deliver(ps, buf, start, end);
      return 1;
    }
    return op === ArpOp.reply && macKey(buf, start) === gw.macKey ? 1 : -1;
  }

  /** NS / NA from a local port: learn the sender; answer an NS for a gateway address (router flag set). */
  private neighbor6(gw: GatewayState, vs: VniState, ps: PortState, buf: Buffer, start: number, p: number, end: number): number {
    if (buf[p + 7] !== 255 || buf[p + 41] !== 0) return -1;
    const icmp = p + 40;
    if (buf[icmp] === Icmp6Type.neighborAdvertisement) {
      const tlla = end - icmp >= 32 && buf[icmp + 24] === 2 && buf[icmp + 25] === 1 ? icmp + 26 : start + 6;
      if (gw.inSubnet(6, buf, icmp + 8)) gw.learned6.set(buf.toString('latin1', icmp + 8, icmp + 24), macKey(buf, tlla));
      return macKey(buf, start) === gw.macKey ? 1 : -1;
    }
    let unspecified = true;
    for (let i = p + 8; i < p + 24; i++) if (buf[i] !== 0) unspecified = false;
    if (!unspecified && gw.inSubnet(6, buf, p + 8)) gw.learned6.set(buf.toString('latin1', p + 8, p + 24), macKey(buf, start + 6));
    if (!gw.isOwn(6, buf, icmp + 8)) return -1;
    if (unspecified) return 1; // a DAD probe for the gateway's address: it is ours, not to be claimed
    this.tellControlPlane(vs, 6, buf, start, p + 8, icmp + 8);
    const flags = NaFlag.router | NaFlag.override;
    if (p + 40 + naLength <= end) {
      this.host.deliver(ps, buf, start, neighborAdvertInPlace(buf, start, p, gw.macKey, flags));
    } else {
      // an NS without the source link-layer option is 8 bytes shorter than the NA
      const pool = this.host.pool;
      const slot = pool.acquire();
      if (slot < 0) return 0;
      const off = pool.frameOffset(slot);
      buf.copy(pool.memory, off, start, icmp + 24);
      this.host.deliver(ps, pool.memory, off, neighborAdvertInPlace(pool.memory, off, off + (p - start), gw.macKey, flags));
      pool.release(slot);
    }
    gw.vrf.counters.gatewayNdAnswered++;
    return 1;
  }

  /** The VNI's lookup hook learns the sender's binding from requests the gateway answers. */
  private tellControlPlane(vs: VniState, family: 4 | 6, buf: Buffer, start: number, senderIpOff: number, targetIpOff: number): void {
    if (vs.lookup === undefined) return;
    const fmt = family === 4 ? formatIp4 : formatIp6;
    const senderMacOff = family === 4 ? senderIpOff - 6 : start + 6;
    try {
      vs.lookup({ vni: vs.vni, family, senderMac: macKeyToText(macKey(buf, senderMacOff)), senderIp: fmt(buf, senderIpOff), targetIp: fmt(buf, targetIpOff) });
    } catch {
      /* the hook's failure is its own */
    }
  }
}
