/**
 * A small virtual host on a VNI, for tests and the demo: it answers ARP, Neighbor
 * Solicitations and ICMP/ICMPv6 echo for its addresses, and can resolve and ping (IPv4 and
 * IPv6). Not on the engine's hot path: it allocates its frames.
 */
import { formatIp4, formatIp6, parseIp } from './addr.js';
import { ArpOp, arpFrameLength, encodeArpFrame, isArpIpv4 } from './arp.js';
import { u16 } from './bytes.js';
import { checksum } from './checksum.js';
import { EtherType, encodeEthernetHeader, ethernetPayloadOffset } from './ethernet.js';
import { IcmpType, encodeIcmpEcho, icmpEchoReplyInPlace, icmpHeaderLength } from './icmp.js';
import {
  Icmp6Type, NaFlag, NdOption, decodeNeighborMessage, icmp6ChecksumValid, icmp6EchoReplyInPlace, naLength, ndLinkLayerOptionLength,
  ndMessageLength, neighborAdvertInPlace, setIcmp6Checksum,
} from './icmpv6.js';
import { IpProto, encodeIpv4Header, ipv4HeaderLength, ipv4HeaderLengthAt } from './ipv4.js';
import { encodeIpv6Header, ipv6HeaderLength, isIpv6At } from './ipv6.js';
import { macBytes, macKey, macKeyFromText, writeMacKey } from './mac.js';
import type { LocalPort, PortIngress } from './types.js';

/** Options of a virtual host. */
export interface VirtualHostOptions {
  readonly name?: string;
  readonly mac: string;
  /** The IPv4 address, optionally with its subnet ('10.1.0.5/24'; default /24 when a gateway is set). */
  readonly ipv4?: string;
  /** The IPv6 address, optionally with its subnet ('2001:db8:1::5/64'; default /64 when a gateway is set). */
  readonly ipv6?: string;
  /** IPv4 default gateway: off-subnet packets go to its MAC (resolved by ARP). */
  readonly gateway4?: string;
  /** IPv6 default gateway: off-subnet packets go to its MAC (resolved by NS). */
  readonly gateway6?: string;
}

/** What `ping` reports. */
export interface PingResult {
  readonly transmitted: number;
  readonly received: number;
  /** Round-trip times of the answered requests, in milliseconds. */
  readonly rttMs: readonly number[];
}

/** Counters of a virtual host. */
export class VirtualHostCounters {
  arpRequestsAnswered = 0;
  naSent = 0;
  echoRepliesSent = 0;
  echoRepliesReceived = 0;
  /** ICMP Time Exceeded (IPv4 type 11, ICMPv6 type 3) received. */
  timeExceededReceived = 0;
  /** Frames not for us or not understood. */
  ignored = 0;
}

const broadcast = Buffer.from('ffffffffffff', 'hex');
const zeroMac = Buffer.alloc(6);
const minFrame = 60;

/** A tiny IPv4/IPv6 host on a VNI. */
export class VirtualHost implements LocalPort {
  readonly name: string;
  readonly mac: Buffer;
  readonly counters = new VirtualHostCounters();
  /** IPv4 neighbours learned from ARP: address number → MAC key. */
  readonly neighbors = new Map<number, number>();
  private readonly macKey: number;
  private readonly ip4: Buffer | undefined;
  private readonly ip6: Buffer | undefined;
  /** Subnet lengths and default gateways (undefined: every destination is on-link). */
  private readonly len4: number;
  private readonly len6: number;
  private readonly gateway4: string | undefined;
  private readonly gateway6: string | undefined;
  private ingress: PortIngress | undefined;
  private readonly arpWaiters = new Map<number, () => void>();
  /** IPv6 neighbours learned from NA: address (latin1) → MAC key. */
  readonly neighbors6 = new Map<string, number>();
  private readonly ndWaiters = new Map<string, () => void>();
  private readonly echoWaiters = new Map<number, () => void>();
  private readonly echoId = process.pid & 0xffff;
  private echoSeq = 0;

