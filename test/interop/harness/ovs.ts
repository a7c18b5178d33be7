/**
 * Open vSwitch 3.1 (Debian `openvswitch-switch`) inside a test namespace: its own ovsdb-server
 * and ovs-vswitchd with a private run directory, started in the foreground through `Lab.spawn`
 * (so their PIDs are known and they are killed by PID), userspace datapath (`netdev`: this
 * kernel has no openvswitch module).
 *
 * `Ovs.start()` creates the database, starts both daemons and waits (bounded) until
 * `ovs-vsctl` answers. `tunnelBridge()` builds the classic pieces: an integration bridge with a
 * flow-based VXLAN port (`remote_ip=flow key=flow`) and `br-phy` holding the underlay device
 * with the underlay address (userspace tunnels route and ARP through it). `ovs-ofctl` and
 * `ovs-vsctl` run from the test's own namespace: their unix sockets are files.
 *
 * Quirks: the veth peer that sends VXLAN to OVS needs `ethtool -K <dev> tx off` (OVS drops
 * packets with a bad outer UDP checksum, `datapath_drop_tunnel_pop_error`); OVS learns the
 * underlay route and ARP by itself, so the first overlay packet waits about a second.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lab, nsExec, sh } from '../../helpers/netns.js';
import { waitForDaemon } from './wait.js';

export interface OvsOptions {
  /** The namespace the daemons (and their datapath ports) live in. */
  readonly ns: string;
}

export interface TunnelBridgeOptions {
  /** Integration bridge (default `br-int`). */
  readonly bridge?: string;
  /** Flow-based VXLAN port name (default `vxlan0`). */
  readonly tunnelPort?: string;
  /** The namespace's underlay device that moves into `br-phy` (default `eth0`). */
  readonly underlayDev?: string;
  /** Underlay address with prefix length, moved from the device to `br-phy`. */
  readonly underlayCidr: string;
  /** Extra addresses for `br-phy` (a VTEP /32). */
  readonly extraCidrs?: readonly string[];
  /** Options of the VXLAN interface (default flow-based: `remote_ip=flow`, `key=flow`). */
  readonly tunnelOptions?: readonly string[];
  /** Routes for the namespace, added after the underlay moved: `[prefix, via]` (via `br-phy`). */
  readonly routes?: readonly (readonly [string, string])[];
}

/** A running ovsdb-server + ovs-vswitchd pair. */
export class Ovs {
  readonly ns: string;
  /** Holds run/, db/, log/, etc/. Removed by `cleanup()` and by the Lab. */
  readonly dir: string;
  readonly rundir: string;
  private readonly lab: Lab;
  private db: ChildProcess | undefined;
  private vswitchd: ChildProcess | undefined;

  private constructor(lab: Lab, ns: string, dir: string) {
    this.lab = lab;
    this.ns = ns;
    this.dir = dir;
    this.rundir = join(dir, 'run');
  }

  /** Environment that points OVS tools at this instance. */
  get env(): NodeJS.ProcessEnv {
    const d = this.dir;
    return { ...process.env, OVS_RUNDIR: join(d, 'run'), OVS_DBDIR: join(d, 'db'), OVS_LOGDIR: join(d, 'log'), OVS_SYSCONFDIR: join(d, 'etc') };
  }

  /** The OpenFlow management socket of a bridge (`unix:<rundir>/<bridge>.mgmt`). */
  mgmt(bridge: string): string {
    return `unix:${join(this.rundir, `${bridge}.mgmt`)}`;
  }

  /** Create the database, start ovsdb-server then ovs-vswitchd; waits ≤ 10 s for each. */
  static async start(lab: Lab, opts: OvsOptions): Promise<Ovs> {
    const dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-ovs-'));
    lab.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    for (const d of ['run', 'db', 'log', 'etc']) mkdirSync(join(dir, d));
    const o = new Ovs(lab, opts.ns, dir);
    sh('ovsdb-tool', ['create', join(dir, 'db', 'conf.db'), '/usr/share/openvswitch/vswitch.ovsschema']);
    const env = o.env;
    o.db = lab.spawn(o.ns, 'ovsdb-server', [join(dir, 'db', 'conf.db'), `--remote=punix:${join(o.rundir, 'db.sock')}`,
      `--pidfile=${join(o.rundir, 'ovsdb-server.pid')}`, `--log-file=${join(dir, 'log', 'ovsdb-server.log')}`], { env });
    await o.waitFor('ovsdb-server socket', 10_000, () => existsSync(join(o.rundir, 'db.sock')));
    o.vsctl('--no-wait', 'init');
    o.vswitchd = lab.spawn(o.ns, 'ovs-vswitchd', [`unix:${join(o.rundir, 'db.sock')}`,
      `--pidfile=${join(o.rundir, 'ovs-vswitchd.pid')}`, `--log-file=${join(dir, 'log', 'ovs-vswitchd.log')}`], { env });
    await o.waitFor('ovs-vswitchd', 10_000, () => { o.vsctl('show'); return existsSync(join(o.rundir, 'ovs-vswitchd.pid')); });
    return o;
  }

