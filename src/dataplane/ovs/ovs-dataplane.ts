/**
 * `OvsDataplane`: the `Dataplane` interface programmed into an Open vSwitch bridge over OpenFlow
 * (pipeline in flows.ts). The interface is synchronous; every call updates our state and queues
 * `ovs-ofctl bundle` lines, and one batch per event-loop turn (or per finished batch) goes to OVS
 * as one OpenFlow 1.4 bundle. `flush()` resolves when everything queued is in the switch.
 *
 * Channel, measured on this machine (OVS 3.1, netdev datapath, 2 shared cores; 100,000 unicast
 * flows, time until `dump-aggregate` counts them; see `npm run bench -- ovs`):
 * - `ovs-ofctl add-flow` per flow: 38 ms per call (a process and a connection each): ~63 min;
 * - `ovs-ofctl add-flows - ` (stdin, no bundle): 5.8 s;
 * - `ovs-ofctl bundle -` (stdin, one OF1.4 bundle, atomic): 3.9 s, about 26,000 flows/s;
 * - our own OpenFlow 1.3 connection: see the bench table (`openflow` row) and the README.
 * The bundle wins on correctness too: a batch is applied all or nothing, flows and groups in
 * one transaction, and OVS parses its own syntax (learn(), move, resubmit, set_field) exactly.
 */
import type { Dataplane, IpText, LocalMacEvent, LocalMacListener, LocalPort, MacText, NeighborLookup, VniOptions } from '../types.js';
import { ip4Number } from '../addr.js';
import { macKeyFromText, macKeyToText } from '../mac.js';
import { OvsDataplaneError } from './errors.js';
import {
  FlowKind, baseFlows, cookieMask, forgetLearnedFlow, forgetPortLines, groupLines, localMacFlow, parseMonitorLine,
  parsePortsDesc, portFlow, remoteMacFlow, removeVniLines, responderFlows, tables, vniFlows, type Pipeline,
} from './flows.js';
import { Ofctl, type OfctlChannel } from './ofctl.js';

/** Options of `OvsDataplane.open`. */
export interface OvsDataplaneOptions {
  /** The bridge (`br-int`); with `rundir` unset, `ovs-ofctl` finds it in the default run directory. */
  readonly bridge: string;
  /** The flow-based VXLAN port on the bridge (`options:remote_ip=flow options:key=flow`). */
  readonly tunnelPort: string;
  /** The OVS run directory (`OVS_RUNDIR`): the bridge is reached at `<rundir>/<bridge>.mgmt`. */
  readonly rundir?: string;
  /** Our cookie; its low byte must be zero (it holds the flow kind). Default `0xeb9e000000000000`. */
  readonly cookie?: bigint;
  /** First of our five tables (ARP, LEARN, L2, FLOOD, ND); table 0 is shared. Default 40. */
  readonly tableBase?: number;
  /** Learn local MACs with a `learn()` action and report them (default true). */
  readonly learn?: boolean;
  /** Idle timeout of learned MACs in seconds (default 300). */
  readonly macAgeSeconds?: number;
  /** Another OpenFlow channel (tests; default `ovs-ofctl` child processes). */
  readonly channel?: OfctlChannel;
}

interface VniState {
  readonly suppressArp: boolean;
  readonly remote: Map<MacText, IpText>;
  readonly arp: Map<IpText, MacText>;
  readonly ports: Set<string>;
  flood: IpText[];
  lookup: NeighborLookup | undefined;
}

interface PortState {
  readonly vni: number;
  ofport: number;
}

const canonicalMac = (mac: MacText): MacText => macKeyToText(macKeyFromText(mac));

function canonicalIp(ip: IpText): IpText {
  if (ip.includes(':')) {
    if (!/^[0-9a-f:.]+$/i.test(ip)) throw new TypeError(`invalid IP address: ${ip}`);
    return ip.toLowerCase();
  }
  ip4Number(ip);
  return ip;
}

