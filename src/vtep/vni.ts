/**
 * Per-VNI state (one bridge domain, VLAN-based service; RFC 7432 6.1): local MACs, remote MACs
 * (each pointing at a remote VTEP), IP -> MAC bindings for ARP and ND, and the flood list from
 * Type-3 routes.
 *
 * Storage is columnar: a MAC is a 48-bit number, its entry a slot in typed arrays reached through
 * a `NumIndex`; the common remote case (one route source, at most one IPv4 address) fits the
 * columns, anything richer (several route sources during a move, IPv6, several IPs) moves that
 * one MAC to a small candidate list. Changes are reported to a `VniObserver` with primitive
 * arguments, synchronously, without allocating.
 */
import { NumIndex } from './num-index.js';
import type { IpKey } from './keys.js';
import { beats, nextSequence, recordMove, type ResolvedMobility } from './mobility.js';
import type { VtepTable } from './tables.js';
import type { RouteTargetCommunity } from '../evpn/communities.js';

/** A MAC's location: nowhere, this VTEP, or (>= 1) the index of a remote VTEP. */
export const noLocation = -1;
export const localLocation = 0;

/** What the tables report, synchronously, as they change. */
export interface VniObserver {
  /** The winning location or sequence of a MAC changed (`from`/`to`: -1 none, 0 local, >= 1 VTEP). */
  macChanged(table: VniTable, mac: number, from: number, to: number, seq: number): void;
  /** N moves in M seconds (RFC 7432 15.1): the MAC is frozen where it is (`at`). */
  macDuplicate(table: VniTable, mac: number, at: number, seq: number): void;
  /** An IP now resolves to `mac` (-1: no longer resolves); `previous` is the old MAC or -1. */
  bindingChanged(table: VniTable, ip: IpKey, mac: number, previous: number): void;
  /** The set of remote VTEPs in the flood list changed. */
  floodChanged(table: VniTable): void;
  /** A local MAC was seen on another local port of this VTEP (no BGP change: 15.1 is about PEs). */
  localPortChanged(table: VniTable, mac: number, port: number): void;
}

/** An observer that ignores everything (benchmarks, tests of the tables alone). */
export const quietObserver: VniObserver = {
  macChanged() {},
  macDuplicate() {},
  bindingChanged() {},
  floodChanged() {},
  localPortChanged() {},
};

/** One source of remote routes for a MAC: the routes of one RD. */
interface Candidate {
  readonly rd: number;
  vtep: number;
  seq: number;
  sticky: boolean;
  /** The MAC-only route of this RD is present. */
  macOnly: boolean;
  /** The IPs of this RD's MAC/IP routes. */
  readonly ips: IpKey[];
}

/** Outcome of a local learn. */
export type LearnResult = 'new' | 'moved' | 'refresh' | 'port-move' | 'frozen' | 'sticky';

/** A MAC entry as the API shows it. */
export interface MacEntry {
  readonly mac: number;
  /** -1 none, 0 local, >= 1 remote VTEP index. */
  readonly location: number;
  readonly seq: number;
  /** Local port, or -1. */
  readonly port: number;
  readonly static: boolean;
  readonly frozen: boolean;
}

const expanded = -2;
const fStatic = 1;
const fFrozen = 2;
const rSticky = 1;
const rMacOnly = 2;

export class VniTable {
  /** Route distinguisher this VNI originates with (text form), set by the manager. */
  rd = '';
  /** Import route targets (given or auto-derived, RFC 8365 5.1.2.1), set by the manager. */
  importRts: readonly RouteTargetCommunity[] = [];
  /** Export route targets, set by the manager. */
  exportRts: readonly RouteTargetCommunity[] = [];
  /** Answer ARP/ND from the tables (RFC 9161), set by the manager. */
  suppressArp = true;

