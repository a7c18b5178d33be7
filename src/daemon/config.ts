/**
 * bgp-evpnd's configuration: GoBGP's TOML format (gobgpd -f), the part of it we implement.
 * `[global.config]`, `[[neighbors]]` (config, afi-safis, route-reflector, timers,
 * graceful-restart, transport), `[[peer-groups]]` (the same sub-sections) and
 * `[[dynamic-neighbors]]`. Anything else is an error naming its line: a daemon never starts
 * half-configured (STYLE). Our additions: `limit` in `[dynamic-neighbors.config]`, and
 * `[vtep.config]` (a VtepManager with a VXLAN engine over UDP: VTEP address, VNIs).
 */
import { parse, TomlError } from 'smol-toml';
import { parsePrefix, type DynamicNeighborConfig, type GroupPeerConfig, type PeerConfig, type PeerGroupConfig } from '../bgp/index.js';
import { ConfigError, Section, type Source } from './section.js';
import { scanLines } from './toml-lines.js';

export { ConfigError } from './section.js';

export interface GlobalConfig {
  readonly asn: number;
  readonly routerId: string;
  /** BGP port; -1: do not listen (GoBGP's convention). Default 179. */
  readonly port: number;
  /** Listen address; default `::` (every address). */
  readonly listenAddress: string | undefined;
}

/** `[vtep.config]`: run a VtepManager (bgp-evpnd's own section; gobgpd has none). */
export interface VtepConfig {
  /** VTEP address: VXLAN source, next hop of our routes, Type-3 originator. */
  readonly address: string;
  readonly vnis: readonly number[];
  /** Auto-derived route targets: RFC 8365 (default) or FRR's AS:VNI. */
  readonly routeTargetStyle: 'rfc8365' | 'as-vni';
  /** VXLAN UDP port (default 4789). */
  readonly udpPort: number;
}

export interface DaemonConfig {
  readonly global: GlobalConfig;
  /** RFC 4456 CLUSTER_ID (route-reflector-cluster-id); one per daemon. */
  readonly clusterId: string | undefined;
  readonly peerGroups: ReadonlyMap<string, PeerGroupConfig>;
  /** By neighbor address. */
  readonly neighbors: ReadonlyMap<string, PeerConfig | GroupPeerConfig>;
  readonly dynamicNeighbors: readonly DynamicNeighborConfig[];
  readonly vtep: VtepConfig | undefined;
}

const families = ['l2vpn-evpn', 'ipv4-unicast', 'ipv6-unicast'] as const;

/** GoBGP sections and keys we know of but do not implement: named "not supported". */
const gobgpTop = ['defined-sets', 'policy-definitions', 'bmp-servers', 'rpki-servers', 'mrt-dump', 'zebra', 'collector', 'vrfs', 'bgp-config'];
const gobgpNeighbor = ['add-paths', 'ebgp-multihop', 'apply-policy', 'route-server', 'as-path-options', 'error-handling', 'logging', 'use-multiple-paths', 'ttl-security', 'state'];

