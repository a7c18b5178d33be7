/**
 * Adj-RIB-Out of one peer (RFC 4271 3.2). It keeps only the *set of destination keys* whose
 * advertisement may have changed, plus what was last advertised (for withdraws); the bytes are
 * generated lazily, a batch at a time, when the session can take them. Announcements that share
 * an outgoing attribute set are packed into the same UPDATEs (RFC 4271 9.2: "as many NLRI as
 * fit"). A slow reader therefore costs one Set entry per pending destination, never bytes.
 */
import type { PathAttribute } from '../types.js';
import type { Route } from './route.js';

/** Attributes a route is sent with to this peer. */
export interface OutAttributes {
  /** Grouping key: equal keys may share one UPDATE. */
  readonly key: string;
  readonly attributes: readonly PathAttribute[];
  readonly nextHops: readonly string[];
}

/** The UPDATE packer (`encodeUpdateRaw` of the codec, bound to the session's send options). */
export type UpdatePacker = (u: {
  readonly attributes: readonly PathAttribute[];
  readonly afi: number;
  readonly safi: number;
  readonly nextHops: readonly string[];
  readonly nlri: readonly Buffer[];
  readonly withdrawn?: readonly Buffer[];
}) => Buffer[];

/** What the Adj-RIB-Out asks of the speaker. */
export interface RibOutSource {
  /** The current best path to a destination of a family. */
  best(family: number, key: string): Route | undefined;
  /** The attributes to send `route` with to this peer, or undefined when it must not be sent. */
  exportRoute(family: number, route: Route): OutAttributes | undefined;
}

/** Where the bytes go: `send` returns false when the peer's buffer is full (wait for drain). */
export interface RibOutSink {
  send(buf: Buffer): boolean;
}

const ipv4Withdraw: readonly string[] = ['0.0.0.0'];
const noFamilies: ReadonlySet<number> = new Set();

/** RFC 7911 3: the NLRI preceded by a 4-byte path identifier (1: we advertise one path). */
function withPathId(nlri: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + nlri.length);
  b.writeUInt32BE(1, 0);
  nlri.copy(b, 4);
  return b;
}
const noNextHops: readonly string[] = [];

interface Group {
  out: OutAttributes;
  nlri: Buffer[];
}

interface Batch {
  groups: Map<string, Group>;
  withdraws: Buffer[];
  adv: Map<string, Route>;
  n: number;
}

export class AdjRibOut {
  /** family -> destination keys to (re)consider. */
  private readonly pending = new Map<number, Set<string>>();
  /** family -> key -> the route last advertised (its NLRI bytes are needed to withdraw). */
  private readonly advertised = new Map<number, Map<string, Route>>();
  /**
   * family -> a live iterator over the Loc-RIB's destination keys (initial table, refresh):
   * the whole table is walked lazily instead of copied into `pending` (O(1) memory).
   */
  private readonly walks = new Map<number, Iterator<Route>>();
  /** Callbacks owed once a family's pending set drains: End-of-RIB (RFC 4724 2) or EoRR (RFC 7313 4). */
  private readonly owed = new Map<number, (family: number) => void>();
  /** Number of UPDATE messages and NLRI sent (for tests and stats). */
  messagesSent = 0;
  announced = 0;
  withdrawn = 0;

  constructor(
    private readonly source: RibOutSource,
    private readonly sink: RibOutSink,
    private readonly pack: UpdatePacker,
    /** Destinations considered per batch (bounds the bytes produced per write burst). */
    private readonly batch = 2048,
    /** RFC 7911: families (familyKey) where we must send a path identifier (we send the best path as id 1). */
    private readonly addPathSend: ReadonlySet<number> = noFamilies,
  ) {}

