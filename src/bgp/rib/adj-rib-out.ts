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
const noNextHops: readonly string[] = [];

interface Group {
  out: OutAttributes;
  nlri: Buffer[];
}

export class AdjRibOut {
  /** family -> destination keys to (re)consider. */
  private readonly pending = new Map<number, Set<string>>();
  /** family -> key -> the route last advertised (its NLRI bytes are needed to withdraw). */
  private readonly advertised = new Map<number, Map<string, Route>>();
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
  ) {}

  /** Destinations waiting to be considered. */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.pending.values()) n += s.size;
    return n;
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
   * Queue the whole table of a family (initial advertisement or route refresh); `done` runs
   * once everything queued so far for the family is written (End-of-RIB, EoRR).
   */
  markAll(family: number, keys: Iterable<string>, done?: (family: number) => void): void {
    for (const k of keys) this.mark(family, k);
    const adv = this.advertised.get(family);
    if (adv !== undefined) for (const k of adv.keys()) this.mark(family, k);
    if (done !== undefined) this.owed.set(family, done);
  }

  /** Forget everything (the session went down). */
  reset(): void {
    this.pending.clear();
    this.advertised.clear();
    this.owed.clear();
  }

  /**
   * Produce UPDATEs until nothing is pending (returns true) or the sink is full (false: call
   * again on 'drain'). At most one batch is produced after the sink says it is full.
   */
  flush(): boolean {
    for (const [family, keys] of this.pending) {
      while (keys.size > 0) {
        if (!this.flushBatch(family, keys)) return false;
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

  private flushBatch(family: number, keys: Set<string>): boolean {
    const groups = new Map<string, Group>();
    const withdraws: Buffer[] = [];
    let adv = this.advertised.get(family);
    if (adv === undefined) {
      adv = new Map();
      this.advertised.set(family, adv);
    }
    let n = 0;
    for (const key of keys) {
      keys.delete(key);
      const best = this.source.best(family, key);
      const out = best === undefined ? undefined : this.source.exportRoute(family, best);
      if (best !== undefined && out !== undefined) {
        let g = groups.get(out.key);
        if (g === undefined) {
          g = { out, nlri: [] };
          groups.set(out.key, g);
        }
        g.nlri.push(best.nlri);
        adv.set(key, best);
      } else {
        const old = adv.get(key);
        if (old !== undefined) {
          withdraws.push(old.nlri);
          adv.delete(key);
        }
      }
      if (++n >= this.batch) break;
    }
    const afi = family >>> 8;
    const safi = family & 0xff;
    let ok = true;
    if (withdraws.length > 0) {
      // IPv4 unicast withdraws go in the classic field (the packer picks it by an IPv4 next hop)
      const nextHops = afi === 1 && safi === 1 ? ipv4Withdraw : noNextHops;
      for (const m of this.pack({ attributes: [], afi, safi, nextHops, nlri: [], withdrawn: withdraws })) ok = this.write(m) && ok;
      this.withdrawn += withdraws.length;
    }
    for (const g of groups.values()) {
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
