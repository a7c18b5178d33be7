/**
 * Interned path-attribute sets. Every route that arrived with the same attributes (and next
 * hops) shares one `AttrSet`; the table counts references so a set is dropped when the last
 * route leaves. The decision-process inputs are computed once per set, not once per route.
 */
import type { PathPreference } from '../families.js';
import type { AsPathSegment, PathAttribute } from '../types.js';
import type { RibPeer } from './rib-peer.js';
import { parseIpv4 as ipv4ToNumber } from '../../net/ip.js';

/** The peer of sets made by a table that was given none (unit tests of attributes alone). */
const nobody: RibPeer = { address: '', asn: 0, routerId: 0, addressRank: '', ibgp: false, rrClient: false, local: false };

/**
 * One interned attribute set, of one peer (each peer interns its own: a route then needs no
 * field for its peer). Treat as read-only outside the RIB (only `refs` changes).
 */
export class AttrSet {
  /** Number of routes (and Adj-RIB-Out groups) that hold this set. */
  refs = 0;
  /** RFC 4271 5.1.5; undefined when absent. */
  readonly localPref: number | undefined;
  /** RFC 4271 9.1.2.2 a: AS_SET counts 1, confederation segments count 0. */
  readonly asPathLength: number;
  /** The neighbour AS (first AS of the leftmost AS_SEQUENCE) for MED comparison, or 0. */
  readonly neighborAs: number;
  /** 0 igp, 1 egp, 2 incomplete (RFC 4271 9.1.2.2 b: lower wins). Missing counts as incomplete. */
  readonly origin: number;
  /** RFC 4271 9.1.2.2 c: a missing MED counts as 0. */
  readonly med: number;
  /** RFC 4456 ORIGINATOR_ID as an unsigned 32-bit number, or -1. */
  readonly originatorId: number;
  /** RFC 4456 CLUSTER_LIST (dotted quads), empty when absent. */
  readonly clusterList: readonly string[];
  /** The family preference the cached rank belongs to (see `rankFor`). */
  private rankedBy: PathPreference | undefined;
  private rankValue = 0;

  constructor(
    /** Interning key: equal keys mean equal attributes and next hops. */
    readonly key: string,
    /** Every attribute except MP_REACH/MP_UNREACH (those are per message, not per set). */
    readonly attributes: readonly PathAttribute[],
    /** MP_REACH next hops (text), empty for IPv4 unicast with NEXT_HOP. */
    readonly nextHops: readonly string[],
    /** The peer every route with this set came from. */
    readonly peer: RibPeer = nobody,
  ) {
    let localPref: number | undefined;
    let asPathLength = 0;
    let neighborAs = 0;
    let origin = 2;
    let med = 0;
    let originatorId = -1;
    let clusterList: readonly string[] = [];
    for (const a of attributes) {
      switch (a.type) {
        case 'local-pref': localPref = a.value; break;
        case 'as-path': asPathLength = pathLength(a.segments); neighborAs = firstAs(a.segments); break;
        case 'origin': origin = a.value === 'igp' ? 0 : a.value === 'egp' ? 1 : 2; break;
        case 'med': med = a.value; break;
        case 'originator-id': originatorId = ipv4ToNumber(a.value); break;
        case 'cluster-list': clusterList = a.values; break;
        default: break;
      }
    }
    this.localPref = localPref;
    this.asPathLength = asPathLength;
    this.neighborAs = neighborAs;
    this.origin = origin;
    this.med = med;
    this.originatorId = originatorId;
    this.clusterList = clusterList;
  }

  /**
   * This set's rank under a family's own decision step (computed on first use and kept: a set
   * is ranked once however many routes share it).
   */
  rankFor(preference: PathPreference): number {
    if (this.rankedBy !== preference) {
      this.rankValue = preference.rank(this.attributes);
      this.rankedBy = preference;
    }
    return this.rankValue;
  }

  /** The AS_PATH segments (empty when the attribute is absent). */
  get asPath(): readonly AsPathSegment[] {
    for (const a of this.attributes) if (a.type === 'as-path') return a.segments;
    return [];
  }
}

/** RFC 4271 9.1.2.2 a, RFC 5065 5.3: AS_SET counts 1, confederation segments 0. */
export function pathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'sequence') n += s.asns.length;
    else if (s.type === 'set') n += 1;
  }
  return n;
}

/** RFC 4271 9.1.2.2 c: the neighbour AS is the first AS of the path (confederation segments skipped). */
function firstAs(segments: readonly AsPathSegment[]): number {
  for (const s of segments) {
    if (s.type === 'sequence') return s.asns[0] ?? 0;
    if (s.type === 'set') return 0;
  }
  return 0;
}

/** Dotted quad to an unsigned number; -1 when it is not one (the shared parser of `src/net`). */
export { ipv4ToNumber };

/**
 * The table of interned sets. `intern` returns the existing set for a key (adding one
 * reference) or creates it; `release` drops a reference and forgets the set at zero.
 */
export class AttrTable {
  private readonly sets = new Map<string, AttrSet>();

  /** A table for the routes of one peer (its sets carry it). */
  constructor(readonly peer: RibPeer = nobody) {}

  /** Number of distinct live sets. */
  get size(): number {
    return this.sets.size;
  }

  /** The live set for a key, without taking a reference. */
  peek(key: string): AttrSet | undefined {
    return this.sets.get(key);
  }

  /**
   * The shared set for `key`, one reference taken. `attributes` is only read when the key is
   * new (so a caller may pass freshly decoded attributes and let them be collected).
   */
  intern(key: string, attributes: readonly PathAttribute[], nextHops: readonly string[]): AttrSet {
    let s = this.sets.get(key);
    if (s === undefined) {
      s = new AttrSet(key, attributes, nextHops, this.peer);
      this.sets.set(key, s);
    }
    s.refs++;
    return s;
  }

  /** Take one more reference on a set already interned here. */
  retain(s: AttrSet): AttrSet {
    s.refs++;
    return s;
  }

  /** Drop a reference; the set is forgotten when none is left. */
  release(s: AttrSet): void {
    if (--s.refs <= 0 && this.sets.get(s.key) === s) this.sets.delete(s.key);
  }
}

/**
 * A stable key for attributes built in-process (local announcements, export rewrites). It never
 * equals a key the wire codec produced (those come from `parseUpdateRaw`), hence the prefix.
 */
export function localAttributesKey(attributes: readonly PathAttribute[], nextHops: readonly string[]): string {
  return 'L' + JSON.stringify(attributes, bufferAsHex) + '|' + nextHops.join(',');
}

function bufferAsHex(_k: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
    return Buffer.from((v as { data: number[] }).data).toString('hex');
  }
  return v;
}
