/** Shared pieces of the hostile-peer tests: polling, raw UPDATEs sent over a speaker's live session. */
import { afterEach, expect } from 'vitest';
import { encodeUpdateRaw, type RawUpdateInput } from '../../src/bgp/codec.js';
import type { BgpSpeaker, PeerConfig } from '../../src/bgp/speaker.js';
import type { PathAttribute } from '../../src/bgp/types.js';
import { encodeEvpnRoute, type MacIpRoute } from '../../src/evpn/index.js';
import { type Fabric, evpn, mac } from '../bgp/fabric-helpers.js';

/** The AS every in-memory hostile fabric runs in (iBGP). */
export const AS = 65000;
export const v4 = 'ipv4-unicast' as const;
/** IPv4 unicast and EVPN: the families both ends offer unless a test says otherwise. */
export const v4AndEvpn: PeerConfig['families'] = [v4, evpn];

/** After each test: stop the fabric `current()` returns (if any) and require no transport left open. */
export function stopFabricAfterEach(current: () => Fabric | undefined): void {
  afterEach(async () => {
    const fabric = current();
    await fabric?.stopAll();
    expect(fabric?.net.openTransports ?? 0).toBe(0);
  });
}

/** Poll `cond` every 10 ms until it holds; throws after `ms`. */
export async function waitUntil(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const ibgpAttrs: PathAttribute[] = [{ type: 'origin', value: 'igp' }, { type: 'as-path', segments: [] }, { type: 'local-pref', value: 100 }];

/** Encode with the session's send options and write it as is, whatever was negotiated. */
export function sendRaw(from: BgpSpeaker, to: string, input: RawUpdateInput): void {
  const peer = from.peer(to)!;
  for (const m of encodeUpdateRaw(input, peer.negotiated!.sendOptions)) {
    if (!peer.session.send(m)) throw new Error('session refused the message');
  }
}

/** Write a message given as hex (header and all). */
export function sendHex(from: BgpSpeaker, to: string, hex: string): void {
  if (!from.peer(to)!.session.send(Buffer.from(hex.replace(/\s+/g, ''), 'hex'))) throw new Error('session refused the message');
}

/** An IPv4 unicast route in the classic fields: `a.b.0.0/16` with NEXT_HOP `nextHop`. */
export function ipv4Route(a: number, b: number, nextHop: string): RawUpdateInput {
  return { attributes: ibgpAttrs, afi: 1, safi: 1, nextHops: [nextHop], nlri: [Buffer.from([16, a, b])] };
}

/** EVPN Type-2 number `i` (as the fabric helpers build it) with the next hop given. */
export function evpnRoute(i: number, vtep: string, nextHop: string): RawUpdateInput {
  const r = mac(i, vtep);
  return { attributes: r.attributes.filter((x) => x.type !== 'mp-reach'), afi: 25, safi: 70, nextHops: [nextHop], nlri: [encodeEvpnRoute(r.nlri as MacIpRoute)] };
}

/** Records what reaches the process (nothing should). */
export function uncaughtRecorder(): { readonly errors: unknown[]; install(): void; remove(): void } {
  const errors: unknown[] = [];
  const on = (e: unknown): void => {
    errors.push(e);
  };
  return {
    errors,
    install() {
      process.on('uncaughtException', on);
      process.on('unhandledRejection', on);
    },
    remove() {
      process.off('uncaughtException', on);
      process.off('unhandledRejection', on);
    },
  };
}
