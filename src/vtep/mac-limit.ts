/**
 * Limits on the MACs a VNI learns locally: per VNI and per local port (what Linux bridges call
 * `fdb_max_learned` and FRR a MAC limit). A MAC beyond a limit is not learned: no table entry,
 * no Type-2 route, and the dataplane forgets it, so frames to it are flooded as unknown unicast
 * while frames from it are still forwarded. Static MACs (configured, RFC 7432 15.2) count
 * towards the limits but are never refused. Remote MACs (from BGP) are not limited here.
 */

/** Local MAC limits (each optional: no limit). */
export interface MacLimits {
  /** Local MACs one VNI may learn. */
  readonly perVni?: number;
  /** Local MACs one port of a VNI may learn. */
  readonly perPort?: number;
}

/** Which limit refused a learn. */
export type MacLimitScope = 'vni' | 'port';

function checked(n: number | undefined, what: string): number {
  if (n === undefined) return Infinity;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, not ${n}`);
  return n;
}

/** The limits in force: each field from the first layer that sets it (a VNI's, then the default). Throws a RangeError for a negative or fractional one. */
export function resolveMacLimits(...layers: readonly (MacLimits | undefined)[]): { perVni: number; perPort: number } {
  let perVni: number | undefined;
  let perPort: number | undefined;
  for (const l of layers) {
    perVni ??= l?.perVni;
    perPort ??= l?.perPort;
  }
  return { perVni: checked(perVni, 'macLimit.perVni'), perPort: checked(perPort, 'macLimit.perPort') };
}

/** The per-VNI state of the limits: counts per port, the refusal counter, which limits were reported. */
export class LocalMacLimits {
  perVni = Infinity;
  perPort = Infinity;
  /** Local learns refused because a limit was reached (each refused frame or API call counts). */
  refused = 0;
  private readonly ports = new Map<number, number>();
  /** Limits reported since they were last under: -1 the VNI's, else a port's. */
  private readonly reported = new Set<number>();

  /** Set the limits (from `resolveMacLimits`; Infinity: none). */
  set(limits: { readonly perVni: number; readonly perPort: number }): void {
    this.perVni = limits.perVni;
    this.perPort = limits.perPort;
  }

  /** Local MACs learned on a port. */
  count(port: number): number {
    return this.ports.get(port) ?? 0;
  }

  /**
   * The limit that refuses one more local MAC on `port`, or undefined. `locals` is the VNI's
   * count of local MACs, or -1 for a MAC already local (a port move: only the port's limit).
   */
  check(port: number, locals: number): MacLimitScope | undefined {
    if (locals >= this.perVni) return 'vni';
    if (this.perPort !== Infinity && this.count(port) >= this.perPort) return 'port';
    return undefined;
  }

  /** Count a refusal; true when the limit has not been reported since it was last under. */
  refuse(port: number, scope: MacLimitScope): boolean {
    this.refused++;
    const k = scope === 'vni' ? -1 : port;
    if (this.reported.has(k)) return false;
    this.reported.add(k);
    return true;
  }

  /** The limit of a scope. */
  limit(scope: MacLimitScope): number {
    return scope === 'vni' ? this.perVni : this.perPort;
  }

  /** A local MAC was learned on `port`. */
  added(port: number): void {
    this.ports.set(port, this.count(port) + 1);
  }

  /** A local MAC left `port`; `locals` is the VNI's count after it. Under a limit again re-arms its report. */
  removed(port: number, locals: number): void {
    const n = this.count(port) - 1;
    if (n > 0) this.ports.set(port, n);
    else this.ports.delete(port);
    if (this.reported.size === 0) return;
    if (n < this.perPort) this.reported.delete(port);
    if (locals < this.perVni) this.reported.delete(-1);
  }
}
