/**
 * `BgpSpeaker`: many peers over `Session`s, an Adj-RIB-In per peer, one Loc-RIB per family with
 * the decision process, an Adj-RIB-Out per peer with UPDATE packing and backpressure, route
 * reflection (RFC 4456), graceful restart as receiving speaker (RFC 4724), route refresh
 * (RFC 2918, enhanced RFC 7313), max-prefix, import/export filters.
 */
import { EventEmitter } from 'eventemitter3';
import { encodeUpdateRaw } from './codec.js';
import { checkIpAddress } from './config-error.js';
import { CeaseError } from './errors.js';
import { familyCodec } from './families.js';
import { CeaseSubcode } from './iana.js';
import { localAttributesKey } from './rib/attr-set.js';
import { LocRib } from './rib/loc-rib.js';
import type { RibPeer, Route } from './rib/route.js';
import { type LocalIdentity } from './rib/reflection.js';
import { parseInput, viewRoute, type RibRoute, type RouteInput } from './rib/view.js';
import { Peer } from './rib/peer.js';
import type { PeerConfig, SpeakerCore } from './rib/peer-config.js';
import { PeerGroups, type DynamicNeighborConfig, type DynamicNeighborState, type GroupPeerConfig, type PeerGroupConfig } from './peer-groups.js';
import { PeerStats, type PeerStatus } from './rib/peer-status.js';
import { classifyChange, reconfigureLive, type PeerUpdate } from './rib/reconfigure.js';
import type { PeerCounters } from './rib/peer-counters.js';
import { realClock } from './session/clock.js';
import { tcpNetwork } from './session/transport.js';
import type { Clock, Network, Server, State } from './session/types.js';
import { FlushQueue } from './flush-queue.js';
import { peerInfoOf, peerStatusOf, rejectConnection, localRibPeer, removeWhenIdle, ribPeerOf, type PeerMeta } from './speaker-peers.js';
import { familyKeyOf, resolveFamily, type FamilyInput, type PeerInfo, type SpeakerEvents, type SpeakerOptions } from './speaker-types.js';

export type { PeerConfig, RouteFilter } from './rib/peer-config.js';
export type { ExportSkipReason } from './rib/adj-rib-out.js';
export type { PeerCounters } from './rib/peer-counters.js';
export type { RibRoute, RouteInput } from './rib/view.js';
export type { DynamicNeighborConfig, DynamicNeighborState, GroupPeerConfig, PeerGroupConfig } from './peer-groups.js';
export type { PeerError, PeerFamilyRoutes, PeerStatus } from './rib/peer-status.js';
export type { PeerUpdate } from './rib/reconfigure.js';

export { resolveFamily } from './speaker-types.js';
export type { FamilyInput, PeerInfo, SpeakerEvents, SpeakerOptions } from './speaker-types.js';

export class BgpSpeaker extends EventEmitter<SpeakerEvents> implements SpeakerCore {
  readonly asn: number;
  readonly routerId: string;
  readonly clock: Clock;
  readonly network: Network;
  readonly identity: LocalIdentity;
  /** The pseudo-peer our own announcements come from. */
  readonly localPeer: RibPeer;
  private readonly ribs = new Map<number, LocRib>();
  private readonly peers = new Map<string, Peer>();
  private readonly groups = new PeerGroups();
  /** Per peer: status tracking, its group, the range it came from if dynamic. */
  private readonly meta = new Map<string, PeerMeta>();
  private readonly local: Peer;
  private server: Server | undefined;
  private readonly dirty = new FlushQueue();
  private started = false;
  private readonly disabled = new Set<string>();

  constructor(private readonly options: SpeakerOptions) {
    super();
    this.asn = options.asn;
    this.routerId = options.routerId;
    this.clock = options.clock ?? realClock;
    this.network = options.network ?? tcpNetwork;
    this.identity = { asn: options.asn, routerId: options.routerId, clusterId: options.clusterId ?? options.routerId };
    this.localPeer = localRibPeer(options.asn, options.routerId);
    this.local = new Peer(this, { address: 'local', asn: options.asn, families: [] }, this.localPeer);
  }

  // ------------------------------------------------------------ peers

  /**
   * Configure a peer: a full `PeerConfig`, or an address plus a `peerGroup` whose settings it
   * takes (its own settings win). Its session starts at once when the speaker is started. Throws
   * a `PeerConfigError` when `address` or `localAddress` is not an IPv4/IPv6 address.
   */
  addPeer(config: PeerConfig | GroupPeerConfig): void {
    this.createPeer(config);
  }

