/**
 * Per-VNI state (one bridge domain, VLAN-based service; RFC 7432 6.1): local MACs, remote MACs
 * (each pointing at a remote VTEP), IP -> MAC bindings for ARP and ND, and the flood list from
 * Type-3 routes.
 *
 * Storage is columnar: a MAC is a 48-bit number, its entry a slot in typed arrays reached through
 * a `MacIndex`; the common remote case (one route source, at most one IPv4 address) fits the
 * columns, anything richer (several route sources during a move, IPv6, several IPs) moves that
 * one MAC to a small candidate list. Changes are reported to a `VniObserver` with primitive
 * arguments, synchronously, without allocating.
 */
import { IpBindings } from './bindings.js';
import { FloodList } from './flood.js';
import { maxMacSlots } from './mac-index.js';
import * as slots from './slots.js';
import { MacSlots } from './slots.js';
import type { IpKey } from './keys.js';
import { LocalMacLimits, type MacLimitScope } from './mac-limit.js';
import type { LearnResult, MacEntry } from './vni-types.js';
import { dropRemote, putRemote, remoteCarries, remoteHighest, remoteSticky, Winner } from './remote-routes.js';
import { maxSequence, nextSequence, recordMove, type ResolvedMobility } from './mobility.js';
import type { VtepTable } from './vtep-table.js';
import type { RouteTargetCommunity } from '../evpn/communities.js';

// The flag bits as module constants: when the sources run through a CommonJS transform (tsx,
// vitest), every use of an imported binding is a getter call, several per route on the hot path.
const { fFrozen, fStatic } = slots;

/** A MAC's location: nowhere, this VTEP, or (>= 1) the index of a remote VTEP. */
export const noLocation = -1;
export const localLocation = 0;

export type { LearnResult, MacEntry } from './vni-types.js';

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
  /** A local learn on `port` was refused by a MAC limit, the first time since that count was under it. */
  macLimitReached?(table: VniTable, port: number, scope: MacLimitScope, limit: number): void;
}

/** An observer that ignores everything (benchmarks, tests of the tables alone). */
export const quietObserver: VniObserver = {
  macChanged() {},
  macDuplicate() {},
  bindingChanged() {},
  floodChanged() {},
  localPortChanged() {},
};

export class VniTable {
  /** Route distinguisher this VNI originates with (text form), set by the manager. */
  rd = '';
  /** Import route targets (given or auto-derived, RFC 8365 5.1.2.1), set by the manager. */
  importRts: readonly RouteTargetCommunity[] = [];
  /** Export route targets, set by the manager. */
  exportRts: readonly RouteTargetCommunity[] = [];
  /** Answer ARP/ND from the tables (RFC 9161), set by the manager. */
  suppressArp = true;
  /** Local MAC limits and the count of learns they refused; the manager sets the limits. */
  readonly macLimits = new LocalMacLimits();

  private readonly c = new MacSlots();
  private readonly localIps = new Map<number, IpKey[]>();
  private readonly bindings = new IpBindings();
  private readonly flood = new FloodList();
  private readonly winner = new Winner();
  private locals = 0;

  constructor(
    readonly vni: number,
    readonly vteps: VtepTable,
    private readonly mobility: ResolvedMobility,
    private readonly observer: VniObserver,
    private readonly now: () => number,
  ) {}

  /**
   * Size the tables for `macs` MACs and as many IPv4 bindings, so they do not double (copy
   * every column and rehash the indexes) while they fill. A hint, not a limit: more still fit.
   */
  reserve(macs: number): void {
    if (!Number.isInteger(macs) || macs < 0 || macs > maxMacSlots) throw new RangeError(`expectedMacs must be 0..${maxMacSlots}, not ${macs}`);
    this.c.reserve(macs);
    this.bindings.reserve(macs);
  }

  // ------------------------------------------------------------------ queries

  /** MACs with any state (local, remote, or bound by an IP). */
  get size(): number {
    return this.c.index.size;
  }

  get localCount(): number {
    return this.locals;
  }

