/**
 * Adj-RIB-Out of one peer (RFC 4271 3.2), kept as small as it can be: only the destinations
 * whose advertisement may have changed since the last write, each with the best path it had
 * before the change (what this peer was last told about it). Nothing is kept per advertised
 * route: at flush time the current best is exported (announce) or, when it is gone or not
 * exportable, the previous best is withdrawn if it was exportable (so export policy must be a
 * pure function of the route and the peer). A full table (initial advertisement, refresh) is a
 * live walk over the Loc-RIB. Bytes are generated lazily, a batch at a time, when the session
 * can take them; NLRI that share outgoing attributes are packed into the same UPDATEs
 * (RFC 4271 9.2). A slow reader costs one map entry per changed destination, never bytes.
 */
import type { PathAttribute } from '../types.js';
import type { RawUpdateInput } from '../messages/update-pack.js';
import type { Route } from './route.js';

/** Attributes a route is sent with to this peer. */
export interface OutAttributes {
  /** Grouping key: equal keys may share one UPDATE. */
  readonly key: string;
  readonly attributes: readonly PathAttribute[];
  readonly nextHops: readonly string[];
}

/** The UPDATE packer (`encodeUpdateRaw` of the codec, bound to the session's send options). */
export type UpdatePacker = (u: RawUpdateInput) => Buffer[];

/**
 * Bytes of NLRI one UPDATE can carry with these attributes for this peer (`updateRoom` of the
 * codec, bound to the session's send options); `withdraw` for a message that only withdraws.
 */
export type UpdateRoom = (u: Omit<RawUpdateInput, 'nlri' | 'withdrawn'>, withdraw: boolean) => number;

/** Why a best path was not sent to a peer. */
export type ExportSkipReason = 'too-large';

/** What the Adj-RIB-Out asks of the speaker. */
export interface RibOutSource {
  /** The current best path to a destination of a family. */
  best(family: number, key: string): Route | undefined;
  /** The attributes to send `route` with to this peer, or undefined when it must not be sent. */
  exportRoute(family: number, route: Route): OutAttributes | undefined;
  /** A best path that was exportable was not sent (and what the peer knew of it withdrawn). */
  skipped?(family: number, route: Route, reason: ExportSkipReason): void;
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
  /** NLRI bytes one UPDATE with these attributes can carry for this peer. */
  room: number;
}

const unlimited: UpdateRoom = () => Infinity;

interface Batch {
  groups: Map<string, Group>;
  withdraws: Buffer[];
  n: number;
}

export class AdjRibOut {
  /** family -> changed destination -> its best path before the change (null: none). */
  private readonly pending = new Map<number, Map<string, Route | null>>();
  /**
   * family -> a live iterator over the Loc-RIB's best paths (initial table, refresh): the whole
   * table is walked lazily instead of copied into `pending` (O(1) memory).
   */
  private readonly walks = new Map<number, Iterator<Route>>();
  /** Callbacks owed once a family's work drains: End-of-RIB (RFC 4724 2) or EoRR (RFC 7313 4). */
  private readonly owed = new Map<number, (family: number) => void>();
  /** UPDATE messages, announced and withdrawn NLRI written so far (stats, tests). */
  messagesSent = 0;
  announced = 0;
  withdrawn = 0;
  /** Best paths not sent because they do not fit in one UPDATE for this peer. */
  tooLarge = 0;
  /** family -> room in a withdraw-only UPDATE. */
  private readonly withdrawRoom = new Map<number, number>();

  constructor(
    private readonly source: RibOutSource,
    private readonly sink: RibOutSink,
    private readonly pack: UpdatePacker,
    /** Destinations considered per batch (bounds the bytes produced per write burst). */
    private readonly batch = 2048,
    /** RFC 7911: families (familyKey) where we must send a path identifier (we send the best path as id 1). */
    private readonly addPathSend: ReadonlySet<number> = noFamilies,
    /** How many NLRI bytes fit in one UPDATE for this peer (default: no limit is checked). */
    private readonly room: UpdateRoom = unlimited,
  ) {}

  /** Changed destinations waiting to be written (not counting a table walk). */
  get pendingCount(): number {
    let n = 0;
    for (const m of this.pending.values()) n += m.size;
    return n;
  }

  /** Whether anything (changes or a table walk) is waiting. */
  get busy(): boolean {
    return this.walks.size > 0 || this.pendingCount > 0;
  }

