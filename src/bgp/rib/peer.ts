// size: the inbound path of one peer (RFC 7606, loop checks, import filter, max-prefix, graceful restart, route refresh) shares the Adj-RIB-In/Out state; being extended by the daemon work, split (graceful restart, refresh) after it lands
/**
 * One peer of a `BgpSpeaker`: its Session, Adj-RIB-In, Adj-RIB-Out, and the inbound path
 * (RFC 7606 handling, loop checks, import filter, max-prefix, graceful restart, route refresh).
 */
import { updateRoom, type RawNlriSet, type RawUpdate } from '../codec.js';
import { UpdateMessageError, type BgpError } from '../errors.js';
import { familyCodec, familyKey } from '../families.js';
import { UpdateSubcode } from '../iana.js';
import { Session } from '../session/session.js';
import type { Negotiated, State, StateChangeReason, TimerHandle } from '../session/types.js';
import type { Family, NotificationMessage, RouteRefreshMessage } from '../types.js';
import { AdjRibIn } from './adj-rib-in.js';
import { AdjRibOut, type ExportSkipReason } from './adj-rib-out.js';
import { AttrTable, type AttrSet, localAttributesKey } from './attr-set.js';
import { ExportPolicy } from './export-policy.js';
import { BestChange, type LocRib } from './loc-rib.js';
import { sessionConfig, toFamily, type PeerConfig, type SpeakerCore } from './peer-config.js';
import { MaxPrefixGuard, maxPrefixError } from './max-prefix.js';
import { eachThenThrow, InboundGate } from './inbound-gate.js';
import { loopCheck } from './reflection.js';
import { newRoute, nlriBytes, type RibPeer, type Route } from './route.js';
import { viewRoute } from './view.js';
import { parseIpv4 } from '../../net/ip.js';

export type { PeerConfig, RouteFilter, SpeakerCore } from './peer-config.js';

export class Peer {
  readonly adjIn: AdjRibIn;
  /** This peer's interned attribute sets (they carry the peer, so routes need no field for it). */
  readonly attrs: AttrTable;
  out: AdjRibOut | undefined;
  /** The session (absent only on the local pseudo-peer). */
  readonly session!: Session;
  negotiated: Negotiated | undefined;
  /** Family and next-hop checks on the way in, and the peer's counters. */
  private readonly gate = new InboundGate();
  readonly counters = this.gate.counters;
  private readonly families: Family[];
  private grTimer: TimerHandle | undefined;
  private readonly maxPrefix: MaxPrefixGuard;
  /** Set while a malformed set is being withdrawn (its bad NLRI was reported once already). */
  private quiet = false;
  /** Families in an enhanced route refresh from the peer (BoRR seen, EoRR not yet). */
  private readonly refreshing = new Set<number>();
  /** @internal replaced by `reconfigure` */
  policy: ExportPolicy;
  /** Routes the import filter refused, per family (route key + path id): counted as received. */
  readonly filtered = new Map<number, Set<string>>();

  constructor(
    private readonly core: SpeakerCore,
    /** Replaced only by `reconfigure` (settings that need no new session). */
    public config: PeerConfig,
    readonly rib: RibPeer,
  ) {
    this.families = config.families.map(toFamily);
    this.adjIn = new AdjRibIn(rib, (f) => core.locRibIfAny(f));
    this.attrs = new AttrTable(rib);
    this.policy = new ExportPolicy(core, config, rib);
    this.maxPrefix = new MaxPrefixGuard(config.maxPrefixes, (fk, n, action) => this.onMaxPrefix(fk, n, action));
    if (rib.local) return;
    this.session = new Session(sessionConfig(core, config, this.families));
    const s = this.session;
    s.on('stateChange', (from, to, reason) => this.onState(from, to, reason));
    s.on('established', (n) => this.onEstablished(n));
    s.on('update', (_msg, parsed) => this.onUpdate(parsed));
    s.on('endOfRib', (f) => this.onEndOfRib(familyKey(f.afi, f.safi)));
    s.on('routeRefresh', (m) => this.onRouteRefresh(m));
    s.on('drain', () => this.flush());
    s.on('notificationSent', (m: NotificationMessage) => core.emit('notificationSent', config.address, m));
    s.on('notificationReceived', (m: NotificationMessage) => core.emit('notificationReceived', config.address, m));
    s.on('internalError', (e) => {
      this.counters.internalErrors++;
      core.emit('internalError', config.address, e);
    });
  }