  /** The entry of a MAC, or undefined. */
  lookup(mac: number): MacEntry | undefined {
    const s = this.c.index.get(mac);
    if (s < 0) return undefined;
    return {
      mac,
      location: this.c.loc[s]!,
      seq: this.c.seq[s]!,
      port: this.c.port[s]!,
      static: (this.c.lflags[s]! & fStatic) !== 0,
      frozen: (this.c.lflags[s]! & fFrozen) !== 0,
    };
  }

  /** Where a MAC is forwarded: -1 unknown, 0 local, >= 1 remote VTEP index. */
  location(mac: number): number {
    const s = this.c.index.get(mac);
    return s < 0 ? noLocation : this.c.loc[s]!;
  }

  /** The MAC an IP resolves to (ARP/ND suppression), or -1. */
  resolve(ip: IpKey): number {
    const s = this.bindings.get(ip);
    return s < 0 ? -1 : this.c.macs[s]!;
  }

  /** Local IPs of a local MAC. */
  localIpsOf(mac: number): readonly IpKey[] {
    const s = this.c.index.get(mac);
    return s < 0 ? [] : (this.localIps.get(s) ?? []);
  }

  /** Every MAC with a location, as entries (allocates: for inspection, not hot paths). */
  entries(): MacEntry[] {
    const out: MacEntry[] = [];
    this.c.index.forEach((mac) => {
      const e = this.lookup(mac);
      if (e !== undefined && e.location !== noLocation) out.push(e);
    });
    return out;
  }

  /** Remote VTEP indexes in the flood list. */
  floodList(): number[] {
    return this.flood.vteps();
  }

  // ------------------------------------------------------------------ remote routes (import)

  /**
   * Install a remote Type-2 route: from route distinguisher `rd` (an interned index >= 1), MAC,
   * optional IP, next hop VTEP index, MAC Mobility sequence and sticky bit. Installing the same
   * route again updates it in place.
   */
  installRemote(mac: number, ip: IpKey | undefined, rd: number, vtep: number, seq: number, sticky: boolean): void {
    const s = this.c.slotFor(mac);
    putRemote(this.c, s, ip, rd, vtep, seq, sticky);
    if (ip !== undefined) this.bind(ip, s);
    this.decide(s);
  }

  /** Remove a remote Type-2 route (same RD, MAC and IP as installed). Returns whether it was there. */
  uninstallRemote(mac: number, ip: IpKey | undefined, rd: number): boolean {
    const s = this.c.index.get(mac);
    if (s < 0 || !dropRemote(this.c, s, ip, rd)) return false;
    if (ip !== undefined) this.unbind(ip, s);
    this.decide(s);
    this.c.maybeFree(s);
    return true;
  }

  /** A Type-3 route from `rd` names `vtep` as a flood destination (RFC 8365 9.1: ingress replication). */
  addFlood(rd: number, vtep: number): void {
    if (this.flood.add(rd, vtep)) this.observer.floodChanged(this);
  }

  /** The Type-3 route from `rd` is gone. Returns whether there was one. */
  removeFlood(rd: number): boolean {
    const changed = this.flood.remove(rd);
    if (changed === true) this.observer.floodChanged(this);
    return changed !== undefined;
  }

  // ------------------------------------------------------------------ local MACs (export)