/** Parse a config file's text; ConfigError (with the line) for anything wrong or unsupported. */
export function parseConfig(text: string, file = 'config'): DaemonConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigError(file, e.line, '', `TOML syntax: ${e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')} (column ${e.column})`);
    throw e;
  }
  const src: Source = { file, lines: scanLines(text) };
  const root = new Section(src, '', doc);
  const g = root.need('global', 'a [global.config] section with as and router-id is required');
  const global = parseGlobal(g);
  const clusterIds = new Map<string, Section>();
  const peerGroups = new Map<string, PeerGroupConfig>();
  for (const s of root.tables('peer-groups')) {
    const c = s.need('config', 'needs a [peer-groups.config] with peer-group-name');
    const name = c.require('peer-group-name', c.str('peer-group-name'));
    if (peerGroups.has(name)) throw c.error('peer-group-name', `peer group ${name} is defined twice`);
    const asn = c.int('peer-as', 1, 0xffffffff);
    c.done(['description', 'auth-password', 'local-as', 'send-community', 'peer-type', 'remove-private-as', 'route-flap-damping']);
    peerGroups.set(name, { ...(asn === undefined ? {} : { asn }), ...peerSettings(s, clusterIds) });
  }
  const neighbors = new Map<string, PeerConfig | GroupPeerConfig>();
  for (const s of root.tables('neighbors')) {
    const c = s.need('config', 'needs a [neighbors.config] with neighbor-address');
    const address = c.require('neighbor-address', c.ip('neighbor-address'));
    if (neighbors.has(address)) throw c.error('neighbor-address', `neighbor ${address} is defined twice`);
    const asn = c.int('peer-as', 1, 0xffffffff);
    const group = c.str('peer-group');
    c.done(['description', 'auth-password', 'local-as', 'admin-down', 'send-community', 'peer-type', 'remove-private-as', 'route-flap-damping', 'neighbor-interface', 'vrf']);
    const settings = { address, ...(asn === undefined ? {} : { asn }), ...peerSettings(s, clusterIds) };
    if (group !== undefined) {
      const gc = peerGroups.get(group);
      if (gc === undefined) throw c.error('peer-group', `unknown peer group ${group} (defined: ${[...peerGroups.keys()].join(', ') || 'none'})`);
      if (asn === undefined && gc.asn === undefined) throw c.error(undefined, `peer-as is required (neither the neighbor nor peer group ${group} sets it)`);
      neighbors.set(address, { ...settings, peerGroup: group });
    } else {
      if (asn === undefined) throw c.error(undefined, 'peer-as is required');
      neighbors.set(address, { families: ['l2vpn-evpn'], ...settings, asn });
    }
  }
  const dynamicNeighbors: DynamicNeighborConfig[] = [];
  for (const s of root.tables('dynamic-neighbors')) {
    const c = s.need('config', 'needs a [dynamic-neighbors.config] with prefix and peer-group');
    const prefix = c.require('prefix', c.str('prefix'));
    try {
      parsePrefix(prefix);
    } catch {
      throw c.error('prefix', `expected address/length (e.g. 10.0.0.0/24), got ${JSON.stringify(prefix)}`);
    }
    const group = c.require('peer-group', c.str('peer-group'));
    const gc = peerGroups.get(group);
    if (gc === undefined) throw c.error('peer-group', `unknown peer group ${group} (defined: ${[...peerGroups.keys()].join(', ') || 'none'})`);
    if (gc.asn === undefined) throw c.error('peer-group', `peer group ${group} needs peer-as to accept dynamic neighbors`);
    const limit = c.int('limit', 0, 1_000_000);
    c.done();
    s.done();
    dynamicNeighbors.push({ prefix, peerGroup: group, ...(limit === undefined ? {} : { limit }) });
  }
  const vtepS = root.table_('vtep');
  const vtep = vtepS === undefined ? undefined : parseVtep(vtepS);
  root.done(gobgpTop);
  if (clusterIds.size > 1) {
    const [, second] = [...clusterIds.values()];
    throw second!.error('route-reflector-cluster-id', `one cluster id per daemon; already ${[...clusterIds.keys()][0]}`);
  }
  return { global, clusterId: [...clusterIds.keys()][0], peerGroups, neighbors, dynamicNeighbors, vtep };
}

function parseVtep(v: Section): VtepConfig {
  const c = v.need('config', 'needs a [vtep.config] with address and vnis');
  const address = c.require('address', c.ip('address'));
  if (!c.has('vnis')) throw c.error(undefined, 'vnis is required');
  const vnis = c.intList('vnis', 1, 0xffffff);
  if (vnis.length === 0) throw c.error('vnis', 'at least one VNI');
  const routeTargetStyle = c.oneOf('route-target-style', ['rfc8365', 'as-vni'] as const) ?? 'rfc8365';
  const udpPort = c.int('udp-port', 1, 65535) ?? 4789;
  c.done();
  v.done();
  return { address, vnis, routeTargetStyle, udpPort };
}

