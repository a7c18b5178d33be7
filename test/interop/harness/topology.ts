/**
 * Test topologies for real-peer tests: N network namespaces on one L2 segment.
 *
 * ```
 *                 ns <sw>: bridge br0 (a dumb switch, no address)
 *        +---------------+---------------+-- ...
 *      veth            veth            veth
 *   ns node[0] eth0  ns node[1] eth0  ns node[2] eth0
 *   198.18.0.11/24   198.18.0.12/24   198.18.0.13/24     underlay
 *   2001:db8:18::11  2001:db8:18::12  ...        /64
 *   lo 198.19.0.11   198.19.0.12      ...        /32     VTEP / router id
 * ```
 * Every node gets a /32 route to every other node's VTEP via that node's underlay address.
 * No default route anywhere. With `root: true` the test process's own namespace is attached to
 * the switch too, as 198.18.0.1 / 2001:db8:18::1 (with routes to the VTEPs), so a speaker that
 * runs inside the test process (issue 4) can reach the peers; the veth disappears with the
 * switch namespace.
 *
 * Network rule: nothing outside 198.18.0.0/24, 198.19.0.0/24, 198.51.100.0/24 and
 * 2001:db8:18::/64 is ever configured, and all of it lives in namespaces made here.
 */
import { Lab, nsExec, sh, uniqueName } from '../../helpers/netns.js';

/** Underlay IPv4 prefix (RFC 2544 benchmarking range). */
export const underlayPrefix = '198.18.0';
/** VTEP / router-id prefix. */
export const vtepPrefix = '198.19.0';
/** IPv6 underlay (documentation prefix). */
export const underlay6Prefix = '2001:db8:18:';
/** Tenant (overlay) subnet, TEST-NET-2. */
export const tenantPrefix = '198.51.100';


/** Refuse any address outside loopback and the lab ranges (the network rule, checked in code). */
export function checkLabAddress(addr: string): string {
  const a = addr.replace(/\/\d+$/, '');
  if (/^127\./.test(a) || a === '::1' || a === '0.0.0.0' || a === '::') return addr;
  if (a.startsWith('198.18.0.') || a.startsWith('198.19.0.') || a.startsWith('198.51.100.')) return addr;
  if (a.toLowerCase().startsWith('2001:db8:18:')) return addr;
  throw new Error(`address ${addr} is outside loopback and the lab ranges (network rule)`);
}

/**
 * Set a sysctl inside a namespace by writing /proc/sys (no dependency on procps' `sysctl`;
 * /proc/sys/net shows the namespace of the writing process).
 */
export function setSysctl(ns: string, key: string, value: number | string): void {
  if (!/^[a-z0-9_.-]+$/i.test(key)) throw new Error(`bad sysctl key ${key}`);
  nsExec(ns, 'sh', ['-c', `echo ${String(value)} > /proc/sys/${key.replace(/\./g, '/')}`]);
}

export interface TopologyNode {
  /** Index in the topology. */
  readonly index: number;
  /** The namespace name (unique per process). */
  readonly ns: string;
  /** Underlay IPv4 address on eth0, `198.18.0.X`. */
  readonly ip: string;
  /** Underlay IPv6 address on eth0, `2001:db8:18::X`. */
  readonly ip6: string;
  /** VTEP / router-id address on lo, `198.19.0.X`. */
  readonly vtep: string;
  /** Last octet shared by `ip`, `ip6` and `vtep`. */
  readonly octet: number;
  /** Interface name of the underlay link inside the node (always `eth0`). */
  readonly ifname: string;
}

export interface TopologyOptions {
  /** Number of nodes (1..8). */
  readonly nodes: number;
  /** Namespace name prefix (short: interface names are limited to 15 characters). */
  readonly prefix?: string;
  /**
   * Attach the test process's namespace to the switch as 198.18.0.1 (host routes only).
   * Two root-attached topologies at once must use different `firstOctet`s.
   */
  readonly root?: boolean;
  /** Last octet of node 0 (default 11); node i gets firstOctet + i. */
  readonly firstOctet?: number;
}

/**
 * N namespaces joined by one bridge. Owns a `Lab`: processes started with `lab.spawn` and every
 * namespace are removed by `destroy()`.
 */
export class Topology {
  readonly lab: Lab;
  readonly nodes: readonly TopologyNode[];
  /** The switch namespace. */
  readonly sw: string;
  /** The root-side underlay address when `root: true`. */
  readonly rootIp: string | undefined;

  private constructor(lab: Lab, sw: string, nodes: TopologyNode[], rootIp: string | undefined) {
    this.lab = lab;
    this.sw = sw;
    this.nodes = nodes;
    this.rootIp = rootIp;
  }