/** Programs an Open vSwitch bridge as an EVPN VTEP's dataplane (see flows.ts for the pipeline). */
export class OvsDataplane implements Dataplane {
  /** The pipeline constants (cookie, tables, tunnel port number). */
  readonly pipeline: Pipeline;
  private readonly channel: OfctlChannel;
  private readonly vnis = new Map<number, VniState>();
  private readonly ports = new Map<string, PortState>();
  private readonly learned = new Map<string, { vni: number; mac: MacText; port: string }>();
  private readonly apiMacs = new Map<string, { vni: number; mac: MacText; port: string }>();
  private readonly listeners = new Set<LocalMacListener>();
  private readonly dirtyGroups = new Set<number>();
  private readonly errors: OvsDataplaneError[] = [];
  private ofportNames = new Map<number, string>();
  private pending: string[] = [];
  private running: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopMonitor: (() => void) | undefined;
  private closed = false;

  private constructor(pipeline: Pipeline, channel: OfctlChannel) {
    this.pipeline = pipeline;
    this.channel = channel;
  }

  /**
   * Connects to the bridge: finds the tunnel port's number, installs the base flows and starts
   * following learned MACs. Throws `OvsDataplaneError` (`unknown-port`, `ofctl`).
   */
  static async open(opts: OvsDataplaneOptions): Promise<OvsDataplane> {
    const cookie = opts.cookie ?? 0xeb9e000000000000n;
    if ((cookie & ~cookieMask) !== 0n || cookie <= 0n || cookie >= 1n << 64n) throw new RangeError('cookie: a 64-bit value with a zero low byte');
    const base = opts.tableBase ?? 40;
    if (!Number.isInteger(base) || base < 1 || base > 249) throw new RangeError('tableBase: 1..249');
    const channel = opts.channel ?? new Ofctl({
      target: opts.rundir === undefined ? opts.bridge : `unix:${opts.rundir}/${opts.bridge}.mgmt`,
      ...(opts.rundir === undefined ? {} : { env: { ...process.env, OVS_RUNDIR: opts.rundir } }),
    });
    const names = parsePortsDesc(await channel.portsDesc());
    const tunnelOfport = names.get(opts.tunnelPort);
    if (tunnelOfport === undefined) throw new OvsDataplaneError('unknown-port', `no port ${opts.tunnelPort} on ${opts.bridge}`);
    const learn = opts.learn ?? true;
    const dp = new OvsDataplane({ cookie, base, tunnelOfport, learn, macAgeSeconds: opts.macAgeSeconds ?? 300 }, channel);
    dp.ofportNames = new Map([...names].map(([n, o]) => [o, n]));
    await channel.bundle(baseFlows(dp.pipeline));
    if (learn) dp.stopMonitor = channel.monitor(tables(dp.pipeline).l2, (line) => dp.onMonitorLine(line));
    return dp;
  }

  private vni(vni: number): VniState {
    const v = this.vnis.get(vni);
    if (v === undefined) throw new RangeError(`VNI ${vni} was not added`);
    return v;
  }

