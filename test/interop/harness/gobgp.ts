/**
 * GoBGP (gobgpd 3.10, Debian) as a real peer inside a test namespace.
 *
 * `Gobgp.start()` writes a TOML config, runs `gobgpd` in the namespace (`ip netns exec` execs,
 * so the recorded PID is gobgpd's own), and waits (bounded) until its gRPC API answers. The API
 * listens on 127.0.0.1 *inside* the namespace. Routes are injected and listed with the `gobgp`
 * CLI run in the same namespace; `gobgp -j` gives JSON. `stop()` kills by PID.
 *
 * Quirks seen with gobgpd 3.10 (verified by scripts/capture-vectors.ts; see
 * test/vectors/captured/gobgp.json):
 * - It waits at least 5 s (connect-retry jitter on the first attempt) before its first active
 *   connect, even with `connect-retry = 1`: allow 5–15 s for Established.
 * - `label 100` with `encap vxlan` goes on the wire as `00 00 64`: the VNI in all 24 bits
 *   (RFC 8365 5.1.3), not an MPLS label (which would be `00 06 41`). Wireshark 4.0 prints that
 *   field as MPLS label 6 (raw >> 4) and as VNI 100.
 * - It sends End-of-RIB markers only when graceful restart was negotiated (`gracefulRestart`).
 * - It crashed (nil pointer in MAC-mobility handling) when a graceful-restart peer that had sent
 *   Type-2 routes dropped without a NOTIFICATION: keep GR off unless testing exactly that.
 * - Its EVPN table handling is quadratic (about 5 s for 10k Type-2 routes): correctness only.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lab, nsExec, sh } from '../../helpers/netns.js';
import { checkLabAddress } from './topology.js';
import { waitForDaemon } from './wait.js';

/** GoBGP's names for the families we use. */
export type GobgpFamily = 'l2vpn-evpn' | 'ipv4-unicast' | 'ipv6-unicast';

export interface GobgpNeighbor {
  readonly address: string;
  readonly asn: number;
  /** Remote TCP port (default 179). */
  readonly port?: number;
  /** Never connect, only accept. */
  readonly passive?: boolean;
  /** Families to negotiate (default: the instance's `families`). */
  readonly families?: readonly GobgpFamily[];
  /** Graceful restart capability (helper, per-family flags). GoBGP then sends End-of-RIB. */
  readonly gracefulRestart?: boolean;
  readonly routeReflectorClient?: boolean;
  /** Seconds (default 90; keepalive = hold/3). */
  readonly holdTime?: number;
  /** Configured but administratively down. */
  readonly adminDown?: boolean;
  /** Seconds Idle after a reset before accepting or connecting again (GoBGP default 30). */
  readonly idleHoldTimeAfterReset?: number;
}

