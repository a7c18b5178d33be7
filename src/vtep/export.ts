/**
 * Export: local state into EVPN routes (RFC 7432 9.1, RFC 8365 5.1).
 *
 * - Every VNI originates one Type-3 Inclusive Multicast route with a PMSI Tunnel attribute of
 *   type ingress replication carrying the VNI and our VTEP address (RFC 8365 9.1).
 * - Every local MAC originates a MAC-only Type-2 route, and one MAC/IP Type-2 route per local IP
 *   binding (RFC 7432 9.1, RFC 9161 3). The MAC Mobility community carries the sequence once a
 *   MAC has moved (sequence > 0) or when it is static (sticky; RFC 7432 7.7, 15.2).
 * - A local MAC that is removed, ages out or is evicted by a winning remote route is withdrawn
 *   (RFC 7432 15.1).
 */
import type { RouteInput } from '../bgp/rib/view.js';
import { macIpRoute, inclusiveMulticastRoute, type BuiltRoute } from '../evpn/builders.js';
import type { EvpnRoute } from '../evpn/types.js';
import { ipKeyToString, macToString, type IpKey } from './keys.js';
import type { VniTable } from './vni.js';

/** Where routes go: a `BgpSpeaker` (only these two methods are used). */
export interface RouteSink {
  announce(route: RouteInput): void;
  withdraw(route: RouteInput): void;
}

/** Called for every announcement and withdrawal (the manager turns them into events). */
export type ExportListener = (kind: 'originated' | 'withdrawn', route: BuiltRoute<EvpnRoute>) => void;

interface LocalMacRoutes {
  seq: number;
  sticky: boolean;
  /** '' = the MAC-only route; otherwise the IP text. */
  readonly routes: Map<string, BuiltRoute<EvpnRoute>>;
}

export class RouteExporter {
  private readonly imet = new Map<number, BuiltRoute<EvpnRoute>>();
  private readonly macs = new Map<string, LocalMacRoutes>();

  constructor(
    private readonly sink: RouteSink,
    /** Our VTEP address: next hop, Type-3 originator and PMSI tunnel endpoint. */
    readonly vtepAddress: string,
    private readonly listener: ExportListener,
  ) {}

  /** Originate (or refresh) the Type-3 of a VNI. */
  originateImet(t: VniTable): void {
    const old = this.imet.get(t.vni);
    // another RD is another route key: withdraw the old one; the same key is replaced in place
    if (old !== undefined && (old.nlri as { rd?: string }).rd !== t.rd) this.withdrawRoute(old);
    const r = inclusiveMulticastRoute({ rd: t.rd, originator: this.vtepAddress, vni: t.vni, nextHop: this.vtepAddress, routeTargets: t.exportRts });
    this.imet.set(t.vni, r);
    this.announceRoute(r);
  }

  withdrawImet(vni: number): void {
    const r = this.imet.get(vni);
    if (r === undefined) return;
    this.imet.delete(vni);
    this.withdrawRoute(r);
  }

  /**
   * Make the announced Type-2 routes of a local MAC match `ips`, `seq` and `sticky`: new IPs and
   * a changed sequence are (re)announced, IPs no longer bound are withdrawn.
   */
  originateMac(t: VniTable, mac: number, ips: readonly IpKey[], seq: number, sticky: boolean): void {
    const key = `${t.vni}/${mac}`;
    let state = this.macs.get(key);
    const changed = state === undefined || state.seq !== seq || state.sticky !== sticky;
    if (state === undefined) this.macs.set(key, (state = { seq, sticky, routes: new Map() }));
    state.seq = seq;
    state.sticky = sticky;
    const want = new Set<string>(['']);
    for (const ip of ips) want.add(ipKeyToString(ip));
    for (const [ip, r] of state.routes) {
      if (!want.has(ip)) {
        state.routes.delete(ip);
        this.withdrawRoute(r);
      }
    }
    const macText = macToString(mac);
    for (const ip of want) {
      if (!changed && state.routes.has(ip)) continue;
      const r = macIpRoute({
        rd: t.rd,
        mac: macText,
        ...(ip === '' ? {} : { ip }),
        vni: t.vni,
        nextHop: this.vtepAddress,
        routeTargets: t.exportRts,
        // RFC 7432 7.7: the community is sent once a MAC has moved, or to mark it static
        ...(seq > 0 || sticky ? { mobility: { sequence: seq, sticky } } : {}),
      });
      state.routes.set(ip, r);
      this.announceRoute(r);
    }
  }

  /** Withdraw every Type-2 of a local MAC (removed, aged out, or evicted by a remote winner). */
  withdrawMac(vni: number, mac: number): boolean {
    const key = `${vni}/${mac}`;
    const state = this.macs.get(key);
    if (state === undefined) return false;
    this.macs.delete(key);
    for (const r of state.routes.values()) this.withdrawRoute(r);
    return true;
  }

  /** Whether we announce routes for this local MAC. */
  originates(vni: number, mac: number): boolean {
    return this.macs.has(`${vni}/${mac}`);
  }

  /** Withdraw everything of a VNI (it is being removed). */
  withdrawVni(vni: number): void {
    const prefix = `${vni}/`;
    for (const key of [...this.macs.keys()]) if (key.startsWith(prefix)) this.withdrawMac(vni, Number(key.slice(prefix.length)));
    this.withdrawImet(vni);
  }

  private announceRoute(r: BuiltRoute<EvpnRoute>): void {
    this.sink.announce(r);
    this.listener('originated', r);
  }

  private withdrawRoute(r: BuiltRoute<EvpnRoute>): void {
    this.sink.withdraw(r);
    this.listener('withdrawn', r);
  }
}
