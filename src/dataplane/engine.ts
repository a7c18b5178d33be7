/**
 * The forwarding engine: per-VNI MAC tables, ingress replication, ARP/ND suppression, local
 * MAC reports and MTU checks. It implements `Dataplane` (programmed by the VTEP manager) and
 * `UnderlayReceiver` (fed by an underlay).
 *
 * Local frame → source MAC learned (reported once) → ARP/NS answered from the table, or →
 * destination MAC: a local port (switched), a remote VTEP (encapsulated), or BUM/unknown
 * (delivered to the other local ports and replicated to every VTEP on the flood list: the
 * underlay sends one frame per replica with a shared header, never a copy).
 * Underlay frame → VNI → destination MAC: its local port, or every local port. Split horizon
 * (RFC 7432 8.3 / RFC 8365 8): nothing from the overlay is sent back into it.
 *
 * The hot path keys tables by numbers (a MAC is a 48-bit number from two loads) and
 * allocates nothing of its own.
 */
import { EngineCounters, type PortCounters, type VniCounters } from './counters.js';
import { EtherType, ethernetPayloadOffset } from './ethernet.js';
import { flowHash } from './entropy.js';
import { Icmp6Type } from './icmpv6.js';
import { IpProto } from './ipv4.js';
import { ipv6HeaderLength } from './ipv6.js';
import { macKey, macKeyFromText } from './mac.js';
import { BufferPool } from './pool.js';
import { suppressArp, suppressNd } from './suppression.js';
import type {
  Dataplane, IpText, LocalMacEvent, LocalMacListener, LocalPort, MacText, NeighborLookup, RemoteVtep, Underlay, UnderlayReceiver, VniOptions, VniTx,
} from './types.js';
import { decapStatusName } from './vxlan.js';
import { u16 } from './bytes.js';
import { PortState, VniState, checkVni, type VniSnapshot } from './vni-state.js';
import { EngineL3 } from './l3.js';
import { LocalMacListeners, RemoteVteps } from './engine-parts.js';

export type { VniSnapshot };

/** What an encapsulation counts (VNI or VRF counters). */
type EncapCounters = Pick<VniCounters, 'encapFrames' | 'encapBytes' | 'mtuDrops' | 'sendErrors'>;

/** Options of the engine. */
export interface EngineOptions {
  /** The transport; can also be given later with `setUnderlay`. */
  readonly underlay?: Underlay;
  /** The underlay IP MTU (default 1500): frames whose packet would exceed it are dropped and counted. */
  readonly underlayMtu?: number;
  /** Slots for replies that do not fit in place (an NS without options). Default: a small pool. */
  readonly pool?: BufferPool;
}

/** The VXLAN forwarding engine. */
export class VxlanEngine implements Dataplane, UnderlayReceiver {
  readonly counters = new EngineCounters();
  /** Distributed layer 3 (issue 14): VRFs, anycast gateways, routes (`L3Dataplane`). */
  readonly l3: EngineL3;
  private readonly vnis = new Map<number, VniState>();
  private readonly vteps = new RemoteVteps();
  private readonly ports = new Map<LocalPort, PortState>();
  private readonly listeners = new LocalMacListeners();
  private readonly pool: BufferPool;
  private readonly underlayMtu: number;
  private underlay: Underlay | undefined;
  private maxFrame4 = 0;
  private maxFrame6 = 0;

  constructor(options: EngineOptions = {}) {
    this.underlayMtu = options.underlayMtu ?? 1500;
    this.pool = options.pool ?? new BufferPool({ slots: 16, frameSize: 2048 });
    this.l3 = new EngineL3({
      pool: this.pool,
      vniState: (vni) => this.vnis.get(vni),
      remote: (address) => this.vtep(address),
      deliver: (ps, buf, start, end) => this.deliver(ps, buf, start, end),
      encap: (tx, c, r, buf, start, end, hash) => this.encap(tx, c, r, buf, start, end, hash),
      flood: (vs, from, buf, start, end, overlay) => this.flood(vs, from, buf, start, end, overlay),
    });
    if (options.underlay !== undefined) this.setUnderlay(options.underlay);
  }