  constructor(options: VirtualHostOptions) {
    this.name = options.name ?? `vhost-${options.ipv4 ?? options.ipv6 ?? options.mac}`;
    this.mac = macBytes(options.mac);
    this.macKey = macKeyFromText(options.mac);
    const [a4, l4] = splitPrefix(options.ipv4, 32, 24, options.gateway4);
    const [a6, l6] = splitPrefix(options.ipv6, 128, 64, options.gateway6);
    this.ip4 = a4 === undefined ? undefined : parseIp(a4).bytes;
    this.ip6 = a6 === undefined ? undefined : parseIp(a6).bytes;
    this.len4 = l4;
    this.len6 = l6;
    this.gateway4 = options.gateway4 === undefined ? undefined : parseIp(options.gateway4).text;
    this.gateway6 = options.gateway6 === undefined ? undefined : parseIp(options.gateway6).text;
    if (this.gateway4 !== undefined && this.ip4 === undefined) throw new TypeError('gateway4 needs an ipv4 address');
    if (this.gateway6 !== undefined && this.ip6 === undefined) throw new TypeError('gateway6 needs an ipv6 address');
  }

  /** The address to resolve for `dst`: itself when on-link, else the default gateway. */
  private nextHop(dst: { family: 4 | 6; bytes: Buffer; text: string }): string {
    const gw = dst.family === 4 ? this.gateway4 : this.gateway6;
    const own = dst.family === 4 ? this.ip4 : this.ip6;
    if (gw === undefined || own === undefined) return dst.text;
    const len = dst.family === 4 ? this.len4 : this.len6;
    for (let bit = 0; bit < len; bit++) {
      const m = 0x80 >> (bit & 7);
      if ((own[bit >> 3]! & m) !== (dst.bytes[bit >> 3]! & m)) return gw;
    }
    return dst.text;
  }

  connect(ingress: PortIngress | undefined): void {
    this.ingress = ingress;
  }

  deliver(buf: Buffer, start: number, end: number): void {
    const p = ethernetPayloadOffset(buf, start, end);
    if (p < 0 || (macKey(buf, start) !== this.macKey && (buf[start]! & 1) === 0)) {
      this.counters.ignored++;
      return;
    }
    const et = buf.readUInt16BE(p - 2);
    if (et === EtherType.arp && isArpIpv4(buf, p, end)) this.onArp(buf, p);
    else if (et === EtherType.ipv4) this.onIpv4(buf, start, p, end);
    else if (et === EtherType.ipv6) this.onIpv6(buf, start, p, end);
    else this.counters.ignored++;
  }

  private transmit(frame: Buffer): boolean {
    return this.ingress?.send(frame) ?? false;
  }

  private onArp(buf: Buffer, p: number): void {
    const op = buf.readUInt16BE(p + 6);
    const spa = buf.readUInt32BE(p + 14);
    const tpaMine = this.ip4 !== undefined && buf.readUInt32BE(p + 24) === this.ip4.readUInt32BE(0);
    // RFC 826 "Packet Reception": update an existing entry; add one when the request is for us
    if (spa !== 0 && (tpaMine || this.neighbors.has(spa))) this.neighbors.set(spa, macKey(buf, p + 8));
    if (op === ArpOp.request && tpaMine) {
      const frame = Buffer.alloc(minFrame);
      encodeArpFrame(buf.subarray(p + 8, p + 14), this.mac, {
        op: ArpOp.reply, senderMac: this.mac, senderIp: this.ip4!, targetMac: buf.subarray(p + 8, p + 14), targetIp: buf.subarray(p + 14, p + 18),
      }, frame, 0);
      this.counters.arpRequestsAnswered++;
      this.transmit(frame);
    } else if (op === ArpOp.reply) {
      this.arpWaiters.get(spa)?.();
    } else {
      this.counters.ignored++;
    }
  }

