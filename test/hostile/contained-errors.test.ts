/**
 * Issue 11, containment (in memory, virtual clock): an exception inside a timer, a socket
 * callback or the speaker's UPDATE flush never reaches the process. The speaker emits
 * `internalError` with the peer, resets only that peer's session with Cease / Administrative
 * Reset ("internal error", RFC 4486 / RFC 9003), keeps its RIB consistent, and the session
 * comes back after IdleHold; the other sessions are untouched.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BgpSpeaker, RouteFilter } from '../../src/bgp/speaker.js';
import type { NotificationMessage } from '../../src/bgp/types.js';
import { Fabric, mac, macsOf } from '../bgp/fabric-helpers.js';
import { AS, stopFabricAfterEach, uncaughtRecorder } from './helpers.js';

const X = '10.0.5.1';
const Y = '10.0.5.2';
const Z = '10.0.5.3';

const guard = uncaughtRecorder();
beforeAll(() => guard.install());
afterAll(() => guard.remove());

let fabric: Fabric;
// registered first so it runs last (after hooks run in reverse): after the fabric has stopped
afterEach(() => {
  expect(guard.errors).toEqual([]);
});
stopFabricAfterEach(() => fabric);

/** Y reflects for X and Z; X and Z each announce one Type-2. */
async function triangle(xExportFilter?: RouteFilter) {
  fabric = new Fabric();
  const y = fabric.speaker(Y, AS, [
    { address: X, asn: AS, passive: true, routeReflectorClient: true, ...(xExportFilter === undefined ? {} : { exportFilter: xExportFilter }) },
    { address: Z, asn: AS, passive: true, routeReflectorClient: true },
  ]);
  const x = fabric.speaker(X, AS, [{ address: Y, asn: AS }]);
  const z = fabric.speaker(Z, AS, [{ address: Y, asn: AS }]);
  const internal: [string, Error][] = [];
  y.on('internalError', (p, e) => internal.push([p, e]));
  const heard = new Map<BgpSpeaker, NotificationMessage[]>([[x, []], [z, []]]);
  for (const s of [x, z]) s.on('notificationReceived', (_p, n) => heard.get(s)!.push(n));
  for (const s of [y, x, z]) await s.start();
  await fabric.settle('up', () => y.peerState(X) === 'Established' && y.peerState(Z) === 'Established');
  return { x, y, z, internal, heard };
}

function expectInternalReset(heard: NotificationMessage[]): void {
  expect(heard).toHaveLength(1);
  expect(heard[0]).toMatchObject({ code: 6, subcode: 4, shutdownMessage: 'internal error' });
}

