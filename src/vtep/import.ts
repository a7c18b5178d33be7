/**
 * Import: Loc-RIB EVPN routes into the VTEP tables (RFC 7432 9.2, RFC 8365 5.1).
 *
 * A route is imported into every VNI whose import route targets it carries (RFC 7432 7.10);
 * when several VNIs share a route target, the VNI in the label (RFC 8365 5.1.3) narrows the
 * choice. Type-2 routes fill MAC -> VTEP and IP -> MAC; Type-3 routes with a PMSI Tunnel
 * attribute of type ingress replication fill the flood list (RFC 8365 9.1). The Loc-RIB already
 * chose the best path per route key; between route keys (one MAC from several RDs) the tables
 * apply MAC mobility (RFC 7432 15).
 */
import type { RibRoute } from '../bgp/rib/view.js';
import type { PathAttribute } from '../bgp/types.js';
import { PmsiTunnelType } from '../bgp/iana.js';
import type { MacMobilityCommunity, RouteTargetCommunity } from '../evpn/communities.js';
import { routeLabelVni } from '../evpn/label.js';
import { isInclusiveMulticastRoute, isMacIpRoute, type EvpnRouteBase } from '../evpn/types.js';
import { ipToKey, macToNumber } from './keys.js';
import type { VtepTables } from './tables.js';
import type { VniTable } from './vni.js';

/** A route target as a map key: format, global and local administrator. */
export function rtKey(rt: RouteTargetCommunity): string {
  return `${rt.format}:${rt.global}:${rt.local}`;
}

/** What one attribute set says, extracted once per set (the RIB shares a set between routes). */
interface Extracted {
  readonly rts: string[];
  readonly seq: number;
  readonly sticky: boolean;
  /** The VNIs importing any of `rts`, as of importer generation `generation` (-1: not yet). */
  tables: readonly VniTable[];
  generation: number;
}

function extract(attributes: readonly PathAttribute[]): Extracted {
  const rts: string[] = [];
  let seq = 0;
  let sticky = false;
  for (const a of attributes) {
    if (a.type !== 'extended-communities') continue;
    for (const c of a.values) {
      if (c.kind === 'route-target') rts.push(rtKey(c as RouteTargetCommunity));
      else if (c.kind === 'mac-mobility') {
        const m = c as MacMobilityCommunity;
        // RFC 7432 7.7: absent community = sequence 0
        if (m.sequence > seq) seq = m.sequence;
        if (m.sticky) sticky = true;
      }
    }
  }
  return { rts, seq, sticky, tables: [], generation: -1 };
}

/** Routes of one speaker's EVPN Loc-RIB turned into table changes. */
export class RouteImporter {
  private readonly byRt = new Map<string, VniTable[]>();
  /**
   * Extracted attributes by attribute array: the Loc-RIB interns attribute sets, so every route
   * of an UPDATE (and of any UPDATE with the same attributes) brings the same array, and its
   * route targets, MAC Mobility and the VNIs they reach are worked out once, not per route.
   */
  private readonly extracted = new WeakMap<readonly PathAttribute[], Extracted>();
  /** Bumped by `index`/`unindex`: the VNIs cached per attribute set are stale after it. */
  private generation = 0;
  /** Routes seen, by outcome: imported into at least one VNI, or not (no matching RT, ours, unsupported). */
  readonly counters = { imported: 0, withdrawn: 0, ignored: 0 };

  constructor(private readonly tables: VtepTables) {}

  /** Make `table` import routes carrying any of `rts` (text keys from `rtKey`). */
  index(table: VniTable, rts: readonly string[]): void {
    this.generation++;
    for (const k of rts) {
      let list = this.byRt.get(k);
      if (list === undefined) this.byRt.set(k, (list = []));
      if (!list.includes(table)) list.push(table);
    }
  }

  unindex(table: VniTable): void {
    this.generation++;
    for (const [k, list] of this.byRt) {
      const i = list.indexOf(table);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byRt.delete(k);
    }
  }

  /** What a route's attributes say (cached per attribute array). */
  private extractOf(attributes: readonly PathAttribute[]): Extracted {
    let ex = this.extracted.get(attributes);
    if (ex === undefined) this.extracted.set(attributes, (ex = extract(attributes)));
    return ex;
  }

