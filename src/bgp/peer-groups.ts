/**
 * Peer groups and dynamic neighbours: named sets of peer settings that configured peers share,
 * and listen ranges (a prefix bound to a group) from which a speaker accepts sessions without
 * configuring each address, as route reflectors in a fabric need (GoBGP `dynamic-neighbors`,
 * FRR `bgp listen range`).
 */
import { isIP } from 'node:net';
import { addressBytes } from '../net/ip.js';
import { PeerConfigError } from './config-error.js';
import type { PeerConfig } from './rib/peer-config.js';

/** The settings of a peer group: any `PeerConfig` field but the address. */
export type PeerGroupConfig = Partial<Omit<PeerConfig, 'address'>>;

/**
 * A peer that takes its settings from a group: the group's settings, then the ones given here
 * (which win). `asn` and `families` must come from one of the two.
 */
export type GroupPeerConfig = PeerGroupConfig & { readonly address: string; readonly peerGroup: string };

/** A listen range: connections from `prefix` become peers of `peerGroup`. */
export interface DynamicNeighborConfig {
  /** `10.0.0.0/24` or `2001:db8::/64`. */
  readonly prefix: string;
  /** The group whose settings the accepted peers take (it must exist). */
  readonly peerGroup: string;
  /** At most this many peers from the range at once (more are refused, Cease / connection rejected). Default unlimited. */
  readonly limit?: number;
}

/** A listen range and how many peers it holds now. */
export interface DynamicNeighborState extends DynamicNeighborConfig {
  readonly active: number;
}

interface Range {
  readonly config: DynamicNeighborConfig;
  readonly net: Buffer;
  readonly bits: number;
  active: number;
}

/** Parse `address/length`; PeerConfigError naming the value when it is not a prefix. */
export function parsePrefix(prefix: string): { net: Buffer; bits: number } {
  const slash = prefix.indexOf('/');
  const addr = slash < 0 ? prefix : prefix.slice(0, slash);
  const family = isIP(addr);
  const max = family === 4 ? 32 : 128;
  const bits = slash < 0 ? max : Number(prefix.slice(slash + 1));
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > max || (slash >= 0 && !/^\d+$/.test(prefix.slice(slash + 1)))) {
    throw new PeerConfigError('prefix', prefix, 'expected address/length, e.g. 10.0.0.0/24');
  }
  return { net: addressBytes(addr), bits };
}

/** Whether the first `bits` bits of `a` and `b` are equal. */
function samePrefix(a: Buffer, b: Buffer, bits: number): boolean {
  if (a.length !== b.length) return false;
  const whole = bits >>> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

/** The groups and ranges of one speaker. */
export class PeerGroups {
  private readonly groups = new Map<string, PeerGroupConfig>();
  private readonly ranges: Range[] = [];

  /** Add or replace a group (peers already configured keep the settings they were given). */
  set(name: string, config: PeerGroupConfig): void {
    this.groups.set(name, config);
  }

  /** Remove a group; TypeError while a range still points at it. */
  delete(name: string): boolean {
    if (this.ranges.some((r) => r.config.peerGroup === name)) throw new TypeError(`peer group ${name} is used by a dynamic-neighbor range`);
    return this.groups.delete(name);
  }

  get(name: string): PeerGroupConfig | undefined {
    return this.groups.get(name);
  }

  names(): string[] {
    return [...this.groups.keys()];
  }

  /** The full config of a peer of a group; PeerConfigError for an unknown group or a missing AS/families. */
  resolve(peer: GroupPeerConfig): PeerConfig {
    const group = this.groups.get(peer.peerGroup);
    if (group === undefined) throw new PeerConfigError('peerGroup', peer.peerGroup, `peer ${peer.address}: unknown peer group`);
    const merged = { ...group, ...withoutUndefined(peer) } as PeerConfig & { peerGroup?: string };
    if (typeof merged.asn !== 'number') throw new PeerConfigError('asn', undefined, `peer ${peer.address}: neither the peer nor group ${peer.peerGroup} sets one`);
    if (merged.families === undefined) throw new PeerConfigError('families', undefined, `peer ${peer.address}: neither the peer nor group ${peer.peerGroup} sets them`);
    const { peerGroup: _g, ...config } = merged;
    return config;
  }

  /** Add or replace (by prefix) a listen range. */
  addRange(config: DynamicNeighborConfig): void {
    if (!this.groups.has(config.peerGroup)) throw new PeerConfigError('peerGroup', config.peerGroup, `dynamic neighbors ${config.prefix}: unknown peer group`);
    const { net, bits } = parsePrefix(config.prefix);
    if (config.limit !== undefined && (!Number.isInteger(config.limit) || config.limit < 0)) {
      throw new PeerConfigError('limit', config.limit, `dynamic neighbors ${config.prefix}: expected a whole number >= 0`);
    }
    const i = this.ranges.findIndex((r) => r.config.prefix === config.prefix);
    const active = i < 0 ? 0 : this.ranges[i]!.active;
    const range: Range = { config, net, bits, active };
    if (i < 0) this.ranges.push(range);
    else this.ranges[i] = range;
    // the longest prefix wins when ranges overlap
    this.ranges.sort((a, b) => b.bits - a.bits);
  }

  removeRange(prefix: string): boolean {
    const i = this.ranges.findIndex((r) => r.config.prefix === prefix);
    if (i < 0) return false;
    this.ranges.splice(i, 1);
    return true;
  }

  rangeStates(): DynamicNeighborState[] {
    return this.ranges.map((r) => ({ ...r.config, active: r.active }));
  }

  /**
   * The config of a new dynamic peer at `address` (passive: it came to us), or a reason why
   * not: no range covers it, or its range is full.
   */
  admit(address: string): { config: PeerConfig; prefix: string } | 'no-range' | 'limit' {
    if (isIP(address) === 0) return 'no-range';
    const a = addressBytes(address);
    const r = this.ranges.find((x) => samePrefix(a, x.net, x.bits));
    if (r === undefined) return 'no-range';
    if (r.config.limit !== undefined && r.active >= r.config.limit) return 'limit';
    const config = this.resolve({ address, peerGroup: r.config.peerGroup, passive: true });
    r.active++;
    return { config, prefix: r.config.prefix };
  }

  /** A dynamic peer admitted from `prefix` is gone. */
  release(prefix: string): void {
    const r = this.ranges.find((x) => x.config.prefix === prefix);
    if (r !== undefined && r.active > 0) r.active--;
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}