  /** @internal a fault while working for this peer outside its session's callbacks: reset it. */
  contain(error: unknown): void {
    this.session.contain(error);
  }

  start(): void {
    this.session.start();
  }

  async stop(error?: BgpError): Promise<void> {
    this.clearGrTimer();
    if (error !== undefined && this.session.state === 'Established') {
      this.session.reset(error, false);
    }
    await this.session.stop();
  }

  // ------------------------------------------------------------ session events

  private onState(from: State, to: State, reason: StateChangeReason): void {
    // a listener that throws must not leave the routes of a session that went down in the RIB:
    // the bookkeeping still runs, then the fault goes on to the session's containment
    const steps: (() => unknown)[] = [() => this.core.emit('peerState', this.config.address, from, to, reason)];
    if (from === 'Established' && to !== 'Established') steps.push(() => this.sessionDown(reason));
    eachThenThrow(steps, (step) => step());
  }

  private sessionDown(reason: StateChangeReason): void {
    this.out?.reset();
    this.out = undefined;
    const n = this.negotiated;
    const gr = n?.gracefulRestart;
    // RFC 4724 4.2: a restarting peer's routes are kept as stale (our GR capability was sent and
    // the peer's was received), also when it reconnects before we saw the old connection fail
    // ('peer-restarted': its new OPEN replaced the Established one). RFC 8538 would extend this
    // to NOTIFICATIONs — not done here.
    const keep = gr !== undefined && this.config.gracefulRestart !== undefined && this.config.gracefulRestart !== false
      && (reason === 'connection-failed' || reason === 'hold-timer-expired' || reason === 'peer-restarted');
    if (!keep) {
      this.dropAll();
      return;
    }
    const preserved = new Set(gr.families.map((f) => familyKey(f.afi, f.safi)));
    for (const f of this.adjIn.families()) if (!preserved.has(f)) this.dropFamily(f);
    this.adjIn.markStale(preserved);
    this.clearGrTimer();
    this.grTimer = this.core.clock.setTimeout(() => {
      this.grTimer = undefined;
      try {
        for (const f of this.adjIn.families()) this.sweep(f);
      } catch (e) {
        this.contain(e);
      }
    }, Math.max(gr.restartTime, 1) * 1000);
  }

  private onEstablished(n: Negotiated): void {
    this.negotiated = n;
    this.policy.sendFamilies = this.gate.established(n.families, this.session.localAddress);
    this.rib.routerId = parseIpv4(n.peerRouterId);
    this.maxPrefix.reset();
    const sendOptions = n.sendOptions;
    this.out = new AdjRibOut(
      { best: (f, k) => this.core.locRibIfAny(f)?.best(k), exportRoute: (f, r) => this.policy.exportRoute(f, r), skipped: (f, r, why) => this.skipped(f, r, why) },
      this.session,
      this.core.pack(sendOptions),
      2048,
      n.addPath.send,
      (u, withdraw) => updateRoom(u, sendOptions, withdraw),
    );
    // RFC 4724 4.2: stale routes of a family the restarted peer no longer lists with the F bit
    // are removed at once; the others wait for its End-of-RIB (or the restart timer)
    if (this.adjIn.hasStale()) {
      const kept = new Set((n.gracefulRestart?.families ?? []).filter((f) => f.forwardingPreserved).map((f) => familyKey(f.afi, f.safi)));
      for (const f of this.adjIn.families()) if (!kept.has(f)) this.sweep(f);
    }
    this.core.emit('established', this.config.address, n);
    for (const f of n.families) {
      const fk = familyKey(f.afi, f.safi);
      // RFC 4724 2: End-of-RIB after the initial table
      this.out.markAll(fk, this.core.locRibIfAny(fk)?.bests() ?? [], () => this.session.sendEndOfRib(f));
    }
    this.core.scheduleFlush(this);
  }

  private onEndOfRib(fk: number): void {
    // RFC 4724 4.2: the peer is done re-sending; what is still stale is gone
    this.sweep(fk);
    if (this.grTimer !== undefined && !this.hasStale()) this.clearGrTimer();
    this.core.emit('endOfRib', this.config.address, { afi: fk >>> 8, safi: fk & 0xff });
  }

