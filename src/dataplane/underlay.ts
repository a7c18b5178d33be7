/**
 * The UDP underlay: VXLAN in UDP-payload mode over node:dgram, IPv4 and IPv6.
 *
 * - One socket per family listens on port 4789 (RFC 7348 section 5) and decapsulates.
 * - Sends leave from a few source ports in 49152–65535; the inner flow hash picks the port, so
 *   the UDP source port carries the flow entropy RFC 7348 asks for.
 * - Per remote VTEP the underlay opens one *connected* socket per source port (SO_REUSEADDR on
 *   the shared port). A send on a connected socket needs no address lookup and goes to the
 *   kernel before `send` returns (Node defers unconnected sends to the next tick), so the
 *   caller may reuse its frame Buffer at once. Until those sockets are up (a few ms after a VTEP
 *   first appears) a send copies the datagram and goes out unconnected.
 * - A send is scatter-gather: `[vxlan header of the VNI, frame]`. The header is one shared
 *   8-byte Buffer per VNI, the frame is the caller's; replicas of a BUM frame send the same two
 *   Buffers again. Nothing is copied by us (the kernel copies into its socket buffer).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { RemoteVtep, Underlay, UnderlayReceiver, VniTx } from './types.js';
import { DecapResult, DecapStatus, decapUdpPayload, vxlanHeaderLength, vxlanPort } from './vxlan.js';
import { entropyPortCount, entropyPortMin } from './entropy.js';
import { ipv4HeaderLength } from './ipv4.js';
import { ipv6HeaderLength } from './ipv6.js';
import { udpHeaderLength } from './udp.js';
import type { PcapWriter } from './pcap.js';
import { traceDatagram } from './trace.js';

/** Options of the UDP underlay. Give at least one address. */
export interface UdpUnderlayOptions {
  /** Local IPv4 address to bind (`0.0.0.0` for all). */
  readonly address4?: string;
  /** Local IPv6 address to bind (`::` for all). */
  readonly address6?: string;
  /** The port to listen on (default 4789). */
  readonly port?: number;
  /** The destination port of sent packets (default 4789). */
  readonly remotePort?: number;
  /** Source sockets per family, each on its own port in 49152–65535 (default 4). */
  readonly sourcePorts?: number;
}

/** Counters of the UDP underlay. */
export class UdpUnderlayCounters {
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  /** Asynchronous send errors reported by the sockets. */
  sendErrors = 0;
  /** Sends attempted for a family without sockets. */
  noSocket = 0;
  /** Sends that went out unconnected (copied) while a VTEP's connected sockets were coming up. */
  unconnectedSends = 0;
  /** Connected sockets that could not be opened. */
  connectErrors = 0;
  /** Remote VTEPs whose connected sockets are up. */
  connectedRemotes = 0;
}

/** What the UDP underlay keeps per remote VTEP (in `RemoteVtep.underlayState`). */
class UdpRemoteState {
  /** Connected sockets, one per source port, once all are up. */
  socks: Socket[] = [];
  constructor(readonly owner: UdpUnderlay) {}
  /** Sockets do not serialize: a RemoteVtep printed as JSON shows a summary. */
  toJSON(): { connectedSockets: number } {
    return { connectedSockets: this.socks.length };
  }
}

const empty = Buffer.alloc(0);

