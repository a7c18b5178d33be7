/**
 * The IP -> MAC table of one VNI (ARP for IPv4, ND for IPv6; RFC 9161): each IP points at the
 * slot of its MAC and remembers its owner, the RD index of the route that bound it (0 = a local
 * binding). A newer route may take an IP over; the older route's withdrawal then leaves it alone.
 */
import type { IpKey } from './keys.js';
import { NumIndex } from './num-index.js';

export class IpBindings {
  /** IPv4 number -> (slot, owner). */
  private readonly ip4 = new NumIndex(64);
  /** IPv6 16-byte key -> slot, and -> owner. */
  private readonly ip6 = new Map<string, number>();
  private readonly ip6Owner = new Map<string, number>();

  /** Make room for `entries` IPv4 bindings without a later doubling. */
  reserve(entries: number): void {
    this.ip4.reserve(entries);
  }

  /** The slot an IP points at, or -1. */
  get(ip: IpKey): number {
    return typeof ip === 'number' ? this.ip4.get(ip) : (this.ip6.get(ip) ?? -1);
  }

  /** Bind `ip` to `slot` for `owner`; returns the slot it pointed at before, or -1. */
  set(ip: IpKey, slot: number, owner: number): number {
    if (typeof ip === 'number') return this.ip4.set(ip, slot, owner);
    const prev = this.ip6.get(ip) ?? -1;
    this.ip6.set(ip, slot);
    this.ip6Owner.set(ip, owner);
    return prev;
  }

  /** Remove the binding only if `slot` and `owner` still hold it. */
  deleteIf(ip: IpKey, slot: number, owner: number): boolean {
    if (typeof ip === 'number') return this.ip4.deleteIf(ip, slot, owner);
    if (this.ip6.get(ip) !== slot || this.ip6Owner.get(ip) !== owner) return false;
    this.ip6.delete(ip);
    this.ip6Owner.delete(ip);
    return true;
  }

  get size(): number {
    return this.ip4.size + this.ip6.size;
  }
}
