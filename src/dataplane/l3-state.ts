/**
 * The engine's layer-3 state (issue 14): VRFs with their LPM tables, the next hops routes point
 * at (numbers in typed arrays, so forwarding reads no objects but the VNI or VTEP it sends to),
 * the gateways of L2VNIs, and prefix text parsing. Configuration work; it allocates.
 */
import { formatIp, parseIp } from './addr.js';
import { L3Counters } from './counters.js';
import { Ip4MacTable } from './ip4-table.js';
import { LpmTable } from './lpm.js';
import type { BufferPool } from './pool.js';
import type { IpText, RemoteVtep, VniTx } from './types.js';
import type { PortState, VniGateway, VniState } from './vni-state.js';
import { vxlanHeader } from './vxlan.js';

/** Next-hop kinds. */
export const NhKind = {
  /** Over the VRF's L3VNI to a VTEP, inner destination = its router MAC (symmetric IRB). */
  vtep: 1,
  /** Resolve the destination in an L2VNI and bridge there (connected subnet, asymmetric IRB). */
  vni: 2,
  /** One of our gateway addresses. */
  local: 3,
} as const;

/** A parsed prefix: masked address bytes, length, and its canonical text (the route key). */
export interface Prefix {
  readonly family: 4 | 6;
  readonly bytes: Buffer;
  readonly len: number;
  readonly text: string;
}

/** Parses `addr/len` (TypeError when malformed, RangeError when the length is out of range). */
export function parsePrefix(text: string, keepHostBits = false): Prefix {
  if (typeof text !== 'string') throw new TypeError(`not a prefix: ${String(text)}`);
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\s*\d{1,3}\s*$/.test(text.slice(slash + 1))) throw new TypeError(`not a prefix (addr/len): ${JSON.stringify(text)}`);
  const a = parseIp(text.slice(0, slash));
  const len = Number(text.slice(slash + 1));
  const max = a.family === 4 ? 32 : 128;
  if (len > max) throw new RangeError(`prefix length must be 0..${max}: ${JSON.stringify(text)}`);
  const bytes = Buffer.from(a.bytes);
  if (!keepHostBits) for (let bit = len; bit < max; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { family: a.family, bytes, len, text: `${formatIp(bytes)}/${len}` };
}

/** True when `addr` (4 or 16 bytes at `off`) lies in `p`. */
export function prefixContains(p: Prefix, buf: Uint8Array, off: number): boolean {
  for (let bit = 0; bit < p.len; bit += 8) {
    const bits = Math.min(8, p.len - bit);
    const m = (0xff00 >> bits) & 0xff;
    if ((buf[off + (bit >> 3)]! & m) !== (p.bytes[bit >> 3]! & m)) return false;
  }
  return true;
}

/** What the L3 code needs of the engine (closures over its private parts). */
export interface L3Host {
  readonly pool: BufferPool;
  vniState(vni: number): VniState | undefined;
  remote(address: IpText): RemoteVtep;
  deliver(ps: PortState, buf: Buffer, start: number, end: number): void;
  /** Encapsulates to `r` in `tx`, counting into `c`; false when dropped (MTU, no underlay). */
  encap(tx: VniTx, c: L3Counters | VniState['counters'], r: RemoteVtep, buf: Buffer, start: number, end: number, hash: number): boolean;
  /** Delivers to the local ports of `vs` but `from`, and (when `overlay`) replicates to its flood list. */
  flood(vs: VniState, from: PortState | undefined, buf: Buffer, start: number, end: number, overlay: boolean): boolean;
}

/**
 * Next hops shared by every VRF of an engine, deduplicated by what they are and reference
 * counted: id → kind, MAC key, VTEP, VNI in parallel arrays.
 */
export class NextHops {
  kind = new Uint8Array(16);
  /** Router MAC (vtep) as a 48-bit key. */
  mac = new Float64Array(16);
  readonly vtep: (RemoteVtep | undefined)[] = [];
  /** The VNI number (vni, local) and its state, cached (undefined after the VNI was removed). */
  readonly vniNumber: number[] = [];
  readonly vniState: (VniState | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly free: number[] = [];

  /** The id of a next hop (created with one reference, or one more reference). */
  acquire(kind: number, mac: number, vtep: RemoteVtep | undefined, vni: number, vs: VniState | undefined): number {
    const key = `${kind}|${mac}|${vtep?.address ?? ''}|${vni}`;
    const known = this.ids.get(key);
    if (known !== undefined) {
      this.refs[known]!++;
      return known;
    }
    const id = this.free.pop() ?? this.keys.length + 1;
    if (id >= this.kind.length) {
      const k = new Uint8Array(this.kind.length * 2);
      k.set(this.kind);
      const m = new Float64Array(this.mac.length * 2);
      m.set(this.mac);
      this.kind = k;
      this.mac = m;
    }
    this.kind[id] = kind;
    this.mac[id] = mac;
    this.vtep[id] = vtep;
    this.vniNumber[id] = vni;
    this.vniState[id] = vs;
    this.refs[id] = 1;
    this.keys[id - 1] = key;
    this.ids.set(key, id);
    return id;
  }

  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    this.ids.delete(this.keys[id - 1]!);
    this.kind[id] = 0;
    this.vtep[id] = undefined;
    this.vniState[id] = undefined;
    this.free.push(id);
  }

