/**
 * `VtepManager`: where EVPN routes meet forwarding state (DESIGN 1). Attached to a BGP speaker
 * and a dataplane, it
 * - imports the speaker's EVPN Loc-RIB into per-VNI tables (import.ts),
 * - programs the dataplane from the tables: remote MACs, flood lists, ARP/ND entries,
 * - originates Type-2 routes for local MACs and IP bindings and a Type-3 per VNI (export.ts),
 * - applies MAC mobility and duplicate detection (RFC 7432 15; mobility.ts, vni.ts),
 * and reports all of it as typed events.
 */
import { EventEmitter } from 'eventemitter3';
import type { BgpSpeaker } from '../bgp/speaker.js';
import type { RibRoute } from '../bgp/rib/view.js';
import type { Clock } from '../bgp/session/types.js';
import type { Family } from '../bgp/types.js';
import { Afi, Safi } from '../bgp/iana.js';
import type { RouteTargetInput } from '../evpn/builders.js';
import { autoRouteTarget, parseEvpnRouteTarget, type RouteTargetCommunity } from '../evpn/communities.js';
import { normalizeRd } from '../evpn/rd.js';
import type { Dataplane, LocalMacEvent, NeighborRequest } from '../dataplane/types.js';
import { RouteExporter } from './export.js';
import { RouteImporter, rtKey } from './import.js';
import { ipKeyToString, ipToKey, macToNumber, macToString, type IpKey } from './keys.js';
import { resolveMacLimits } from './mac-limit.js';
import { resolveMobility } from './mobility.js';
import { VtepTables } from './tables.js';
import { Interner } from './vtep-table.js';
import { localLocation, noLocation, type LearnResult, type VniObserver, type VniTable } from './vni.js';

import type { MacInfo, MacLocation, VniConfig, VtepManagerEvents, VtepManagerOptions } from './manager-types.js';

export type { MacInfo, MacLocation, VniConfig, VtepManagerEvents, VtepManagerOptions };

function isEvpn(f: Family): boolean {
  return f.afi === Afi.l2vpn && f.safi === Safi.evpn;
}

function toRts(list: readonly RouteTargetInput[]): RouteTargetCommunity[] {
  return list.map((rt) => (typeof rt === 'string' ? parseEvpnRouteTarget(rt) : rt));
}

export class VtepManager extends EventEmitter<VtepManagerEvents> {
  readonly tables: VtepTables;
  readonly importer: RouteImporter;
  readonly exporter: RouteExporter;
  private readonly speaker: BgpSpeaker;
  private readonly dataplane: Dataplane;
  private readonly clock: Clock;
  private readonly ports = new Interner();
  private readonly unsubscribe: (() => void)[] = [];
  private ageTimer: unknown;
  private closed = false;

  constructor(private readonly options: VtepManagerOptions) {
    super();
    this.speaker = options.speaker;
    this.dataplane = options.dataplane;
    this.clock = options.clock ?? options.speaker.clock;
    this.tables = new VtepTables(options.vtepAddress, resolveMobility(options.mobility), this.observer(), () => this.clock.now());
    this.importer = new RouteImporter(this.tables);
    this.exporter = new RouteExporter(this.speaker, options.vtepAddress, (kind, r) =>
      kind === 'originated' ? this.emit('routeOriginated', r) : this.emit('routeWithdrawn', r),
    );
    this.attach();
    for (const c of options.vnis ?? []) this.addVni(c);
    this.scheduleAgeing();
  }

  // ------------------------------------------------------------------ VNIs