  private createPeer(input: PeerConfig | GroupPeerConfig, dynamic?: string): Peer {
    checkIpAddress('address', input.address);
    if (input.localAddress !== undefined) checkIpAddress('localAddress', input.localAddress);
    if (this.peers.has(input.address)) throw new Error(`peer ${input.address} exists`);
    const peerGroup = 'peerGroup' in input ? input.peerGroup : undefined;
    const config = peerGroup === undefined ? (input as PeerConfig) : this.groups.resolve(input as GroupPeerConfig);
    const p = new Peer(this, config, ribPeerOf(config, this.asn));
    this.peers.set(config.address, p);
    this.meta.set(config.address, { stats: new PeerStats(this.clock, p.session), ...(peerGroup === undefined ? {} : { peerGroup }), ...(dynamic === undefined ? {} : { dynamic }) });
    if (this.started) p.start();
    return p;
  }

  /** Remove a peer: Cease / peer de-configured (RFC 4486), and its routes leave the Loc-RIB. */
  async removePeer(address: string, subcode: number = CeaseSubcode.peerDeconfigured): Promise<void> {
    const p = this.peers.get(address);
    if (p === undefined) return;
    this.peers.delete(address);
    const dynamic = this.meta.get(address)?.dynamic;
    this.meta.delete(address);
    this.disabled.delete(address);
    this.dirty.delete(p);
    await p.stop(new CeaseError(subcode, subcode === CeaseSubcode.peerDeconfigured ? 'peer de-configured' : 'configuration change'));
    p.dropAll();
    if (dynamic !== undefined) {
      this.groups.release(dynamic);
      this.emit('dynamicPeerRemoved', address, dynamic);
    }
  }

  /**
   * Change a configured peer's settings. Filters and max-prefix apply to the running session
   * (soft reconfiguration, `'updated'`); anything else (AS, families, timers, addresses, route
   * reflector client, ...) ends the session with Cease / Other Configuration Change (RFC 4486)
   * and starts a new one (`'reset'`). A peer given with `peerGroup` takes the group's current
   * settings. TypeError for a peer that does not exist.
   */
  async updatePeer(input: PeerConfig | GroupPeerConfig): Promise<PeerUpdate> {
    const p = this.peers.get(input.address);
    if (p === undefined) throw new TypeError(`peer ${input.address} does not exist`);
    const peerGroup = 'peerGroup' in input ? input.peerGroup : undefined;
    const config = peerGroup === undefined ? (input as PeerConfig) : this.groups.resolve(input as GroupPeerConfig);
    const meta = this.meta.get(input.address)!;
    const change = classifyChange(p.config, config);
    if (change === 'updated') reconfigureLive(this, p, config);
    if (change !== 'reset') {
      if (peerGroup === undefined) delete meta.peerGroup;
      else meta.peerGroup = peerGroup;
      return change;
    }
    await this.removePeer(input.address, CeaseSubcode.otherConfigurationChange);
    this.createPeer(input);
    return 'reset';
  }

  /** Add or replace a peer group (peers added before keep the settings they were given). */
  addPeerGroup(name: string, config: PeerGroupConfig): void {
    this.groups.set(name, config);
  }

  /** Remove a peer group; TypeError while a dynamic-neighbor range uses it. */
  removePeerGroup(name: string): boolean {
    return this.groups.delete(name);
  }

  /** The settings of a peer group. */
  peerGroup(name: string): PeerGroupConfig | undefined {
    return this.groups.get(name);
  }

  /** Names of the peer groups. */
  peerGroupNames(): string[] {
    return this.groups.names();
  }

  /**
   * Accept sessions from every address of `prefix` (a listen range): a connection from an
   * address that is not a configured peer becomes a passive peer with the settings of
   * `peerGroup`, removed again when its session ends. Beyond `limit` peers from the range,
   * connections are refused with Cease / Connection Rejected (RFC 4486). The longest matching
   * range wins. Replaces a range with the same prefix.
   */
  addDynamicNeighbors(config: DynamicNeighborConfig): void {
    this.groups.addRange(config);
  }

  /** Stop accepting new sessions from a range (its current peers stay until their sessions end). */
  removeDynamicNeighbors(prefix: string): boolean {
    return this.groups.removeRange(prefix);
  }

  /** The listen ranges and how many peers each holds. */
  dynamicNeighbors(): DynamicNeighborState[] {
    return this.groups.rangeStates();
  }