  private onIpv4(buf: Buffer, start: number, p: number, end: number): void {
    const hl = ipv4HeaderLengthAt(buf, p, end);
    if (hl < 0 || this.ip4 === undefined || buf.readUInt32BE(p + 16) !== this.ip4.readUInt32BE(0) ||
      buf[p + 9] !== IpProto.icmp || checksum(buf, p, p + hl) !== 0) {
      this.counters.ignored++;
      return;
    }
    const icmp = p + hl;
    const ipEnd = p + buf.readUInt16BE(p + 2);
    if (ipEnd - icmp < icmpHeaderLength || checksum(buf, icmp, ipEnd) !== 0) {
      this.counters.ignored++;
      return;
    }
    const type = buf[icmp]!;
    if (type === IcmpType.echoRequest) {
      // the delivered bytes are read-only: copy, then turn the copy around in place
      const frame = Buffer.from(buf.subarray(start, ipEnd));
      const ip = p - start;
      frame.copy(frame, 0, 6, 12);
      this.mac.copy(frame, 6);
      frame.copy(frame, ip + 16, ip + 12, ip + 16); // new destination = old source
      this.ip4!.copy(frame, ip + 12); // the header sum is unchanged: the same two words swapped
      icmpEchoReplyInPlace(frame, icmp - start);
      this.counters.echoRepliesSent++;
      this.transmit(frame);
    } else if (type === IcmpType.echoReply && buf.readUInt16BE(icmp + 4) === this.echoId) {
      this.counters.echoRepliesReceived++;
      this.echoWaiters.get(buf.readUInt16BE(icmp + 6))?.();
    } else if (type === IcmpType.timeExceeded) {
      this.counters.timeExceededReceived++;
    } else {
      this.counters.ignored++;
    }
  }

  private onIpv6(buf: Buffer, start: number, p: number, end: number): void {
    if (this.ip6 === undefined || !isIpv6At(buf, p, end) || buf[p + 6] !== IpProto.icmpv6 || !icmp6ChecksumValid(buf, p)) {
      this.counters.ignored++;
      return;
    }
    const icmp = p + ipv6HeaderLength;
    const ipEnd = icmp + buf.readUInt16BE(p + 4);
    const type = buf[icmp]!;
    if (type === Icmp6Type.neighborSolicitation && ipEnd - icmp >= 24 && buf[p + 7] === 255 &&
      this.ip6.equals(buf.subarray(icmp + 8, icmp + 24))) {
      if (buf.readBigUInt64BE(p + 8) === 0n && buf.readBigUInt64BE(p + 16) === 0n) return; // DAD probe for our address: we own it
      const frame = Buffer.alloc(Math.max(minFrame, icmp - start + naLength));
      buf.copy(frame, 0, start, icmp + 24);
      const naEnd = neighborAdvertInPlace(frame, 0, p - start, this.macKey, NaFlag.override);
      this.counters.naSent++;
      this.transmit(frame.subarray(0, Math.max(naEnd, minFrame)));
    } else if (type === Icmp6Type.neighborAdvertisement) {
      const m = decodeNeighborMessage(buf, icmp, ipEnd);
      if (m === undefined || m.linkLayer === undefined) {
        this.counters.ignored++;
        return;
      }
      const key = m.target.toString('latin1');
      this.neighbors6.set(key, macKey(m.linkLayer, 0));
      this.ndWaiters.get(key)?.();
    } else if (type === Icmp6Type.echoReply && u16(buf, icmp + 4) === this.echoId) {
      this.counters.echoRepliesReceived++;
      this.echoWaiters.get(u16(buf, icmp + 6))?.();
    } else if (type === 3) {
      this.counters.timeExceededReceived++; // ICMPv6 Time Exceeded (RFC 4443 3.3)
    } else if (type === Icmp6Type.echoRequest && this.ip6.equals(buf.subarray(p + 24, p + 40))) {
      const frame = Buffer.from(buf.subarray(start, ipEnd));
      frame.copy(frame, 0, 6, 12);
      this.mac.copy(frame, 6);
      icmp6EchoReplyInPlace(frame, p - start);
      this.counters.echoRepliesSent++;
      this.transmit(frame);
    } else {
      this.counters.ignored++;
    }
  }

