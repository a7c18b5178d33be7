/**
 * FRRouting (FRR 8.4, Debian) as a real EVPN VTEP inside a test namespace.
 *
 * `Frr.start()` optionally builds, per VNI, the Linux "traditional" per-VNI bridge model:
 * ```
 *   vxlanV  (VNI V, local <VTEP>, dstport 4789, nolearning; bridge port: learning off,
 *            neigh_suppress on)
 *   brV     bridge with the SVI address (advertise-svi-ip makes it a Type-2 MAC+IP route)
 *   hV      veth into the tenant host namespace (`h0` there, MAC 02:00:00:<octet>:<V&255>:01)
 * ```
 * then runs zebra and bgpd in the namespace and waits (bounded) until vtysh answers.
 *
 * Quirks (FRR 8.4), learned the hard way and verified by scripts/capture-vectors.ts:
 * - the daemons drop to user `frr`; root is refused (not in group frrvty). The run directory
 *   holds the vty sockets (`--vty_socket`), the zserv socket and the pid files and is chowned
 *   to `frr`. `-P 0` disables the vty TCP listeners (no ports outside the namespace).
 * - zebra must be up (its zserv socket exists) before bgpd starts.
 * - this kernel has no dummy driver: an idle veth pair stands in for a dummy access port.
 * - with `advertise-all-vni` FRR originates a Type-3 per VNI with a PMSI Tunnel attribute
 *   (ingress replication, label = VNI as `00 00 64` for VNI 100, the VNI in all 24 bits) and a
 *   Type-2 per MAC and per neighbour it learns (the tenant host has to send a frame first).
 * - its first UPDATE to a new peer leaves about 1 s after Established (update-delay/coalesce).
 * - FRR 8.4 rejects a Type-3 with an IPv6 originator (NOTIFICATION 3/9) and treats a Type-5
 *   with both an ESI and a gateway IP as a withdraw.
 */
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lab, nsExec, sh, uniqueName } from '../../helpers/netns.js';
import { checkLabAddress, setSysctl, tenantPrefix } from './topology.js';
import { waitForDaemon } from './wait.js';

export interface FrrNeighbor {
  readonly address: string;
  readonly asn: number;
  /** Remote TCP port (default 179). */
  readonly port?: number;
  readonly passive?: boolean;
  /** Configured with `neighbor X shutdown`. */
  readonly shutdown?: boolean;
  readonly routeReflectorClient?: boolean;
  /** Activate IPv4 unicast for this neighbor too (default: EVPN only). */
  readonly ipv4Unicast?: boolean;
  /** `neighbor X timers HOLD/3 HOLD` (default: FRR's 60/180). */
  readonly holdTime?: number;
}

export interface FrrOptions {
  readonly ns: string;
  readonly asn: number;
  readonly routerId: string;
  /** VTEP address (on lo) used as the VXLAN local address. Default: routerId. */
  readonly vtep?: string;
  /** Last octet of this node (tenant addresses are derived from it; 11..60). */
  readonly octet: number;
  /** BGP listen port (default 179). */
  readonly port?: number;
  readonly neighbors: readonly FrrNeighbor[];
  /** L2 VNIs to create with kernel vxlan + bridge + tenant host (at most 2). */
  readonly vnis?: readonly number[];
  /** `advertise-svi-ip` (default true when there are VNIs, unless `advertiseDefaultGw`). */
  readonly advertiseSviIp?: boolean;
  /** `advertise-default-gw`: the SVI MAC/IP with the Default Gateway community (0x03/0x0d). */
  readonly advertiseDefaultGw?: boolean;
  /** IPv4 unicast prefixes to originate with `network` (import-check off). */
  readonly ipv4Networks?: readonly string[];
  /** `aggregate-address P summary-only` in IPv4 unicast (AGGREGATOR, ATOMIC_AGGREGATE). */
  readonly ipv4Aggregates?: readonly string[];
  /** `bgp graceful-restart` (full mode: FRR then sends End-of-RIB). */
  readonly gracefulRestart?: boolean;
  /** `bgp cluster-id` when reflecting. */
  readonly clusterId?: string;
}

