/**
 * The IP -> MAC table of one VNI (ARP for IPv4, ND for IPv6; RFC 9161): each IP points at the
 * slot of its MAC. A newer route may move an IP to another MAC; the older route's withdrawal
 * then leaves it alone (the table checks the slot), and a binding stays while any route or
 * local entry of its MAC still carries the IP (the VNI table checks before it unbinds).
 */
import type { IpKey } from './keys.js';
import { Ip4Index } from './ip4-index.js';

export class IpBindings {
  /** IPv4 number -> slot. */
  private readonly ip4 = new Ip4Index(64);
  /** IPv6 16-byte key -> slot. */
  private readonly ip6 = new Map<string, number>();

  /** Make room for `entries` IPv4 bindings without a later doubling. */
  reserve(entries: number): void {
    this.ip4.reserve(entries);
  }

  /** The slot an IP points at, or -1. */
  get(ip: IpKey): number {
    return typeof ip === 'number' ? this.ip4.get(ip) : (this.ip6.get(ip) ?? -1);
  }

  /** Bind `ip` to `slot`; returns the slot it pointed at before, or -1. */
  set(ip: IpKey, slot: number): number {
    if (typeof ip === 'number') return this.ip4.set(ip, slot);
    const prev = this.ip6.get(ip) ?? -1;
    this.ip6.set(ip, slot);
    return prev;
  }

  /** Remove the binding only if it still points at `slot`. */
  deleteIf(ip: IpKey, slot: number): boolean {
    if (typeof ip === 'number') return this.ip4.deleteIf(ip, slot);
    if (this.ip6.get(ip) !== slot) return false;
    this.ip6.delete(ip);
    return true;
  }

  get size(): number {
    return this.ip4.size + this.ip6.size;
  }
}