  /** Connects the engine to its underlay (once). */
  setUnderlay(underlay: Underlay): void {
    this.underlay = underlay;
    // the inner frame may use what the outer IP, UDP and VXLAN headers leave of the MTU
    this.maxFrame4 = this.underlayMtu - underlay.overhead(4);
    this.maxFrame6 = this.underlayMtu - underlay.overhead(6);
    underlay.attach(this);
    this.vteps.setUnderlay(underlay);
  }

  // ---- Dataplane: configuration (text at the edge, converted once) ----

  addVni(vni: number, options: VniOptions = {}): void {
    checkVni(vni);
    const vs = this.vnis.get(vni);
    if (vs !== undefined) {
      if (options.suppressArp !== undefined) vs.suppress = options.suppressArp;
      return;
    }
    const created = new VniState(vni, options.suppressArp ?? true, options.expectedMacs);
    this.l3.vniChanged(vni, created); // throws for a VRF's L3VNI
    this.vnis.set(vni, created);
  }

  removeVni(vni: number): void {
    const vs = this.vnis.get(vni);
    if (vs === undefined) return;
    for (const ps of vs.ports.slice()) this.detachPort(ps.port);
    this.l3.vniChanged(vni, undefined);
    this.vnis.delete(vni);
  }

  setRemoteMac(vni: number, mac: MacText, vtep: IpText): void {
    const vs = this.vni(vni);
    const key = macKeyFromText(mac);
    // the control plane decided the MAC lives behind another VTEP now (RFC 7432 15: a higher
    // sequence won): a local entry would keep switching its frames to the old port
    vs.local.delete(key);
    vs.remote.set(key, this.vtep(vtep));
  }

  forgetLocalMac(vni: number, mac: MacText): void {
    const vs = this.vnis.get(vni);
    if (vs === undefined) return;
    const key = macKeyFromText(mac);
    const ps = vs.local.get(key);
    if (ps === undefined) return;
    vs.local.delete(key);
    ps.macs.delete(key);
  }

  removeRemoteMac(vni: number, mac: MacText): void {
    this.vnis.get(vni)?.remote.delete(macKeyFromText(mac));
  }

  setFloodList(vni: number, vteps: readonly IpText[]): void {
    const vs = this.vni(vni);
    const list: RemoteVtep[] = [];
    for (const v of vteps) {
      const r = this.vtep(v);
      if (!list.includes(r)) list.push(r);
    }
    vs.flood = list;
  }

  attachPort(vni: number, port: LocalPort): void {
    const vs = this.vni(vni);
    if (this.ports.has(port)) throw new Error(`port ${port.name} is already attached`);
    const ps = new PortState(this, port, vs);
    this.ports.set(port, ps);
    vs.ports.push(ps);
    port.connect?.(ps);
  }

  detachPort(port: LocalPort): void {
    const ps = this.ports.get(port);
    if (ps === undefined) return;
    this.ports.delete(port);
    const vs = ps.vni;
    vs.ports.splice(vs.ports.indexOf(ps), 1);
    for (const key of ps.macs) {
      if (vs.local.get(key) === ps) vs.local.delete(key);
      this.emit(vs.vni, key, ps, 'removed');
    }
    ps.macs.clear();
    port.connect?.(undefined);
  }

  setArpEntry(vni: number, ip: IpText, mac: MacText): void {
    this.vni(vni).setArp(ip, macKeyFromText(mac));
  }

  removeArpEntry(vni: number, ip: IpText): void {
    const vs = this.vnis.get(vni);
    if (vs !== undefined) this.l3.forgetBinding(vs, vs.removeArp(ip));
  }

  setArpLookup(vni: number, lookup: NeighborLookup | undefined): void {
    this.vni(vni).lookup = lookup;
  }

  onLocalMac(listener: LocalMacListener): () => void {
    return this.listeners.add(listener);
  }

