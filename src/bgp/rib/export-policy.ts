/**
 * What a peer is sent for a best path (RFC 4271 9.2, RFC 4456): the reflection rules, the
 * outgoing attributes (cached per source peer and attribute set, so UPDATE packing groups on
 * them), next hops, and the export filter.
 */
import { localAttributesKey, type AttrSet } from './attr-set.js';
import type { OutAttributes } from './adj-rib-out.js';
import type { PeerConfig, SpeakerCore } from './peer-config.js';
import { exportAttributes, mayAdvertise, numberToIpv4 } from './reflection.js';
import type { RibPeer, Route } from './route.js';
import { viewRoute } from './view.js';

export class ExportPolicy {
  /** Negotiated families (familyKey). */
  sendFamilies: ReadonlySet<number> = new Set();
  private readonly outCache = new WeakMap<RibPeer, WeakMap<AttrSet, OutAttributes>>();

  constructor(
    private readonly core: SpeakerCore,
    private readonly config: PeerConfig,
    private readonly to: RibPeer,
  ) {}

  /** The attributes to send `r` with, or undefined when it must not be sent to this peer. */
  exportRoute(fk: number, r: Route): OutAttributes | undefined {
    if (!mayAdvertise(r.peer, this.to)) return undefined;
    if (!this.sendFamilies.has(fk)) return undefined;
    let byFrom = this.outCache.get(r.peer);
    if (byFrom === undefined) this.outCache.set(r.peer, (byFrom = new WeakMap()));
    let out = byFrom.get(r.attrs);
    if (out === undefined) {
      const originator = r.peer.local ? this.core.routerId : numberToIpv4(r.peer.routerId);
      const attributes = exportAttributes(r.attrs.attributes, r.peer, this.to, this.core.identity, originator);
      let nextHops = r.attrs.nextHops;
      // RFC 4271 5.1.3: a route without a next hop (originated here), and IPv4 unicast towards
      // an eBGP peer, carry our own address. EVPN keeps the VTEP address it was learned with.
      if (nextHops.length === 0 || (fk === 256 + 1 && !this.to.ibgp)) nextHops = [this.config.localAddress ?? this.core.routerId];
      out = { key: `${r.attrs.key}>${r.peer.address}`, attributes, nextHops };
      byFrom.set(r.attrs, out);
    }
    const filter = this.config.exportFilter;
    if (filter === undefined) return out;
    const verdict = filter({ ...viewRoute(fk, r, true, false), attributes: out.attributes }, this.config.address);
    if (verdict === false) return undefined;
    if (verdict === true) return out;
    return { key: localAttributesKey(verdict, out.nextHops), attributes: verdict, nextHops: out.nextHops };
  }
}
