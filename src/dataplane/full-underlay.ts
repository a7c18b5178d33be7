/**
 * The full-packet underlay: every outer header (Ethernet, IPv4/IPv6, UDP, VXLAN) is written
 * into the headroom in front of the frame and the whole packet goes to a sink: a raw socket,
 * a TAP device, or a pcap file (see pcap.ts). Packets read from such a source come back in
 * through `receive`.
 *
 * A frame from the engine's pool (or from `BufferPool.alloc`) has headroom: the headers are
 * written in place and the frame is not copied. The fastest form is `pool.memory` with the
 * frame's offsets (`pool.acquire()` + `pool.frameOffset(slot)`): no view object, no getters. A frame without headroom is copied once into a
 * staging slot (counted in `copies`), once per flood: replicas of one BUM frame rewrite only
 * the headers.
 */
import { macBytes } from './mac.js';
import { parseIp } from './addr.js';
import { BufferPool } from './pool.js';
import type { RemoteVtep, Underlay, UnderlayReceiver, VniTx } from './types.js';
import { entropyPort } from './entropy.js';
import { DecapResult, DecapStatus, type DecapOptions, OuterTemplate, decapFull, vxlanHeaderLength, vxlanPort } from './vxlan.js';
import { ipv4HeaderLength } from './ipv4.js';
import { ipv6HeaderLength } from './ipv6.js';
import { udpHeaderLength } from './udp.js';

/** Receives one whole outer packet `buf[start..end)`; it must be done with the bytes when it returns. */
export type PacketSink = (buf: Buffer, start: number, end: number) => void;

/** Options of the full-packet underlay. */
export interface FullUnderlayOptions {
  /** Our VTEP address (IPv4 and/or IPv6). */
  readonly localIp4?: string;
  readonly localIp6?: string;
  /** Our underlay interface MAC. */
  readonly localMac: string;
  /** The next hop's MAC toward a remote VTEP (default: `gatewayMac`). */
  readonly nextHopMac?: (vtep: string) => string;
  readonly gatewayMac?: string;
  readonly sink: PacketSink;
  /** Pool whose frames have headroom; also used for copies (default: 256 slots). */
  readonly pool?: BufferPool;
  readonly udp6Checksum?: 'compute' | 'zero';
  readonly port?: number;
  readonly ttl?: number;
}

/** Counters of the full-packet underlay. */
export class FullUnderlayCounters {
  txPackets = 0;
  /** Frames without headroom that were copied into a slot. */
  copies = 0;
  /** Sends dropped: no pool slot, or no local address of the remote's family. */
  drops = 0;
  rxPackets = 0;
}

export class FullUnderlay implements Underlay {
  readonly counters = new FullUnderlayCounters();
  readonly pool: BufferPool;
  private receiver: UnderlayReceiver | undefined;
  private readonly result = new DecapResult();
  private readonly local4: Buffer | undefined;
  private readonly local6: Buffer | undefined;
  private readonly localMac: Buffer;
  private readonly decapOptions: DecapOptions;
  private readonly memBuffer: ArrayBufferLike;
  private readonly memOffset: number;
  /** The slot where frames without headroom are staged, and which frame is in it. */
  private readonly staging: number;
  private stagedBuf: Buffer | undefined;
  private stagedStart = 0;
  private stagedEnd = 0;

  constructor(private readonly options: FullUnderlayOptions) {
    this.pool = options.pool ?? new BufferPool({ slots: 256, frameSize: 9216 });
    this.local4 = options.localIp4 === undefined ? undefined : parseIp(options.localIp4).bytes;
    this.local6 = options.localIp6 === undefined ? undefined : parseIp(options.localIp6).bytes;
    this.localMac = macBytes(options.localMac);
    this.decapOptions = { port: options.port ?? vxlanPort };
    this.memBuffer = this.pool.memory.buffer;
    this.memOffset = this.pool.memory.byteOffset;
    this.staging = this.pool.acquire();
    if (this.staging < 0) throw new RangeError('the pool has no free slot for staging');
  }

  attach(receiver: UnderlayReceiver): void {
    this.receiver = receiver;
  }

  overhead(family: 4 | 6): number {
    return (family === 4 ? ipv4HeaderLength : ipv6HeaderLength) + udpHeaderLength + vxlanHeaderLength;
  }

  /** The outer header template for a remote VTEP (built on first use, kept on the VTEP). */
  private template(remote: RemoteVtep): OuterTemplate | undefined {
    const t = remote.underlayState;
    if (t instanceof OuterTemplate) return t;
    const src = remote.family === 4 ? this.local4 : this.local6;
    if (src === undefined) return undefined;
    const o = this.options;
    const nh = o.nextHopMac?.(remote.address) ?? o.gatewayMac;
    if (nh === undefined) throw new Error(`no next-hop MAC for ${remote.address}`);
    const tmpl = new OuterTemplate({
      dstMac: macBytes(nh), srcMac: this.localMac, srcIp: src, dstIp: remote.bytes,
      udp6Checksum: o.udp6Checksum ?? 'compute', dstPort: o.port ?? vxlanPort, ...(o.ttl === undefined ? {} : { ttl: o.ttl }),
    });
    remote.underlayState = tmpl;
    return tmpl;
  }

  send(remote: RemoteVtep, vni: VniTx, buf: Buffer, start: number, end: number, flowHash: number, replica = 0): boolean {
    const tmpl = this.template(remote);
    const c = this.counters;
    if (tmpl === undefined) {
      c.drops++;
      return false;
    }
    const pool = this.pool;
    const mem = pool.memory;
    const port = entropyPort(flowHash);
    const len = end - start;
    // pool memory itself (cheapest: no getters), or a view into it (`.buffer` and `.byteOffset`
    // are ~20 ns getters each): work in pool coordinates, where the headroom is addressable
    const abs = buf === mem ? start : buf.buffer === this.memBuffer ? buf.byteOffset - this.memOffset + start : -1;
    if (abs >= 0) {
      const inSlot = abs % pool.slotSize;
      if (inSlot >= tmpl.overhead && inSlot + len <= pool.slotSize) {
        this.options.sink(mem, tmpl.encap(mem, abs, abs + len, vni.vni, port), abs + len);
        c.txPackets++;
        return true;
      }
    }
    // no headroom: stage the frame once in our slot; further replicas of the same flood reuse it
    if (len > pool.frameSize) {
      c.drops++;
      return false;
    }
    const off = pool.frameOffset(this.staging);
    if (replica === 0 || this.stagedBuf !== buf || this.stagedStart !== start || this.stagedEnd !== end) {
      buf.copy(mem, off, start, end);
      c.copies++;
      this.stagedBuf = buf;
      this.stagedStart = start;
      this.stagedEnd = end;
    }
    const p = tmpl.encap(mem, off, off + len, vni.vni, port);
    this.options.sink(mem, p, off + len);
    c.txPackets++;
    return true;
  }

  /** A whole outer packet from the wire (or a pcap file): decapsulated and handed to the engine. */
  receive(buf: Buffer, start = 0, end = buf.length): void {
    this.counters.rxPackets++;
    const r = this.receiver;
    if (r === undefined) return;
    const res = this.result;
    const status = decapFull(buf, start, end, res, this.decapOptions);
    if (status === DecapStatus.ok) r.receive(res.vni, buf, res.frameStart, res.frameEnd);
    else r.rejected(status);
  }

  async close(): Promise<void> {
    /* the sink belongs to the caller */
  }
}
