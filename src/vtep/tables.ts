/**
 * The tables of a VTEP: the set of VNIs with their import index, plus the shared VTEP address
 * and route distinguisher tables (vtep-table.ts).
 */
import type { ResolvedMobility } from './mobility.js';
import { VniTable, type VniObserver } from './vni.js';
import { Interner, VtepTable } from './vtep-table.js';

/** Every VNI of a VTEP plus the shared VTEP and RD tables. */
export class VtepTables {
  readonly vteps: VtepTable;
  readonly rds = new Interner();
  private readonly byVni = new Map<number, VniTable>();

  constructor(
    self: string,
    readonly mobility: ResolvedMobility,
    private readonly observer: VniObserver,
    /** Milliseconds now (the injected clock). */
    readonly now: () => number,
  ) {
    this.vteps = new VtepTable(self);
  }

  /**
   * The table of a VNI, added on first call. `expectedMacs` sizes a new table for that many MACs
   * and IPv4 bindings (see `VniTable.reserve`).
   */
  addVni(vni: number, options: { readonly expectedMacs?: number } = {}): VniTable {
    if (!Number.isInteger(vni) || vni < 1 || vni > 0xffffff) throw new RangeError(`VNI must be 1..16777215, not ${vni}`);
    let t = this.byVni.get(vni);
    if (t === undefined) {
      t = new VniTable(vni, this.vteps, this.mobility, this.observer, this.now);
      if (options.expectedMacs !== undefined) t.reserve(options.expectedMacs);
      this.byVni.set(vni, t);
    }
    return t;
  }

  removeVni(vni: number): boolean {
    return this.byVni.delete(vni);
  }

  vni(vni: number): VniTable | undefined {
    return this.byVni.get(vni);
  }

  vnis(): IterableIterator<VniTable> {
    return this.byVni.values();
  }
}