export interface GobgpOptions {
  /** Namespace to run in. */
  readonly ns: string;
  readonly asn: number;
  readonly routerId: string;
  /** Address to listen on for BGP (default: do not listen, `port = -1`). */
  readonly listen?: string;
  /** BGP port (default 179). */
  readonly port?: number;
  /** gRPC API port on 127.0.0.1 inside the namespace (default 50051). */
  readonly apiPort?: number;
  /** Families for neighbors that do not say (default `['l2vpn-evpn']`). */
  readonly families?: readonly GobgpFamily[];
  readonly neighbors: readonly GobgpNeighbor[];
  /** gobgpd log level (default `info`). */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** An ESI as gobgp CLI words: `'single-homed'`, or e.g. `['LACP', 'aa:bb:cc:dd:ee:ff', '10']`. */
export type GobgpEsi = string | readonly string[];

/** Path attributes the `gobgp global rib add` CLI accepts for every family. */
export interface GobgpCommonAttrs {
  readonly rd?: string;
  /** Route targets, `65000:100` form. */
  readonly rt?: readonly string[];
  /** Encapsulation extended community (`vxlan` -> tunnel type 8). */
  readonly encap?: 'vxlan' | 'mpls' | 'nvgre' | 'vxlan-gpe' | 'mpls-in-gre' | 'geneve';
  readonly nexthop?: string;
  readonly origin?: 'igp' | 'egp' | 'incomplete';
  readonly med?: number;
  readonly localPref?: number;
  /** Standard communities, `65000:1` form. */
  readonly communities?: readonly string[];
  /** Large communities, `65000:1:2` form. */
  readonly largeCommunities?: readonly string[];
}

/** One route to inject with `gobgp global rib -a evpn add ...` (or withdraw with `del`). */
export type GobgpEvpnRoute =
  | (GobgpCommonAttrs & {
      readonly type: 'macadv';
      readonly mac: string;
      /** `0.0.0.0` or omitted = no IP (IP length 0 on the wire). */
      readonly ip?: string;
      readonly esi?: GobgpEsi;
      readonly etag?: number;
      /** Label1 (and Label2 for the L3 VNI). */
      readonly labels: readonly [number] | readonly [number, number];
      readonly rd: string;
      readonly routerMac?: string;
      /** Not accepted by the gobgp 3.10 CLI after `encap` ("encap should have one argument"). */
      readonly defaultGateway?: boolean;
      /** Not accepted by the gobgp 3.10 CLI for macadv ("encap should have one argument"). */
      readonly macMobility?: { readonly sequence: number; readonly sticky?: boolean };
    })
  | (GobgpCommonAttrs & {
      readonly type: 'multicast';
      readonly ip: string;
      readonly etag?: number;
      readonly rd: string;
      readonly pmsi?: { readonly label: number; readonly tunnelId: string; readonly leafInfoRequired?: boolean };
    })
  | (GobgpCommonAttrs & {
      readonly type: 'prefix';
      readonly prefix: string;
      readonly gw?: string;
      readonly esi?: GobgpEsi;
      readonly etag?: number;
      readonly label?: number;
      readonly rd: string;
      readonly routerMac?: string;
    })
  | (GobgpCommonAttrs & {
      readonly type: 'a-d';
      readonly esi: GobgpEsi;
      readonly etag?: number;
      readonly label: number;
      readonly rd: string;
      readonly esiLabel?: { readonly label: number };
    })
  | (GobgpCommonAttrs & {
      readonly type: 'esi';
      readonly ip: string;
      readonly esi: GobgpEsi;
      readonly rd: string;
    });

/** A unicast route for `gobgp global rib -a ipv4|ipv6 add`. */
export interface GobgpUnicastRoute extends GobgpCommonAttrs {
  readonly prefix: string;
}

function esiWords(esi: GobgpEsi): string[] {
  return typeof esi === 'string' ? [esi] : [...esi];
}

/** The attribute words every `add` accepts, in a fixed order. */
function commonWords(r: GobgpCommonAttrs, withdraw: boolean): string[] {
  if (withdraw) return [];
  const w: string[] = [];
  for (const rt of r.rt ?? []) w.push('rt', rt);
  if (r.encap !== undefined) w.push('encap', r.encap);
  if (r.nexthop !== undefined) w.push('nexthop', checkLabAddress(r.nexthop));
  if (r.origin !== undefined) w.push('origin', r.origin);
  if (r.med !== undefined) w.push('med', String(r.med));
  if (r.localPref !== undefined) w.push('local-pref', String(r.localPref));
  if (r.communities !== undefined && r.communities.length > 0) w.push('community', r.communities.join(','));
  if (r.largeCommunities !== undefined && r.largeCommunities.length > 0) w.push('large-community', r.largeCommunities.join(','));
  return w;
}

/**
 * The CLI words after `gobgp global rib -a evpn add|del` for one route. A withdraw (`del`)
 * carries only the route key words the CLI needs to find the path.
 */
export function evpnRouteWords(r: GobgpEvpnRoute, withdraw = false): string[] {
  const w: string[] = [];
  switch (r.type) {
    case 'macadv':
      w.push('macadv', r.mac, r.ip ?? '0.0.0.0');
      if (r.esi !== undefined) w.push('esi', ...esiWords(r.esi));
      w.push('etag', String(r.etag ?? 0), 'label', r.labels.join(','), 'rd', r.rd);
      w.push(...commonWords(r, withdraw));
      if (!withdraw) {
        if (r.routerMac !== undefined) w.push('router-mac', r.routerMac);
        if (r.defaultGateway === true) w.push('default-gateway');
        if (r.macMobility !== undefined) {
          w.push('mac-mobility', String(r.macMobility.sequence));
          if (r.macMobility.sticky === true) w.push('sticky');
        }
      }
      return w;
    case 'multicast':
      w.push('multicast', checkLabAddress(r.ip), 'etag', String(r.etag ?? 0), 'rd', r.rd);
      w.push(...commonWords(r, withdraw));
      if (!withdraw && r.pmsi !== undefined) {
        w.push('pmsi', 'ingress-repl');
        if (r.pmsi.leafInfoRequired === true) w.push('leaf-info-required');
        w.push(String(r.pmsi.label), checkLabAddress(r.pmsi.tunnelId));
      }
      return w;
    case 'prefix':
      w.push('prefix', r.prefix);
      if (r.gw !== undefined) w.push('gw', checkLabAddress(r.gw));
      if (r.esi !== undefined) w.push('esi', ...esiWords(r.esi));
      w.push('etag', String(r.etag ?? 0));
      if (r.label !== undefined) w.push('label', String(r.label));
      w.push('rd', r.rd);
      w.push(...commonWords(r, withdraw));
      if (!withdraw && r.routerMac !== undefined) w.push('router-mac', r.routerMac);
      return w;
    case 'a-d':
      w.push('a-d', 'esi', ...esiWords(r.esi), 'etag', String(r.etag ?? 0), 'label', String(r.label), 'rd', r.rd);
      w.push(...commonWords(r, withdraw));
      // gobgp 3.10's CLI takes only the label here ("esi-label should have one argument"):
      // the mode words of its usage text are refused, so the flags byte is always 0 (all-active)
      if (!withdraw && r.esiLabel !== undefined) w.push('esi-label', String(r.esiLabel.label));
      return w;
    case 'esi':
      w.push('esi', checkLabAddress(r.ip), 'esi', ...esiWords(r.esi), 'rd', r.rd);
      w.push(...commonWords(r, withdraw));
      return w;
  }
}

/** The subset of `gobgp -j neighbor` we read. */
export interface GobgpNeighborJson {
  readonly conf?: { readonly neighbor_address?: string; readonly peer_asn?: number };
  readonly state?: { readonly session_state?: number | string; readonly neighbor_address?: string };
}

/** BGP FSM state names as gobgp's API numbers them (api.PeerState_SessionState). */
const sessionStates = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'] as const;

function toml(opts: GobgpOptions): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['[global.config]', `  as = ${opts.asn}`, `  router-id = ${q(checkLabAddress(opts.routerId))}`];
  if (opts.listen === undefined) {
    lines.push('  port = -1');
  } else {
    lines.push(`  port = ${opts.port ?? 179}`, `  local-address-list = [${q(checkLabAddress(opts.listen))}]`);
  }
  for (const n of opts.neighbors) {
    checkLabAddress(n.address);
    const hold = n.holdTime ?? 90;
    lines.push('', '[[neighbors]]', '  [neighbors.config]', `    neighbor-address = ${q(n.address)}`, `    peer-as = ${n.asn}`);
    if (n.adminDown === true) lines.push('    admin-down = true');
    lines.push('  [neighbors.timers.config]', '    connect-retry = 1', `    hold-time = ${hold}`, `    keepalive-interval = ${Math.max(1, Math.floor(hold / 3))}`);
    if (n.idleHoldTimeAfterReset !== undefined) lines.push(`    idle-hold-time-after-reset = ${n.idleHoldTimeAfterReset}`);
    lines.push('  [neighbors.transport.config]', `    remote-port = ${n.port ?? 179}`);
    if (opts.listen !== undefined && !n.address.includes(':') && !opts.listen.includes(':')) lines.push(`    local-address = ${q(opts.listen)}`);
    if (n.passive === true) lines.push('    passive-mode = true');
    if (n.gracefulRestart === true) lines.push('  [neighbors.graceful-restart.config]', '    enabled = true', '    restart-time = 120');
    if (n.routeReflectorClient === true) {
      lines.push('  [neighbors.route-reflector.config]', '    route-reflector-client = true', `    route-reflector-cluster-id = ${q(opts.routerId)}`);
    }
    for (const f of n.families ?? opts.families ?? ['l2vpn-evpn']) {
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = ${q(f)}`);
      if (n.gracefulRestart === true) lines.push('    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true');
    }
  }
  return lines.join('\n') + '\n';
}

/** A running gobgpd. */
export class Gobgp {
  readonly ns: string;
  readonly opts: GobgpOptions;
  readonly dir: string;
  readonly configPath: string;
  private readonly lab: Lab;
  private child: ChildProcess | undefined;

  private constructor(lab: Lab, opts: GobgpOptions, dir: string) {
    this.lab = lab;
    this.ns = opts.ns;
    this.opts = opts;
    this.dir = dir;
    this.configPath = join(dir, 'gobgpd.toml');
  }

  /** Write the config, check it with `gobgpd -d`, start gobgpd and wait (≤ 15 s) for its API. */
  static async start(lab: Lab, opts: GobgpOptions): Promise<Gobgp> {
    const dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-gobgp-'));
    const g = new Gobgp(lab, opts, dir);
    lab.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(g.configPath, toml(opts));
    try {
      nsExec(opts.ns, 'gobgpd', ['-d', '-f', g.configPath, '-t', 'toml'], 10_000);
    } catch (e) {
      throw new Error(`gobgpd rejected its config:\n${toml(opts)}\n${String(e)}`);
    }
    await g.launch();
    return g;
  }

  /** PID of gobgpd (undefined when stopped). */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  private async launch(): Promise<void> {
    const api = `127.0.0.1:${this.opts.apiPort ?? 50051}`;
    this.child = this.lab.spawn(this.ns, 'gobgpd', [
      '-f', this.configPath, '-t', 'toml', '-p', '-l', this.opts.logLevel ?? 'info', '--api-hosts', api, '--pprof-disable',
    ]);
    await this.waitFor('gobgpd API', 15_000, () => {
      this.cli(['global']);
      return true;
    });
  }

  /** Start gobgpd again with the same config (after `stop()` or a kill). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** gobgpd's stdout+stderr so far (last 20 kB). */
  log(): string {
    const c = this.child as (ChildProcess & { output?: () => string }) | undefined;
    return c?.output?.() ?? '';
  }

  /**
   * Poll `check` (bounded); fails at once if gobgpd exits meanwhile. On failure the config and
   * the log tail are printed.
   */
  async waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
    const c = this.child;
    return waitForDaemon(
      `${what} (gobgp in ${this.ns})`,
      timeoutMs,
      check,
      () => (c !== undefined && (c.exitCode !== null || c.signalCode !== null) ? `gobgpd exited (${String(c.exitCode ?? c.signalCode)})` : undefined),
      () => console.error(`--- gobgpd ${this.ns} config:\n${toml(this.opts)}--- gobgpd log (tail):\n${this.log().slice(-4000)}`),
    );
  }

  /** Run the gobgp CLI against this instance; returns stdout. */
  cli(args: readonly string[], timeoutMs = 10_000): string {
    try {
      return nsExec(this.ns, 'gobgp', ['-u', '127.0.0.1', '-p', String(this.opts.apiPort ?? 50051), ...args], timeoutMs);
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      throw new Error(`gobgp ${args.join(' ')} (in ${this.ns}) failed: ${(x.stdout ?? '').split('\n')[0] ?? ''} ${x.stderr ?? ''}`.trim(), { cause: e });
    }
  }

  /** Run the gobgp CLI with `-j` and parse its JSON. */
  json<T = unknown>(args: readonly string[]): T {
    const out = this.cli(['-j', ...args]).trim();
    return (out === '' ? null : JSON.parse(out)) as T;
  }

  /** Inject an EVPN route into the global RIB. */
  addEvpn(route: GobgpEvpnRoute): void {
    this.cli(['global', 'rib', '-a', 'evpn', 'add', ...evpnRouteWords(route)]);
  }

  /** Withdraw an EVPN route from the global RIB. */
  delEvpn(route: GobgpEvpnRoute): void {
    this.cli(['global', 'rib', '-a', 'evpn', 'del', ...evpnRouteWords(route, true)]);
  }

  /** Inject a unicast route (`ipv4` or `ipv6`). */
  addUnicast(route: GobgpUnicastRoute, afi: 'ipv4' | 'ipv6' = 'ipv4'): void {
    this.cli(['global', 'rib', '-a', afi, 'add', route.prefix, ...commonWords(route, false)]);
  }

  /** Withdraw a unicast route. */
  delUnicast(prefix: string, afi: 'ipv4' | 'ipv6' = 'ipv4'): void {
    this.cli(['global', 'rib', '-a', afi, 'del', prefix]);
  }

  /**
   * The global RIB (`gobgp -j global rib -a FAMILY`): an object keyed by prefix text whose
   * values are arrays of paths. Empty object when the table is empty.
   */
  rib(family: 'evpn' | 'ipv4' | 'ipv6' = 'evpn'): Record<string, unknown[]> {
    return this.json<Record<string, unknown[]> | null>(['global', 'rib', '-a', family]) ?? {};
  }

  /** Routes received from one neighbor (`gobgp -j neighbor ADDR adj-in -a FAMILY`). */
  adjIn(address: string, family: 'evpn' | 'ipv4' | 'ipv6' = 'evpn'): Record<string, unknown[]> {
    return this.json<Record<string, unknown[]> | null>(['neighbor', address, 'adj-in', '-a', family]) ?? {};
  }

  /** Every neighbor as `gobgp -j neighbor` prints it. */
  neighbors(): GobgpNeighborJson[] {
    return this.json<GobgpNeighborJson[] | null>(['neighbor']) ?? [];
  }

  /** FSM state of one neighbor, lower case (`established`, `active`, ...). */
  neighborState(address: string): string {
    const n = this.neighbors().find((x) => x.state?.neighbor_address === address || x.conf?.neighbor_address === address);
    const s = n?.state?.session_state;
    if (s === undefined) return 'unknown';
    return typeof s === 'number' ? (sessionStates[s] ?? String(s)) : s.toLowerCase().replace(/^session_state_/, '');
  }

  /** Wait (bounded) until a neighbor is Established. GoBGP's first connect takes ≥ 5 s. */
  async waitEstablished(address: string, timeoutMs = 30_000): Promise<void> {
    await this.waitFor(`neighbor ${address} established`, timeoutMs, () => this.neighborState(address) === 'established');
  }

  /** Kill gobgpd by PID (TERM, KILL after 3 s) and wait for it. The config dir stays until `cleanup()`. */
  async stop(): Promise<void> {
    if (this.child !== undefined) await this.lab.kill(this.child);
    this.child = undefined;
  }

  /** Stop and remove the run directory. */
  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** gobgpd's version line, e.g. `gobgpd version 3.10.0`. */
export function gobgpVersion(): string {
  return sh('gobgpd', ['--version']).trim();
}
