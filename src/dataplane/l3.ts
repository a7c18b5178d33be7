/**
 * The engine's distributed layer 3 (issue 14), reached as `VxlanEngine.l3`: IP-VRFs with their
 * L3VNI and router MAC, L2VNIs attached as anycast gateways (connected subnets and the gateway
 * addresses become routes), and routes from the control plane (Type-2 host routes, Type-5
 * prefixes). Text is parsed once here; forwarding (l3-forward.ts) uses numbers.
 */
import { formatIp } from './addr.js';
import type { L3Counters } from './counters.js';
import type { GatewayOptions, L3Dataplane, RouteNextHop, VrfOptions } from './l3-types.js';
import { L3Forwarder } from './l3-forward.js';
import { GatewayState, NhKind, VrfState, parsePrefix, type Prefix } from './l3-state.js';
import { macKeyFromText, macKeyToText } from './mac.js';
import type { IpText, MacText } from './types.js';
import { checkVni, type VniState } from './vni-state.js';

/** A route as a snapshot shows it: the contract's next hops, plus the gateway's own entries. */
export type VrfRouteView =
  | RouteNextHop
  /** A connected subnet of a gateway (resolved in that L2VNI). */
  | { readonly kind: 'connected'; readonly vni: number }
  /** A gateway address of this VTEP. */
  | { readonly kind: 'local'; readonly vni: number };

/** A copy of one VRF's configuration and routes (diagnostics and tests; allocates). */
export interface VrfSnapshot {
  readonly name: string;
  readonly l3vni: number;
  readonly routerMac: MacText;
  /** L2VNIs attached to the VRF with their gateway MAC and addresses. */
  readonly gateways: ReadonlyArray<{ vni: number; mac: MacText; addresses: readonly string[] }>;
  /** Effective routes (a connected entry wins over a programmed one of the same prefix). */
  readonly routes: ReadonlyArray<{ prefix: string; nextHop: VrfRouteView }>;
  /** Local IP bindings the gateways learned from ARP / ND. */
  readonly learned: ReadonlyArray<{ vni: number; ip: IpText; mac: MacText }>;
}

/** `L3Dataplane` of the VXLAN engine. */
export class EngineL3 extends L3Forwarder implements L3Dataplane {
  private readonly vrfs = new Map<string, VrfState>();

  addVrf(name: string, options: VrfOptions): void {
    checkName(name);
    if (typeof options !== 'object' || options === null) throw new TypeError('VRF options must be an object');
    checkVni(options.l3vni);
    if (this.host.vniState(options.l3vni) !== undefined) throw new RangeError(`L3VNI ${options.l3vni} is an L2VNI of this engine`);
    const other = this.byL3vni.get(options.l3vni);
    if (other !== undefined && other.name !== name) throw new RangeError(`L3VNI ${options.l3vni} belongs to VRF ${other.name}`);
    const routerMac = macKeyFromText(options.routerMac);
    const vrf = this.vrfs.get(name);
    if (vrf === undefined) {
      const v = new VrfState(name, options.l3vni, routerMac);
      this.vrfs.set(name, v);
      this.byL3vni.set(options.l3vni, v);
      return;
    }
    this.byL3vni.delete(vrf.l3vni);
    vrf.setL3vni(options.l3vni);
    vrf.routerMac = routerMac;
    this.byL3vni.set(options.l3vni, vrf);
  }

  removeVrf(name: string): void {
    const vrf = this.vrfs.get(name);
    if (vrf === undefined) return;
    for (const gw of [...vrf.gateways]) this.setGateway(gw.vs.vni, undefined);
    for (const e of [...vrf.routes.values()]) {
      const old = vrf.setSource(e.prefix, 'programmed', 0);
      if (old !== 0) this.nhs.release(old);
    }
    this.byL3vni.delete(vrf.l3vni);
    this.vrfs.delete(name);
  }

  setGateway(vni: number, options: GatewayOptions | undefined): void {
    const vs = this.vni(vni);
    let addrs: Prefix[] = [];
    let vrf: VrfState | undefined;
    let mac = 0;
    if (options !== undefined) {
      // everything is checked before anything changes
      if (typeof options !== 'object' || options === null || !Array.isArray(options.addresses)) throw new TypeError('gateway options need vrf, mac and addresses[]');
      vrf = this.vrf(options.vrf);
      mac = macKeyFromText(options.mac);
      addrs = options.addresses.map((a) => parsePrefix(a, true));
    }
    const old = vs.gw as GatewayState | undefined;
    if (old !== undefined) {
      for (const p of old.installed) {
        const id = old.vrf.setSource(p, 'connected', 0);
        if (id !== 0) this.nhs.release(id);
      }
      old.vrf.gateways.delete(old);
      vs.gw = undefined;
    }
    if (vrf === undefined) return;
    const gw = new GatewayState(vs, vrf, mac, addrs);
    for (const a of addrs) {
      const host = parsePrefix(`${formatIp(a.bytes)}/${a.family === 4 ? 32 : 128}`);
      const subnet = parsePrefix(a.text);
      for (const [p, kind] of [[subnet, NhKind.vni], [host, NhKind.local]] as const) {
        const prev = vrf.setSource(p, 'connected', this.nhs.acquire(kind, 0, undefined, vni, vs));
        if (prev !== 0) this.nhs.release(prev);
        gw.installed.push(p);
      }
    }
    vrf.gateways.add(gw);
    vs.gw = gw;
  }