  /** Add a VNI: dataplane VNI, Type-3 origination, import of matching Loc-RIB routes. */
  addVni(config: VniConfig): VniTable {
    const { vni } = config;
    const existing = this.tables.vni(vni);
    if (existing !== undefined) return existing;
    const limits = resolveMacLimits(config.macLimit, this.options.macLimit);
    const t = this.tables.addVni(vni, config);
    t.macLimits.set(limits);
    t.rd = normalizeRd(config.rd ?? `${this.speaker.routerId}:${vni & 0xffff}`);
    const auto = [autoRouteTarget(this.options.asn ?? this.speaker.asn, vni, this.options.autoRouteTarget)];
    const both = config.routeTargets === undefined ? auto : toRts(config.routeTargets);
    t.importRts = config.importRts === undefined ? both : toRts(config.importRts);
    t.exportRts = config.exportRts === undefined ? both : toRts(config.exportRts);
    t.suppressArp = config.suppressArp ?? true;
    this.importer.index(t, t.importRts.map(rtKey));
    this.dataplane.addVni(vni, { suppressArp: t.suppressArp, ...(config.expectedMacs === undefined ? {} : { expectedMacs: config.expectedMacs }) });
    this.dataplane.setArpLookup(vni, (req) => this.neighborLookup(req));
    this.exporter.originateImet(t);
    for (const r of this.speaker.routes('l2vpn-evpn')) if (this.importer.targets(r).includes(t)) this.importer.apply(r, true);
    return t;
  }

  /** Remove a VNI: its routes are withdrawn and its dataplane state removed. */
  removeVni(vni: number): boolean {
    const t = this.tables.vni(vni);
    if (t === undefined) return false;
    this.exporter.withdrawVni(vni);
    this.importer.unindex(t);
    this.tables.removeVni(vni);
    this.dataplane.setArpLookup(vni, undefined);
    this.dataplane.removeVni(vni);
    return true;
  }

  vni(vni: number): VniTable | undefined {
    return this.tables.vni(vni);
  }

  // ------------------------------------------------------------------ local MACs (API)

  /** Add (or refresh) a local MAC, optionally with IPs; `static` makes it sticky (RFC 7432 15.2). */
  addLocalMac(vni: number, mac: string, opts: { port?: string; ips?: readonly string[]; static?: boolean } = {}): LearnResult {
    const t = this.need(vni);
    const m = macToNumber(mac);
    const port = opts.port ?? 'api';
    const res = this.learn(t, m, port, opts.static === true);
    for (const ip of opts.ips ?? []) this.addLocalIp(vni, mac, ip);
    return res;
  }

  /** Refresh a local MAC's age. */
  touchLocalMac(vni: number, mac: string): boolean {
    const t = this.need(vni);
    const r = t.localRoute(macToNumber(mac));
    if (r === undefined) return false;
    t.learnLocal(macToNumber(mac), r.port);
    return true;
  }

  removeLocalMac(vni: number, mac: string): boolean {
    return this.need(vni).removeLocal(macToNumber(mac));
  }

  /** Bind an IP to a local MAC; originates its MAC/IP route (RFC 7432 9.1, RFC 9161). */
  addLocalIp(vni: number, mac: string, ip: string): boolean {
    const t = this.need(vni);
    const m = macToNumber(mac);
    if (!t.addLocalIp(m, ipToKey(ip))) return false;
    this.reoriginate(t, m);
    return true;
  }

  removeLocalIp(vni: number, mac: string, ip: string): boolean {
    const t = this.need(vni);
    const m = macToNumber(mac);
    if (!t.removeLocalIp(m, ipToKey(ip))) return false;
    this.reoriginate(t, m);
    return true;
  }

  /** Lift a duplicate freeze (RFC 7432 15.1 corrective action). */
  clearDuplicate(vni: number, mac: string): boolean {
    return this.need(vni).clearDuplicate(macToNumber(mac));
  }

  /** Age out stale local MACs now (also runs on a timer when `macAgeMs` is set). */
  ageLocalMacs(maxAgeMs = this.options.macAgeMs ?? Infinity): number {
    let n = 0;
    for (const t of this.tables.vnis()) n += t.ageLocal(maxAgeMs).length;
    return n;
  }

  // ------------------------------------------------------------------ queries

  lookupMac(vni: number, mac: string): MacInfo | undefined {
    const t = this.tables.vni(vni);
    const e = t?.lookup(macToNumber(mac));
    if (t === undefined || e === undefined || e.location === noLocation) return undefined;
    return {
      vni,
      mac: macToString(e.mac),
      location: this.where(e.location),
      seq: e.seq,
      ...(e.port >= 0 ? { port: this.ports.name(e.port) } : {}),
      static: e.static,
      frozen: e.frozen,
    };
  }