  /** Build the topology. On any failure everything made so far is removed before the throw. */
  static async create(opts: TopologyOptions): Promise<Topology> {
    if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 8) throw new Error('nodes: 1..8');
    const first = opts.firstOctet ?? 11;
    if (!Number.isInteger(first) || first < 2 || first + opts.nodes > 150) throw new Error("firstOctet: 2..(150 - nodes)");
    const lab = new Lab();
    const prefix = opts.prefix ?? 'ev';
    try {
      const sw = lab.addNamespace(uniqueName(`${prefix}s`));
      nsExec(sw, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
      // no STP, forward at once (RFC-free plumbing: a switch that never blocks a port)
      nsExec(sw, 'ip', ['link', 'set', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
      nsExec(sw, 'ip', ['link', 'set', 'br0', 'up']);
      const nodes: TopologyNode[] = [];
      for (let i = 0; i < opts.nodes; i++) {
        const ns = lab.addNamespace(uniqueName(`${prefix}${i}`));
        const octet = (opts.firstOctet ?? 11) + i;
        const node: TopologyNode = {
          index: i,
          ns,
          ip: `${underlayPrefix}.${octet}`,
          ip6: `${underlay6Prefix}:${octet}`,
          vtep: `${vtepPrefix}.${octet}`,
          octet,
          ifname: 'eth0',
        };
        lab.link(ns, 'eth0', [`${node.ip}/24`, `${node.ip6}/64`], sw, `p${i}`, []);
        nsExec(sw, 'ip', ['link', 'set', `p${i}`, 'master', 'br0']);
        nsExec(ns, 'ip', ['addr', 'add', `${node.vtep}/32`, 'dev', 'lo']);
        setSysctl(ns, 'net.ipv4.ip_forward', 1);
        nodes.push(node);
      }
      for (const a of nodes) {
        for (const b of nodes) {
          if (a !== b) nsExec(a.ns, 'ip', ['route', 'replace', `${b.vtep}/32`, 'via', b.ip, 'dev', 'eth0']);
        }
      }
      let rootIp: string | undefined;
      if (opts.root === true) rootIp = attachRoot(lab, sw, nodes);
      const topo = new Topology(lab, sw, nodes, rootIp);
      // one bounded ping per pair from node 0: the segment really forwards
      for (const b of nodes.slice(1)) topo.ping(0, b.vtep);
      return topo;
    } catch (e) {
      await lab.destroy();
      throw e;
    }
  }

  /** The node at index i (throws when out of range). */
  node(i: number): TopologyNode {
    const n = this.nodes[i];
    if (n === undefined) throw new Error(`no node ${i}`);
    return n;
  }

  /** One bounded ping (1 packet, 1 s) from node i to a lab address; throws on loss. */
  ping(i: number, dst: string, count = 1): string {
    checkLabAddress(dst);
    return nsExec(this.node(i).ns, 'ping', ['-c', String(count), '-W', '1', '-q', dst], 5000 + count * 1000);
  }

  /** Make another namespace owned by this topology (removed by `destroy()`). */
  addNamespace(prefix: string): string {
    return this.lab.addNamespace(uniqueName(prefix));
  }

  /** Kill every process (by PID) and delete every namespace. Safe to call twice. */
  async destroy(): Promise<void> {
    await this.lab.destroy();
  }
}

/** A veth from the test process's namespace into the switch: 198.18.0.1 and 2001:db8:18::1. */
function attachRoot(lab: Lab, sw: string, nodes: readonly TopologyNode[]): string {
  const rootIf = uniqueName('evr');
  const ip = `${underlayPrefix}.1`;
  sh('ip', ['link', 'add', rootIf, 'type', 'veth', 'peer', 'name', 'proot', 'netns', sw]);
  // the kernel would remove it with the switch namespace, but asynchronously: remove it now
  lab.onDestroy(() => {
    try { sh('ip', ['link', 'del', rootIf]); } catch { /* already gone */ }
  });
  sh('ip', ['addr', 'add', `${ip}/32`, 'dev', rootIf]);
  sh('ip', ['-6', 'addr', 'add', `${underlay6Prefix}:1/128`, 'dev', rootIf, 'nodad']);
  sh('ip', ['link', 'set', rootIf, 'up']);
  nsExec(sw, 'ip', ['link', 'set', 'proot', 'master', 'br0', 'up']);
  // host routes only (no /24 on the root side, so parallel topologies do not fight over a prefix)
  for (const n of nodes) {
    sh('ip', ['route', 'replace', `${n.ip}/32`, 'dev', rootIf, 'src', ip]);
    sh('ip', ['-6', 'route', 'replace', `${n.ip6}/128`, 'dev', rootIf]);
    nsExec(n.ns, 'ip', ['route', 'replace', `${ip}/32`, 'dev', 'eth0']);
  }
  return ip;
}