  private onRouteRefresh(m: RouteRefreshMessage): void {
    const fk = familyKey(m.afi, m.safi);
    if (m.subtype === 'borr') {
      // RFC 7313 4: routes not re-advertised before EoRR are stale and purged at EoRR
      this.refreshing.add(fk);
      this.adjIn.markStale([fk]);
      return;
    }
    if (m.subtype === 'eorr') {
      if (this.refreshing.delete(fk)) this.sweep(fk);
      return;
    }
    // a request to us: re-send the family (RFC 2918 3), wrapped in BoRR/EoRR (RFC 7313 4)
    const out = this.out;
    const n = this.negotiated;
    if (out === undefined || n === undefined) return;
    const f = { afi: m.afi, safi: m.safi };
    if (!n.families.some((x) => x.afi === f.afi && x.safi === f.safi)) return;
    const enhanced = n.enhancedRouteRefresh;
    if (enhanced) this.session.sendRouteRefresh(f, 'borr');
    out.markAll(fk, this.core.locRibIfAny(fk)?.bests() ?? [], enhanced ? () => this.session.sendRouteRefresh(f, 'eorr') : undefined);
    this.core.scheduleFlush(this);
  }

  // ------------------------------------------------------------ inbound

  /** @internal handle one parsed UPDATE (hot path). */
  onUpdate(u: RawUpdate): void {
    const err = u.error;
    const opts = this.negotiated?.receiveOptions;
    if (err !== undefined) this.core.emit('updateError', this.config.address, err);
    // RFC 7606 2: treat-as-withdraw (and the stronger afi-safi-disable, which we apply the same
    // way to this message's routes) turns every announced route into a withdraw
    const asWithdraw = err !== undefined && err.action !== 'attribute-discard';
    const gate = this.gate;
    for (const w of u.withdrawn) if (gate.admits(w)) this.nlriSet(w, undefined, opts);
    let badNextHop: string | undefined;
    for (const a of u.announced) {
      if (!gate.admits(a)) continue;
      if (asWithdraw) {
        this.nlriSet(a, undefined, opts);
        continue;
      }
      // RFC 4271 6.3: a semantically incorrect next hop -> the route is ignored, the session
      // stays; we withdraw what the peer sent before for these NLRI (RFC 7606 treat-as-withdraw)
      const bad = gate.badNextHop(a);
      if (bad !== undefined) {
        badNextHop ??= bad;
        this.nlriSet(a, undefined, opts);
        continue;
      }
      const fk = familyKey(a.afi, a.safi);
      const nh = a.nextHops ?? [];
      // the key covers the attributes and MP_REACH's next hop; an UPDATE that mixes classic IPv4
      // NLRI with MP_REACH needs the family in it too (different next hops, one key)
      const akey = u.announced.length === 1 ? u.attributesKey : `${u.attributesKey}\u0000${fk}`;
      const set = this.attrs.intern(akey, u.attributes, nh);
      // RFC 4456 8, RFC 4271 9.1.2: looped routes are ignored (withdrawn if we had them)
      const loop = loopCheck(set, this.rib, this.core.identity) !== undefined;
      this.nlriSet(a, loop ? undefined : set, opts);
      this.attrs.release(set);
    }
    // the error object only when someone listens (a hostile peer can send these at line rate)
    if (badNextHop !== undefined && this.core.listenerCount('updateError') > 0) {
      this.core.emit('updateError', this.config.address, new UpdateMessageError(UpdateSubcode.invalidNextHopAttribute, `invalid ${badNextHop}: routes ignored`, { action: 'treat-as-withdraw' }));
    }
    // RFC 7606 2 (afi-safi-disable): the family is no longer exchanged with this peer, and
    // RFC 4760 7: its routes are ignored for the rest of the session
    const off = u.disabledFamily;
    if (off !== undefined) this.dropFamily(gate.disable(off));
  }

