/**
 * Changing a peer's settings at runtime (`BgpSpeaker.updatePeer`). Settings that go into the
 * OPEN or shape the session (AS, families, timers, addresses, graceful restart, ADD-PATH), and
 * the route-reflector-client flag (it changes what every other peer is sent of this peer's
 * routes), need a new session. The filters and the max-prefix limit are applied to the running
 * session: a soft reconfiguration in (stored routes the new import filter refuses leave, and a
 * route refresh asks the peer for the rest, RFC 2918) and out (routes the new export filter
 * refuses are withdrawn, the others re-sent).
 */
import { familyKey } from '../families.js';
import { ExportPolicy } from './export-policy.js';
import type { PeerConfig, SpeakerCore } from './peer-config.js';
import type { Peer } from './peer.js';
import type { Route } from './route.js';
import { viewRoute } from './view.js';

/** What `updatePeer` did. */
export type PeerUpdate = 'unchanged' | 'updated' | 'reset';

/** Fields applied without a new session. */
const liveFields = new Set<keyof PeerConfig>(['importFilter', 'exportFilter', 'maxPrefixes']);

/** Whether two configs differ only in fields a running session can take; 'unchanged' if equal. */
export function classifyChange(a: PeerConfig, b: PeerConfig): PeerUpdate {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof PeerConfig)[]);
  let live = false;
  for (const k of keys) {
    if (sameValue(a[k], b[k])) continue;
    if (!liveFields.has(k)) return 'reset';
    live = true;
  }
  return live ? 'updated' : 'unchanged';
}

/** Deep equality for config values (plain data, arrays, functions by identity). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Apply filter / max-prefix changes to a peer whose session stays up. */
export function reconfigureLive(core: SpeakerCore, peer: Peer, config: PeerConfig): void {
  const old = peer.config;
  const oldPolicy = peer.policy;
  peer.config = config;
  const policy = new ExportPolicy(core, config, peer.rib);
  policy.sendFamilies = oldPolicy.sendFamilies;
  peer.policy = policy;
  if (old.exportFilter !== config.exportFilter) softOut(core, peer, oldPolicy);
  if (old.importFilter !== config.importFilter) softIn(core, peer);
}

/** Withdraw what the old policy sent and the new one refuses; re-send the rest. */
function softOut(core: SpeakerCore, peer: Peer, oldPolicy: ExportPolicy): void {
  const out = peer.out;
  const n = peer.negotiated;
  if (out === undefined || n === undefined) return;
  const pack = core.pack(n.sendOptions);
  for (const f of n.families) {
    const fk = familyKey(f.afi, f.safi);
    const rib = core.locRibIfAny(fk);
    if (rib === undefined) continue;
    const gone: Buffer[] = [];
    for (const r of rib.bests()) {
      if (oldPolicy.exportRoute(fk, r) !== undefined && peer.policy.exportRoute(fk, r) === undefined) gone.push(withPathId(r, n.addPath.send.has(fk)));
    }
    if (gone.length > 0) {
      const nextHops = fk === 256 + 1 ? ['0.0.0.0'] : [];
      for (const m of pack({ attributes: [], afi: f.afi, safi: f.safi, nextHops, nlri: [], withdrawn: gone })) peer.session.send(m);
    }
    out.markAll(fk, rib.bests());
  }
  core.scheduleFlush(peer);
}

function withPathId(r: Route, addPath: boolean): Buffer {
  if (!addPath) return r.nlri;
  const b = Buffer.allocUnsafe(4 + r.nlri.length);
  b.writeUInt32BE(1, 0);
  r.nlri.copy(b, 4);
  return b;
}

/** Stored routes the new import filter refuses leave; a route refresh brings back the rest. */
function softIn(core: SpeakerCore, peer: Peer): void {
  const filter = peer.config.importFilter;
  for (const fk of peer.adjIn.families()) {
    const rib = core.locRibIfAny(fk);
    if (rib === undefined) continue;
    if (filter !== undefined) {
      for (const r of peer.adjIn.all(fk)) {
        if (filter(viewRoute(fk, r, false, false), peer.config.address) === false) peer.unlearnKey(fk, rib, r.key, r.pathId);
      }
    }
  }
  peer.filtered.clear();
  const n = peer.negotiated;
  if (n === undefined) return;
  for (const f of n.families) peer.session.sendRouteRefresh(f, 'normal');
}
