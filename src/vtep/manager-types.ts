/**
 * The `VtepManager`'s configuration (per manager and per VNI), its typed events and the MAC
 * information it answers queries with.
 */
import type { BgpSpeaker } from '../bgp/speaker.js';
import type { Clock } from '../bgp/session/types.js';
import type { Dataplane } from '../dataplane/types.js';
import type { BuiltRoute, RouteTargetInput } from '../evpn/builders.js';
import type { AutoRouteTargetOptions } from '../evpn/communities.js';
import type { EvpnRoute } from '../evpn/types.js';
import type { MacLimits, MacLimitScope } from './mac-limit.js';
import type { MobilityOptions } from './mobility.js';

/** One VNI (a bridge domain, VLAN-based service). */
export interface VniConfig {
  readonly vni: number;
  /** Default `<router id>:<vni & 0xffff>` (type 1, RFC 7432 7.9). */
  readonly rd?: string;
  /** Import and export route targets. Default: auto-derived from AS and VNI (RFC 8365 5.1.2.1). */
  readonly routeTargets?: readonly RouteTargetInput[];
  /** Overrides `routeTargets` for import. */
  readonly importRts?: readonly RouteTargetInput[];
  /** Overrides `routeTargets` for export. */
  readonly exportRts?: readonly RouteTargetInput[];
  /** ARP/ND suppression (RFC 9161): answer from the tables. Default true. */
  readonly suppressArp?: boolean;
  /**
   * MACs (and IPv4 bindings) the VNI is expected to hold: its tables are sized for them up front
   * instead of doubling while they fill. A hint, not a limit. Default: start small.
   */
  readonly expectedMacs?: number;
  /** Local MAC limits of this VNI; each field overrides `VtepManagerOptions.macLimit`'s. */
  readonly macLimit?: MacLimits;
}

export interface VtepManagerOptions {
  readonly speaker: BgpSpeaker;
  readonly dataplane: Dataplane;
  /** Our VTEP address: next hop of our routes, Type-3 originator, PMSI tunnel endpoint. */
  readonly vtepAddress: string;
  readonly vnis?: readonly VniConfig[];
  /** Duplicate detection (RFC 7432 15.1). Default 5 moves in 180 s, freeze. */
  readonly mobility?: MobilityOptions;
  /** Time for ageing and duplicate windows. Default the speaker's clock. */
  readonly clock?: Clock;
  /**
   * Age out local MACs not refreshed (`addLocalMac`/`touchLocalMac`) within this many ms.
   * Default off: the dataplane reports removed MACs itself.
   */
  readonly macAgeMs?: number;
  /**
   * Limits on locally learned MACs, per VNI and per port (Linux `fdb_max_learned`, FRR's MAC
   * limit). A MAC beyond a limit is not learned and not advertised; the dataplane forgets it,
   * so frames to it are flooded as unknown unicast. `macLimitReached` reports a limit once until
   * its count is under it again; `vni(n).macLimits.refused` counts refused learns. Static MACs
   * count but are never refused. Default: no limits.
   */
  readonly macLimit?: MacLimits;
  /** AS for auto-derived route targets. Default the speaker's AS. */
  readonly asn?: number;
  /** Auto-derived route target style (default RFC 8365; `as-vni` is FRR's default). */
  readonly autoRouteTarget?: AutoRouteTargetOptions;
}

/** Where a MAC is: `local` or the remote VTEP's address. */
export type MacLocation = 'local' | (string & {});

export interface MacInfo {
  readonly vni: number;
  readonly mac: string;
  readonly location: MacLocation;
  readonly seq: number;
  /** Local port name, when local. */
  readonly port?: string;
  readonly static: boolean;
  readonly frozen: boolean;
}

/** Typed events (eventemitter3). */
export interface VtepManagerEvents {
  /** A MAC became local (learned on a port or added through the API). */
  macLearned: [e: { vni: number; mac: string; port: string; seq: number }];
  /** A MAC moved between VTEPs (`local` or an address), with the sequence it now has. */
  macMoved: [e: { vni: number; mac: string; from: MacLocation; to: MacLocation; seq: number }];
  /** A MAC is known nowhere any more. */
  macRemoved: [e: { vni: number; mac: string; from: MacLocation }];
  /** N moves in M seconds (RFC 7432 15.1): frozen at `at`. */
  macDuplicate: [e: { vni: number; mac: string; at: MacLocation; seq: number }];
  /** A local learn was not applied: the MAC is sticky elsewhere, frozen as a duplicate, or remote with sequence 2^32-1. */
  learnRefused: [e: { vni: number; mac: string; port: string; reason: 'sticky' | 'frozen' | 'sequence' }];
  /** A local MAC limit refused a learn (once, until that count is under the limit again). */
  macLimitReached: [e: { vni: number; port: string; scope: MacLimitScope; limit: number }];
  floodListChanged: [e: { vni: number; vteps: string[] }];
  arpEntryInstalled: [e: { vni: number; ip: string; mac: string }];
  arpEntryRemoved: [e: { vni: number; ip: string; mac: string }];
  routeOriginated: [route: BuiltRoute<EvpnRoute>];
  routeWithdrawn: [route: BuiltRoute<EvpnRoute>];
}