  private readonly index = new NumIndex(64);
  private cap = 0;
  private top = 0;
  private freeList = new Int32Array(0);
  private freeTop = 0;
  private macs = new Float64Array(0);
  private loc = new Int32Array(0);
  private seq = new Uint32Array(0);
  private port = new Int32Array(0);
  private localSeq = new Uint32Array(0);
  private lastSeen = new Float64Array(0);
  private lflags = new Uint8Array(0);
  private rRd = new Int32Array(0);
  private rVtep = new Int32Array(0);
  private rSeq = new Uint32Array(0);
  private rFlags = new Uint8Array(0);
  private rIp = new Float64Array(0);
  private bindRefs = new Uint32Array(0);
  private moves = new Uint8Array(0);
  private moveStart = new Float64Array(0);

  private readonly extra = new Map<number, Candidate[]>();
  private readonly localIps = new Map<number, IpKey[]>();
  private readonly ip4 = new NumIndex(64);
  private readonly ip6 = new Map<string, number>();
  private readonly ip6Owner = new Map<string, number>();
  private readonly flood = new Map<number, number>();
  private readonly floodRefs = new Map<number, number>();
  private locals = 0;

  constructor(
    readonly vni: number,
    readonly vteps: VtepTable,
    private readonly mobility: ResolvedMobility,
    private readonly observer: VniObserver,
    private readonly now: () => number,
  ) {
    this.grow(64);
  }

  // ------------------------------------------------------------------ queries

  /** MACs with any state (local, remote, or bound by an IP). */
  get size(): number {
    return this.index.size;
  }

  get localCount(): number {
    return this.locals;
  }

  /** The entry of a MAC, or undefined. */
  lookup(mac: number): MacEntry | undefined {
    const s = this.index.get(mac);
    if (s < 0) return undefined;
    return {
      mac,
      location: this.loc[s]!,
      seq: this.seq[s]!,
      port: this.port[s]!,
      static: (this.lflags[s]! & fStatic) !== 0,
      frozen: (this.lflags[s]! & fFrozen) !== 0,
    };
  }

  /** Where a MAC is forwarded: -1 unknown, 0 local, >= 1 remote VTEP index. */
  location(mac: number): number {
    const s = this.index.get(mac);
    return s < 0 ? noLocation : this.loc[s]!;
  }

  /** The MAC an IP resolves to (ARP/ND suppression), or -1. */
  resolve(ip: IpKey): number {
    const s = typeof ip === 'number' ? this.ip4.get(ip) : (this.ip6.get(ip) ?? -1);
    return s < 0 ? -1 : this.macs[s]!;
  }

  /** Local IPs of a local MAC. */
  localIpsOf(mac: number): readonly IpKey[] {
    const s = this.index.get(mac);
    return s < 0 ? [] : (this.localIps.get(s) ?? []);
  }

  /** Every MAC with a location, as entries (allocates: for inspection, not hot paths). */
  entries(): MacEntry[] {
    const out: MacEntry[] = [];
    this.index.forEach((mac) => {
      const e = this.lookup(mac);
      if (e !== undefined && e.location !== noLocation) out.push(e);
    });
    return out;
  }

  /** Remote VTEP indexes in the flood list. */
  floodList(): number[] {
    return [...this.floodRefs.keys()];
  }

  // ------------------------------------------------------------------ remote routes (import)