  setRoute(vrf: string, prefix: string, nextHop: RouteNextHop): void {
    const v = this.vrf(vrf);
    const p = parsePrefix(prefix);
    let id: number;
    if (typeof nextHop !== 'object' || nextHop === null) throw new TypeError('a next hop must be an object');
    if (nextHop.kind === 'vtep') {
      const mac = macKeyFromText(nextHop.routerMac);
      id = this.nhs.acquire(NhKind.vtep, mac, this.host.remote(nextHop.vtep), 0, undefined);
    } else if (nextHop.kind === 'vni') {
      id = this.nhs.acquire(NhKind.vni, 0, undefined, nextHop.vni, this.vni(nextHop.vni));
    } else {
      throw new TypeError(`unknown next-hop kind: ${String((nextHop as { kind: unknown }).kind)}`);
    }
    const old = v.setSource(p, 'programmed', id);
    if (old !== 0) this.nhs.release(old);
  }

  removeRoute(vrf: string, prefix: string): void {
    const p = parsePrefix(prefix);
    const v = this.vrfs.get(vrf);
    if (v === undefined) return;
    const old = v.setSource(p, 'programmed', 0);
    if (old !== 0) this.nhs.release(old);
  }

  /** The routing counters of a VRF (live object), or undefined. */
  counters(vrf: string): Readonly<L3Counters> | undefined {
    return this.vrfs.get(vrf)?.counters;
  }

  /** Names of the VRFs. */
  vrfNames(): string[] {
    return [...this.vrfs.keys()];
  }

  /** True when `vni` is some VRF's L3VNI. */
  isL3vni(vni: number): boolean {
    return this.byL3vni.has(vni);
  }

  /** A copy of a VRF's configuration, routes and learned bindings, or undefined. */
  snapshot(vrf: string): VrfSnapshot | undefined {
    const v = this.vrfs.get(vrf);
    if (v === undefined) return undefined;
    const nhs = this.nhs;
    const view = (id: number): VrfRouteView => {
      const kind = nhs.kind[id];
      if (kind === NhKind.vtep) return { kind: 'vtep', vtep: nhs.vtep[id]!.address, routerMac: macKeyToText(nhs.mac[id]!) };
      return { kind: kind === NhKind.local ? 'local' : 'vni', vni: nhs.vniNumber[id]! };
    };
    const routes = [...v.routes.values()].map((e) => {
      const nextHop = e.connected !== 0 ? view(e.connected) : view(e.programmed);
      return { prefix: e.prefix.text, nextHop: e.connected !== 0 && nextHop.kind === 'vni' ? { kind: 'connected' as const, vni: nextHop.vni } : nextHop };
    });
    const learned: { vni: number; ip: IpText; mac: MacText }[] = [];
    const b = Buffer.alloc(4);
    for (const g of v.gateways) {
      for (const [ip, mac] of g.learned4) {
        b.writeUInt32BE(ip, 0);
        learned.push({ vni: g.vs.vni, ip: formatIp(b), mac: macKeyToText(mac) });
      }
      for (const [ip, mac] of g.learned6) learned.push({ vni: g.vs.vni, ip: formatIp(Buffer.from(ip, 'latin1')), mac: macKeyToText(mac) });
    }
    return {
      name: v.name,
      l3vni: v.l3vni,
      routerMac: macKeyToText(v.routerMac),
      gateways: [...v.gateways].map((g) => ({ vni: g.vs.vni, mac: macKeyToText(g.macKey), addresses: [...g.addr4, ...g.addr6].map((a) => a.text) })),
      routes,
      learned,
    };
  }

  // ---- engine hooks ----

  /** A VNI was added (its state) or removed (undefined): gateways and next hops follow. @internal */
  vniChanged(vni: number, vs: VniState | undefined): void {
    if (vs === undefined) {
      const old = this.host.vniState(vni);
      if (old?.gw !== undefined) this.setGateway(vni, undefined);
    } else if (this.byL3vni.has(vni)) {
      throw new RangeError(`VNI ${vni} is the L3VNI of VRF ${this.byL3vni.get(vni)!.name}`);
    }
    this.nhs.vniChanged(vni, vs);
  }

  /** The control plane removed an ARP/ND entry: the gateway forgets its own binding of the IP too. @internal */
  forgetBinding(vs: VniState, key: number | string): void {
    const gw = vs.gw as GatewayState | undefined;
    if (gw === undefined) return;
    if (typeof key === 'number') gw.learned4.delete(key);
    else gw.learned6.delete(key);
  }

  private vrf(name: string): VrfState {
    const v = this.vrfs.get(name);
    if (v === undefined) throw new RangeError(`VRF ${JSON.stringify(name)} is not configured`);
    return v;
  }

  private vni(vni: number): VniState {
    checkVni(vni);
    const vs = this.host.vniState(vni);
    if (vs === undefined) throw new RangeError(`VNI ${vni} is not configured`);
    return vs;
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`a VRF name must be a non-empty string: ${String(name)}`);
}
