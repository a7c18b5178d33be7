/**
 * Max-prefix over a real TCP session on loopback: one UPDATE carrying limit + 50 routes leaves
 * exactly `limit` installed (checked per route, not per UPDATE), and the sender sees Cease /
 * Maximum Number of Prefixes Reached with AFI, SAFI and the limit in its data (RFC 4486 4).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/index.js';
import { waitUntil } from './helpers.js';
import { encodeUpdateRaw } from '../../src/bgp/codec.js';
import { encodeEvpnRoute, type MacIpRoute } from '../../src/evpn/index.js';
import type { NotificationMessage } from '../../src/bgp/types.js';
import { mac, macsOf } from '../bgp/fabric-helpers.js';

const X = '127.0.0.42';
const Y = '127.0.0.43';
const limit = 100;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function pair(action: 'warn' | 'teardown'): Promise<{ x: BgpSpeaker; y: BgpSpeaker }> {
  const x = new BgpSpeaker({ asn: 65000, routerId: X, listen: { address: X, port: 0 } });
  x.addPeer({ address: Y, asn: 65000, families: ['l2vpn-evpn'], passive: true, maxPrefixes: { limit, action } });
  await x.start();
  cleanups.push(() => x.stop());
  const y = new BgpSpeaker({ asn: 65000, routerId: Y, listen: false });
  y.addPeer({ address: X, port: x.listenAddress!.port, asn: 65000, families: ['l2vpn-evpn'], localAddress: Y, connectRetryTime: 1 });
  await y.start();
  cleanups.push(() => y.stop());
  await waitUntil('Established', () => x.peerState(Y) === 'Established' && y.peerState(X) === 'Established');
  return { x, y };
}

/** One UPDATE with `n` Type-2 routes (one attribute set), sent on Y's session. */
function sendOneUpdate(y: BgpSpeaker, n: number): void {
  const nlri = Array.from({ length: n }, (_, i) => encodeEvpnRoute(mac(i, Y).nlri as MacIpRoute));
  const attrs = mac(0, Y).attributes.filter((a) => a.type !== 'mp-reach');
  const peer = y.peer(X)!;
  const msgs = encodeUpdateRaw({ attributes: attrs, afi: 25, safi: 70, nextHops: [Y], nlri }, peer.negotiated!.sendOptions);
  expect(msgs).toHaveLength(1);
  peer.session.send(msgs[0]!);
}

describe('hostile: max-prefix', () => {
  it(`one UPDATE of ${limit + 50} routes: exactly ${limit} installed, Cease/1 carries AFI 25, SAFI 70 and the limit`, async () => {
    const { x, y } = await pair('teardown');
    const events: [number, number, string][] = [];
    x.on('maxPrefix', (_p, n, l, action) => events.push([n, l, action]));
    let installed = 0;
    x.on('routeAdded', () => installed++);
    const got: NotificationMessage[] = [];
    y.on('notificationReceived', (_p, m) => got.push(m));
    sendOneUpdate(y, limit + 50);
    await waitUntil('Cease at Y', () => got.length > 0);
    expect(installed).toBe(limit);
    expect(events).toEqual([[limit + 1, limit, 'teardown']]);
    expect(got).toHaveLength(1);
    expect([got[0]!.code, got[0]!.subcode]).toEqual([6, 1]);
    expect(Buffer.from(got[0]!.data).toString('hex')).toBe('0019' + '46' + limit.toString(16).padStart(8, '0'));
    // the session stays down and the peer's routes are gone
    await waitUntil('routes gone', () => macsOf(x).length === 0);
    expect(x.peerState(Y)).toBe('Idle');
  });

  it(`warn: all ${limit + 50} routes of the UPDATE installed, one warning, the session stays up`, async () => {
    const { x, y } = await pair('warn');
    const events: [number, number, string][] = [];
    x.on('maxPrefix', (_p, n, l, action) => events.push([n, l, action]));
    sendOneUpdate(y, limit + 50);
    await waitUntil('all installed', () => macsOf(x).length === limit + 50);
    expect(events).toEqual([[limit + 1, limit, 'warn']]);
    expect(x.peerState(Y)).toBe('Established');
  });
});
