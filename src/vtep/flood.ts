/**
 * The flood list of one VNI: remote VTEPs that BUM traffic is replicated to, one per Type-3
 * route source (RFC 8365 9.1, ingress replication). Several RDs may name one VTEP (a VTEP that
 * re-originates with a new RD): it stays on the list while any of them does.
 */
export class FloodList {
  /** RD index -> VTEP index. */
  private readonly byRd = new Map<number, number>();
  /** VTEP index -> number of RDs naming it. */
  private readonly refs = new Map<number, number>();

  /** A Type-3 from `rd` names `vtep`. Returns whether the set of VTEPs changed. */
  add(rd: number, vtep: number): boolean {
    const prev = this.byRd.get(rd);
    if (prev === vtep) return false;
    let changed = false;
    if (prev !== undefined) changed = this.unref(prev);
    this.byRd.set(rd, vtep);
    const n = this.refs.get(vtep) ?? 0;
    this.refs.set(vtep, n + 1);
    return n === 0 || changed;
  }

  /** The Type-3 from `rd` is gone. Returns undefined when there was none, else whether the set changed. */
  remove(rd: number): boolean | undefined {
    const prev = this.byRd.get(rd);
    if (prev === undefined) return undefined;
    this.byRd.delete(rd);
    return this.unref(prev);
  }

  /** VTEP indexes on the list. */
  vteps(): number[] {
    return [...this.refs.keys()];
  }

  private unref(vtep: number): boolean {
    const n = this.refs.get(vtep) ?? 0;
    if (n <= 1) {
      this.refs.delete(vtep);
      return true;
    }
    this.refs.set(vtep, n - 1);
    return false;
  }
}