  /**
   * The best path of a destination changed; `previous` is the best before the change. Only the
   * first `previous` since the last write is kept: it is what this peer was last told.
   */
  mark(family: number, key: string, previous: Route | undefined): void {
    let m = this.pending.get(family);
    if (m === undefined) {
      m = new Map();
      this.pending.set(family, m);
    }
    if (!m.has(key)) m.set(key, previous ?? null);
  }

  /**
   * Walk the whole table of a family (initial advertisement or route refresh); `done` runs
   * once the walk and everything marked so far for the family are written (End-of-RIB, EoRR).
   * `bests` should be live (the Loc-RIB's `bests()`): destinations added during the walk are
   * reached by it or by `mark`.
   */
  markAll(family: number, bests: Iterable<Route>, done?: (family: number) => void): void {
    this.walks.set(family, bests[Symbol.iterator]());
    if (done === undefined) return;
    // a refresh during the initial walk: both the End-of-RIB and the EoRR are still owed, in order
    const before = this.owed.get(family);
    this.owed.set(family, before === undefined ? done : (f) => { before(f); done(f); });
  }

  /** Forget everything (the session went down). */
  reset(): void {
    this.pending.clear();
    this.walks.clear();
    this.owed.clear();
  }

  /**
   * Produce UPDATEs until nothing is pending (returns true) or the sink is full (false: call
   * again on 'drain'). At most one batch is produced after the sink says it is full.
   */
  flush(): boolean {
    for (const family of [...this.pending.keys(), ...this.walks.keys()]) {
      for (;;) {
        const changed = this.pending.get(family);
        const walk = this.walks.get(family);
        if ((changed === undefined || changed.size === 0) && walk === undefined) break;
        if (!this.flushBatch(family, changed, walk)) return false;
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

  private flushBatch(family: number, changed: Map<string, Route | null> | undefined, walk: Iterator<Route> | undefined): boolean {
    const b: Batch = { groups: new Map(), withdraws: [], n: 0 };
    if (changed !== undefined) {
      for (const [key, previous] of changed) {
        changed.delete(key);
        this.consider(family, this.source.best(family, key), previous, b);
        if (b.n >= this.batch) break;
      }
    }
    while (walk !== undefined && b.n < this.batch) {
      const it = walk.next();
      if (it.done === true) {
        this.walks.delete(family);
        break;
      }
      this.consider(family, it.value, null, b);
    }
    return this.emit(family, b);
  }

  /** Decide one destination: announce (grouped by outgoing attributes), withdraw, or nothing. */
  private consider(family: number, best: Route | undefined, previous: Route | null, b: Batch): void {
    b.n++;
    const out = best === undefined ? undefined : this.source.exportRoute(family, best);
    if (out !== undefined) {
      let g = b.groups.get(out.key);
      if (g === undefined) {
        g = { out, nlri: [], room: this.room({ attributes: out.attributes, afi: family >>> 8, safi: family & 0xff, nextHops: out.nextHops }, false) };
        b.groups.set(out.key, g);
      }
      const nlri = this.addPathSend.has(family) ? withPathId(best!.nlri) : best!.nlri;
      if (nlri.length <= g.room) {
        g.nlri.push(nlri);
        return;
      }
      // RFC 4271 9.2 / RFC 8654 4: a route whose UPDATE would exceed the peer's maximum message
      // size is not advertised to it; what it was told before about the destination is withdrawn.
      // (RFC 8654's SHOULD, first removing attributes eligible for attribute-discard, is not done.)
      this.tooLarge++;
      this.source.skipped?.(family, best!, 'too-large');
    }
    // RFC 4271 9.1.3: what this peer was told (the previous best, if it was exportable) goes
    if (previous !== null && this.source.exportRoute(family, previous) !== undefined) {
      const nlri = this.addPathSend.has(family) ? withPathId(previous.nlri) : previous.nlri;
      // an NLRI that cannot fit in a withdraw never fitted in an announcement either
      if (nlri.length <= this.withdrawRoomOf(family)) b.withdraws.push(nlri);
    }
  }

  private withdrawRoomOf(family: number): number {
    let r = this.withdrawRoom.get(family);
    if (r === undefined) {
      const afi = family >>> 8;
      const safi = family & 0xff;
      r = this.room({ attributes: [], afi, safi, nextHops: afi === 1 && safi === 1 ? ipv4Withdraw : noNextHops }, true);
      this.withdrawRoom.set(family, r);
    }
    return r;
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
