/**
 * bgp-evpnd at run time: a `BgpSpeaker` built from a GoBGP-style config, its events logged one
 * line each, reloads that change only what changed (new peers added, deleted ones sent Cease,
 * changed ones updated, unchanged sessions left alone), the GoBGP gRPC API when that module is
 * part of the build, and a stop that sends Cease to every peer.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { BgpSpeaker } from '../bgp/index.js';
import { UdpUnderlay, VxlanEngine } from '../dataplane/index.js';
import { registerEvpn } from '../evpn/index.js';
import { VtepManager } from '../vtep/index.js';
import { ConfigError, parseConfig, type DaemonConfig, type VtepConfig } from './config.js';
import type { Logger } from './log.js';

// EVPN route keys (RFC 7432 7: RD, tag, MAC, IP; not the label or ESI) decide which paths are
// the same route: without the codec a re-advertisement with a new label would be a second route
registerEvpn();

export interface DaemonOptions {
  readonly configFile: string;
  /** `host:port` for the gRPC API, or false for none. Default 127.0.0.1:50051 (the CLI's default). */
  readonly apiHosts?: string | false;
  readonly logger: Logger;
}

/** What the GoBGP API module offers (loaded only if it is part of the build). */
interface ApiServer {
  start?(): Promise<unknown>;
  stop?(): Promise<unknown>;
  close?(): Promise<unknown>;
}

/** What a reload did, by peer address. */
export interface ReloadSummary {
  readonly added: string[];
  readonly removed: string[];
  readonly updated: string[];
  readonly reset: string[];
}

export class Daemon {
  private api: ApiServer | undefined;
  /** Reloads run one after the other (two quick SIGHUPs must not diff against the same old config). */
  private reloading: Promise<unknown> = Promise.resolve();
  private stopping = false;
  /** With `[vtep.config]`: the VTEP tables and the VXLAN engine they program. */
  vtep: { manager: VtepManager; engine: VxlanEngine } | undefined;

  private constructor(
    readonly speaker: BgpSpeaker,
    private config: DaemonConfig,
    private readonly options: DaemonOptions,
  ) {}

  /** Read the config, start the speaker (and the API); ConfigError before anything starts. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const config = await readConfig(options.configFile);
    const g = config.global;
    const speaker = new BgpSpeaker({
      asn: g.asn,
      routerId: g.routerId,
      listen: g.port === -1 ? false : { address: g.listenAddress ?? '::', port: g.port },
      ...(config.clusterId === undefined ? {} : { clusterId: config.clusterId }),
    });
    const d = new Daemon(speaker, config, options);
    d.watch();
    d.apply(undefined, config);
    if (config.vtep !== undefined) d.vtep = await d.startVtep(config.vtep);
    await speaker.start();
    const log = options.logger;
    log.log('info', 'started', { as: g.asn, routerId: g.routerId, listen: speaker.listenAddress ?? 'none', peers: config.neighbors.size, ranges: config.dynamicNeighbors.length });
    if (options.apiHosts !== false) d.api = await startApi(speaker, options.apiHosts ?? '127.0.0.1:50051', log);
    return d;
  }

  /**
   * Read the config again and apply the peer changes; undefined (and logged) when it cannot be
   * used. Calls are queued: each one diffs against what the previous one applied.
   */
  reload(): Promise<ReloadSummary | undefined> {
    const next = this.reloading.then(() => (this.stopping ? undefined : this.reloadNow()));
    this.reloading = next;
    return next;
  }