  /** Destinations marked and waiting to be considered (not counting a table walk). */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.pending.values()) n += s.size;
    return n;
  }

  /** Whether anything (marks or a table walk) is waiting. */
  get busy(): boolean {
    return this.walks.size > 0 || this.pendingCount > 0;
  }

  /** Destinations currently advertised in a family. */
  advertisedCount(family: number): number {
    return this.advertised.get(family)?.size ?? 0;
  }

  /** The route last advertised for a destination. */
  advertisedRoute(family: number, key: string): Route | undefined {
    return this.advertised.get(family)?.get(key);
  }

  /** Note that the best path of a destination changed. */
  mark(family: number, key: string): void {
    let s = this.pending.get(family);
    if (s === undefined) {
      s = new Set();
      this.pending.set(family, s);
    }
    s.add(key);
  }

  /**
   * Walk the whole table of a family (initial advertisement or route refresh); `done` runs
   * once the walk and everything marked so far for the family are written (End-of-RIB, EoRR).
   * `bests` should be live (the Loc-RIB's `bests()`): destinations added during the walk are
   * reached by it or by `mark`.
   */
  markAll(family: number, bests: Iterable<Route>, done?: (family: number) => void): void {
    this.walks.set(family, bests[Symbol.iterator]());
    if (done !== undefined) this.owed.set(family, done);
  }

  /** Forget everything (the session went down). */
  reset(): void {
    this.pending.clear();
    this.walks.clear();
    this.advertised.clear();
    this.owed.clear();
  }

  /**
   * Produce UPDATEs until nothing is pending (returns true) or the sink is full (false: call
   * again on 'drain'). At most one batch is produced after the sink says it is full.
   */
  flush(): boolean {
    for (const family of [...this.pending.keys(), ...this.walks.keys()]) {
      for (;;) {
        const keys = this.pending.get(family);
        const walk = this.walks.get(family);
        if ((keys === undefined || keys.size === 0) && walk === undefined) break;
        if (!this.flushBatch(family, keys, walk)) return false;
      }
      this.pending.delete(family);
      this.settle(family);
    }
    for (const f of [...this.owed.keys()]) this.settle(f);
    return true;
  }

  private settle(family: number): void {
    const done = this.owed.get(family);
    if (done === undefined) return;
    this.owed.delete(family);
    done(family);
  }

  private flushBatch(family: number, keys: Set<string> | undefined, walk: Iterator<Route> | undefined): boolean {
    const b: Batch = { groups: new Map(), withdraws: [], adv: this.advertisedTable(family), n: 0 };
    if (keys !== undefined) {
      for (const key of keys) {
        keys.delete(key);
        this.consider(family, key, this.source.best(family, key), b);
        if (b.n >= this.batch) break;
      }
    }
    while (walk !== undefined && b.n < this.batch) {
      const it = walk.next();
      if (it.done === true) {
        this.walks.delete(family);
        break;
      }
      this.consider(family, it.value.key, it.value, b);
    }
    return this.emit(family, b);
  }

  private advertisedTable(family: number): Map<string, Route> {
    let adv = this.advertised.get(family);
    if (adv === undefined) {
      adv = new Map();
      this.advertised.set(family, adv);
    }
    return adv;
  }

  /** Decide one destination: announce (grouped by outgoing attributes), withdraw, or nothing. */
  private consider(family: number, key: string, best: Route | undefined, b: Batch): void {
    b.n++;
    const out = best === undefined ? undefined : this.source.exportRoute(family, best);
    if (best !== undefined && out !== undefined) {
      let g = b.groups.get(out.key);
      if (g === undefined) {
        g = { out, nlri: [] };
        b.groups.set(out.key, g);
      }
      g.nlri.push(this.addPathSend.has(family) ? withPathId(best.nlri) : best.nlri);
      b.adv.set(key, best);
      return;
    }
    const old = b.adv.get(key);
    if (old !== undefined) {
      b.withdraws.push(this.addPathSend.has(family) ? withPathId(old.nlri) : old.nlri);
      b.adv.delete(key);
    }
  }

  private emit(family: number, b: Batch): boolean {
    const afi = family >>> 8;
    const safi = family & 0xff;
    let ok = true;
    if (b.withdraws.length > 0) {
      // IPv4 unicast withdraws go in the classic field (the packer picks it by an IPv4 next hop)
      const nextHops = afi === 1 && safi === 1 ? ipv4Withdraw : noNextHops;
      for (const m of this.pack({ attributes: [], afi, safi, nextHops, nlri: [], withdrawn: b.withdraws })) ok = this.write(m) && ok;
      this.withdrawn += b.withdraws.length;
    }
    for (const g of b.groups.values()) {
      for (const m of this.pack({ attributes: g.out.attributes, afi, safi, nextHops: g.out.nextHops, nlri: g.nlri })) ok = this.write(m) && ok;
      this.announced += g.nlri.length;
    }
    return ok;
  }

  private write(m: Buffer): boolean {
    this.messagesSent++;
    return this.sink.send(m);
  }
}