  /**
   * Learn (with `set`) or unlearn (without) every NLRI of a set: Buffer views or bounds pairs.
   * RFC 7606 5.3: an NLRI whose fields are malformed makes the UPDATE treat-as-withdraw, so the
   * set is then withdrawn as a whole (including the NLRI learned before the bad one was met).
   */
  private nlriSet(a: RawNlriSet, set: AttrSet | undefined, opts: Negotiated['receiveOptions'] | undefined): void {
    const fk = familyKey(a.afi, a.safi);
    const addPath = opts?.addPath?.has(fk) ?? false;
    const bounds = a.bounds;
    const buf = a.buf;
    let ok = true;
    if (bounds !== undefined && buf !== undefined) {
      for (let i = 0; ok && i + 1 < bounds.length; i += 2) {
        if (set === undefined) this.unlearn(fk, buf, bounds[i]!, bounds[i + 1]!, addPath);
        else ok = this.learn(fk, buf, bounds[i]!, bounds[i + 1]!, set, addPath);
      }
    } else {
      for (const b of a.nlri) {
        if (set === undefined) this.unlearn(fk, b, 0, b.length, addPath);
        else if (!(ok = this.learn(fk, b, 0, b.length, set, addPath))) break;
      }
    }
    if (!ok) {
      this.quiet = true;
      this.nlriSet(a, undefined, opts);
      this.quiet = false;
    }
  }

  /**
   * The family's route key, or undefined when the NLRI's fields are malformed (its length framed
   * it, so the rest of the UPDATE is fine): RFC 7606 5.3 would withdraw it, but a route whose key
   * cannot be read cannot be matched, so it is dropped and reported.
   */
  private keyOf(fk: number, buf: Buffer, start: number, end: number): string | undefined {
    const codec = familyCodec(fk >>> 8, fk & 0xff);
    if (codec === undefined) return buf.toString('latin1', start, end);
    try {
      return codec.routeKey(buf, start, end, false);
    } catch (e) {
      if (!this.quiet) this.core.emit('updateError', this.config.address, e instanceof Error ? e : new Error(String(e)));
      return undefined;
    }
  }

  /**
   * Store one NLRI with an interned set (takes its own reference). Hot path. False when the
   * NLRI is malformed (nothing stored).
   */
  learn(fk: number, buf: Buffer, start: number, end: number, set: AttrSet, addPath: boolean): boolean {
    // past the max-prefix limit nothing more is installed (the session is being closed)
    if (this.maxPrefix.tripped) return true;
    let pathId = -1;
    if (addPath) {
      if (end - start < 4) return false;
      pathId = buf.readUInt32BE(start);
      start += 4;
    }
    // the family codec builds keys flat (NlriCodec.routeKey), so the Route keeps this string as is
    const key = this.keyOf(fk, buf, start, end);
    if (key === undefined) return false;
    const rib = this.core.locRib(fk);
    const old = rib.path(key, this.rib, pathId);
    if (old !== undefined && old.attrs === set && old.sameNlri(buf, start, end)) {
      this.adjIn.unstale(old); // an identical re-advertisement (refresh, GR): nothing changes
      return true;
    }
    let r = newRoute(nlriBytes(buf, start, end), key, this.attrs.retain(set), pathId);
    const filter = this.config.importFilter;
    if (filter !== undefined) {
      const verdict = filter(viewRoute(fk, r, false, false), this.config.address);
      if (verdict === false) {
        this.filteredSet(fk).add(`${key}\u0000${pathId}`);
        this.attrs.release(set);
        if (old !== undefined) this.unlearnKey(fk, rib, key, pathId);
        return true;
      }
      if (verdict !== true) {
        const s2 = this.attrs.intern(localAttributesKey(verdict, set.nextHops), verdict, set.nextHops);
        this.attrs.release(set);
        r = newRoute(r.bytes, key, s2, pathId);
      }
    }
    if (this.filtered.size > 0) this.filteredSet(fk).delete(`${key}\u0000${pathId}`);
    // max-prefix, per route: a new path counts, a replacement does not
    if (old === undefined && !this.maxPrefix.admit(fk, this.adjIn.count())) {
      this.attrs.release(r.attrs);
      return true;
    }
    const change = rib.update(r);
    const replaced = rib.replaced;
    if (replaced !== undefined) {
      this.attrs.release(replaced.attrs);
      this.adjIn.unstale(replaced);
    } else this.adjIn.adjust(fk, 1);
    this.report(fk, rib, change);
    return true;
  }

  /** Remove one NLRI. */
  unlearn(fk: number, buf: Buffer, start: number, end: number, addPath: boolean): void {
    let pathId = -1;
    if (addPath) {
      if (end - start < 4) return;
      pathId = buf.readUInt32BE(start);
      start += 4;
    }
    const rib = this.core.locRibIfAny(fk);
    if (rib === undefined) return;
    const key = this.keyOf(fk, buf, start, end);
    if (key === undefined) return;
    if (this.filtered.size > 0) this.filteredSet(fk).delete(`${key}\u0000${pathId}`);
    this.unlearnKey(fk, rib, key, pathId);
  }