  /**
   * Install a remote Type-2 route: from route distinguisher `rd` (an interned index >= 1), MAC,
   * optional IP, next hop VTEP index, MAC Mobility sequence and sticky bit. Installing the same
   * route again updates it in place.
   */
  installRemote(mac: number, ip: IpKey | undefined, rd: number, vtep: number, seq: number, sticky: boolean): void {
    const s = this.slotFor(mac);
    const r = this.rRd[s]!;
    const v4 = ip === undefined || typeof ip === 'number';
    if (r === 0 && v4) {
      this.rRd[s] = rd;
      this.rVtep[s] = vtep;
      this.rSeq[s] = seq;
      this.rFlags[s] = (sticky ? rSticky : 0) | (ip === undefined ? rMacOnly : 0);
      this.rIp[s] = ip ?? -1;
    } else if (r === rd && v4 && (ip === undefined || this.rIp[s] === -1 || this.rIp[s] === ip)) {
      this.rVtep[s] = vtep;
      this.rSeq[s] = seq;
      let f = (this.rFlags[s]! & rMacOnly) | (sticky ? rSticky : 0);
      if (ip === undefined) f |= rMacOnly;
      else this.rIp[s] = ip;
      this.rFlags[s] = f;
    } else {
      const list = this.expand(s);
      let c = list.find((x) => x.rd === rd);
      if (c === undefined) {
        c = { rd, vtep, seq, sticky, macOnly: false, ips: [] };
        list.push(c);
      }
      c.vtep = vtep;
      c.seq = seq;
      c.sticky = sticky;
      if (ip === undefined) c.macOnly = true;
      else if (!c.ips.includes(ip)) c.ips.push(ip);
    }
    if (ip !== undefined) this.bind(ip, s, rd);
    this.decide(s);
  }

  /** Remove a remote Type-2 route (same RD, MAC and IP as installed). Returns whether it was there. */
  uninstallRemote(mac: number, ip: IpKey | undefined, rd: number): boolean {
    const s = this.index.get(mac);
    if (s < 0) return false;
    const r = this.rRd[s]!;
    if (r === rd) {
      if (ip === undefined) {
        if ((this.rFlags[s]! & rMacOnly) === 0) return false;
        this.rFlags[s]! &= ~rMacOnly;
      } else {
        if (this.rIp[s] !== ip) return false;
        this.rIp[s] = -1;
      }
      if ((this.rFlags[s]! & rMacOnly) === 0 && this.rIp[s] === -1) this.rRd[s] = 0;
    } else if (r === expanded) {
      const list = this.extra.get(s)!;
      const i = list.findIndex((x) => x.rd === rd);
      if (i < 0) return false;
      const c = list[i]!;
      if (ip === undefined) {
        if (!c.macOnly) return false;
        c.macOnly = false;
      } else {
        const j = c.ips.indexOf(ip);
        if (j < 0) return false;
        c.ips.splice(j, 1);
      }
      if (!c.macOnly && c.ips.length === 0) list.splice(i, 1);
      if (list.length === 0) {
        this.extra.delete(s);
        this.rRd[s] = 0;
      }
    } else {
      return false;
    }
    if (ip !== undefined) this.unbind(ip, s, rd);
    this.decide(s);
    this.maybeFree(s);
    return true;
  }

  /** A Type-3 route from `rd` names `vtep` as a flood destination (RFC 8365 9.1: ingress replication). */
  addFlood(rd: number, vtep: number): void {
    const prev = this.flood.get(rd);
    if (prev === vtep) return;
    let changed = false;
    if (prev !== undefined) changed = this.floodUnref(prev);
    this.flood.set(rd, vtep);
    const n = this.floodRefs.get(vtep) ?? 0;
    this.floodRefs.set(vtep, n + 1);
    if (n === 0 || changed) this.observer.floodChanged(this);
  }

  removeFlood(rd: number): boolean {
    const prev = this.flood.get(rd);
    if (prev === undefined) return false;
    this.flood.delete(rd);
    if (this.floodUnref(prev)) this.observer.floodChanged(this);
    return true;
  }

  private floodUnref(vtep: number): boolean {
    const n = this.floodRefs.get(vtep) ?? 0;
    if (n <= 1) {
      this.floodRefs.delete(vtep);
      return true;
    }
    this.floodRefs.set(vtep, n - 1);
    return false;
  }

  // ------------------------------------------------------------------ local MACs (export)

