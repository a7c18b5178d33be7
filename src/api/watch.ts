/**
 * WatchEvent: peer state changes and best-path changes, as GoBGP streams them. With `init` the
 * current best table goes first (walked with backpressure); events that happen meanwhile are
 * queued and follow it, so nothing is lost or reordered.
 */
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { BgpSpeaker, Family, RibRoute } from '../index.js';
import { ApiError } from './errors.js';
import { servedFamilies, pathToApi, type PathSource } from './path.js';
import type { Msg } from './proto.js';
import { writeWithBackpressure } from './rib.js';

/** What WatchEvent needs from the server. */
export interface WatchContext {
  readonly speaker: BgpSpeaker;
  source(peer: string): PathSource;
  /** The `apipb.Peer` of a configured peer, undefined once it is gone. */
  peer(address: string): Msg | undefined;
}

const peerEvent = { init: 1, endOfInit: 2, state: 3 } as const;

export async function watchEvent(ctx: WatchContext, call: ServerWritableStream<Msg, Msg>): Promise<void> {
  const r = call.request;
  const filters: Msg[] = r.table?.filters ?? [];
  for (const [i, f] of filters.entries()) {
    if (Number(f.type ?? 0) !== 0) throw new ApiError(status.UNIMPLEMENTED, `table.filters[${i}].type`, 'only BEST table events are served');
  }
  const wantPeers = r.peer !== null && r.peer !== undefined;
  const wantTable = filters.length > 0;
  const init = filters.some((f) => f.init === true);
  const sp = ctx.speaker;
  const queue: Msg[] = [];
  let wake: (() => void) | undefined;
  const push = (m: Msg): void => {
    queue.push(m);
    wake?.();
  };
  const table = (family: Family, route: RibRoute, withdraw: boolean): void => {
    const fk = family.afi * 256 + family.safi;
    if (!servedFamilies.has(fk)) return;
    try {
      const { path } = pathToApi(fk, route, ctx.source(route.peer));
      if (withdraw) path.isWithdraw = true;
      push({ table: { paths: [path] } });
    } catch {
      // a route without a GoBGP API form (an unknown EVPN route type) is not shown
    }
  };
  const onAdded = (f: Family, route: RibRoute): void => table(f, route, false);
  const onReplaced = (f: Family, route: RibRoute): void => table(f, route, false);
  const onWithdrawn = (f: Family, route: RibRoute): void => table(f, route, true);
  const onPeer = (address: string): void => {
    const p = ctx.peer(address);
    if (p !== undefined) push({ peer: { type: peerEvent.state, peer: p } });
  };
  if (wantTable) {
    sp.on('routeAdded', onAdded);
    sp.on('routeReplaced', onReplaced);
    sp.on('routeWithdrawn', onWithdrawn);
  }
  if (wantPeers) sp.on('peerState', onPeer);
  const ended = new Promise<void>((resolve) => {
    call.once('cancelled', resolve);
    call.once('close', resolve);
  });
  try {
    if (wantPeers) {
      for (const a of sp.peerAddresses()) {
        const p = ctx.peer(a);
        if (p !== undefined && !(await writeWithBackpressure(call, { peer: { type: peerEvent.init, peer: p } }))) return;
      }
      if (!(await writeWithBackpressure(call, { peer: { type: peerEvent.endOfInit } }))) return;
    }
    if (wantTable && init) {
      for (const fk of servedFamilies) {
        const family = { afi: fk >>> 8, safi: fk & 0xff };
        for (const route of sp.routes(family)) {
          let path: Msg;
          try {
            path = pathToApi(fk, route, ctx.source(route.peer)).path;
          } catch {
            continue;
          }
          if (!(await writeWithBackpressure(call, { table: { paths: [path] } }))) return;
        }
      }
    }
    for (;;) {
      while (queue.length > 0) if (!(await writeWithBackpressure(call, queue.shift()!))) return;
      const next = new Promise<void>((resolve) => (wake = resolve));
      await Promise.race([next, ended]);
      wake = undefined;
      if (call.cancelled || call.destroyed) return;
    }
  } finally {
    sp.off('routeAdded', onAdded);
    sp.off('routeReplaced', onReplaced);
    sp.off('routeWithdrawn', onWithdrawn);
    sp.off('peerState', onPeer);
  }
}