  private filteredSet(fk: number): Set<string> {
    let s = this.filtered.get(fk);
    if (s === undefined) this.filtered.set(fk, (s = new Set()));
    return s;
  }

  /** @internal remove one path of this peer from the Loc-RIB (and tell whoever needs to know) */
  unlearnKey(fk: number, rib: LocRib, key: string, pathId: number): void {
    const change = rib.removePath(key, this.rib, pathId);
    const old = rib.removed;
    if (old === undefined) return;
    this.attrs.release(old.attrs);
    this.adjIn.unstale(old);
    this.adjIn.adjust(fk, -1);
    this.report(fk, rib, change);
  }

  private report(fk: number, rib: LocRib, change: BestChange): void {
    if (change === BestChange.none) return;
    const cur = rib.current;
    const prev = rib.previous;
    const key = (cur ?? prev)!.key;
    this.core.bestChanged(fk, key, cur?.peer, prev);
    const family = { afi: fk >>> 8, safi: fk & 0xff };
    if (change === BestChange.added) {
      if (this.core.listenerCount('routeAdded') > 0) this.core.emit('routeAdded', family, viewRoute(fk, cur!, true, false));
    } else if (change === BestChange.replaced) {
      if (this.core.listenerCount('routeReplaced') > 0) this.core.emit('routeReplaced', family, viewRoute(fk, cur!, true, false), viewRoute(fk, prev!, false, false));
    } else if (this.core.listenerCount('routeWithdrawn') > 0) this.core.emit('routeWithdrawn', family, viewRoute(fk, prev!, false, false));
  }

  private onMaxPrefix(fk: number, count: number, action: 'warn' | 'teardown'): void {
    const limit = this.config.maxPrefixes?.limit ?? 0;
    this.core.emit('maxPrefix', this.config.address, count, limit, action);
    if (action === 'warn') return;
    // RFC 4486 4: Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the limit. The
    // session stays down (as FRR and others do by default) until the application removes and
    // adds the peer again. Deferred: we are inside the session's handling of this UPDATE.
    const error = maxPrefixError(fk >>> 8, fk & 0xff, limit);
    queueMicrotask(() => {
      try {
        this.session.reset(error, false);
      } catch (e) {
        this.contain(e);
      }
    });
  }

  private sweep(fk: number): void {
    const rib = this.core.locRibIfAny(fk);
    if (rib === undefined) return;
    // a listener that throws on one route (routeWithdrawn) does not keep the others in the RIB
    eachThenThrow(this.adjIn.stale(fk), (r) => this.unlearnKey(fk, rib, r.key, r.pathId));
  }

  private hasStale(): boolean {
    return this.adjIn.hasStale();
  }

  private dropFamily(fk: number): void {
    this.filtered.delete(fk);
    const rib = this.core.locRibIfAny(fk);
    if (rib === undefined) return;
    eachThenThrow(this.adjIn.all(fk), (r) => this.unlearnKey(fk, rib, r.key, r.pathId));
  }

  /** Every route of this peer leaves the Loc-RIB. */
  dropAll(): void {
    this.clearGrTimer();
    this.filtered.clear();
    eachThenThrow([...this.adjIn.families()], (f) => this.dropFamily(f));
  }

  private clearGrTimer(): void {
    if (this.grTimer !== undefined) this.core.clock.clearTimeout(this.grTimer);
    this.grTimer = undefined;
  }

  // ------------------------------------------------------------ outbound

  /** @internal queue a changed destination for this peer; false when the peer is not Established. */
  markOut(fk: number, key: string, previous: Route | undefined): boolean {
    const out = this.out;
    if (out === undefined || !this.policy.sendFamilies.has(fk)) return false;
    out.mark(fk, key, previous);
    return true;
  }

  private skipped(fk: number, r: Route, reason: ExportSkipReason): void {
    this.counters.exportTooLarge++;
    if (this.core.listenerCount('exportSkipped') > 0) {
      this.core.emit('exportSkipped', this.config.address, { afi: fk >>> 8, safi: fk & 0xff }, reason, viewRoute(fk, r, true, false));
    }
  }

  /** @internal write what the session can take. */
  flush(): void {
    this.out?.flush();
  }
}