  /** The VNIs a route goes to (RFC 7432 9.2: import by route target; RFC 8365 5.1.3: label). */
  targets(route: RibRoute, ex: Extracted = this.extractOf(route.attributes)): readonly VniTable[] {
    if (ex.generation !== this.generation) {
      const out: VniTable[] = [];
      for (const k of ex.rts) for (const t of this.byRt.get(k) ?? []) if (!out.includes(t)) out.push(t);
      ex.tables = out;
      ex.generation = this.generation;
    }
    const out = ex.tables;
    if (out.length > 1) {
      const vni = routeLabelVni(route.nlri as EvpnRouteBase & { label1?: number; label?: number }, route.attributes);
      const byLabel = out.find((t) => t.vni === vni);
      if (byLabel !== undefined) return [byLabel];
    }
    return out;
  }

  /** A route became best (`add`) or lost its last path. Returns the VNIs it touched. */
  apply(route: RibRoute, add: boolean): number {
    if (route.peer === 'local') return this.ignore(); // our own originations
    const nlri = route.nlri as EvpnRouteBase;
    const ex = this.extractOf(route.attributes);
    const targets = this.targets(route, ex);
    if (targets.length === 0) return this.ignore();
    let touched = 0;
    if (isMacIpRoute(nlri)) {
      const nh = route.nextHops[0];
      if (nh === undefined || nh === this.tables.vteps.self) return this.ignore();
      const mac = macToNumber(nlri.mac);
      const ip = nlri.ip === undefined ? undefined : ipToKey(nlri.ip);
      const rd = this.tables.rds.intern(nlri.ethernetTag === 0 ? nlri.rd : `${nlri.rd}#${nlri.ethernetTag}`);
      const vtep = this.tables.vteps.intern(nh);
      for (const t of targets) {
        if (add) t.installRemote(mac, ip, rd, vtep, ex.seq, ex.sticky);
        else t.uninstallRemote(mac, ip, rd);
        touched++;
      }
    } else if (isInclusiveMulticastRoute(nlri)) {
      const rd = this.tables.rds.intern(nlri.ethernetTag === 0 ? nlri.rd : `${nlri.rd}#${nlri.ethernetTag}`);
      if (!add) {
        for (const t of targets) if (t.removeFlood(rd)) touched++;
      } else {
        const endpoint = floodEndpoint(route);
        if (endpoint === undefined || endpoint === this.tables.vteps.self) return this.ignore();
        const vtep = this.tables.vteps.intern(endpoint);
        for (const t of targets) {
          t.addFlood(rd, vtep);
          touched++;
        }
      }
    }
    if (touched > 0) {
      if (add) this.counters.imported++;
      else this.counters.withdrawn++;
    } else this.counters.ignored++;
    return touched;
  }

  private ignore(): number {
    this.counters.ignored++;
    return 0;
  }

  /** The best path of a destination changed: leave VNIs the old one went to, then install the new one. */
  replace(route: RibRoute, previous: RibRoute): void {
    if (previous.peer !== 'local') {
      const before = this.targets(previous);
      // the same NLRI installs in place; only VNIs the new path no longer reaches lose it
      const now = route.peer === 'local' ? [] : this.targets(route);
      this.applyTo(previous, before.filter((t) => !now.includes(t)));
    }
    this.apply(route, true);
  }

  private applyTo(route: RibRoute, only: readonly VniTable[]): void {
    if (only.length === 0) return;
    const nlri = route.nlri as EvpnRouteBase;
    const rdOf = (rd: string, tag: number) => this.tables.rds.intern(tag === 0 ? rd : `${rd}#${tag}`);
    if (isMacIpRoute(nlri)) {
      const mac = macToNumber(nlri.mac);
      const ip = nlri.ip === undefined ? undefined : ipToKey(nlri.ip);
      const rd = rdOf(nlri.rd, nlri.ethernetTag);
      for (const t of only) t.uninstallRemote(mac, ip, rd);
    } else if (isInclusiveMulticastRoute(nlri)) {
      const rd = rdOf(nlri.rd, nlri.ethernetTag);
      for (const t of only) t.removeFlood(rd);
    }
  }
}

/**
 * The flood destination a Type-3 names: the PMSI Tunnel endpoint for ingress replication
 * (RFC 8365 9.1, RFC 6514 5), else the next hop. Undefined when the PMSI attribute is missing
 * or names another tunnel type (RFC 8365 9: such a route gives no ingress-replication endpoint).
 */
function floodEndpoint(route: RibRoute): string | undefined {
  for (const a of route.attributes) {
    if (a.type !== 'pmsi-tunnel') continue;
    if (a.tunnelType !== PmsiTunnelType.ingressReplication) return undefined;
    return typeof a.tunnelId === 'string' ? a.tunnelId : route.nextHops[0];
  }
  return undefined;
}