  /** The MAC of an IPv4 neighbour, sending ARP requests (bounded: `tries`) until one answers. */
  async resolve(ip: string, options: { tries?: number; timeoutMs?: number } = {}): Promise<Buffer | undefined> {
    if (this.ip4 === undefined) throw new Error(`${this.name} has no IPv4 address`);
    const target = parseIp(ip).bytes;
    const n = target.readUInt32BE(0);
    for (let i = 0; i < (options.tries ?? 3); i++) {
      const known = this.neighbors.get(n);
      if (known !== undefined) {
        const b = Buffer.alloc(6);
        writeMacKey(b, 0, known);
        return b;
      }
      const frame = Buffer.alloc(Math.max(minFrame, arpFrameLength));
      encodeArpFrame(broadcast, this.mac, { op: ArpOp.request, senderMac: this.mac, senderIp: this.ip4, targetMac: zeroMac, targetIp: target }, frame, 0);
      await this.wait(this.arpWaiters, n, options.timeoutMs ?? 1000, () => this.transmit(frame));
    }
    const known = this.neighbors.get(n);
    if (known === undefined) return undefined;
    const b = Buffer.alloc(6);
    writeMacKey(b, 0, known);
    return b;
  }

  /**
   * The MAC of an IPv6 neighbour, sending Neighbor Solicitations to its solicited-node
   * multicast address (RFC 4861 7.2.2; bounded: `tries`) until one is answered.
   */
  async resolve6(ip: string, options: { tries?: number; timeoutMs?: number } = {}): Promise<Buffer | undefined> {
    if (this.ip6 === undefined) throw new Error(`${this.name} has no IPv6 address`);
    const target = parseIp(ip).bytes;
    const key = target.toString('latin1');
    for (let i = 0; i < (options.tries ?? 3) && !this.neighbors6.has(key); i++) {
      // ff02::1:ffXX:XXXX and 33:33:ff:XX:XX:XX (RFC 4291 2.7.1, RFC 2464 7)
      const snm = Buffer.from('ff0200000000000000000001ff000000', 'hex');
      target.copy(snm, 13, 13);
      const frame = Buffer.alloc(14 + ipv6HeaderLength + ndMessageLength + ndLinkLayerOptionLength);
      let off = encodeEthernetHeader({ dst: Buffer.from([0x33, 0x33, 0xff, target[13]!, target[14]!, target[15]!]), src: this.mac, etherType: EtherType.ipv6 }, frame, 0);
      off = encodeIpv6Header({ src: this.ip6, dst: snm, nextHeader: IpProto.icmpv6, payloadLength: ndMessageLength + ndLinkLayerOptionLength, hopLimit: 255 }, frame, off);
      frame[off] = Icmp6Type.neighborSolicitation;
      target.copy(frame, off + 8);
      frame[off + 24] = NdOption.sourceLinkLayer;
      frame[off + 25] = 1;
      this.mac.copy(frame, off + 26);
      setIcmp6Checksum(frame, 14);
      await this.wait(this.ndWaiters, key, options.timeoutMs ?? 1000, () => this.transmit(frame));
    }
    const known = this.neighbors6.get(key);
    if (known === undefined) return undefined;
    const b = Buffer.alloc(6);
    writeMacKey(b, 0, known);
    return b;
  }

