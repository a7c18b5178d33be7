/**
 * The engine's per-VNI and per-port state: tables keyed by numbers (MAC as a 48-bit number,
 * IPv4 as a 32-bit number), the VNI's shared VXLAN header, counters.
 */
import { formatIp4, formatIp6, parseIp } from './addr.js';
import { w32 } from './bytes.js';
import { PortCounters, VniCounters } from './counters.js';
import { Ip4MacTable } from './ip4-table.js';
import { MacTable } from './mac-table.js';
import { macKeyToText } from './mac.js';
import { parseIpv4 } from '../net/ip.js';
import type { IpText, LocalPort, MacText, NeighborLookup, PortIngress, RemoteVtep, VniTx } from './types.js';
import { vxlanHeader, vxlanMaxVni } from './vxlan.js';

/** Where a port's frames go (the engine). */
export interface PortSink {
  fromPort(ps: PortState, buf: Buffer, start: number, end: number): boolean;
}

/** An attached port: its ingress, counters and learned MACs. */
export class PortState implements PortIngress {
  readonly counters = new PortCounters();
  /** MACs learned on this port (for removal events on detach). */
  readonly macs = new Set<number>();
  constructor(readonly engine: PortSink, readonly port: LocalPort, readonly vni: VniState) {}

  send(buf: Buffer, start = 0, end = buf.length): boolean {
    return this.engine.fromPort(this, buf, start, end);
  }
}

/** The VNI's gateway when it is attached to a VRF (l3-state.ts `GatewayState`). */
export interface VniGateway {
  /** The anycast gateway MAC as a 48-bit key. */
  readonly macKey: number;
}

/** One VNI: ports, MAC tables, flood list, ARP/ND table. */
export class VniState {
  /** Set while the VNI is attached to a VRF (issue 14): frames to its MAC are routed. */
  gw: VniGateway | undefined = undefined;
  readonly tx: VniTx;
  readonly counters = new VniCounters();
  readonly ports: PortState[] = [];
  /** Local MACs (learned from frames) → their port. */
  readonly local = new MacTable<PortState>();
  /** Remote MACs (from Type-2 routes) → their VTEP. */
  readonly remote: MacTable<RemoteVtep>;
  flood: RemoteVtep[] = [];
  /** IPv4 (as a 32-bit number) → MAC key. */
  readonly arp4: Ip4MacTable;
  /** IPv6 (16 bytes as a latin1 string) → MAC key. */
  readonly arp6 = new Map<string, number>();
  lookup: NeighborLookup | undefined;
  /** Bind `ip` to a MAC key in the ARP/ND table (RFC 9161 suppression answers from it). */
  setArp(ip: IpText, mac: number): void {
    const k = arpKey(ip);
    if (typeof k === 'number') this.arp4.set(k, mac);
    else this.arp6.set(k, mac);
  }

  /** Removes `ip` from the ARP/ND table; returns its key (an IPv4 number or IPv6 latin1 string). */
  removeArp(ip: IpText): number | string {
    const k = arpKey(ip);
    if (typeof k === 'number') this.arp4.delete(k);
    else this.arp6.delete(k);
    return k;
  }

  /** A copy of the tables (allocates: diagnostics and tests). */
  snapshot(): VniSnapshot {
    const arp: { ip: IpText; mac: MacText }[] = [];
    const b = Buffer.allocUnsafe(4);
    for (const [ip, mac] of this.arp4) {
      w32(b, 0, ip);
      arp.push({ ip: formatIp4(b, 0), mac: macKeyToText(mac) });
    }
    for (const [ip, mac] of this.arp6) arp.push({ ip: formatIp6(Buffer.from(ip, 'latin1'), 0), mac: macKeyToText(mac) });
    return {
      vni: this.vni,
      ports: this.ports.map((p) => p.port.name),
      localMacs: [...this.local.entries()].map(([k, p]) => ({ mac: macKeyToText(k), port: p.port.name })),
      remoteMacs: [...this.remote.entries()].map(([k, r]) => ({ mac: macKeyToText(k), vtep: r.address })),
      floodList: this.flood.map((r) => r.address),
      arpEntries: arp,
    };
  }

  /** `expectedMacs` sizes the remote MAC and IPv4 ARP tables (a hint). */
  constructor(readonly vni: number, public suppress: boolean, expectedMacs = 16) {
    this.tx = { vni, header: vxlanHeader(vni) };
    const size = Number.isInteger(expectedMacs) && expectedMacs > 16 ? Math.min(expectedMacs, 1 << 24) : 16;
    this.remote = new MacTable<RemoteVtep>(size);
    this.arp4 = new Ip4MacTable(size);
  }
}

/** A read-only copy of one VNI's tables (for diagnostics and tests). */
export interface VniSnapshot {
  readonly vni: number;
  readonly ports: readonly string[];
  readonly localMacs: ReadonlyArray<{ mac: MacText; port: string }>;
  readonly remoteMacs: ReadonlyArray<{ mac: MacText; vtep: IpText }>;
  readonly floodList: readonly IpText[];
  readonly arpEntries: ReadonlyArray<{ ip: IpText; mac: MacText }>;
}

/** Throws unless `vni` is 1..2^24-1. */
export function checkVni(vni: number): void {
  if (!Number.isInteger(vni) || vni < 1 || vni > vxlanMaxVni) throw new RangeError(`VNI must be 1..${vxlanMaxVni}: ${vni}`);
}


/**
 * The ARP/ND table key of an IP: IPv4 as a 32-bit number (parsed directly: once per binding the
 * VTEP manager programs), IPv6 as its 16 bytes in a latin1 string.
 */
function arpKey(ip: IpText): number | string {
  const v4 = parseIpv4(ip);
  if (v4 >= 0) return v4;
  const a = parseIp(ip); // other spellings (surrounding blanks), IPv6; throws on anything else
  return a.family === 4 ? a.bytes.readUInt32BE(0) : a.bytes.toString('latin1');
}