  /**
   * A MAC seen on a local port (or added through the API; `isStatic` makes it sticky and
   * exempt from ageing). RFC 7432 15.1: a MAC that was remote is advertised with a sequence one
   * above the highest received; 15.2: a sticky remote MAC is not moved.
   */
  learnLocal(mac: number, port: number, isStatic = false): LearnResult {
    const now = this.now();
    const s = this.slotFor(mac);
    if (this.port[s]! >= 0) {
      this.lastSeen[s] = now;
      if (isStatic) this.lflags[s]! |= fStatic;
      if (this.port[s] === port) return 'refresh';
      this.port[s] = port;
      this.observer.localPortChanged(this, mac, port);
      return 'port-move';
    }
    if ((this.lflags[s]! & fFrozen) !== 0) return 'frozen';
    let highest = -1;
    let sticky = false;
    const r = this.rRd[s]!;
    if (r > 0) {
      highest = this.rSeq[s]!;
      sticky = (this.rFlags[s]! & rSticky) !== 0;
    } else if (r === expanded) {
      for (const c of this.extra.get(s)!) {
        if (c.seq > highest) highest = c.seq;
        if (c.sticky) sticky = true;
      }
    }
    if (sticky && !isStatic) {
      this.maybeFree(s);
      return 'sticky';
    }
    this.port[s] = port;
    this.localSeq[s] = nextSequence(highest);
    this.lastSeen[s] = now;
    this.lflags[s] = (this.lflags[s]! & ~fStatic) | (isStatic ? fStatic : 0);
    this.locals++;
    this.decide(s);
    return highest >= 0 ? 'moved' : 'new';
  }

  /** A local MAC is gone (removed through the API or aged out). Returns whether it was local. */
  removeLocal(mac: number): boolean {
    const s = this.index.get(mac);
    if (s < 0 || this.port[s]! < 0) return false;
    this.dropLocal(s);
    this.decide(s);
    this.maybeFree(s);
    return true;
  }

  /** Bind a local IP to a local MAC (ARP/ND snooping or the API). Returns false if the MAC is not local. */
  addLocalIp(mac: number, ip: IpKey): boolean {
    const s = this.index.get(mac);
    if (s < 0 || this.port[s]! < 0) return false;
    let ips = this.localIps.get(s);
    if (ips === undefined) this.localIps.set(s, (ips = []));
    if (!ips.includes(ip)) ips.push(ip);
    this.bind(ip, s, 0);
    return true;
  }

  removeLocalIp(mac: number, ip: IpKey): boolean {
    const s = this.index.get(mac);
    const ips = s < 0 ? undefined : this.localIps.get(s);
    const i = ips === undefined ? -1 : ips.indexOf(ip);
    if (i < 0) return false;
    ips!.splice(i, 1);
    if (ips!.length === 0) this.localIps.delete(s);
    this.unbind(ip, s, 0);
    this.maybeFree(s);
    return true;
  }

  /** Local, non-static MACs not seen since `now - maxAgeMs` are removed; returns them. */
  ageLocal(maxAgeMs: number): number[] {
    const out: number[] = [];
    if (this.locals === 0) return out;
    const limit = this.now() - maxAgeMs;
    for (let s = 0; s < this.top; s++) {
      if (this.port[s]! >= 0 && (this.lflags[s]! & fStatic) === 0 && this.lastSeen[s]! <= limit) out.push(this.macs[s]!);
    }
    for (const mac of out) this.removeLocal(mac);
    return out;
  }

  /** Lift a duplicate freeze (the "corrective action" of RFC 7432 15.1) and decide again. */
  clearDuplicate(mac: number): boolean {
    const s = this.index.get(mac);
    if (s < 0 || (this.lflags[s]! & fFrozen) === 0) return false;
    this.lflags[s]! &= ~fFrozen;
    this.moves[s] = 0;
    this.decide(s);
    return true;
  }