  /**
   * MAC aging: removes the local MACs that sent no frame since the previous call and reports
   * them as 'removed'. Call it every T (e.g. 150 s for the usual 300 s ageing time): an idle
   * MAC goes after T to 2T. The engine keeps no timer of its own (the caller owns the clock).
   * Returns how many MACs aged out.
   */
  ageLocalMacs(): number {
    let n = 0;
    for (const vs of this.vnis.values()) {
      vs.local.sweep((key, ps) => {
        vs.local.delete(key);
        ps.macs.delete(key);
        this.emit(vs.vni, key, ps, 'removed');
        n++;
      });
    }
    return n;
  }

  // ---- reading state ----

  /** The counters of a VNI (live object), or undefined. */
  vniCounters(vni: number): Readonly<VniCounters> | undefined {
    return this.vnis.get(vni)?.counters;
  }

  /** The counters of an attached port (live object), or undefined. */
  portCounters(port: LocalPort): Readonly<PortCounters> | undefined {
    return this.ports.get(port)?.counters;
  }

  /** A remote VTEP's state (with its tx counters), or undefined when never used. */
  remoteVtep(address: IpText): Readonly<RemoteVtep> | undefined {
    return this.vteps.find(address);
  }

  /** A copy of a VNI's tables. */
  snapshot(vni: number): VniSnapshot | undefined {
    const vs = this.vnis.get(vni);
    return vs === undefined ? undefined : vs.snapshot();
  }

  async close(): Promise<void> {
    for (const port of [...this.ports.keys()]) this.detachPort(port);
    await this.underlay?.close();
  }

  // ---- hot path: frames from local ports ----

  /** A frame from a local port (internal: called through the port's ingress). */
  fromPort(ps: PortState, buf: Buffer, start: number, end: number): boolean {
    const pc = ps.counters;
    pc.rxFrames++;
    pc.rxBytes += end - start;
    const vs = ps.vni;
    const p = ethernetPayloadOffset(buf, start, end);
    if (p < 0) {
      pc.drops++;
      vs.counters.malformed++;
      return false;
    }
    if ((buf[start + 6]! & 1) === 0) {
      if (vs.local.touchAt(buf, start + 6) !== ps) this.learn(vs, ps, macKey(buf, start + 6));
    }
    if (vs.gw !== undefined) {
      // the VNI routes: frames to the gateway MAC, ARP/ND for the gateway (l3-forward.ts)
      const r = this.l3.fromPort(vs, ps, buf, start, p, end);
      if (r >= 0) {
        if (r === 0) pc.drops++;
        return r === 1;
      }
    }
    if (vs.suppress) {
      const et = u16(buf, p - 2);
      if (et === EtherType.arp) {
        if (suppressArp(this, vs, ps, buf, start, p, end)) return true;
      } else if (et === EtherType.ipv6 && end - p >= ipv6HeaderLength + 24 && buf[p + 6] === IpProto.icmpv6 && buf[p + 40] === Icmp6Type.neighborSolicitation) {
        if (suppressNd(this, this.pool, vs, ps, buf, start, p, end)) return true;
      }
    }
    if ((buf[start]! & 1) === 1) return this.flood(vs, ps, buf, start, end);
    const lp = vs.local.getAt(buf, start);
    if (lp !== undefined) {
      if (lp === ps) {
        pc.drops++;
        return false;
      }
      vs.counters.localSwitched++;
      this.deliver(lp, buf, start, end);
      return true;
    }
    const r = vs.remote.getAt(buf, start);
    if (r !== undefined) {
      const ok = this.encap(vs.tx, vs.counters, r, buf, start, end, flowHash(buf, start, end));
      if (!ok) pc.drops++;
      return ok;
    }
    vs.counters.unknownUnicast++;
    return this.flood(vs, ps, buf, start, end);
  }

