/**
 * Network namespaces for tests: created by the test, removed by the test, processes tracked by
 * PID. Network rule: every address lives inside a namespace made here (or on loopback).
 *
 * A test that needs root and a missing tool: `requireReal()` fails loudly when
 * BGP_EVPN_REQUIRE_PEERS=1 (CI), and otherwise tells the test to skip *and says why*.
 */
import { createServer } from 'node:net';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const requirePeers = process.env.BGP_EVPN_REQUIRE_PEERS === '1';

function has(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/lib/frr'])) {
    if (existsSync(`${dir}/${cmd}`)) return true;
  }
  return false;
}

/** The Debian package that ships each binary the real-peer tests look for (what to apt-get install). */
export const debianPackageOf: Readonly<Record<string, string>> = {
  ip: 'iproute2', bridge: 'iproute2', ping: 'iputils-ping', gobgpd: 'gobgpd', gobgp: 'gobgpd',
  bgpd: 'frr', zebra: 'frr', vtysh: 'frr', tshark: 'tshark', text2pcap: 'wireshark-common',
  tcpdump: 'tcpdump', exabgp: 'exabgp', openssl: 'openssl',
  'ovs-vsctl': 'openvswitch-switch', 'ovs-ofctl': 'openvswitch-switch', 'ovs-appctl': 'openvswitch-switch',
  'ovsdb-tool': 'openvswitch-switch', 'ovsdb-server': 'openvswitch-switch', 'ovs-vswitchd': 'openvswitch-switch',
  pmbmpd: 'pmacct', bgpdump: 'bgpdump', mrtparse: 'python3-mrtparse', ethtool: 'ethtool', curl: 'curl',
};

/**
 * What is missing, in words a user can act on: `root`, then each Debian package with the
 * binaries it would bring, e.g. `root; Debian packages frr (bgpd, vtysh), gobgpd (gobgp)`.
 */
export function describeMissing(notRoot: boolean, binaries: readonly string[]): string {
  const byPackage = new Map<string, string[]>();
  const unknown: string[] = [];
  for (const b of binaries) {
    const p = debianPackageOf[b];
    if (p === undefined) unknown.push(b);
    else byPackage.set(p, [...(byPackage.get(p) ?? []), b]);
  }
  const packages = [...byPackage].sort(([a], [b]) => a.localeCompare(b)).map(([p, bins]) => (bins.length === 1 && bins[0] === p ? p : `${p} (${bins.join(', ')})`));
  const parts = [
    ...(notRoot ? ['root'] : []),
    ...(packages.length === 0 ? [] : [`Debian package${packages.length > 1 ? 's' : ''} ${packages.join(', ')}`]),
    ...(unknown.length === 0 ? [] : [`the command${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`]),
  ];
  return parts.join('; ');
}

/**
 * Why real-peer tests cannot run here (not root, a package missing), or undefined when they can.
 * With BGP_EVPN_REQUIRE_PEERS=1 a missing piece throws instead: CI never skips them.
 */
export function missingReal(binaries: readonly string[]): string | undefined {
  const notRoot = process.getuid?.() !== 0;
  const missing = ['ip', ...binaries].filter((b) => !has(b));
  if (!notRoot && missing.length === 0) return undefined;
  const why = `real-peer test needs: ${describeMissing(notRoot, missing)}`;
  if (requirePeers) throw new Error(`${why} (BGP_EVPN_REQUIRE_PEERS=1: a missing peer is a failure)`);
  console.warn(`\n*** SKIPPING: ${why}. Install them (see .ci/run) to run this test. ***\n`);
  return why;
}

export function sh(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? 20_000,
    ...(opts.input === undefined ? {} : { input: opts.input }),
  });
}

/** Run a command inside a namespace and return its stdout. */
export function nsExec(ns: string, cmd: string, args: readonly string[], timeoutMs?: number): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], timeoutMs === undefined ? {} : { timeoutMs });
}

let seq = 0;
/** A namespace name unique to this process, short enough for interface names. */
export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid % 10000}${(seq++).toString(36)}`;
}

/** Namespaces and processes one test owns; `destroy()` kills the processes by PID, then deletes the namespaces. */
export class Lab {
  readonly namespaces: string[] = [];
  readonly children: ChildProcess[] = [];
  /** Extra clean-up steps (run by destroy() after the processes are killed, before the namespaces go). */
  readonly cleanups: (() => void | Promise<void>)[] = [];

  /** Register a clean-up step for destroy() (e.g. removing a daemon's run directory). */
  onDestroy(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  addNamespace(name: string): string {
    sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    nsExec(name, 'ip', ['link', 'set', 'lo', 'up']);
    return name;
  }

  /**
   * A veth pair between two namespaces with addresses (CIDR form). Interface names are
   * `ifA` in `nsA` and `ifB` in `nsB`. IPv6 addresses get `nodad` so they are usable at once.
   */
  link(nsA: string, ifA: string, addrsA: readonly string[], nsB: string, ifB: string, addrsB: readonly string[]): void {
    const tmpA = `t${(seq++).toString(36)}${process.pid % 1000}a`;
    const tmpB = tmpA.slice(0, -1) + 'b';
    sh('ip', ['link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB]);
    sh('ip', ['link', 'set', tmpA, 'netns', nsA]);
    sh('ip', ['link', 'set', tmpB, 'netns', nsB]);
    nsExec(nsA, 'ip', ['link', 'set', tmpA, 'name', ifA]);
    nsExec(nsB, 'ip', ['link', 'set', tmpB, 'name', ifB]);
    for (const [ns, ifc, addrs] of [[nsA, ifA, addrsA], [nsB, ifB, addrsB]] as const) {
      for (const a of addrs) nsExec(ns, 'ip', a.includes(':') ? ['-6', 'addr', 'add', a, 'dev', ifc, 'nodad'] : ['addr', 'add', a, 'dev', ifc]);
      nsExec(ns, 'ip', ['link', 'set', ifc, 'up']);
    }
  }

  /** Start a long-running process inside a namespace; it is killed by PID in destroy(). */
  spawn(ns: string, cmd: string, args: readonly string[], opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-20_000); });
    child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-20_000); });
    (child as ChildProcess & { output: () => string }).output = () => log;
    this.children.push(child);
    return child;
  }

  /** Kill one child by PID and wait (bounded) until it is gone. */
  async kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    for (const c of this.children.splice(0).reverse()) await this.kill(c);
    for (const fn of this.cleanups.splice(0).reverse()) {
      try { await fn(); } catch (e) { console.error(`lab clean-up failed: ${String(e)}`); }
    }
    for (const ns of this.namespaces.splice(0).reverse()) {
      // anything still inside (a daemon that forked) is killed by PID before the namespace goes
      let pids: string[] = [];
      try {
        pids = sh('ip', ['netns', 'pids', ns]).split('\n').filter((p) => /^\d+$/.test(p));
      } catch { /* namespace already gone */ }
      for (const p of pids) {
        try { process.kill(Number(p), 'SIGKILL'); } catch { /* already exited */ }
      }
      try { sh('ip', ['netns', 'del', ns]); } catch { /* already gone */ }
    }
  }
}

/** Poll `check` every `everyMs` until it returns a value (not undefined/false) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A TCP port free on `address` right now (for a daemon that needs its port in a config file). */
export function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, address, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}