  /**
   * A MAC seen on a local port (or added through the API; `isStatic` makes it sticky and
   * exempt from ageing). RFC 7432 15.1: a MAC that was remote is advertised with a sequence one
   * above the highest received; 15.2: a sticky remote MAC is not moved.
   */
  learnLocal(mac: number, port: number, isStatic = false): LearnResult {
    const now = this.now();
    const s = this.c.slotFor(mac);
    if (this.c.port[s]! >= 0) {
      this.c.lastSeen[s] = now;
      if (isStatic) this.c.lflags[s]! |= fStatic;
      if (this.c.port[s] === port) return 'refresh';
      if (!isStatic && this.macLimits.check(port, -1) !== undefined) return this.limitRefused(port, 'port');
      this.macLimits.removed(this.c.port[s]!, this.locals);
      this.macLimits.added(port);
      this.c.port[s] = port;
      this.observer.localPortChanged(this, mac, port);
      return 'port-move';
    }
    if ((this.c.lflags[s]! & fFrozen) !== 0) return 'frozen';
    const highest = remoteHighest(this.c, s);
    const sticky = remoteSticky(this.c, s);
    if (sticky && !isStatic) {
      this.c.maybeFree(s);
      return 'sticky';
    }
    // 15.1 gives the local route highest + 1; at 2^32-1 there is none (a static MAC still wins)
    if (highest >= maxSequence && !(isStatic && !sticky)) return 'sequence';
    const full = isStatic ? undefined : this.macLimits.check(port, this.locals);
    if (full !== undefined) {
      this.c.maybeFree(s);
      return this.limitRefused(port, full);
    }
    this.macLimits.added(port);
    this.c.port[s] = port;
    this.c.localSeq[s] = nextSequence(highest);
    this.c.lastSeen[s] = now;
    this.c.lflags[s] = (this.c.lflags[s]! & ~fStatic) | (isStatic ? fStatic : 0);
    this.locals++;
    this.decide(s);
    return highest >= 0 ? 'moved' : 'new';
  }

  private limitRefused(port: number, scope: MacLimitScope): 'limit' {
    if (this.macLimits.refuse(port, scope)) this.observer.macLimitReached?.(this, port, scope, this.macLimits.limit(scope));
    return 'limit';
  }

  /** A local MAC is gone (removed through the API or aged out). Returns whether it was local. */
  removeLocal(mac: number): boolean {
    const s = this.c.index.get(mac);
    if (s < 0 || this.c.port[s]! < 0) return false;
    this.dropLocal(s);
    this.decide(s);
    this.c.maybeFree(s);
    return true;
  }

  /** Bind a local IP to a local MAC (ARP/ND snooping or the API). Returns false if the MAC is not local. */
  addLocalIp(mac: number, ip: IpKey): boolean {
    const s = this.c.index.get(mac);
    if (s < 0 || this.c.port[s]! < 0) return false;
    let ips = this.localIps.get(s);
    if (ips === undefined) this.localIps.set(s, (ips = []));
    if (!ips.includes(ip)) ips.push(ip);
    this.bind(ip, s);
    return true;
  }

  removeLocalIp(mac: number, ip: IpKey): boolean {
    const s = this.c.index.get(mac);
    const ips = s < 0 ? undefined : this.localIps.get(s);
    const i = ips === undefined ? -1 : ips.indexOf(ip);
    if (i < 0) return false;
    ips!.splice(i, 1);
    if (ips!.length === 0) this.localIps.delete(s);
    this.unbind(ip, s);
    this.c.maybeFree(s);
    return true;
  }

  /** Local, non-static MACs not seen since `now - maxAgeMs` are removed; returns them. */
  ageLocal(maxAgeMs: number): number[] {
    const out: number[] = [];
    if (this.locals === 0) return out;
    const limit = this.now() - maxAgeMs;
    for (let s = 0; s < this.c.top; s++) {
      if (this.c.port[s]! >= 0 && (this.c.lflags[s]! & fStatic) === 0 && this.c.lastSeen[s]! <= limit) out.push(this.c.macs[s]!);
    }
    for (const mac of out) this.removeLocal(mac);
    return out;
  }

  /** Lift a duplicate freeze (the "corrective action" of RFC 7432 15.1) and decide again. */
  clearDuplicate(mac: number): boolean {
    const s = this.c.index.get(mac);
    if (s < 0 || (this.c.lflags[s]! & fFrozen) === 0) return false;
    this.c.lflags[s]! &= ~fFrozen;
    this.c.moves[s] = 0;
    this.decide(s);
    return true;
  }

  /** Local MAC state for export: sequence and sticky bit, or undefined when not local. */
  localRoute(mac: number): { seq: number; static: boolean; port: number } | undefined {
    const s = this.c.index.get(mac);
    if (s < 0 || this.c.port[s]! < 0) return undefined;
    return { seq: this.c.localSeq[s]!, static: (this.c.lflags[s]! & fStatic) !== 0, port: this.c.port[s]! };
  }