function bind(sock: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    sock.once('error', onError);
    sock.bind({ port, address }, () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

/** The VXLAN UDP underlay. Create it with `UdpUnderlay.open`. */
export class UdpUnderlay implements Underlay {
  readonly counters = new UdpUnderlayCounters();
  private receiver: UnderlayReceiver | undefined;
  private readonly result = new DecapResult();
  private readonly list: Buffer[] = [empty, empty];
  private readonly rx: Socket[] = [];
  private readonly tx4: Socket[] = [];
  private readonly tx6: Socket[] = [];
  private readonly connected: Socket[] = [];
  private readonly remotePort: number;
  private closed = false;
  private tracer: PcapWriter | undefined;

  private constructor(options: UdpUnderlayOptions) {
    this.remotePort = options.remotePort ?? vxlanPort;
  }

  /** Binds the listening and source sockets. */
  static async open(options: UdpUnderlayOptions): Promise<UdpUnderlay> {
    if (options.address4 === undefined && options.address6 === undefined) throw new TypeError('UdpUnderlay needs address4 or address6');
    const u = new UdpUnderlay(options);
    try {
      for (const [family, address] of [[4, options.address4], [6, options.address6]] as const) {
        if (address === undefined) continue;
        const type = family === 4 ? 'udp4' : 'udp6';
        const rx = createSocket({ type, ipv6Only: family === 6 });
        u.rx.push(rx);
        rx.on('message', (msg: Buffer, rinfo: RemoteInfo) => u.onMessage(msg, rinfo, rx));
        rx.on('error', () => { u.counters.sendErrors++; });
        await bind(rx, options.port ?? vxlanPort, address);
        const list = family === 4 ? u.tx4 : u.tx6;
        const want = options.sourcePorts ?? 4;
        // candidate ports spread over the range, starting at a per-process offset
        let candidate = (process.pid * 7919) % entropyPortCount;
        for (let tries = 0; list.length < want && tries < want * 32; tries++) {
          const port = entropyPortMin + candidate;
          candidate = (candidate + 4099) % entropyPortCount;
          const s = createSocket({ type, ipv6Only: family === 6, reuseAddr: true });
          try {
            await bind(s, port, address);
          } catch {
            s.close();
            continue;
          }
          s.on('error', () => { u.counters.sendErrors++; });
          // nothing is expected on a source port; drain anything that comes
          s.on('message', () => {});
          list.push(s);
        }
        if (list.length === 0) throw new Error(`no free source port in ${entropyPortMin}-65535 on ${address}`);
      }
    } catch (e) {
      await u.close();
      throw e;
    }
    return u;
  }

  /** The local source ports in use (all in 49152–65535). */
  sourcePorts(family: 4 | 6): number[] {
    return (family === 4 ? this.tx4 : this.tx6).map((s) => s.address().port);
  }

  attach(receiver: UnderlayReceiver): void {
    this.receiver = receiver;
  }

  overhead(family: 4 | 6): number {
    return (family === 4 ? ipv4HeaderLength : ipv6HeaderLength) + udpHeaderLength + vxlanHeaderLength;
  }

  /** Opens the connected sockets for a VTEP before its first packet (the engine calls it). */
  prepare(remote: RemoteVtep): void {
    this.state(remote);
  }

  private state(remote: RemoteVtep): UdpRemoteState {
    const st = remote.underlayState;
    if (st instanceof UdpRemoteState && st.owner === this) return st;
    const fresh = new UdpRemoteState(this);
    remote.underlayState = fresh;
    void this.connectRemote(remote, fresh);
    return fresh;
  }

  private async connectRemote(remote: RemoteVtep, st: UdpRemoteState): Promise<void> {
    const base = remote.family === 4 ? this.tx4 : this.tx6;
    const socks: Socket[] = [];
    for (const b of base) {
      const local = b.address();
      const s = createSocket({ type: remote.family === 4 ? 'udp4' : 'udp6', ipv6Only: remote.family === 6, reuseAddr: true });
      s.on('error', () => { this.counters.sendErrors++; });
      s.on('message', () => {});
      try {
        await bind(s, local.port, local.address);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.connect(this.remotePort, remote.address, () => {
            s.off('error', reject);
            resolve();
          });
        });
        socks.push(s);
      } catch {
        this.counters.connectErrors++;
        s.close();
      }
    }
    if (this.closed || socks.length !== base.length) {
      for (const s of socks) s.close();
      return;
    }
    this.connected.push(...socks);
    st.socks = socks;
    this.counters.connectedRemotes++;
  }

  send(remote: RemoteVtep, vni: VniTx, buf: Buffer, start: number, end: number, flowHash: number): boolean {
    const us = remote.underlayState;
    const st = us instanceof UdpRemoteState && us.owner === this ? us : this.state(remote);
    const list = this.list;
    list[0] = vni.header;
    list[1] = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
    const socks = st.socks;
    const n = socks.length;
    if (n > 0) {
      // connected: handed to the kernel before send returns; dgram copies the list array
      const s = socks[(flowHash >>> 0) % n]!;
      s.send(list);
      if (this.tracer !== undefined) this.traceSend(s, remote, list);
    } else {
      const base = remote.family === 4 ? this.tx4 : this.tx6;
      if (base.length === 0) {
        list[1] = empty;
        this.counters.noSocket++;
        return false;
      }
      // unconnected sends leave on a later tick: give dgram its own copy
      const s = base[(flowHash >>> 0) % base.length]!;
      s.send(Buffer.concat(list), this.remotePort, remote.address);
      if (this.tracer !== undefined) this.traceSend(s, remote, list);
      this.counters.unconnectedSends++;
    }
    list[1] = empty;
    this.counters.txPackets++;
    return true;
  }

  /**
   * Records every datagram sent and received from now on into `writer` as full packets
   * (undefined stops). Tracing copies each packet; leave it off in production.
   */
  trace(writer: PcapWriter | undefined): void {
    this.tracer = writer;
  }

  private traceSend(s: Socket, remote: RemoteVtep, list: readonly Buffer[]): void {
    const local = s.address();
    traceDatagram(this.tracer!, local.address, local.port, remote.address, this.remotePort, list);
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo, rx: Socket): void {
    if (this.tracer !== undefined) {
      const local = rx.address();
      traceDatagram(this.tracer, rinfo.address, rinfo.port, local.address, local.port, [msg]);
    }
    const c = this.counters;
    c.rxPackets++;
    c.rxBytes += msg.length;
    const r = this.receiver;
    if (r === undefined) return;
    const res = this.result;
    const status = decapUdpPayload(msg, 0, msg.length, res);
    if (status === DecapStatus.ok) r.receive(res.vni, msg, res.frameStart, res.frameEnd);
    else r.rejected(status);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connected, ...this.rx, ...this.tx4, ...this.tx6];
    this.rx.length = this.tx4.length = this.tx6.length = this.connected.length = 0;
    await Promise.all(all.map((s) => new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve();
      }
    })));
  }
}