  /** Local MAC state for export: sequence and sticky bit, or undefined when not local. */
  localRoute(mac: number): { seq: number; static: boolean; port: number } | undefined {
    const s = this.index.get(mac);
    if (s < 0 || this.port[s]! < 0) return undefined;
    return { seq: this.localSeq[s]!, static: (this.lflags[s]! & fStatic) !== 0, port: this.port[s]! };
  }

  // ------------------------------------------------------------------ decision

  /** Pick the winner of a MAC (RFC 7432 15.1, 15.2), evict a losing local entry, count moves. */
  private decide(s: number): void {
    const from = this.loc[s]!;
    const fromSeq = this.seq[s]!;
    const frozen = (this.lflags[s]! & fFrozen) !== 0;
    const vteps = this.vteps;
    let best = noLocation;
    let bestSeq = 0;
    let bestSticky = false;
    let bestOrder = '';
    let keepSeq = -1;
    if (this.port[s]! >= 0) {
      best = localLocation;
      bestSeq = this.localSeq[s]!;
      bestSticky = (this.lflags[s]! & fStatic) !== 0;
      bestOrder = vteps.order(0);
      if (from === localLocation) keepSeq = bestSeq;
    }
    const r = this.rRd[s]!;
    if (r > 0) {
      const v = this.rVtep[s]!;
      const q = this.rSeq[s]!;
      const st = (this.rFlags[s]! & rSticky) !== 0;
      if (v === from) keepSeq = q;
      if (best === noLocation || beats(st, q, vteps.order(v), bestSticky, bestSeq, bestOrder)) {
        best = v;
        bestSeq = q;
      }
    } else if (r === expanded) {
      for (const c of this.extra.get(s)!) {
        if (c.vtep === from && c.seq > keepSeq) keepSeq = c.seq;
        const o = vteps.order(c.vtep);
        if (best === noLocation || beats(c.sticky, c.seq, o, bestSticky, bestSeq, bestOrder)) {
          best = c.vtep;
          bestSeq = c.seq;
          bestSticky = c.sticky;
          bestOrder = o;
        }
      }
    }
    // RFC 7432 15.1: a frozen duplicate stays where it is while that location still exists
    if (frozen && keepSeq >= 0) {
      best = from;
      bestSeq = keepSeq;
    }
    // 15.1: a remote route that wins evicts the local entry (whose route is then withdrawn)
    if (best !== localLocation && this.port[s]! >= 0) this.dropLocal(s);
    if (best === from && bestSeq === fromSeq) return;
    this.loc[s] = best;
    this.seq[s] = bestSeq;
    const mac = this.macs[s]!;
    this.observer.macChanged(this, mac, from, best, bestSeq);
    if (from !== noLocation && best !== noLocation && from !== best && !frozen) {
      if (recordMove(this.moves, this.moveStart, s, this.now(), this.mobility) && this.mobility.freeze) {
        this.lflags[s]! |= fFrozen;
        this.observer.macDuplicate(this, mac, best, bestSeq);
      }
    }
  }

  private dropLocal(s: number): void {
    this.port[s] = -1;
    this.locals--;
    const ips = this.localIps.get(s);
    if (ips !== undefined) {
      this.localIps.delete(s);
      for (const ip of ips) this.unbind(ip, s, 0);
    }
  }

  // ------------------------------------------------------------------ bindings

  private bind(ip: IpKey, s: number, owner: number): void {
    let prev: number;
    if (typeof ip === 'number') {
      prev = this.ip4.set(ip, s, owner);
    } else {
      prev = this.ip6.get(ip) ?? -1;
      this.ip6.set(ip, s);
      this.ip6Owner.set(ip, owner);
    }
    if (prev === s) return;
    this.bindRefs[s]!++;
    let prevMac = -1;
    if (prev >= 0) {
      prevMac = this.macs[prev]!;
      this.bindRefs[prev]!--;
      this.maybeFree(prev);
    }
    this.observer.bindingChanged(this, ip, this.macs[s]!, prevMac);
  }