/** Per-VNI kernel pieces and the tenant host. */
export interface FrrVni {
  readonly vni: number;
  readonly bridge: string;
  readonly vxlan: string;
  /** Tenant host namespace (its interface is `h0`). */
  readonly hostNs: string;
  readonly hostMac: string;
  /** Tenant host address (no prefix length). */
  readonly hostIp: string;
  /** SVI address on the bridge (no prefix length). */
  readonly sviIp: string;
  /** SVI (bridge) MAC, fixed: 02:00:00:<octet>:<V&255>:fe. */
  readonly sviMac: string;
  /** Prefix length of the tenant subnet. */
  readonly prefixLength: number;
}

function inNs(n: string, ...args: string[]): string {
  return nsExec(n, args[0] ?? 'true', args.slice(1));
}

/** A running zebra + bgpd pair. */
export class Frr {
  readonly ns: string;
  readonly opts: FrrOptions;
  readonly dir: string;
  readonly vnis: FrrVni[] = [];
  private readonly lab: Lab;
  private zebra: ChildProcess | undefined;
  private bgpd: ChildProcess | undefined;

  private constructor(lab: Lab, opts: FrrOptions, dir: string) {
    this.lab = lab;
    this.ns = opts.ns;
    this.opts = opts;
    this.dir = dir;
  }

  /** Build the VNIs, write the configs, start zebra then bgpd; waits ≤ 10 s for each. */
  static async start(lab: Lab, opts: FrrOptions): Promise<Frr> {
    if (!Number.isInteger(opts.octet) || opts.octet < 11 || opts.octet > 60) throw new Error('octet: 11..60');
    if ((opts.vnis?.length ?? 0) > 2) throw new Error('at most 2 VNIs');
    const dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-frr-'));
    const f = new Frr(lab, opts, dir);
    lab.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    (opts.vnis ?? []).forEach((v, k) => f.vnis.push(makeVni(lab, opts, v, k)));
    writeFileSync(join(dir, 'zebra.conf'), `hostname frr${opts.octet}\nlog file ${dir}/zebra.log informational\n`);
    writeFileSync(join(dir, 'bgpd.conf'), bgpdConfig(opts, dir));
    const { uid, gid } = frrIds();
    chownSync(dir, uid, gid);
    for (const file of ['zebra.conf', 'bgpd.conf']) chownSync(join(dir, file), uid, gid);
    await f.launch();
    return f;
  }

  private common(): string[] {
    return ['-u', 'frr', '-g', 'frr', '--vty_socket', this.dir, '-z', join(this.dir, 'zserv.api'), '-P', '0'];
  }

  private async launch(): Promise<void> {
    const d = this.dir;
    this.zebra = this.lab.spawn(this.ns, '/usr/lib/frr/zebra', [...this.common(), '-f', join(d, 'zebra.conf'), '-i', join(d, 'zebra.pid')]);
    await this.waitFor('zebra zserv socket', 10_000, () => existsSync(join(d, 'zserv.api')));
    this.bgpd = this.lab.spawn(this.ns, '/usr/lib/frr/bgpd', [
      ...this.common(), '-f', join(d, 'bgpd.conf'), '-i', join(d, 'bgpd.pid'), '-p', String(this.opts.port ?? 179),
    ]);
    await this.waitFor('bgpd vty', 10_000, () => {
      this.vtysh(['show bgp summary']);
      return true;
    });
  }

  /** PIDs of zebra and bgpd (undefined when not running). */
  get pids(): { zebra: number | undefined; bgpd: number | undefined } {
    const alive = (c: ChildProcess | undefined) => (c?.exitCode === null && c.signalCode === null ? c.pid : undefined);
    return { zebra: alive(this.zebra), bgpd: alive(this.bgpd) };
  }

  private output(c: ChildProcess | undefined): string {
    return (c as (ChildProcess & { output?: () => string }) | undefined)?.output?.() ?? '';
  }