  /**
   * State, uptime, messages by type, routes per family and the last error of a peer. Counting
   * `advertised` walks the Loc-RIB of each family (O(routes)): poll it, do not call it per event.
   */
  peerStatus(address: string): PeerStatus | undefined {
    const p = this.peers.get(address);
    const m = this.meta.get(address);
    return p === undefined || m === undefined ? undefined : peerStatusOf(address, p, m, this.ribs);
  }

  /** Addresses of configured peers. */
  peerAddresses(): string[] {
    return [...this.peers.keys()];
  }

  /** Session state of a peer. */
  peerState(address: string): State | undefined {
    return this.peers.get(address)?.session.state;
  }

  /**
   * What a peer's hostile or broken input cost it so far (routes ignored, routes not sent,
   * faults contained); counted since the peer was added, across sessions.
   */
  peerCounters(address: string): PeerCounters | undefined {
    const c = this.peers.get(address)?.counters;
    return c === undefined ? undefined : { ...c };
  }

  /**
   * What is known of a configured peer: its configuration, session state, what was negotiated
   * (while Established), routes received per family (Adj-RIB-In, after import policy), routes
   * advertised and whether it is administratively disabled. Undefined for an unknown address.
   */
  peerInfo(address: string): PeerInfo | undefined {
    const p = this.peers.get(address);
    return p === undefined ? undefined : peerInfoOf(p, this.disabled.has(address));
  }

  /** Stop a peer's session (Cease / administrative shutdown, RFC 4486) and keep it configured. */
  async disablePeer(address: string, message?: string): Promise<void> {
    const p = this.peers.get(address);
    if (p === undefined) throw new Error(`no peer ${address}`);
    this.disabled.add(address);
    await p.stop(new CeaseError(CeaseSubcode.administrativeShutdown, message ?? 'administrative shutdown'));
  }

  /** Start a disabled peer's session again. */
  enablePeer(address: string): void {
    const p = this.peers.get(address);
    if (p === undefined) throw new Error(`no peer ${address}`);
    this.disabled.delete(address);
    if (this.started) p.start();
  }

  /** Reset a peer's session (Cease / administrative reset, RFC 4486); it reconnects. */
  resetPeer(address: string, message?: string): void {
    const p = this.peers.get(address);
    if (p === undefined) throw new Error(`no peer ${address}`);
    if (p.session.state === 'Established') p.session.reset(new CeaseError(CeaseSubcode.administrativeReset, message ?? 'administrative reset'));
  }

  /** @internal */
  peer(address: string): Peer | undefined {
    return this.peers.get(address);
  }

  /** @internal every peer but the local one */
  allPeers(): IterableIterator<Peer> {
    return this.peers.values();
  }

  // ------------------------------------------------------------ lifecycle

  /** Listen (unless `listen: false`) and start every peer's session. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const l = this.options.listen;
    if (l !== false) {
      this.server = await this.network.listen(l?.address ?? '::', l?.port ?? 179, (t) => {
        const p = this.peers.get(t.remoteAddress) ?? this.peers.get(t.remoteAddress.replace(/^::ffff:/, '')) ?? this.admitDynamic(t.remoteAddress.replace(/^::ffff:/, ''));
        if (p === undefined) return rejectConnection(t);
        p.session.accept(t);
      });
    }
    for (const [a, p] of this.peers) if (!this.disabled.has(a)) p.start();
  }

  /** A peer for a connection from a dynamic-neighbor range, or undefined (the reason is emitted). */
  private admitDynamic(address: string): Peer | undefined {
    const a = this.groups.admit(address);
    if (typeof a === 'string') {
      // RFC 4486: Cease / connection rejected for anyone not configured
      this.emit('connectionRejected', address, a === 'limit' ? 'range-limit' : 'unknown-peer');
      return undefined;
    }
    const p = this.createPeer(a.config, a.prefix);
    this.emit('dynamicPeerAdded', address, a.prefix);
    removeWhenIdle(p, () => this.peers.get(address) === p, () => void this.removePeer(address));
    return p;
  }

  /** Cease to every peer, every socket and timer closed. */
  async stop(): Promise<void> {
    this.started = false;
    this.dirty.clear();
    await Promise.all([...this.peers.values()].map((p) => p.stop()));
    const s = this.server;
    this.server = undefined;
    if (s !== undefined) await s.close();
  }

  /** The address:port the speaker listens on (after `start`). */
  get listenAddress(): { address: string; port: number } | undefined {
    return this.server === undefined ? undefined : { address: this.server.address, port: this.server.port };
  }