  /**
   * Pings an IPv4 or IPv6 address `count` times (one outstanding request at a time, like
   * ping(8)); off-subnet addresses through the default gateway. `ttl`: the IPv4 TTL / IPv6 hop
   * limit of the requests (default 64).
   */
  async ping(ip: string, options: { count?: number; timeoutMs?: number; intervalMs?: number; size?: number; ttl?: number } = {}): Promise<PingResult> {
    const count = options.count ?? 3;
    const timeoutMs = options.timeoutMs ?? 1000;
    const dst = parseIp(ip);
    const via = this.nextHop(dst);
    const mac = dst.family === 4 ? await this.resolve(via, { timeoutMs }) : await this.resolve6(via, { timeoutMs });
    const rttMs: number[] = [];
    if (mac === undefined) return { transmitted: 0, received: 0, rttMs };
    const data = Buffer.alloc(options.size ?? 56);
    for (let i = 0; i < count; i++) {
      const seq = this.echoSeq = (this.echoSeq + 1) & 0xffff;
      data.writeUInt32BE(seq, 0);
      const ipLen = dst.family === 4 ? ipv4HeaderLength : ipv6HeaderLength;
      const frame = Buffer.alloc(Math.max(minFrame, 14 + ipLen + icmpHeaderLength + data.length));
      let off = encodeEthernetHeader({ dst: mac, src: this.mac, etherType: dst.family === 4 ? EtherType.ipv4 : EtherType.ipv6 }, frame, 0);
      if (dst.family === 4) {
        off = encodeIpv4Header({ src: this.ip4!, dst: dst.bytes, protocol: IpProto.icmp, payloadLength: icmpHeaderLength + data.length, id: seq, ttl: options.ttl ?? 64 }, frame, off);
        encodeIcmpEcho(IcmpType.echoRequest, this.echoId, seq, data, frame, off);
      } else {
        if (this.ip6 === undefined) throw new Error(`${this.name} has no IPv6 address`);
        off = encodeIpv6Header({ src: this.ip6, dst: dst.bytes, nextHeader: IpProto.icmpv6, payloadLength: icmpHeaderLength + data.length, hopLimit: options.ttl ?? 64 }, frame, off);
        encodeIcmpEcho(Icmp6Type.echoRequest, this.echoId, seq, data, frame, off);
        setIcmp6Checksum(frame, 14);
      }
      const t0 = performance.now();
      if (await this.wait(this.echoWaiters, seq, timeoutMs, () => this.transmit(frame))) rttMs.push(performance.now() - t0);
      if (i + 1 < count && options.intervalMs) await new Promise((r) => setTimeout(r, options.intervalMs));
    }
    return { transmitted: count, received: rttMs.length, rttMs };
  }

  /** Registers a waiter, runs `send`, resolves true when answered or false after `timeoutMs`. */
  private wait<K>(waiters: Map<K, () => void>, key: K, timeoutMs: number, send: () => void): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        waiters.delete(key);
        resolve(false);
      }, timeoutMs);
      waiters.set(key, () => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve(true);
      });
      send();
    });
  }

  /** Text of this host's IPv6 address, if any. */
  get ipv6(): string | undefined {
    return this.ip6 === undefined ? undefined : formatIp6(this.ip6, 0);
  }

  /** Text of this host's IPv4 address, if any. */
  get ipv4(): string | undefined {
    return this.ip4 === undefined ? undefined : formatIp4(this.ip4, 0);
  }
}

/** Splits 'addr/len' into the address and length (default: `withGateway` when a gateway is set, else all bits). */
function splitPrefix(text: string | undefined, bits: number, withGateway: number, gateway: string | undefined): [string | undefined, number] {
  if (text === undefined) return [undefined, bits];
  const slash = text.indexOf('/');
  if (slash < 0) return [text, gateway === undefined ? bits : withGateway];
  const len = Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > bits || !/^\s*\d+\s*$/.test(text.slice(slash + 1))) throw new RangeError(`bad prefix length: ${text}`);
  return [text.slice(0, slash), len];
}