  private queue(lines: readonly string[]): void {
    if (this.closed) throw new OvsDataplaneError('closed', 'the OVS dataplane was stopped');
    for (const l of lines) this.pending.push(l);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.running.then(() => this.apply());
    });
  }

  /**
   * Sends what is queued as one bundle, then the group rewrites (a VNI's groups are added,
   * empty, in the queue before the flows that point at them).
   */
  private async apply(): Promise<void> {
    if (this.pending.length === 0 && this.dirtyGroups.size === 0) return;
    const lines = this.pending;
    for (const vni of this.dirtyGroups) {
      const v = this.vnis.get(vni);
      if (v === undefined) continue;
      const ofports = [...v.ports].map((n) => this.ports.get(n)!.ofport);
      lines.push(...groupLines(this.pipeline, 'modify', vni, ofports, v.flood));
    }
    this.dirtyGroups.clear();
    this.pending = [];
    try {
      await this.channel.bundle(lines);
    } catch (e) {
      this.errors.push(e instanceof OvsDataplaneError ? e : new OvsDataplaneError('ofctl', String(e)));
    }
  }

  /**
   * Resolves when every change made so far is in the switch; rejects with the first
   * `OvsDataplaneError` since the previous `flush()` (the failed bundle changed nothing).
   */
  async flush(): Promise<void> {
    for (let i = 0; i < 1000 && (this.scheduled || this.pending.length > 0 || this.dirtyGroups.size > 0); i++) {
      await new Promise((r) => setImmediate(r));
      await this.running;
    }
    await this.running;
    const e = this.errors.splice(0);
    if (e.length > 0) throw e[0]!;
  }

  addVni(vni: number, options: VniOptions = {}): void {
    if (!Number.isInteger(vni) || vni < 1 || vni > 0xffffff) throw new RangeError(`VNI ${vni}: 1..2^24-1`);
    if (this.vnis.has(vni)) return;
    this.vnis.set(vni, { suppressArp: options.suppressArp ?? true, remote: new Map(), arp: new Map(), ports: new Set(), flood: [], lookup: undefined });
    this.queue([...groupLines(this.pipeline, 'add', vni, [], []), ...vniFlows(this.pipeline, vni)]);
  }

  removeVni(vni: number): void {
    const v = this.vnis.get(vni);
    if (v === undefined) return;
    const ofports = [...v.ports].map((n) => this.ports.get(n)!.ofport);
    for (const name of v.ports) this.forgetPortMacs(name);
    for (const name of v.ports) this.ports.delete(name);
    this.vnis.delete(vni);
    this.dirtyGroups.delete(vni);
    this.queue(removeVniLines(this.pipeline, vni, ofports));
  }

  setRemoteMac(vni: number, mac: MacText, vtep: IpText): void {
    const v = this.vni(vni);
    const m = canonicalMac(mac);
    const ip = canonicalIp(vtep);
    if (v.remote.get(m) === ip) return;
    v.remote.set(m, ip);
    this.queue([remoteMacFlow(this.pipeline, vni, m, ip)]);
  }

  removeRemoteMac(vni: number, mac: MacText): void {
    const v = this.vni(vni);
    const m = canonicalMac(mac);
    if (!v.remote.delete(m)) return;
    this.queue([remoteMacFlow(this.pipeline, vni, m, undefined)]);
  }

  setFloodList(vni: number, vteps: readonly IpText[]): void {
    const v = this.vni(vni);
    const list = [...new Set(vteps.map(canonicalIp))];
    if (list.length === v.flood.length && list.every((x, i) => x === v.flood[i])) return;
    v.flood = list;
    this.dirtyGroups.add(vni);
    this.schedule();
  }

  /** Always throws `OvsDataplaneError` (`unsupported`): OVS ports are attached with `attachOvsPort`. */
  attachPort(_vni: number, port: LocalPort): void {
    throw new OvsDataplaneError('unsupported', `cannot attach the in-process port ${port.name} to OVS: use attachOvsPort(vni, name or ofport)`);
  }

  /** Detaches an OVS port of this name (an in-process `LocalPort` is never attached: nothing happens). */
  detachPort(port: LocalPort): void {
    if (this.ports.has(port.name)) this.detachOvsPort(port.name);
  }

  /**
   * Attaches an OVS port (by name or OpenFlow port number) to a VNI: its frames are classified
   * into the VNI and it joins the VNI's flood groups. Resolves when it is in the switch; rejects
   * with `unknown-port` when the bridge has no such port. A port belongs to one VNI at a time.
   */
  async attachOvsPort(vni: number, port: string | number): Promise<void> {
    const v = this.vni(vni);
    let ofport = typeof port === 'number' ? port : [...this.ofportNames].find(([, n]) => n === port)?.[0];
    let name = typeof port === 'number' ? this.ofportNames.get(port) : port;
    if (ofport === undefined || name === undefined) {
      this.ofportNames = new Map([...parsePortsDesc(await this.channel.portsDesc())].map(([n, o]) => [o, n]));
      ofport = typeof port === 'number' ? port : [...this.ofportNames].find(([, n]) => n === port)?.[0];
      name = typeof port === 'number' ? this.ofportNames.get(port) : port;
      if (ofport === undefined || name === undefined || !this.ofportNames.has(ofport)) throw new OvsDataplaneError('unknown-port', `no port ${String(port)} on the bridge`);
    }
    if (ofport === this.pipeline.tunnelOfport) throw new OvsDataplaneError('unsupported', 'the tunnel port cannot be a local port');
    if (this.ports.get(name)?.vni === vni) return this.flush();
    if (this.ports.has(name)) this.detachOvsPort(name);
    this.vni(vni);
    this.ports.set(name, { vni, ofport });
    v.ports.add(name);
    this.dirtyGroups.add(vni);
    this.queue([portFlow(this.pipeline, ofport, vni)]);
    return this.flush();
  }

  /** Detaches an OVS port (by name or number); its learned and API MACs are reported as removed. */
  detachOvsPort(port: string | number): void {
    const name = typeof port === 'number' ? this.ofportNames.get(port) : port;
    const p = name === undefined ? undefined : this.ports.get(name);
    if (name === undefined || p === undefined) return;
    this.forgetPortMacs(name);
    this.ports.delete(name);
    this.vnis.get(p.vni)?.ports.delete(name);
    this.dirtyGroups.add(p.vni);
    this.queue([portFlow(this.pipeline, p.ofport, undefined), forgetPortLines(this.pipeline, p.ofport)]);
  }

  private forgetPortMacs(name: string): void {
    const p = this.ports.get(name)!;
    for (const key of new Set([...this.learned.keys(), ...this.apiMacs.keys()])) {
      const m = (this.apiMacs.get(key) ?? this.learned.get(key))!;
      if (m.port !== name) continue;
      if (this.apiMacs.delete(key)) this.queue([localMacFlow(this.pipeline, m.vni, m.mac, undefined)]);
      this.learned.delete(key);
      this.emit(p.vni, m.mac, name, 'removed');
    }
  }

  /**
   * A local MAC from the API: unicast to it goes out the attached OVS port `port`; reported to
   * the listeners as learned (or moved).
   */
  addLocalMac(vni: number, mac: MacText, port: string): void {
    this.vni(vni);
    const p = this.ports.get(port);
    if (p === undefined || p.vni !== vni) throw new OvsDataplaneError('unknown-port', `port ${port} is not attached to VNI ${vni}`);
    const m = canonicalMac(mac);
    const key = `${vni}/${m}`;
    const before = this.apiMacs.get(key)?.port ?? this.learned.get(key)?.port;
    this.apiMacs.set(key, { vni, mac: m, port });
    this.queue([localMacFlow(this.pipeline, vni, m, p.ofport)]);
    if (before !== port) this.emit(vni, m, port, before === undefined ? 'learned' : 'moved');
  }

  /** Removes a local MAC added by `addLocalMac` (reported as removed). */
  removeLocalMac(vni: number, mac: MacText): void {
    const m = canonicalMac(mac);
    const e = this.apiMacs.get(`${vni}/${m}`);
    if (e === undefined) return;
    this.apiMacs.delete(`${vni}/${m}`);
    this.queue([localMacFlow(this.pipeline, vni, m, undefined)]);
    if (!this.learned.has(`${vni}/${m}`)) this.emit(vni, m, e.port, 'removed');
  }

  setArpEntry(vni: number, ip: IpText, mac: MacText): void {
    const v = this.vni(vni);
    const i = canonicalIp(ip);
    const m = canonicalMac(mac);
    if (v.arp.get(i) === m) return;
    v.arp.set(i, m);
    if (v.suppressArp) this.queue(responderFlows(this.pipeline, vni, i, m));
  }

  removeArpEntry(vni: number, ip: IpText): void {
    const v = this.vni(vni);
    const i = canonicalIp(ip);
    if (!v.arp.delete(i)) return;
    if (v.suppressArp) this.queue(responderFlows(this.pipeline, vni, i, undefined));
  }

  /**
   * Kept, but not consulted: OVS answers ARP/NS in the switch from the table alone (no packet
   * reaches us), so local IP bindings are not snooped either.
   */
  setArpLookup(vni: number, lookup: NeighborLookup | undefined): void {
    if (lookup === undefined && !this.vnis.has(vni)) return;
    this.vni(vni).lookup = lookup;
  }

  /** The control plane refused a learned MAC: its flow is removed without a report. */
  forgetLocalMac(vni: number, mac: MacText): void {
    const m = canonicalMac(mac);
    if (!this.learned.delete(`${vni}/${m}`)) return;
    this.queue([forgetLearnedFlow(this.pipeline, vni, m)]);
  }

  onLocalMac(listener: LocalMacListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(vni: number, mac: MacText, port: string, event: LocalMacEvent): void {
    for (const l of this.listeners) l(vni, mac, port, event);
  }

  private onMonitorLine(line: string): void {
    const e = parseMonitorLine(this.pipeline, line);
    if (e === undefined || this.closed) return;
    const key = `${e.vni}/${e.mac}`;
    const had = this.learned.get(key);
    if (e.event === 'DELETED') {
      if (had === undefined) return;
      this.learned.delete(key);
      if (!this.apiMacs.has(key)) this.emit(e.vni, e.mac, had.port, 'removed');
      return;
    }
    const port = this.ofportNames.get(e.ofport);
    if (port === undefined || this.ports.get(port)?.vni !== e.vni || had?.port === port) return;
    this.learned.set(key, { vni: e.vni, mac: e.mac, port });
    if (this.apiMacs.get(key)?.port === port) return;
    this.emit(e.vni, e.mac, port, had === undefined && !this.apiMacs.has(key) ? 'learned' : 'moved');
  }

  /** Remote MACs, flood list, ARP entries and ports of a VNI as we programmed them. */
  snapshot(vni: number): { remoteMacs: { mac: MacText; vtep: IpText }[]; floodList: IpText[]; arpEntries: { ip: IpText; mac: MacText }[]; ports: string[] } | undefined {
    const v = this.vnis.get(vni);
    if (v === undefined) return undefined;
    return {
      remoteMacs: [...v.remote].map(([mac, vtep]) => ({ mac, vtep })),
      floodList: [...v.flood],
      arpEntries: [...v.arp].map(([ip, mac]) => ({ ip, mac })),
      ports: [...v.ports],
    };
  }

  /** Local MACs we know of (learned by OVS or from the API), as `vni/mac -> port`. */
  localMacs(): Map<string, string> {
    return new Map([...this.learned, ...this.apiMacs].map(([k, v]) => [k, v.port]));
  }

  /**
   * Removes exactly what we installed: every flow with our cookie (`cookie/mask`, learned ones
   * included) and the groups of our VNIs; stops following learned MACs. Other flows stay.
   */
  async stop(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
    this.stopMonitor?.();
    const groups = [...this.vnis.keys()].flatMap((v) => removeVniLines(this.pipeline, v, []).filter((l) => l.startsWith('group')));
    await this.channel.bundle([`flow delete cookie=0x${this.pipeline.cookie.toString(16)}/0x${cookieMask.toString(16)}`, ...groups]);
    this.vnis.clear();
    this.ports.clear();
  }

  /** The flow kinds' cookies, for `ovs-ofctl dump-flows <br> cookie=<c>/-1`. */
  cookieOf(kind: keyof typeof FlowKind): bigint {
    return this.pipeline.cookie | BigInt(FlowKind[kind]);
  }
}