  // ------------------------------------------------------------ routes

  /** Originate routes (the EVPN builders' output works as is). */
  announce(route: RouteInput): void {
    const p = parseInput(route);
    const set = this.local.attrs.intern(localAttributesKey(p.attributes, p.nextHops), p.attributes, p.nextHops);
    for (const b of p.nlri) this.local.learn(p.family, b, 0, b.length, set, false);
    this.local.attrs.release(set);
  }

  /** Withdraw routes we originated (only the NLRI matter). */
  withdraw(route: RouteInput): void {
    const p = parseInput(route);
    for (const b of p.nlri) this.local.unlearn(p.family, b, 0, b.length, false);
  }

  /** Iterate the Loc-RIB of a family: the best path of every destination, decoded. */
  *routes(family: FamilyInput): IterableIterator<RibRoute> {
    const fk = familyKeyOf(family);
    const rib = this.ribs.get(fk);
    if (rib === undefined) return;
    for (const r of rib.bests()) yield viewRoute(fk, r, true, this.peers.get(r.peer.address)?.adjIn.isStale(r) ?? false);
  }

  /**
   * Iterate the Loc-RIB of a family by destination: every candidate path (from every peer and
   * our own), the best first, decoded. For listings that show all paths, as `gobgp global rib`.
   */
  *destinations(family: FamilyInput): IterableIterator<RibRoute[]> {
    const fk = familyKeyOf(family);
    const rib = this.ribs.get(fk);
    if (rib === undefined) return;
    for (const paths of rib.destinations()) {
      yield paths.map((r, i) => {
        const p = r.peer.local ? this.local : this.peers.get(r.peer.address);
        return viewRoute(fk, r, i === 0, p?.adjIn.isStale(r) ?? false);
      });
    }
  }

  /** Number of destinations in the Loc-RIB of a family. */
  routeCount(family: FamilyInput): number {
    return this.ribs.get(familyKeyOf(family))?.size ?? 0;
  }

  /** Iterate the Adj-RIB-In of a peer (after import policy), decoded. */
  *adjRibIn(peerAddress: string, family: FamilyInput): IterableIterator<RibRoute> {
    const p = peerAddress === 'local' ? this.local : this.peers.get(peerAddress);
    if (p === undefined) return;
    const fk = familyKeyOf(family);
    const rib = this.ribs.get(fk);
    for (const r of p.adjIn.routes(fk)) yield viewRoute(fk, r, rib?.best(r.key) === r, p.adjIn.isStale(r));
  }

  /** Ask a peer to send its routes of a family again (RFC 2918; RFC 7313 when negotiated). */
  refresh(peerAddress: string, family: FamilyInput): boolean {
    const p = this.peers.get(peerAddress);
    return p !== undefined && p.session.sendRouteRefresh(resolveFamily(family), 'normal');
  }

  // ------------------------------------------------------------ core services for peers

  /** @internal */
  locRib(family: number): LocRib {
    let r = this.ribs.get(family);
    if (r === undefined) {
      // the family's own decision step (EVPN: MAC mobility) comes with its codec
      const preference = familyCodec(family >>> 8, family & 0xff)?.preference;
      r = new LocRib(preference === undefined ? this.options.decision : { ...this.options.decision, preference });
      this.ribs.set(family, r);
    }
    return r;
  }

  /** @internal existing Loc-RIB of a family */
  locRibIfAny(family: number): LocRib | undefined {
    return this.ribs.get(family);
  }

  /**
   * @internal a destination's best path changed (now from `from`, before `previous`): every
   * peer that may have to hear about it reconsiders it. The peer the new best came from needs
   * nothing unless it was told about the previous best (then that is withdrawn from it).
   */
  bestChanged(family: number, key: string, from: RibPeer | undefined, previous: Route | undefined): void {
    for (const p of this.peers.values()) {
      if (p.rib === from && (previous === undefined || previous.peer === from)) continue;
      if (p.markOut(family, key, previous)) this.dirty.add(p);
    }
    if (this.dirty.size > 0) this.scheduleFlush();
  }

  /** @internal */
  scheduleFlush(peer?: Peer): void {
    if (peer !== undefined) this.dirty.add(peer);
    if (this.started) this.dirty.schedule();
  }

  /** @internal */
  pack(sendOptions: Parameters<typeof encodeUpdateRaw>[1]) {
    return (u: Parameters<typeof encodeUpdateRaw>[0]) => encodeUpdateRaw(u, sendOptions);
  }
}