  /** `ovs-vsctl` against this instance's database (waits for ovs-vswitchd unless `--no-wait`). */
  vsctl(...args: string[]): string {
    return sh('ovs-vsctl', [`--db=unix:${join(this.rundir, 'db.sock')}`, '--timeout=10', ...args], { timeoutMs: 15_000 });
  }

  /** `ovs-ofctl -O OpenFlow13 <cmd> <bridge's socket> ...`. */
  ofctl(cmd: string, bridge: string, ...args: string[]): string {
    return sh('ovs-ofctl', ['-O', 'OpenFlow13', cmd, this.mgmt(bridge), ...args], { timeoutMs: 15_000 });
  }

  /** `ovs-appctl -t ovs-vswitchd ...` of this instance. */
  appctl(...args: string[]): string {
    const pid = readFileSync(join(this.rundir, 'ovs-vswitchd.pid'), 'utf8').trim();
    return sh('ovs-appctl', ['-t', join(this.rundir, `ovs-vswitchd.${pid}.ctl`), ...args], { timeoutMs: 15_000 });
  }

  /**
   * The classic layout: `br-int` (netdev) with a flow-based VXLAN port, `br-phy` (netdev) with
   * the underlay device, the underlay address moved from the device to `br-phy`.
   */
  tunnelBridge(o: TunnelBridgeOptions): { bridge: string; tunnelPort: string } {
    const bridge = o.bridge ?? 'br-int';
    const tunnelPort = o.tunnelPort ?? 'vxlan0';
    const dev = o.underlayDev ?? 'eth0';
    this.vsctl('add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev',
      '--', 'add-port', bridge, tunnelPort, '--', 'set', 'interface', tunnelPort, 'type=vxlan',
      ...(o.tunnelOptions ?? ['options:remote_ip=flow', 'options:key=flow']),
      '--', 'add-br', 'br-phy', '--', 'set', 'bridge', 'br-phy', 'datapath_type=netdev',
      '--', 'add-port', 'br-phy', dev);
    // OVS routes tunnels by the kernel's table: nothing may point at the device any more
    nsExec(this.ns, 'ip', ['route', 'flush', 'dev', dev]);
    nsExec(this.ns, 'ip', ['addr', 'flush', 'dev', dev]);
    for (const a of [o.underlayCidr, ...(o.extraCidrs ?? [])]) nsExec(this.ns, 'ip', ['addr', 'add', a, 'dev', 'br-phy']);
    nsExec(this.ns, 'ip', ['link', 'set', 'br-phy', 'up']);
    for (const [prefix, via] of o.routes ?? []) nsExec(this.ns, 'ip', ['route', 'replace', prefix, 'via', via, 'dev', 'br-phy']);
    return { bridge, tunnelPort };
  }

  /**
   * An internal port on `bridge` moved into namespace `hostNs` as `ifname` with an address and
   * MTU (the tutorial's tenant host), up. Returns the port name in OVS.
   */
  internalHost(bridge: string, port: string, hostNs: string, cidr: string, mac: string, mtu = 1450): string {
    this.vsctl('add-port', bridge, port, '--', 'set', 'interface', port, 'type=internal', `mac="${mac}"`);
    nsExec(this.ns, 'ip', ['link', 'set', port, 'netns', hostNs]);
    nsExec(hostNs, 'ip', ['link', 'set', port, 'address', mac, 'mtu', String(mtu)]);
    nsExec(hostNs, 'ip', ['addr', 'add', cidr, 'dev', port]);
    nsExec(hostNs, 'ip', ['link', 'set', port, 'up']);
    return port;
  }

  private dead(): string | undefined {
    for (const [name, c] of [['ovsdb-server', this.db], ['ovs-vswitchd', this.vswitchd]] as const) {
      if (c !== undefined && (c.exitCode !== null || c.signalCode !== null)) return `${name} exited (${c.exitCode ?? c.signalCode})`;
    }
    return undefined;
  }

  /** Bounded wait that fails at once when a daemon died, printing both logs. */
  waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
    return waitForDaemon(what, timeoutMs, check, () => this.dead(), () => console.error(this.logs()));
  }

  /** The tail of both daemons' logs. */
  logs(): string {
    return ['ovsdb-server', 'ovs-vswitchd'].map((n) => {
      try { return `--- ${n}.log\n${readFileSync(join(this.dir, 'log', `${n}.log`), 'utf8').slice(-6000)}`; } catch { return `--- ${n}.log: none`; }
    }).join('\n');
  }

  /** `exit --cleanup` (removes datapath ports), then kill both daemons by PID. */
  async stop(): Promise<void> {
    if (this.vswitchd !== undefined && this.dead() === undefined) {
      try { this.appctl('exit', '--cleanup'); } catch { /* killed below */ }
    }
    if (this.vswitchd !== undefined) await this.lab.kill(this.vswitchd);
    if (this.db !== undefined) await this.lab.kill(this.db);
    this.vswitchd = undefined;
    this.db = undefined;
  }

  /** Stop and remove the run directory. */
  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
