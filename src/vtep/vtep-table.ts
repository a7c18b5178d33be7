/**
 * The small interning tables a VTEP shares across its VNIs: the VTEP address table (an index per
 * remote VTEP, so a MAC entry stores a small integer and not an address) and the route
 * distinguisher table (an index per RD, naming the source of a remote route).
 */
import { ipOrderKey } from './keys.js';

/** Index 0 is this VTEP; remote VTEPs get 1, 2, ... in order of first sight. */
export class VtepTable {
  private readonly byAddress = new Map<string, number>();
  private readonly addresses: string[] = [];
  private readonly orders: string[] = [];

  constructor(self: string) {
    this.reset(self);
  }

  /** Change this VTEP's own address (index 0). */
  reset(self: string): void {
    this.byAddress.delete(this.addresses[0] ?? '');
    this.addresses[0] = self;
    this.orders[0] = ipOrderKey(self);
    this.byAddress.set(self, 0);
  }

  get self(): string {
    return this.addresses[0]!;
  }

  /** The index of a VTEP address, added on first sight. Our own address is 0. */
  intern(address: string): number {
    const i = this.byAddress.get(address);
    if (i !== undefined) return i;
    const n = this.addresses.length;
    this.addresses.push(address);
    this.orders.push(ipOrderKey(address));
    this.byAddress.set(address, n);
    return n;
  }

  indexOf(address: string): number | undefined {
    return this.byAddress.get(address);
  }

  address(index: number): string {
    const a = this.addresses[index];
    if (a === undefined) throw new RangeError(`no VTEP with index ${index}`);
    return a;
  }

  /** The order key of a VTEP (RFC 7432 15.1 tie-break: lowest IP wins). */
  order(index: number): string {
    return this.orders[index] ?? '\uffff';
  }

  get size(): number {
    return this.addresses.length;
  }
}

/** Strings to small integers starting at 1 (0 means "none" or "local" in the tables). */
export class Interner {
  private readonly byName = new Map<string, number>();
  private readonly names: string[] = [''];

  intern(name: string): number {
    const i = this.byName.get(name);
    if (i !== undefined) return i;
    const n = this.names.length;
    this.names.push(name);
    this.byName.set(name, n);
    return n;
  }

  indexOf(name: string): number | undefined {
    return this.byName.get(name);
  }

  name(index: number): string {
    return this.names[index] ?? '';
  }
}