  /** bgpd.conf, the daemons' output and bgpd's log file (tail). */
  log(): string {
    let file = '';
    try {
      file = readFileSync(join(this.dir, 'bgpd.log'), 'utf8').slice(-4000);
    } catch { /* not written yet */ }
    return `--- bgpd.conf\n${bgpdConfig(this.opts, this.dir)}--- zebra out\n${this.output(this.zebra).slice(-2000)}\n--- bgpd out\n${this.output(this.bgpd).slice(-2000)}\n--- bgpd.log\n${file}`;
  }

  /**
   * Poll `check` (bounded); fails at once if zebra or bgpd exits meanwhile. On failure the
   * config and logs are printed.
   */
  async waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
    const daemons = [['zebra', this.zebra], ['bgpd', this.bgpd]] as const;
    return waitForDaemon(
      `${what} (frr in ${this.ns})`,
      timeoutMs,
      check,
      () => {
        for (const [name, c] of daemons) {
          if (c !== undefined && (c.exitCode !== null || c.signalCode !== null)) return `${name} exited (${String(c.exitCode ?? c.signalCode)})`;
        }
        return undefined;
      },
      () => console.error(`--- frr ${this.ns}\n${this.log()}`),
    );
  }

  /** Run vtysh commands (each one a `-c`) against this instance. */
  vtysh(commands: readonly string[], timeoutMs = 10_000): string {
    return nsExec(this.ns, 'vtysh', ['--vty_socket', this.dir, ...commands.flatMap((c) => ['-c', c])], timeoutMs);
  }

  /** One `show ... json` command, parsed. */
  json<T = unknown>(command: string): T {
    return JSON.parse(this.vtysh([command])) as T;
  }

  /** `show bgp l2vpn evpn json`: RDs -> prefixes -> paths. */
  evpnRib(): Record<string, unknown> {
    return this.json('show bgp l2vpn evpn json');
  }

  /** `show bgp l2vpn evpn summary json`. */
  evpnSummary(): Record<string, unknown> {
    return this.json('show bgp l2vpn evpn summary json');
  }

  /** FSM state of a neighbor as FRR names it (`Established`, `Active`, ...). */
  neighborState(address: string): string {
    const j = this.json<Record<string, { bgpState?: string } | undefined>>(`show bgp neighbors ${address} json`);
    return j[address]?.bgpState ?? 'unknown';
  }

  async waitEstablished(address: string, timeoutMs = 30_000): Promise<void> {
    await this.waitFor(`neighbor ${address} Established`, timeoutMs, () => this.neighborState(address) === 'Established');
  }

  /** Number of EVPN routes of one type in the RIB (`show bgp l2vpn evpn route type N json`). */
  evpnRouteCount(type: 'macip' | 'multicast' | 'prefix' | 'ead' | 'es'): number {
    const j = this.json<{ numPrefix?: number }>(`show bgp l2vpn evpn route type ${type} json`);
    return j.numPrefix ?? 0;
  }

  /**
   * Make the tenant host of a VNI talk (bounded pings to the SVI) so that the bridge learns its
   * MAC and the SVI its ARP entry: FRR then originates the host's Type-2 routes.
   */
  tenantPing(vni: number, count = 2): string {
    const v = this.vnis.find((x) => x.vni === vni);
    if (v === undefined) throw new Error(`no VNI ${vni}`);
    return nsExec(v.hostNs, 'ping', ['-c', String(count), '-W', '1', '-q', v.sviIp], 5000 + count * 1000);
  }

  /**
   * Add a static MAC on the VNI's idle access port `lpV` (`bridge fdb add ... master static`):
   * FRR originates a plain Type-2 for it. With `sticky` the FDB entry is sticky too and FRR
   * sends the MAC Mobility community with the sticky bit (RFC 7432 15.2).
   */
  addStaticMac(vni: number, mac: string, sticky = false): void {
    if (!this.vnis.some((x) => x.vni === vni)) throw new Error(`no VNI ${vni}`);
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new Error(`bad MAC ${mac}`);
    nsExec(this.ns, 'bridge', ['fdb', 'add', mac, 'dev', `lp${vni}`, 'master', 'static', ...(sticky ? ['sticky'] : [])]);
  }

  /** Kill bgpd then zebra by PID. */
  async stop(): Promise<void> {
    if (this.bgpd !== undefined) await this.lab.kill(this.bgpd);
    if (this.zebra !== undefined) await this.lab.kill(this.zebra);
    this.bgpd = undefined;
    this.zebra = undefined;
  }

  /** Start zebra and bgpd again with the same configs (kernel VNI pieces are kept). */
  async restart(): Promise<void> {
    await this.stop();
    for (const f of ['zserv.api', 'zebra.pid', 'bgpd.pid']) rmSync(join(this.dir, f), { force: true });
    await this.launch();
  }

  /** Stop, remove the VNI links (tenant namespaces go with the Lab) and the run directory. */
  async cleanup(): Promise<void> {
    await this.stop();
    for (const v of this.vnis) {
      for (const l of [v.vxlan, v.bridge, `h${v.vni}`, `lp${v.vni}`]) {
        try { nsExec(this.ns, 'ip', ['link', 'del', l]); } catch { /* gone with the namespace */ }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function frrIds(): { uid: number; gid: number } {
  const line = sh('getent', ['passwd', 'frr']).trim().split(':');
  return { uid: Number(line[2]), gid: Number(line[3]) };
}

/** Tenant addressing: VNI k of a node uses 198.51.100.(128k)/25, SVI .(128k + octet - 10), host +50. */
function makeVni(lab: Lab, o: FrrOptions, v: number, k: number): FrrVni {
  if (!Number.isInteger(v) || v < 1 || v > 0xffffff) throw new Error(`VNI ${v} out of range`);
  const vtep = checkLabAddress(o.vtep ?? o.routerId);
  const base = 128 * k + (o.octet - 10);
  const sviIp = `${tenantPrefix}.${base}`;
  const hostIp = `${tenantPrefix}.${base + 50}`;
  const hostMac = `02:00:00:${hex(o.octet)}:${hex(v & 255)}:01`;
  const sviMac = `02:00:00:${hex(o.octet)}:${hex(v & 255)}:fe`;
  const br = `br${v}`;
  const vx = `vxlan${v}`;
  const n = o.ns;
  inNs(n, 'ip', 'link', 'add', br, 'type', 'bridge');
  inNs(n, 'ip', 'link', 'set', br, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
  // a fixed SVI MAC (the bridge's own address), so FRR's SVI Type-2 route is the same every run
  inNs(n, 'ip', 'link', 'set', br, 'address', sviMac);
  inNs(n, 'ip', 'link', 'add', vx, 'type', 'vxlan', 'id', String(v), 'local', vtep, 'dstport', '4789', 'nolearning');
  inNs(n, 'ip', 'link', 'set', vx, 'master', br);
  inNs(n, 'bridge', 'link', 'set', 'dev', vx, 'learning', 'off', 'neigh_suppress', 'on');
  inNs(n, 'ip', 'addr', 'add', `${sviIp}/25`, 'dev', br);
  // no dummy driver in this kernel: an idle veth pair (lpV in the bridge) stands in for an access port
  inNs(n, 'ip', 'link', 'add', `lp${v}`, 'type', 'veth', 'peer', 'name', `lp${v}x`);
  inNs(n, 'ip', 'link', 'set', `lp${v}`, 'master', br);
  inNs(n, 'bridge', 'link', 'set', 'dev', `lp${v}`, 'learning', 'off');
  const hostNs = lab.addNamespace(uniqueName('ht'));
  sh('ip', ['link', 'add', `h${v}`, 'netns', n, 'type', 'veth', 'peer', 'name', 'h0', 'netns', hostNs]);
  inNs(n, 'ip', 'link', 'set', `h${v}`, 'master', br);
  inNs(hostNs, 'ip', 'link', 'set', 'h0', 'address', hostMac);
  inNs(hostNs, 'ip', 'addr', 'add', `${hostIp}/25`, 'dev', 'h0');
  // IPv4-only tenant segment: no IPv6 link-local/ND noise, so the set of Type-2 routes is deterministic
  for (const l of [`lp${v}`, `lp${v}x`, `h${v}`, br]) setSysctl(n, `net.ipv6.conf.${l}.disable_ipv6`, 1);
  setSysctl(hostNs, 'net.ipv6.conf.h0.disable_ipv6', 1);
  for (const l of [vx, `lp${v}`, `lp${v}x`, `h${v}`, br]) inNs(n, 'ip', 'link', 'set', l, 'up');
  inNs(hostNs, 'ip', 'link', 'set', 'h0', 'up');
  return { vni: v, bridge: br, vxlan: vx, hostNs, hostMac, hostIp, sviIp, sviMac, prefixLength: 25 };
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function bgpdConfig(o: FrrOptions, dir: string): string {
  const l: string[] = [`hostname frr${o.octet}`, `log file ${dir}/bgpd.log informational`, '!', `router bgp ${o.asn}`];
  l.push(` bgp router-id ${checkLabAddress(o.routerId)}`, ' no bgp default ipv4-unicast', ' no bgp ebgp-requires-policy');
  l.push(' no bgp network import-check', ' bgp log-neighbor-changes');
  if (o.gracefulRestart === true) l.push(' bgp graceful-restart');
  if (o.clusterId !== undefined) l.push(` bgp cluster-id ${checkLabAddress(o.clusterId)}`);
  for (const n of o.neighbors) {
    checkLabAddress(n.address);
    l.push(` neighbor ${n.address} remote-as ${n.asn}`);
    if (n.port !== undefined && n.port !== 179) l.push(` neighbor ${n.address} port ${n.port}`);
    l.push(` neighbor ${n.address} timers connect 1`);
    if (n.holdTime !== undefined) l.push(` neighbor ${n.address} timers ${Math.max(1, Math.floor(n.holdTime / 3))} ${n.holdTime}`);
    if (n.passive === true) l.push(` neighbor ${n.address} passive`);
    if (n.shutdown === true) l.push(` neighbor ${n.address} shutdown`);
  }
  const v4 = o.neighbors.filter((n) => n.ipv4Unicast === true);
  if (v4.length > 0 || (o.ipv4Networks?.length ?? 0) > 0) {
    l.push(' !', ' address-family ipv4 unicast');
    for (const p of o.ipv4Networks ?? []) l.push(`  network ${checkLabAddress(p)}`);
    for (const p of o.ipv4Aggregates ?? []) l.push(`  aggregate-address ${checkLabAddress(p)} summary-only`);
    for (const n of v4) {
      l.push(`  neighbor ${n.address} activate`);
      if (n.routeReflectorClient === true) l.push(`  neighbor ${n.address} route-reflector-client`);
    }
    l.push(' exit-address-family');
  }
  l.push(' !', ' address-family l2vpn evpn');
  for (const n of o.neighbors) {
    l.push(`  neighbor ${n.address} activate`);
    if (n.routeReflectorClient === true) l.push(`  neighbor ${n.address} route-reflector-client`);
  }
  l.push('  advertise-all-vni');
  if (o.advertiseDefaultGw === true) l.push('  advertise-default-gw');
  if (o.advertiseSviIp ?? (o.advertiseDefaultGw !== true && (o.vnis?.length ?? 0) > 0)) l.push('  advertise-svi-ip');
  l.push(' exit-address-family', '!');
  return l.join('\n') + '\n';
}

/** bgpd's version, e.g. `8.4.4`. */
export function frrVersion(): string {
  const out = sh('/usr/lib/frr/bgpd', ['--version']);
  return /version\s+(\S+)/.exec(out)?.[1] ?? out.split('\n')[0] ?? '';
}