  /** Remove a binding only if this MAC and owner still hold it (a newer route may have taken it). */
  private unbind(ip: IpKey, s: number, owner: number): void {
    if (typeof ip === 'number') {
      if (!this.ip4.deleteIf(ip, s, owner)) return;
    } else {
      if (this.ip6.get(ip) !== s || this.ip6Owner.get(ip) !== owner) return;
      this.ip6.delete(ip);
      this.ip6Owner.delete(ip);
    }
    this.bindRefs[s]!--;
    this.observer.bindingChanged(this, ip, -1, this.macs[s]!);
  }

  // ------------------------------------------------------------------ slots

  private expand(s: number): Candidate[] {
    const r = this.rRd[s]!;
    if (r === expanded) return this.extra.get(s)!;
    const list: Candidate[] = [];
    if (r > 0) {
      const f = this.rFlags[s]!;
      const ip = this.rIp[s]!;
      list.push({ rd: r, vtep: this.rVtep[s]!, seq: this.rSeq[s]!, sticky: (f & rSticky) !== 0, macOnly: (f & rMacOnly) !== 0, ips: ip >= 0 ? [ip] : [] });
    }
    this.rRd[s] = expanded;
    this.extra.set(s, list);
    return list;
  }

  /** The slot of a MAC, allocated (one probe of the index) when it is new. */
  private slotFor(mac: number): number {
    let s: number;
    if (this.freeTop > 0) s = this.freeList[this.freeTop - 1]!;
    else {
      if (this.top === this.cap) this.grow(this.cap * 2);
      s = this.top;
    }
    const existing = this.index.insertIfAbsent(mac, s);
    if (existing >= 0) return existing;
    if (this.freeTop > 0) this.freeTop--;
    else this.top++;
    this.macs[s] = mac;
    this.loc[s] = noLocation;
    this.seq[s] = 0;
    this.port[s] = -1;
    this.localSeq[s] = 0;
    this.lastSeen[s] = 0;
    this.lflags[s] = 0;
    this.rRd[s] = 0;
    this.rFlags[s] = 0;
    this.rIp[s] = -1;
    this.bindRefs[s] = 0;
    this.moves[s] = 0;
    return s;
  }

  /** Forget a MAC that nothing refers to any more. */
  private maybeFree(s: number): void {
    if (this.loc[s] !== noLocation || this.port[s]! >= 0 || this.rRd[s] !== 0 || this.bindRefs[s] !== 0) return;
    this.index.delete(this.macs[s]!);
    if (this.freeTop === this.freeList.length) {
      const f = new Int32Array(Math.max(64, this.freeList.length * 2));
      f.set(this.freeList);
      this.freeList = f;
    }
    this.freeList[this.freeTop++] = s;
  }

  private grow(cap: number): void {
    const g = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.macs = g(this.macs, (n) => new Float64Array(n));
    this.loc = g(this.loc, (n) => new Int32Array(n));
    this.seq = g(this.seq, (n) => new Uint32Array(n));
    this.port = g(this.port, (n) => new Int32Array(n));
    this.localSeq = g(this.localSeq, (n) => new Uint32Array(n));
    this.lastSeen = g(this.lastSeen, (n) => new Float64Array(n));
    this.lflags = g(this.lflags, (n) => new Uint8Array(n));
    this.rRd = g(this.rRd, (n) => new Int32Array(n));
    this.rVtep = g(this.rVtep, (n) => new Int32Array(n));
    this.rSeq = g(this.rSeq, (n) => new Uint32Array(n));
    this.rFlags = g(this.rFlags, (n) => new Uint8Array(n));
    this.rIp = g(this.rIp, (n) => new Float64Array(n));
    this.bindRefs = g(this.bindRefs, (n) => new Uint32Array(n));
    this.moves = g(this.moves, (n) => new Uint8Array(n));
    this.moveStart = g(this.moveStart, (n) => new Float64Array(n));
    this.cap = cap;
  }
}