describe('faults in callbacks are contained to one session', () => {
  it('the UPDATE flush (setImmediate): an export filter that throws resets only that peer', async () => {
    let throws = 1;
    const { x, y, z, internal, heard } = await triangle((route) => {
      if ((route.nlri as { mac?: string }).mac === mac(2, Z).nlri.mac && throws-- > 0) throw new Error('filter bug');
      return true;
    });
    const states: string[] = [];
    y.on('peerState', (p, _from, to) => states.push(`${p} ${to}`));
    x.announce(mac(1, X));
    z.announce(mac(2, Z));
    await fabric.settle('contained', () => internal.length === 1);
    expect(internal[0]![0]).toBe(X);
    expect(internal[0]![1].message).toBe('filter bug');
    expect(y.peerCounters(X)!.internalErrors).toBe(1);
    await fabric.settle('X heard the Cease', () => heard.get(x)!.length === 1);
    expectInternalReset(heard.get(x)!);
    expect(states).toContain(`${X} Idle`);
    // Z was never touched and has X's route; X comes back after IdleHold and gets Z's route
    expect(heard.get(z)).toEqual([]);
    expect(states.some((s) => s.startsWith(Z))).toBe(false);
    await fabric.settle('X back with both routes', () => y.peerState(X) === 'Established' && macsOf(x).length === 2 && macsOf(z).length === 2);
    expect(y.peerState(Z)).toBe('Established');
  });

  it('the socket data callback: a routeAdded listener that throws resets only the session whose UPDATE it was', async () => {
    const { x, y, z, internal, heard } = await triangle();
    let throws = 1;
    y.on('routeAdded', (_f, r) => {
      if (r.peer === X && throws-- > 0) throw new Error('listener bug');
    });
    z.announce(mac(2, Z));
    await fabric.settle('Z route at X', () => macsOf(x).length === 1);
    x.announce(mac(1, X));
    await fabric.settle('contained', () => internal.length === 1);
    expect(internal[0]).toEqual([X, expect.objectContaining({ message: 'listener bug' })]);
    await fabric.settle('X heard the Cease', () => heard.get(x)!.length === 1);
    expectInternalReset(heard.get(x)!);
    // X's routes left with its session (no half-dropped RIB), Z's session stayed up throughout
    expect(macsOf(y)).toEqual([mac(2, Z).nlri.mac]);
    expect(heard.get(z)).toEqual([]);
    await fabric.settle('X back, its route everywhere', () => y.peerState(X) === 'Established' && macsOf(z).length === 2 && macsOf(y).length === 2);
    expect(y.peerCounters(Z)!.internalErrors).toBe(0);
  });

  it('a second fault while containing the first (a notificationSent listener that throws): the session still goes down cleanly', async () => {
    const { x, y, z, internal, heard } = await triangle();
    let throws = 1;
    y.on('routeAdded', (_f, r) => {
      if (r.peer === X && throws > 0) throw new Error('listener bug');
    });
    y.on('notificationSent', () => {
      if (throws-- > 0) throw new Error('second bug');
    });
    z.announce(mac(2, Z));
    x.announce(mac(1, X));
    await fabric.settle('contained', () => internal.length === 1);
    await fabric.settle('X heard the Cease', () => heard.get(x)!.length === 1);
    expectInternalReset(heard.get(x)!);
    // the state change was still reported, so X's route left the RIB and Z heard the withdraw
    expect(macsOf(y)).toEqual([mac(2, Z).nlri.mac]);
    await fabric.settle('X back, its route everywhere', () => y.peerState(X) === 'Established' && macsOf(z).length === 2 && macsOf(y).length === 2);
    expect(internal).toHaveLength(1);
    expect(heard.get(z)).toEqual([]);
  });

  it('a session timer (hold timer): a peerState listener that throws as the session goes down', async () => {
    const { x, y, z, internal, heard } = await triangle();
    x.announce(mac(1, X));
    z.announce(mac(2, Z));
    await fabric.settle('routes everywhere', () => macsOf(x).length === 2 && macsOf(z).length === 2);
    let throws = 1;
    y.on('peerState', (p, _from, to, reason) => {
      if (p === X && to === 'Idle' && reason === 'hold-timer-expired' && throws-- > 0) throw new Error('state listener bug');
    });
    // Y stops reading from X: Y's hold timer (30 s) expires
    fabric.net.transports.find((t) => t.localAddress === Y && t.remoteAddress === X && !t.closed)!.pause();
    await fabric.settle('contained', () => internal.length === 1, 1000);
    expect(internal[0]).toEqual([X, expect.objectContaining({ message: 'state listener bug' })]);
    // the bookkeeping after the listener still ran: X's route left Y's RIB and Z heard the withdraw
    expect(macsOf(y)).toEqual([mac(2, Z).nlri.mac]);
    await fabric.settle('withdrawn at Z', () => macsOf(z).length === 1);
    expect(heard.get(z)).toEqual([]);
    expect(y.peerState(Z)).toBe('Established');
    // the session restarts after IdleHold although the fault hit its state change
    await fabric.settle('X back', () => y.peerState(X) === 'Established' && macsOf(z).length === 2, 1000);
  });

  it('a RIB timer (graceful-restart purge): a routeWithdrawn listener that throws does not keep stale routes', async () => {
    fabric = new Fabric();
    // X advertises a restart time of 5 s: Y keeps X's routes that long (RFC 4724 4.2)
    const y = fabric.speaker(Y, AS, [{ address: X, asn: AS, passive: true, gracefulRestart: true }]);
    const x = fabric.speaker(X, AS, [{ address: Y, asn: AS, gracefulRestart: { restartTime: 5 } }]);
    const internal: [string, Error][] = [];
    y.on('internalError', (p, e) => internal.push([p, e]));
    await y.start();
    await x.start();
    await fabric.settle('up', () => y.peerState(X) === 'Established');
    x.announce(mac(1, X));
    x.announce(mac(2, X));
    await fabric.settle('routes at Y', () => macsOf(y).length === 2);
    let throws = 1;
    y.on('routeWithdrawn', () => {
      if (throws-- > 0) throw new Error('withdraw listener bug');
    });
    // X dies without a NOTIFICATION: Y keeps its routes as stale until the restart time is over
    for (const t of fabric.net.transports) if (!t.closed) t.destroy();
    await x.stop();
    await fabric.settle('down', () => y.peerState(X) !== 'Established');
    expect(macsOf(y)).toHaveLength(2);
    await fabric.settle('purged', () => macsOf(y).length === 0, 200);
    expect(internal).toEqual([[X, expect.objectContaining({ message: 'withdraw listener bug' })]]);
    expect(y.peerCounters(X)!.internalErrors).toBe(1);
  });
});