  /** A VNI was removed (undefined) or added again: next hops into it follow. */
  vniChanged(vni: number, vs: VniState | undefined): void {
    for (let id = 1; id < this.vniNumber.length; id++) if (this.kind[id] !== 0 && this.vniNumber[id] === vni) this.vniState[id] = vs;
  }
}

/** One route source per prefix: connected (gateway subnets and addresses) wins over programmed. */
interface RouteEntry {
  readonly prefix: Prefix;
  connected: number;
  programmed: number;
}

/** One IP-VRF. */
export class VrfState {
  readonly counters = new L3Counters();
  readonly lpm4 = new LpmTable(4);
  readonly lpm6 = new LpmTable(16);
  readonly routes = new Map<string, RouteEntry>();
  readonly gateways = new Set<GatewayState>();
  tx: VniTx;
  /** Glean limiter for destinations outside every gateway VNI (see GatewayState). */
  lastGlean = '';
  gleanSkip = 0;

  constructor(readonly name: string, public l3vni: number, public routerMac: number) {
    this.tx = { vni: l3vni, header: vxlanHeader(l3vni) };
  }

  setL3vni(vni: number): void {
    this.l3vni = vni;
    this.tx = { vni, header: vxlanHeader(vni) };
  }

  /** Sets one source of a prefix's route (id 0 clears it); returns the id it replaced. */
  setSource(p: Prefix, source: 'connected' | 'programmed', id: number): number {
    let e = this.routes.get(p.text);
    if (e === undefined) {
      if (id === 0) return 0;
      e = { prefix: p, connected: 0, programmed: 0 };
      this.routes.set(p.text, e);
    }
    const old = e[source];
    e[source] = id;
    const win = e.connected || e.programmed;
    const lpm = p.family === 4 ? this.lpm4 : this.lpm6;
    if (win === 0) {
      lpm.delete(p.bytes, p.len);
      this.routes.delete(p.text);
    } else {
      lpm.set(p.bytes, p.len, win);
    }
    return old;
  }

  /** A gateway IPv4 address of the VRF (the source of ICMP errors when no better one). */
  anyAddress(family: 4 | 6): Buffer | undefined {
    for (const g of this.gateways) {
      const a = family === 4 ? g.addr4[0] : g.addr6[0];
      if (a !== undefined) return a.bytes;
    }
    return undefined;
  }
}

/** An L2VNI attached to a VRF: its anycast MAC, addresses and the local bindings it learned. */
export class GatewayState implements VniGateway {
  readonly addr4: Prefix[] = [];
  readonly addr6: Prefix[] = [];
  /** Local hosts' IPv4 → MAC key, learned from their ARP (requests for us, replies to us). */
  readonly learned4 = new Ip4MacTable();
  /** Local hosts' IPv6 (latin1 of 16 bytes) → MAC key, learned from NS/NA. */
  readonly learned6 = new Map<string, number>();
  /** Routes this gateway installed (connected subnets and its /32, /128), to withdraw on detach. */
  readonly installed: Prefix[] = [];
  /** The last target gleaned and the frames since (one ARP/NS per 16 unresolved frames). */
  lastGlean = '';
  gleanSkip = 0;

  constructor(readonly vs: VniState, readonly vrf: VrfState, readonly macKey: number, addresses: readonly Prefix[]) {
    for (const a of addresses) (a.family === 4 ? this.addr4 : this.addr6).push(a);
  }

  /** The gateway address in the subnet of the address at `buf[off..)`, or the first of the family. */
  sourceFor(family: 4 | 6, buf: Uint8Array, off: number): Buffer | undefined {
    const list = family === 4 ? this.addr4 : this.addr6;
    for (const a of list) if (prefixContains(a, buf, off)) return a.bytes;
    return list[0]?.bytes;
  }

  /** True when the address at `buf[off..)` lies in one of this gateway's subnets. */
  inSubnet(family: 4 | 6, buf: Uint8Array, off: number): boolean {
    for (const a of family === 4 ? this.addr4 : this.addr6) if (prefixContains(a, buf, off)) return true;
    return false;
  }

  /** True when the address at `buf[off..)` is one of this gateway's addresses. */
  isOwn(family: 4 | 6, buf: Uint8Array, off: number): boolean {
    const list = family === 4 ? this.addr4 : this.addr6;
    const n = family === 4 ? 4 : 16;
    outer: for (const a of list) {
      for (let i = 0; i < n; i++) if (a.bytes[i] !== buf[off + i]) continue outer;
      return true;
    }
    return false;
  }
}