  // ------------------------------------------------------------------ decision

  /** Pick the winner of a MAC (RFC 7432 15.1, 15.2), evict a losing local entry, count moves. */
  private decide(s: number): void {
    // The common case in bulk: not local, not frozen, at most one remote source, and no move to
    // count (the MAC appears or disappears). The full decision below gives the same answer.
    const c = this.c;
    const r = c.rRd[s]!;
    const from = c.loc[s]!;
    if (r >= 0 && c.port[s]! < 0 && (c.lflags[s]! & fFrozen) === 0) {
      const best = r > 0 ? c.rVtep[s]! : noLocation;
      if (from === noLocation || best === noLocation) {
        const seq = r > 0 ? c.rSeq[s]! : 0;
        if (best === from && seq === c.seq[s]) return;
        c.loc[s] = best;
        c.seq[s] = seq;
        this.observer.macChanged(this, c.macs[s]!, from, best, seq);
        return;
      }
    }
    this.decideAll(s);
  }

  private decideAll(s: number): void {
    const from = this.c.loc[s]!;
    const fromSeq = this.c.seq[s]!;
    const frozen = (this.c.lflags[s]! & fFrozen) !== 0;
    const w = this.winner;
    w.pick(this.c, s, from, this.vteps);
    let best = w.best;
    let bestSeq = w.seq;
    // RFC 7432 15.1: a frozen duplicate stays where it is while that location still exists
    if (frozen && w.keep >= 0) {
      best = from;
      bestSeq = w.keep;
    }
    // 15.1: a remote route that wins evicts the local entry (whose route is then withdrawn)
    if (best !== localLocation && this.c.port[s]! >= 0) this.dropLocal(s);
    if (best === from && bestSeq === fromSeq) return;
    this.c.loc[s] = best;
    this.c.seq[s] = bestSeq;
    const mac = this.c.macs[s]!;
    this.observer.macChanged(this, mac, from, best, bestSeq);
    if (from !== noLocation && best !== noLocation && from !== best && !frozen) {
      if (recordMove(this.c.moves, this.c.moveStart, s, this.now(), this.mobility) && this.mobility.freeze) {
        this.c.lflags[s]! |= fFrozen;
        this.observer.macDuplicate(this, mac, best, bestSeq);
      }
    }
  }

  private dropLocal(s: number): void {
    const port = this.c.port[s]!;
    this.c.port[s] = -1;
    this.locals--;
    this.macLimits.removed(port, this.locals);
    const ips = this.localIps.get(s);
    if (ips !== undefined) {
      this.localIps.delete(s);
      for (const ip of ips) this.unbind(ip, s);
    }
  }

  // ------------------------------------------------------------------ bindings

  private bind(ip: IpKey, s: number): void {
    const prev = this.bindings.set(ip, s);
    if (prev === s) return;
    this.c.bindRefs[s]!++;
    let prevMac = -1;
    if (prev >= 0) {
      prevMac = this.c.macs[prev]!;
      this.c.bindRefs[prev]!--;
      this.c.maybeFree(prev);
    }
    this.observer.bindingChanged(this, ip, this.c.macs[s]!, prevMac);
  }

  /**
   * A route or local entry of slot `s` no longer carries `ip`: remove the binding unless another
   * one of this MAC still does, or a newer route has moved the IP to another MAC.
   */
  private unbind(ip: IpKey, s: number): void {
    if (this.carries(s, ip) || !this.bindings.deleteIf(ip, s)) return;
    this.c.bindRefs[s]!--;
    this.observer.bindingChanged(this, ip, -1, this.c.macs[s]!);
  }

  /** Whether a remote route or the local entry of slot `s` carries `ip`. */
  private carries(s: number, ip: IpKey): boolean {
    if (remoteCarries(this.c, s, ip)) return true;
    return this.c.port[s]! >= 0 && this.localIps.get(s)?.includes(ip) === true;
  }
}