  /** Every MAC of a VNI with a location. */
  macs(vni: number): MacInfo[] {
    const t = this.tables.vni(vni);
    if (t === undefined) return [];
    const out: MacInfo[] = [];
    for (const e of t.entries()) out.push(this.lookupMac(vni, macToString(e.mac))!);
    return out;
  }

  /** Local MACs of a VNI, or of one of its ports (what the MAC limits count). */
  localMacCount(vni: number, port?: string): number {
    const t = this.tables.vni(vni);
    if (t === undefined) return 0;
    if (port === undefined) return t.localCount;
    const i = this.ports.indexOf(port);
    return i === undefined ? 0 : t.macLimits.count(i);
  }

  /** The MAC an IP resolves to in a VNI (ARP/ND suppression table). */
  resolveIp(vni: number, ip: string): string | undefined {
    const m = this.tables.vni(vni)?.resolve(ipToKey(ip)) ?? -1;
    return m < 0 ? undefined : macToString(m);
  }

  floodList(vni: number): string[] {
    const t = this.tables.vni(vni);
    return t === undefined ? [] : t.floodList().map((i) => this.tables.vteps.address(i));
  }

  /** Detach from the speaker and the dataplane (routes stay announced; `removeVni` withdraws). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of this.tables.vnis()) this.dataplane.setArpLookup(t.vni, undefined);
    if (this.ageTimer !== undefined) this.clock.clearTimeout(this.ageTimer as never);
    this.ageTimer = undefined;
  }

  // ------------------------------------------------------------------ internals

  private need(vni: number): VniTable {
    const t = this.tables.vni(vni);
    if (t === undefined) throw new RangeError(`VNI ${vni} is not configured`);
    return t;
  }

  private where(loc: number): MacLocation {
    return loc === localLocation ? 'local' : this.tables.vteps.address(loc);
  }

  private learn(t: VniTable, mac: number, port: string, isStatic: boolean): LearnResult {
    const res = t.learnLocal(mac, this.ports.intern(port), isStatic);
    if (res === 'new' || res === 'moved') {
      this.emit('macLearned', { vni: t.vni, mac: macToString(mac), port, seq: t.localRoute(mac)?.seq ?? 0 });
    } else if (res === 'sticky' || res === 'frozen' || res === 'sequence') {
      this.emit('learnRefused', { vni: t.vni, mac: macToString(mac), port, reason: res });
      // the dataplane learned it on a port; put the winning remote entry back
      const loc = t.location(mac);
      if (loc > 0) this.dataplane.setRemoteMac(t.vni, macToString(mac), this.tables.vteps.address(loc));
    }
    return res;
  }

  private reoriginate(t: VniTable, mac: number): void {
    const r = t.localRoute(mac);
    if (r !== undefined && t.location(mac) === localLocation) this.exporter.originateMac(t, mac, t.localIpsOf(mac), r.seq, r.static);
  }

  /** The dataplane asks about a target it has no entry for; we also snoop the sender (local MAC/IP). */
  private neighborLookup(req: NeighborRequest): string | undefined {
    const t = this.tables.vni(req.vni);
    if (t === undefined) return undefined;
    let sender: number | undefined;
    try {
      sender = macToNumber(req.senderMac);
      const senderIp = ipToKey(req.senderIp);
      const unspecified = senderIp === 0 || (typeof senderIp === 'string' && /^\0{16}$/.test(senderIp));
      // a local host's own address, not yet bound locally (a remote route may still hold it: a move)
      if (!unspecified && t.location(sender) === localLocation && !t.localIpsOf(sender).includes(senderIp)) {
        if (t.addLocalIp(sender, senderIp)) this.reoriginate(t, sender);
      }
      const m = t.resolve(ipToKey(req.targetIp));
      return m < 0 || !t.suppressArp ? undefined : macToString(m);
    } catch {
      return undefined;
    }
  }

