/**
 * The columnar storage of one VNI's MAC entries: a MAC (a 48-bit number) maps through a
 * `MacIndex` to a slot, and each field of an entry is one typed-array column indexed by slot.
 * No object per MAC: a million entries cost about 60 bytes each plus the index.
 *
 * The common remote case — one route source (RD) with at most one IPv4 address — lives in the
 * `r*` columns. Anything richer for one MAC (several RDs during a move, IPv6, several IPs) moves
 * that MAC's remote routes to a small `Candidate` list in `extra` (`rRd = expanded`).
 */
import type { IpKey } from './keys.js';
import { MacIndex } from './mac-index.js';

/** One source of remote routes for a MAC: the routes of one RD. */
export interface Candidate {
  readonly rd: number;
  vtep: number;
  seq: number;
  sticky: boolean;
  /** The MAC-only route of this RD is present. */
  macOnly: boolean;
  /** The IPs of this RD's MAC/IP routes. */
  readonly ips: IpKey[];
}

/** `rRd` value of a MAC whose remote routes are in `extra`. */
export const expanded = -2;
/** `lflags` bits. */
export const fStatic = 1;
export const fFrozen = 2;
/** `rFlags` bits: the route is sticky; the MAC-only route is present; the MAC/IP route (`rIp`) is present. */
export const rSticky = 1;
export const rMacOnly = 2;
export const rHasIp = 4;

export class MacSlots {
  /** MAC -> slot; it reads the `macs` column (handed over on every grow). */
  readonly index = new MacIndex(new Float64Array(0), 64);
  /** Slots ever used (`[0, top)`); freed ones are reused first. */
  top = 0;
  private cap = 0;
  /** The last freed slot + 1 (0: none); each free slot's `rVtep` holds the next one + 1. */
  private freeHead = 0;

  /** The MAC of the slot. */
  macs = new Float64Array(0);
  /** Winning location: -1 none, 0 local, >= 1 remote VTEP index. */
  loc = new Int32Array(0);
  /** Sequence of the winner. */
  seq = new Uint32Array(0);
  /** Local port index, or -1 when not local. */
  port = new Int32Array(0);
  localSeq = new Uint32Array(0);
  lastSeen = new Float64Array(0);
  /** fStatic | fFrozen */
  lflags = new Uint8Array(0);
  /** The single remote route source: RD index (0 none, `expanded` see `extra`). */
  rRd = new Int32Array(0);
  rVtep = new Int32Array(0);
  rSeq = new Uint32Array(0);
  /** rSticky | rMacOnly | rHasIp */
  rFlags = new Uint8Array(0);
  /** IPv4 of its MAC/IP route (when `rHasIp`). */
  rIp = new Uint32Array(0);
  /** IP bindings that point at this slot. */
  bindRefs = new Uint32Array(0);
  /** Duplicate detection window (RFC 7432 15.1). */
  moves = new Uint8Array(0);
  moveStart = new Float64Array(0);

  readonly extra = new Map<number, Candidate[]>();

  constructor() {
    this.grow(64);
  }

  /** Make room for `entries` MACs (columns and index) without a later doubling. */
  reserve(entries: number): void {
    let cap = this.cap;
    while (cap < entries) cap *= 2;
    if (cap > this.cap) this.grow(cap);
    this.index.reserve(entries);
  }

  /**
   * The slot of a MAC, allocated (one probe of the index) when it is new. A slot's columns are
   * written only where its entry differs from zero: a fresh slot from the zeroed columns gets
   * its -1 fields, a reused one is wiped first (it is about to be written, so its lines are
   * wanted in cache anyway). Columns an entry never uses (the local ones, for a remote MAC)
   * are never touched, and a freed slot costs nothing until it is reused.
   */
  slotFor(mac: number): number {
    const reuse = this.freeHead > 0;
    let s: number;
    if (reuse) s = this.freeHead - 1;
    else {
      if (this.top === this.cap) this.grow(this.cap * 2);
      s = this.top;
    }
    const existing = this.index.insertIfAbsent(mac, s);
    if (existing >= 0) return existing;
    if (reuse) {
      this.freeHead = this.rVtep[s]!;
      this.wipe(s);
    } else this.top++;
    this.macs[s] = mac;
    this.loc[s] = -1;
    this.port[s] = -1;
    return s;
  }

  /** Forget a MAC that nothing refers to any more (no location, not local, no routes, no bindings). */
  maybeFree(s: number): void {
    if (this.loc[s] !== -1 || this.port[s]! >= 0 || this.rRd[s] !== 0 || this.bindRefs[s] !== 0) return;
    this.index.deleteSlot(this.macs[s]!, s);
    this.rVtep[s] = this.freeHead; // the free list runs through the slots themselves
    this.freeHead = s + 1;
  }

  /** Zero every column of a reused slot (`loc`, `port` and `macs` are set by the caller). */
  private wipe(s: number): void {
    this.seq[s] = 0;
    this.localSeq[s] = 0;
    this.lastSeen[s] = 0;
    this.lflags[s] = 0;
    this.rVtep[s] = 0;
    this.rSeq[s] = 0;
    this.rFlags[s] = 0;
    this.rIp[s] = 0;
    this.moves[s] = 0;
    this.moveStart[s] = 0;
  }

  /** Move a MAC's remote routes from the columns to a candidate list (kept there from then on). */
  expand(s: number): Candidate[] {
    const r = this.rRd[s]!;
    if (r === expanded) return this.extra.get(s)!;
    const list: Candidate[] = [];
    if (r > 0) {
      const f = this.rFlags[s]!;
      list.push({ rd: r, vtep: this.rVtep[s]!, seq: this.rSeq[s]!, sticky: (f & rSticky) !== 0, macOnly: (f & rMacOnly) !== 0, ips: (f & rHasIp) !== 0 ? [this.rIp[s]!] : [] });
    }
    this.rRd[s] = expanded;
    this.extra.set(s, list);
    return list;
  }

  private grow(cap: number): void {
    const g = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.macs = g(this.macs, (n) => new Float64Array(n));
    this.loc = g(this.loc, (n) => new Int32Array(n));
    this.seq = g(this.seq, (n) => new Uint32Array(n));
    this.port = g(this.port, (n) => new Int32Array(n));
    this.localSeq = g(this.localSeq, (n) => new Uint32Array(n));
    this.lastSeen = g(this.lastSeen, (n) => new Float64Array(n));
    this.lflags = g(this.lflags, (n) => new Uint8Array(n));
    this.rRd = g(this.rRd, (n) => new Int32Array(n));
    this.rVtep = g(this.rVtep, (n) => new Int32Array(n));
    this.rSeq = g(this.rSeq, (n) => new Uint32Array(n));
    this.rFlags = g(this.rFlags, (n) => new Uint8Array(n));
    this.rIp = g(this.rIp, (n) => new Uint32Array(n));
    this.bindRefs = g(this.bindRefs, (n) => new Uint32Array(n));
    this.moves = g(this.moves, (n) => new Uint8Array(n));
    this.moveStart = g(this.moveStart, (n) => new Float64Array(n));
    this.cap = cap;
    this.index.macs = this.macs;
  }
}