  private async reloadNow(): Promise<ReloadSummary | undefined> {
    const log = this.options.logger;
    let next: DaemonConfig;
    try {
      next = await readConfig(this.options.configFile);
      const why = globalChange(this.config, next);
      if (why !== undefined) throw new ConfigError(this.options.configFile, undefined, why, 'changed: global settings need a restart of bgp-evpnd; nothing was applied');
    } catch (e) {
      log.log('error', 'reload failed', { error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
    let summary: ReturnType<Daemon['apply']>;
    let results: { address: string; result: string }[];
    try {
      summary = this.apply(this.config, next);
      results = await Promise.all(summary.pending);
    } catch (e) {
      // the config was valid but the speaker refused part of it: say so, keep running
      log.log('error', 'reload failed', { error: e instanceof Error ? e.message : String(e), partial: true });
      return undefined;
    } finally {
      this.config = next;
    }
    const updated = results.filter((r) => r.result === 'updated').map((r) => r.address);
    const reset = results.filter((r) => r.result === 'reset').map((r) => r.address);
    const out = { added: summary.added, removed: summary.removed, updated, reset };
    log.log('info', 'reloaded', { ...out });
    return out;
  }

  /** Cease to every peer (administrative shutdown), the API closed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.options.logger.log('info', 'stopping', { peers: this.speaker.peerAddresses().length });
    const api = this.api;
    this.api = undefined;
    this.vtep?.manager.close();
    await Promise.all([this.speaker.stop(), api?.stop?.() ?? api?.close?.(), this.vtep?.engine.close()]);
    this.options.logger.log('info', 'stopped');
  }

  /** A VtepManager on the speaker, its dataplane a VXLAN engine over UDP on the VTEP address. */
  private async startVtep(v: VtepConfig): Promise<{ manager: VtepManager; engine: VxlanEngine }> {
    const underlay = await UdpUnderlay.open({ ...(isIP(v.address) === 6 ? { address6: v.address } : { address4: v.address }), port: v.udpPort, remotePort: v.udpPort });
    const engine = new VxlanEngine({ underlay });
    const manager = new VtepManager({ speaker: this.speaker, dataplane: engine, vtepAddress: v.address, vnis: v.vnis.map((vni) => ({ vni })), autoRouteTarget: { style: v.routeTargetStyle } });
    const log = this.options.logger;
    manager.on('floodListChanged', (e) => log.log('info', 'flood list', { vni: e.vni, vteps: e.vteps }));
    manager.on('macDuplicate', (e) => log.log('warn', 'duplicate mac', { vni: e.vni, mac: e.mac, at: e.at, seq: e.seq }));
    manager.on('macMoved', (e) => log.log('debug', 'mac moved', { vni: e.vni, mac: e.mac, from: e.from, to: e.to, seq: e.seq }));
    log.log('info', 'vtep', { address: v.address, vnis: v.vnis, udpPort: v.udpPort });
    return { manager, engine };
  }

  /** Bring the speaker from `old` to `next` (peer groups, ranges, neighbors). */
  private apply(old: DaemonConfig | undefined, next: DaemonConfig) {
    const s = this.speaker;
    for (const [name, g] of next.peerGroups) s.addPeerGroup(name, g);
    const prefixes = new Set(next.dynamicNeighbors.map((d) => d.prefix));
    for (const d of s.dynamicNeighbors()) if (!prefixes.has(d.prefix)) s.removeDynamicNeighbors(d.prefix);
    for (const d of next.dynamicNeighbors) s.addDynamicNeighbors(d);
    for (const name of s.peerGroupNames()) if (!next.peerGroups.has(name)) s.removePeerGroup(name);
    const added: string[] = [];
    const removed: string[] = [];
    const pending: Promise<{ address: string; result: string }>[] = [];
    for (const address of old?.neighbors.keys() ?? []) {
      if (next.neighbors.has(address)) continue;
      removed.push(address);
      pending.push(s.removePeer(address).then(() => ({ address, result: 'removed' })));
    }
    for (const [address, n] of next.neighbors) {
      const before = old?.neighbors.get(address);
      if (before === undefined) {
        added.push(address);
        // a configured neighbor takes over from a dynamic peer at the same address
        if (s.peerStatus(address)?.dynamic === true) pending.push(s.removePeer(address).then(() => (s.addPeer(n), { address, result: 'added' })));
        else s.addPeer(n);
        continue;
      }
      const group = (c: DaemonConfig) => ('peerGroup' in n ? c.peerGroups.get(n.peerGroup) : undefined);
      if (sameValue(before, n) && sameValue(group(old!), group(next))) continue;
      pending.push(s.updatePeer(n).then((result) => ({ address, result })));
    }
    return { added, removed, pending };
  }

  /** One log line per event that matters to an operator. */
  private watch(): void {
    const s = this.speaker;
    const log = this.options.logger;
    s.on('established', (peer, n) => log.log('info', 'peer up', { peer, as: n.peerAsn, routerId: n.peerRouterId, holdTime: n.holdTime }));
    s.on('peerState', (peer, from, to, reason) => {
      if (from === 'Established' && to !== 'Established') log.log('warn', 'peer down', { peer, reason });
      else if (to !== 'Established') log.log('debug', 'peer state', { peer, from, to, reason });
    });
    s.on('notificationSent', (peer, m) => log.log('warn', 'notification sent', { peer, code: m.code, subcode: m.subcode, ...(m.shutdownMessage === undefined ? {} : { message: m.shutdownMessage }) }));
    s.on('notificationReceived', (peer, m) => log.log('warn', 'notification received', { peer, code: m.code, subcode: m.subcode, ...(m.shutdownMessage === undefined ? {} : { message: m.shutdownMessage }) }));
    s.on('dynamicPeerAdded', (peer, prefix) => log.log('info', 'dynamic peer', { peer, range: prefix }));
    s.on('dynamicPeerRemoved', (peer, prefix) => log.log('info', 'dynamic peer removed', { peer, range: prefix }));
    s.on('connectionRejected', (peer, reason) => log.log('warn', 'connection rejected', { peer, reason }));
    s.on('maxPrefix', (peer, count, limit, action) => log.log('warn', 'max prefixes', { peer, count, limit, action }));
    s.on('updateError', (peer, e) => log.log('warn', 'update error', { peer, error: e.message }));
    s.on('internalError', (peer, e) => log.log('error', 'internal error', { peer, error: e.message }));
    s.on('exportSkipped', (peer, family, reason) => log.log('warn', 'route not sent', { peer, afi: family.afi, safi: family.safi, reason }));
  }
}

/** Equal config values: they come from the TOML parser as plain data, in the parser's key order. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function readConfig(file: string): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, undefined, '', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseConfig(text, file);
}

/** The first global setting that differs (they need a new speaker), or undefined. */
function globalChange(a: DaemonConfig, b: DaemonConfig): string | undefined {
  const ga = a.global;
  const gb = b.global;
  if (ga.asn !== gb.asn) return 'global.config.as';
  if (ga.routerId !== gb.routerId) return 'global.config.router-id';
  if (ga.port !== gb.port) return 'global.config.port';
  if (ga.listenAddress !== gb.listenAddress) return 'global.config.local-address-list';
  if (a.clusterId !== b.clusterId) return 'route-reflector-cluster-id';
  if (!sameValue(a.vtep, b.vtep)) return 'vtep';
  return undefined;
}

/**
 * Start the GoBGP gRPC API if the build has it (`src/api`, `bgp-evpn/api`). Loaded by a path
 * known only at run time so that the daemon builds and runs without it.
 */
async function startApi(speaker: BgpSpeaker, address: string, log: Logger): Promise<ApiServer | undefined> {
  const spec = '../api/index.js';
  let mod: { GobgpApiServer?: new (s: BgpSpeaker, o: { listen: string; address: string }) => ApiServer };
  try {
    mod = (await import(spec)) as typeof mod;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('api')) {
      log.log('info', 'api not available in this build', { api: address });
      return undefined;
    }
    throw e;
  }
  if (mod.GobgpApiServer === undefined) return undefined;
  // the option is `listen` in src/api (`address` named too, as first planned)
  const api = new mod.GobgpApiServer(speaker, { listen: address, address });
  await api.start?.();
  log.log('info', 'api listening', { api: address });
  return api;
}