  /** BUM from a local port (or the gateway): the other local ports, then (`overlay`) one replica per VTEP on the flood list. */
  private flood(vs: VniState, from: PortState | undefined, buf: Buffer, start: number, end: number, overlay = true): boolean {
    const ports = vs.ports;
    for (let i = 0; i < ports.length; i++) {
      const lp = ports[i]!;
      if (lp !== from) this.deliver(lp, buf, start, end);
    }
    const list = vs.flood;
    if (list.length === 0 || !overlay) return true;
    const hash = flowHash(buf, start, end);
    let sent = 0;
    for (let i = 0; i < list.length; i++) if (this.encap(vs.tx, vs.counters, list[i]!, buf, start, end, hash, sent)) sent++;
    vs.counters.floodReplicas += sent;
    if (sent < list.length && from !== undefined) from.counters.drops++;
    return sent > 0 || ports.length > 1;
  }

  /** Sends in `tx` (an L2VNI, or a VRF's L3VNI) to `r`, counting into `c`. */
  private encap(tx: VniTx, c: EncapCounters, r: RemoteVtep, buf: Buffer, start: number, end: number, hash: number, replica = 0): boolean {
    const len = end - start;
    const u = this.underlay;
    if (u === undefined) {
      c.sendErrors++;
      return false;
    }
    // RFC 7348 4.3: VTEPs MUST NOT fragment VXLAN packets; too big for the underlay is dropped
    if (len > (r.family === 4 ? this.maxFrame4 : this.maxFrame6)) {
      c.mtuDrops++;
      return false;
    }
    if (!u.send(r, tx, buf, start, end, hash, replica)) {
      c.sendErrors++;
      return false;
    }
    c.encapFrames++;
    c.encapBytes += len;
    r.txPackets++;
    r.txBytes += len;
    return true;
  }

  /** Delivers a frame to a local port, counting it (internal: used by suppression). */
  deliver(ps: PortState, buf: Buffer, start: number, end: number): void {
    const c = ps.counters;
    c.txFrames++;
    c.txBytes += end - start;
    try {
      ps.port.deliver(buf, start, end);
    } catch {
      c.deliverErrors++;
    }
  }

  // ---- hot path: frames from the underlay ----

  /** A decapsulated frame from the underlay. */
  receive(vni: number, buf: Buffer, start: number, end: number): void {
    const vs = this.vnis.get(vni);
    if (vs === undefined) {
      if (!this.l3.receiveL3(vni, buf, start, end)) this.counters.unknownVni++;
      return;
    }
    const c = vs.counters;
    c.decapFrames++;
    c.decapBytes += end - start;
    if (end - start < 14) {
      c.malformed++;
      return;
    }
    if ((buf[start]! & 1) === 0) {
      if (vs.gw !== undefined && macKey(buf, start) === vs.gw.macKey) return this.l3.receiveL2(vs, buf, start, end);
      const lp = vs.local.getAt(buf, start);
      if (lp !== undefined) {
        this.deliver(lp, buf, start, end);
        return;
      }
      c.unknownUnicast++;
    }
    const ports = vs.ports;
    for (let i = 0; i < ports.length; i++) this.deliver(ports[i]!, buf, start, end);
  }

  rejected(status: number): void {
    const name = decapStatusName[status] ?? `status${status}`;
    const e = this.counters.decapErrors;
    e[name] = (e[name] ?? 0) + 1;
  }

  // ---- learning and suppression (not per data packet) ----

  private learn(vs: VniState, ps: PortState, key: number): void {
    const prev = vs.local.get(key);
    vs.local.set(key, ps);
    ps.macs.add(key);
    if (prev !== undefined) prev.macs.delete(key);
    this.emit(vs.vni, key, ps, prev === undefined ? 'learned' : 'moved');
  }

  private emit(vni: number, key: number, ps: PortState, event: LocalMacEvent): void {
    this.listeners.emit(vni, key, ps.port.name, event);
  }

  private vni(vni: number): VniState {
    const vs = this.vnis.get(vni);
    if (vs === undefined) throw new Error(`VNI ${vni} is not configured`);
    return vs;
  }

  private vtep(address: IpText): RemoteVtep {
    return this.vteps.get(address);
  }
}