  private attach(): void {
    const s = this.speaker;
    const added = (f: Family, r: RibRoute) => {
      if (isEvpn(f)) this.importer.apply(r, true);
    };
    const replaced = (f: Family, r: RibRoute, prev: RibRoute) => {
      if (isEvpn(f)) this.importer.replace(r, prev);
    };
    const withdrawn = (f: Family, r: RibRoute) => {
      if (isEvpn(f)) this.importer.apply(r, false);
    };
    s.on('routeAdded', added);
    s.on('routeReplaced', replaced);
    s.on('routeWithdrawn', withdrawn);
    this.unsubscribe.push(() => {
      s.off('routeAdded', added);
      s.off('routeReplaced', replaced);
      s.off('routeWithdrawn', withdrawn);
    });
    this.unsubscribe.push(this.dataplane.onLocalMac((vni, mac, port, event) => this.onLocalMac(vni, mac, port, event)));
  }

  private onLocalMac(vni: number, mac: string, port: string, event: LocalMacEvent): void {
    const t = this.tables.vni(vni);
    if (t === undefined) return;
    const m = macToNumber(mac);
    if (event === 'removed') {
      const r = t.localRoute(m);
      // only the port that holds it can remove it
      if (r !== undefined && this.ports.name(r.port) === port) t.removeLocal(m);
      return;
    }
    // over a MAC limit: the dataplane must not keep switching to it either (flooded as unknown)
    if (this.learn(t, m, port, false) === 'limit') this.dataplane.forgetLocalMac?.(vni, mac);
  }

  private scheduleAgeing(): void {
    const max = this.options.macAgeMs;
    if (max === undefined || !(max > 0) || this.closed) return;
    this.ageTimer = this.clock.setTimeout(() => {
      this.ageLocalMacs(max);
      this.scheduleAgeing();
    }, Math.max(1000, max / 2));
  }

  private observer(): VniObserver {
    return {
      macChanged: (t, mac, from, to, seq) => {
        const text = macToString(mac);
        if (to > 0) this.dataplane.setRemoteMac(t.vni, text, this.tables.vteps.address(to));
        else if (from > 0) this.dataplane.removeRemoteMac(t.vni, text);
        if (to === localLocation) {
          const r = t.localRoute(mac);
          this.exporter.originateMac(t, mac, t.localIpsOf(mac), seq, r?.static ?? false);
        } else if (from === localLocation) {
          this.exporter.withdrawMac(t.vni, mac);
        }
        if (from !== noLocation && to !== noLocation && from !== to) {
          this.emit('macMoved', { vni: t.vni, mac: text, from: this.where(from), to: this.where(to), seq });
        } else if (to === noLocation && from !== noLocation && this.listenerCount('macRemoved') > 0) {
          this.emit('macRemoved', { vni: t.vni, mac: text, from: this.where(from) });
        }
      },
      macDuplicate: (t, mac, at, seq) => {
        this.emit('macDuplicate', { vni: t.vni, mac: macToString(mac), at: this.where(at), seq });
      },
      bindingChanged: (t, ip: IpKey, mac, previous) => {
        const ipText = ipKeyToString(ip);
        if (mac >= 0) {
          const text = macToString(mac);
          if (t.suppressArp) this.dataplane.setArpEntry(t.vni, ipText, text);
          if (this.listenerCount('arpEntryInstalled') > 0) this.emit('arpEntryInstalled', { vni: t.vni, ip: ipText, mac: text });
        } else {
          if (t.suppressArp) this.dataplane.removeArpEntry(t.vni, ipText);
          if (this.listenerCount('arpEntryRemoved') > 0) this.emit('arpEntryRemoved', { vni: t.vni, ip: ipText, mac: macToString(previous) });
        }
      },
      floodChanged: (t) => {
        const vteps = t.floodList().map((i) => this.tables.vteps.address(i));
        this.dataplane.setFloodList(t.vni, vteps);
        this.emit('floodListChanged', { vni: t.vni, vteps });
      },
      localPortChanged: () => {},
      macLimitReached: (t, port, scope, limit) => {
        this.emit('macLimitReached', { vni: t.vni, port: this.ports.name(port), scope, limit });
      },
    };
  }
}