function parseGlobal(g: Section): GlobalConfig {
  const c = g.need('config', 'a [global.config] section with as and router-id is required');
  const asn = c.require('as', c.int('as', 1, 0xffffffff));
  const routerId = c.require('router-id', c.ip('router-id', true));
  const port = c.int('port', -1, 65535) ?? 179;
  const addrs = c.ipList('local-address-list') ?? [];
  if (addrs.length > 1) throw c.error('local-address-list', 'one listen address is supported (bgp-evpnd listens on one socket)');
  c.done(['confederation', 'default-route-distance', 'graceful-restart', 'use-multiple-paths', 'route-selection-options', 'apply-policy']);
  g.done(['apply-policy', 'route-selection-options', 'default-route-distance', 'confederation', 'mpls-label-range', 'use-multiple-paths', 'graceful-restart', 'state']);
  return { asn, routerId, port, listenAddress: addrs[0] };
}

/** The sub-sections a neighbor and a peer group share; `s` is the [[neighbors]] / [[peer-groups]] element. */
function peerSettings(s: Section, clusterIds: Map<string, Section>): Partial<Omit<PeerConfig, 'address' | 'asn'>> {
  const out: Record<string, unknown> = {};
  const afis = s.tables('afi-safis').map((a) => afiSafi(a));
  if (afis.length > 0) out['families'] = afis.map((a) => a.name);
  const rrS = s.table_('route-reflector');
  const rr = rrS?.table_('config');
  if (rr !== undefined) {
    const client = rr.bool('route-reflector-client');
    if (client !== undefined) out['routeReflectorClient'] = client;
    const id = rr.ip('route-reflector-cluster-id', true);
    if (id !== undefined && !clusterIds.has(id)) clusterIds.set(id, rr);
    rr.done();
  }
  rrS?.done(['state']);
  const tS = s.table_('timers');
  const t = tS?.table_('config');
  if (t !== undefined) {
    const hold = t.int('hold-time', 0, 65535);
    if (hold !== undefined && hold > 0 && hold < 3) throw t.error('hold-time', 'must be 0 or at least 3 (RFC 4271 4.2)');
    if (hold !== undefined) out['holdTime'] = hold;
    const ka = t.int('keepalive-interval', 0, 21845);
    if (ka !== undefined) out['keepaliveTime'] = ka;
    const retry = t.int('connect-retry', 1, 65535);
    if (retry !== undefined) out['connectRetryTime'] = retry;
    const idle = t.int('idle-hold-time-after-reset', 0, 65535);
    if (idle !== undefined) out['idleHoldTime'] = idle;
    t.done(['minimum-advertisement-interval']);
  }
  tS?.done(['state']);
  const grS = s.table_('graceful-restart');
  const gr = grS?.table_('config');
  if (gr !== undefined) {
    const on = gr.bool('enabled') ?? false;
    const restartTime = gr.int('restart-time', 0, 4095);
    if (on) out['gracefulRestart'] = restartTime === undefined ? true : { restartTime };
    gr.done(['helper-only', 'deferral-time', 'notification-enabled', 'long-lived-enabled', 'stale-routes-time', 'peer-restart-time']);
  }
  grS?.done(['state']);
  const trS = s.table_('transport');
  const tr = trS?.table_('config');
  if (tr !== undefined) {
    const passive = tr.bool('passive-mode');
    if (passive !== undefined) out['passive'] = passive;
    const local = tr.ip('local-address');
    if (local !== undefined) out['localAddress'] = local;
    const port = tr.int('remote-port', 1, 65535);
    if (port !== undefined) out['port'] = port;
    tr.done(['mtu-discovery', 'tcp-mss', 'ttl', 'bind-interface']);
  }
  trS?.done(['state']);
  s.done(gobgpNeighbor);
  return out as Partial<Omit<PeerConfig, 'address' | 'asn'>>;
}

function afiSafi(a: Section): { name: (typeof families)[number] } {
  const c = a.need('config', 'needs [afi-safis.config] with afi-safi-name');
  const name = c.require('afi-safi-name', c.oneOf('afi-safi-name', families));
  if (c.bool('enabled') === false) throw c.error('enabled', 'a disabled family: leave the afi-safis entry out instead');
  c.done();
  const mpS = a.table_('mp-graceful-restart');
  const mp = mpS?.table_('config');
  if (mp !== undefined) {
    mp.bool('enabled');
    mp.done();
  }
  mpS?.done(['state']);
  a.done(['add-paths', 'prefix-limit', 'apply-policy', 'route-target-membership', 'long-lived-graceful-restart', 'route-selection-options', 'use-multiple-paths', 'state']);
  return { name };
}
