import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Session } from '../../src/bgp/session/session.js';
import { Listener } from '../../src/bgp/session/listener.js';
import { VirtualClock } from '../../src/bgp/session/clock.js';
import { MemoryNetwork, type MemoryTransport } from '../../src/bgp/session/memory-network.js';
import { buildOpen } from '../../src/bgp/session/negotiate.js';
import { decodeMessage, encodeMessage } from '../../src/bgp/codec.js';
import { Framer } from '../../src/bgp/framer.js';
import { CeaseError } from '../../src/bgp/errors.js';
import { CeaseSubcode } from '../../src/bgp/iana.js';
import { fsmEvents, fsmStates, transition } from '../../src/bgp/fsm/index.js';
import type { NotificationMessage } from '../../src/bgp/types.js';
import type { SessionConfig, State, StateChangeReason, Transport } from '../../src/bgp/session/types.js';

const settle = async (n = 8): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** Advance virtual time in steps, letting in-memory deliveries run in between (bounded). */
async function run(clock: VirtualClock, ms: number, step = 250): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle(4);
  }
  await settle();
}

async function until(clock: VirtualClock, what: string, cond: () => boolean, maxMs = 60_000, step = 100): Promise<void> {
  for (let t = 0; t <= maxMs; t += step) {
    await settle(4);
    if (cond()) return;
    clock.advance(step);
  }
  throw new Error(`not reached within ${maxMs} virtual ms: ${what}`);
}

interface Peer {
  session: Session;
  listener: Listener;
  states: [State, State, StateChangeReason][];
  sent: NotificationMessage[];
  received: NotificationMessage[];
}

const evpn = { afi: 25, safi: 70 };
const ids = { a: { address: '10.0.0.1', routerId: '1.1.1.1', asn: 4200000001 }, b: { address: '10.0.0.2', routerId: '2.2.2.2', asn: 4200000002 } };

interface Fabric {
  clock: VirtualClock;
  net: MemoryNetwork;
  peers: Peer[];
}
let fabrics: Fabric[] = [];

function fabric(): Fabric {
  const f = { clock: new VirtualClock(), net: new MemoryNetwork(), peers: [] };
  fabrics.push(f);
  return f;
}

async function peer(f: Fabric, me: 'a' | 'b', over: Partial<SessionConfig> = {}): Promise<Peer> {
  const self = ids[me];
  const other = ids[me === 'a' ? 'b' : 'a'];
  const network = f.net.host(self.address);
  const session = new Session({
    localAsn: self.asn,
    routerId: self.routerId,
    peerAddress: other.address,
    peerAsn: other.asn,
    families: [evpn],
    holdTime: 9,
    connectRetryTime: 5,
    clock: f.clock,
    network,
    ...over,
  });
  const listener = new Listener({ network, port: 179, lookup: (a) => (a === other.address ? session : undefined) });
  await listener.listen();
  const p: Peer = { session, listener, states: [], sent: [], received: [] };
  session.on('stateChange', (from, to, why) => p.states.push([from, to, why]));
  session.on('notificationSent', (n) => p.sent.push(n));
  session.on('notificationReceived', (n) => p.received.push(n));
  f.peers.push(p);
  return p;
}

async function teardown(f: Fabric): Promise<void> {
  for (const p of f.peers) {
    await p.session.stop('test over');
    await p.listener.close();
  }
  await settle();
}

afterEach(async () => {
  for (const f of fabrics) await teardown(f);
  fabrics = [];
});

/** A scripted raw peer at 10.0.0.2: we see every message our session sends and write bytes back. */
async function rawPeer(f: Fabric): Promise<{ got: Buffer[]; conn: () => Transport | undefined; send: (b: Buffer) => void; open: Buffer }> {
  const got: Buffer[] = [];
  let conn: Transport | undefined;
  const open = encodeMessage(buildOpen({ localAsn: ids.b.asn, routerId: ids.b.routerId, peerAddress: ids.a.address, peerAsn: ids.a.asn, families: [evpn], holdTime: 3 }));
  const srv = await f.net.host(ids.b.address).listen('0.0.0.0', 179, (t) => {
    conn = t;
    const framer = new Framer();
    t.on('data', (d) => {
      for (const m of framer.push(d)) got.push(Buffer.from(m));
    });
  });
  f.peers.push({ session: { stop: async () => { conn?.destroy(); await srv.close(); } } as unknown as Session, listener: { close: async () => {} } as Listener, states: [], sent: [], received: [] });
  return { got, conn: () => conn, send: (b) => conn?.write(b), open };
}

const keepalive = Buffer.from('ffffffffffffffffffffffffffffffff001304', 'hex');
const types = (msgs: Buffer[]): number[] => msgs.map((m) => m[18]!);
const notif = (msgs: Buffer[]): string[] => msgs.filter((m) => m[18] === 3).map((m) => `${m[19]}/${m[20]}`);

/** Start `a` against the scripted raw peer and answer with its OPEN and a KEEPALIVE: Established. */
async function establishWith(f: Fabric, raw: Awaited<ReturnType<typeof rawPeer>>, a: Peer): Promise<void> {
  a.session.start();
  await until(f.clock, 'OPEN', () => raw.got.length >= 1);
  raw.send(raw.open);
  raw.send(keepalive);
  await until(f.clock, 'established', () => a.session.state === 'Established');
}

/** An UPDATE message around a body given as hex (the header's length computed). */
function updateMessage(bodyHex: string): Buffer {
  return Buffer.from('ff'.repeat(16) + (19 + bodyHex.length / 2).toString(16).padStart(4, '0') + '02' + bodyHex, 'hex');
}

/** An UPDATE with no withdrawn routes: path attributes and IPv4 NLRI as hex. */
function updateBytes(attrsHex: string, nlriHex: string): Buffer {
  return updateMessage('0000' + (attrsHex.length / 2).toString(16).padStart(4, '0') + attrsHex + nlriHex);
}

describe('Session over the in-memory transport with a virtual clock', () => {
  it('establishes, we active and the peer passive, with typed reasons', async () => {
    const f = fabric();
    const a = await peer(f, 'a');
    const b = await peer(f, 'b', { passive: true, holdTime: 30 });
    let negotiated: unknown;
    a.session.on('established', (n) => (negotiated = n));
    b.session.start();
    a.session.start();
    await until(f.clock, 'both established', () => a.session.state === 'Established' && b.session.state === 'Established');
    expect(a.states).toEqual([
      ['Idle', 'Connect', 'manual-start'],
      ['Connect', 'OpenSent', 'connection-established'],
      ['OpenSent', 'OpenConfirm', 'open-received'],
      ['OpenConfirm', 'Established', 'keepalive-received'],
    ]);
    expect(b.states.map((s) => s[1])).toEqual(['Active', 'OpenSent', 'OpenConfirm', 'Established']);
    expect(negotiated).toMatchObject({ holdTime: 9, keepaliveTime: 3, fourOctetAs: true, families: [evpn], peerAsn: ids.b.asn, peerRouterId: '2.2.2.2' });
    expect(f.net.openTransports).toBe(2);
  });

  it('establishes with us passive (the peer connects)', async () => {
    const f = fabric();
    const a = await peer(f, 'a', { passive: true });
    const b = await peer(f, 'b');
    a.session.start();
    b.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established');
    expect(a.states[0]).toEqual(['Idle', 'Active', 'manual-start']);
    // passive: no connect-retry timer, nothing ever dials out
    expect(a.states.some((s) => s[1] === 'Connect')).toBe(false);
  });

  it('keepalives keep a quiet session up for many hold times', async () => {
    const f = fabric();
    const a = await peer(f, 'a');
    const b = await peer(f, 'b', { passive: true });
    b.session.start();
    a.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established');
    const t = f.net.transports.filter((x) => !x.closed) as MemoryTransport[];
    const before = t.map((x) => x.delivered);
    await run(f.clock, 90_000, 500);
    expect(a.session.state).toBe('Established');
    expect(b.session.state).toBe('Established');
    // every 3 s a 19-byte KEEPALIVE in each direction: 30 of them in 90 s
    for (let i = 0; i < t.length; i++) expect(t[i]!.delivered - before[i]!).toBeGreaterThanOrEqual(29 * 19);
    expect(a.sent).toEqual([]);
  });

  it('a silent peer is caught by the hold timer: NOTIFICATION 4/0 and reason hold-timer-expired', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a', { holdTime: 9 });
    a.session.start();
    await until(f.clock, 'our OPEN arrives', () => raw.got.length >= 1);
    expect(types(raw.got)).toEqual([1]);
    raw.send(raw.open); // hold time 3 offered: negotiated 3
    raw.send(keepalive);
    await until(f.clock, 'established', () => a.session.state === 'Established');
    expect(a.session.negotiated?.holdTime).toBe(3);
    const t0 = f.clock.now();
    await until(f.clock, 'idle', () => a.session.state === 'Idle', 10_000, 50);
    expect(f.clock.now() - t0).toBeGreaterThanOrEqual(3000);
    expect(f.clock.now() - t0).toBeLessThan(3300);
    expect(a.states.at(-1)).toEqual(['Established', 'Idle', 'hold-timer-expired']);
    expect(a.sent.map((n) => `${n.code}/${n.subcode}`)).toEqual(['4/0']);
    expect(notif(raw.got)).toEqual(['4/0']);
  });

  it('DelayOpen: the OPEN waits for the timer (or goes at once when the peer opens first)', async () => {
    const f = fabric();
    const a = await peer(f, 'a', { delayOpenTime: 5 });
    const b = await peer(f, 'b', { passive: true, delayOpenTime: 8 });
    b.session.start();
    a.session.start();
    await run(f.clock, 4000);
    expect(a.session.state).toBe('Connect');
    expect(b.session.state).toBe('Active');
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established', 10_000);
    expect(a.states.map((s) => s[2])).toContain('delay-open-timer-expired');
    // a's OPEN (at 5 s) came while b still waited (8 s) -> b went straight to OpenConfirm
    expect(b.states.map((s) => s[1])).toEqual(['Active', 'OpenConfirm', 'Established']);
  });

  it('IdleHold back-off doubles per consecutive failure, up to the cap', async () => {
    const f = fabric();
    const a = await peer(f, 'a', { idleHoldTime: 1, idleHoldMaxTime: 8 });
    // nobody listens at 10.0.0.2: every attempt is refused
    const starts: number[] = [];
    a.session.on('stateChange', (_from, to) => {
      if (to === 'Connect') starts.push(f.clock.now());
    });
    a.session.start();
    await settle();
    await run(f.clock, 40_000, 100);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(a.states.filter((s) => s[1] === 'Idle').every((s) => s[2] === 'connection-failed')).toBe(true);
    expect(a.session.nextIdleHoldMs).toBe(8000);
    // the peer appears; a stable Established period (60 s) resets the back-off
    const b = await peer(f, 'b', { passive: true });
    b.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established', 20_000);
    await run(f.clock, 59_000, 1000);
    expect(a.session.nextIdleHoldMs).toBe(8000);
    await run(f.clock, 2000, 500);
    expect(a.session.nextIdleHoldMs).toBe(1000);
  });

  it('collision: both connect at once, exactly one connection survives, the other gets Cease/7', async () => {
    const f = fabric();
    const a = await peer(f, 'a');
    const b = await peer(f, 'b');
    a.session.start();
    b.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established');
    await run(f.clock, 1000);
    expect(f.net.transports.length).toBe(4);
    expect(f.net.openTransports).toBe(2);
    const cease7 = [...a.sent, ...b.sent].filter((n) => n.code === 6 && n.subcode === 7);
    expect(cease7.length).toBeGreaterThanOrEqual(1);
    // RFC 4271 6.8: 2.2.2.2 is higher, so the connection b initiated survives
    const live = f.net.transports.filter((t) => !t.closed);
    expect(live.map((t) => `${t.localAddress}:${t.localPort === 179 ? 'srv' : 'cli'}`).sort()).toEqual(['10.0.0.1:srv', '10.0.0.2:cli']);
    // no session went down: the only Idle is the losing connection's, handed over at once
    for (const [from, to, why] of [...a.states, ...b.states]) if (to === 'Idle' || from === 'Idle') if (why !== 'manual-start') expect(why).toBe('collision');
    expect([...a.states, ...b.states].some((s) => s[0] === 'Established' && s[1] !== 'Established')).toBe(false);
    await run(f.clock, 30_000, 1000);
    expect(a.session.state).toBe('Established');
  });

  it('a peer that sends garbage gets a header-error NOTIFICATION with the right subcode', async () => {
    const cases: [string, Buffer, string][] = [
      ['bad marker', Buffer.from('00'.repeat(16) + '001304', 'hex'), '1/1'],
      ['length below 19', Buffer.from('ff'.repeat(16) + '001004', 'hex'), '1/2'],
      ['unknown type', Buffer.from('ff'.repeat(16) + '001309', 'hex'), '1/3'],
      ['KEEPALIVE with a body', Buffer.from('ff'.repeat(16) + '00140400', 'hex'), '1/2'],
      ['OPEN shorter than its minimum (truncated)', Buffer.from('ff'.repeat(16) + '001c01' + '04fde8005a01010102', 'hex'), '1/2'],
      ['UPDATE shorter than its minimum (truncated)', Buffer.from('ff'.repeat(16) + '0015020000', 'hex'), '1/2'],
      ['length above 4096 without extended messages', Buffer.from('ff'.repeat(16) + '100102', 'hex'), '1/2'],
    ];
    for (const [name, bytes, want] of cases) {
      const f = fabric();
      const raw = await rawPeer(f);
      const a = await peer(f, 'a');
      a.session.start();
      await until(f.clock, 'OPEN', () => raw.got.length >= 1);
      raw.send(bytes);
      await until(f.clock, `${name}: idle`, () => a.session.state === 'Idle');
      expect({ name, sent: notif(raw.got) }).toEqual({ name, sent: [want] });
      expect(a.states.at(-1)![2]).toBe('header-error');
      await teardown(f);
    }
  });

  it('a truncated message: the peer closes mid-message, the session fails over to Active/Idle cleanly', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a');
    a.session.start();
    await until(f.clock, 'OPEN', () => raw.got.length >= 1);
    raw.send(raw.open.subarray(0, 25));
    await settle();
    expect(a.session.state).toBe('OpenSent');
    raw.conn()!.destroy();
    await until(f.clock, 'not OpenSent', () => a.session.state !== 'OpenSent');
    expect(a.states.at(-1)).toEqual(['OpenSent', 'Active', 'connection-failed']);
  });

  it('an OPEN with a bad peer AS is refused with 2/2', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a', { peerAsn: 65099 });
    a.session.start();
    await until(f.clock, 'OPEN', () => raw.got.length >= 1);
    raw.send(raw.open);
    await until(f.clock, 'idle', () => a.session.state === 'Idle');
    expect(notif(raw.got)).toEqual(['2/2']);
    expect(a.states.at(-1)).toEqual(['OpenSent', 'Idle', 'open-error']);
  });

  it('an UPDATE in OpenConfirm is an FSM error (RFC 6608 5/2)', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a');
    a.session.start();
    await until(f.clock, 'OPEN', () => raw.got.length >= 1);
    raw.send(raw.open);
    await until(f.clock, 'OpenConfirm', () => a.session.state === 'OpenConfirm');
    raw.send(Buffer.from('ff'.repeat(16) + '0017020000' + '0000', 'hex'));
    await until(f.clock, 'idle', () => a.session.state === 'Idle');
    expect(notif(raw.got)).toEqual(['5/2']);
    expect(a.states.at(-1)![2]).toBe('fsm-error');
  });

  it('received NOTIFICATION: Idle with reason notification-received, then restart after IdleHold', async () => {
    const f = fabric();
    const a = await peer(f, 'a');
    const b = await peer(f, 'b', { passive: true });
    b.session.start();
    a.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established');
    b.session.reset(new CeaseError(1, 'max prefixes'));
    await until(f.clock, 'a idle', () => a.session.state === 'Idle', 1000, 10);
    expect(a.received.map((n) => `${n.code}/${n.subcode}`)).toEqual(['6/1']);
    expect(a.states.at(-1)).toEqual(['Established', 'Idle', 'notification-received']);
    expect(b.states.at(-1)).toEqual(['Established', 'Idle', 'notification-sent']);
    await until(f.clock, 're-established', () => a.session.state === 'Established' && b.session.state === 'Established', 30_000);
  });

  it('route refresh, End-of-RIB, send/drain', async () => {
    const f = fabric();
    const a = await peer(f, 'a');
    const b = await peer(f, 'b', { passive: true });
    b.session.start();
    a.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established');
    const rr: unknown[] = [];
    const eor: unknown[] = [];
    b.session.on('routeRefresh', (m) => rr.push(m));
    b.session.on('endOfRib', (fam) => eor.push(fam));
    expect(a.session.sendRouteRefresh(evpn)).toBe(true);
    expect(a.session.sendRouteRefresh(evpn, 'borr')).toBe(true);
    expect(a.session.sendEndOfRib(evpn)).toBe(true);
    await settle();
    expect(rr).toMatchObject([{ afi: 25, safi: 70, subtype: 'normal' }, { afi: 25, safi: 70, subtype: 'borr' }]);
    expect(eor).toEqual([evpn]);
    // backpressure: b stops reading, a's send() eventually says false, drain comes after resume
    const bt = f.net.transports.find((t) => !t.closed && t.localAddress === '10.0.0.2')!;
    bt.pause();
    let n = 0;
    const eorMsg = Buffer.from('ffffffffffffffffffffffffffffffff001d02000000068000f0300190046'.slice(0, 58), 'hex');
    while (a.session.send(eorMsg) && n < 100_000) n++;
    expect(n).toBeLessThan(100_000);
    expect(a.session.writable).toBe(false);
    let drained = false;
    a.session.on('drain', () => (drained = true));
    bt.resume();
    // b works through the backlog in 10 ms slices (session/receive-slice.ts): a few turns
    for (let i = 0; i < 200 && !drained; i++) await settle(1);
    expect(drained).toBe(true);
    expect(a.session.writable).toBe(true);
  });

  /** A scripted client at 10.0.0.2 dialling our passive session at 10.0.0.1. */
  async function rawClient(f: Fabric, gracefulRestart: boolean): Promise<{ t: Transport; got: Buffer[] }> {
    const t = await f.net.host(ids.b.address).connect(ids.a.address, 179);
    const got: Buffer[] = [];
    const framer = new Framer();
    t.on('data', (d) => {
      for (const m of framer.push(d)) got.push(Buffer.from(m));
    });
    const gr = gracefulRestart ? { gracefulRestart: { restartTime: 120, families: [{ ...evpn, forwardingPreserved: true }] } } : {};
    t.write(encodeMessage(buildOpen({ localAsn: ids.b.asn, routerId: ids.b.routerId, peerAddress: ids.a.address, peerAsn: ids.a.asn, families: [evpn], holdTime: 30, ...gr })));
    t.write(keepalive);
    return { t, got };
  }

  it('graceful restart (RFC 4724 4.2): a new OPEN from the restarted peer replaces the old session', async () => {
    const f = fabric();
    const a = await peer(f, 'a', { passive: true });
    a.session.start();
    const first = await rawClient(f, true);
    await until(f.clock, 'established', () => a.session.state === 'Established');
    expect(a.session.negotiated?.gracefulRestart?.restartTime).toBe(120);
    const second = await rawClient(f, true);
    await until(f.clock, 'old connection closed', () => first.t.closed);
    await until(f.clock, 'established again', () => a.session.state === 'Established' && a.states.length > 5);
    expect(a.states.slice(3)).toEqual([
      ['OpenConfirm', 'Established', 'keepalive-received'],
      ['Established', 'Idle', 'peer-restarted'],
      ['Idle', 'OpenSent', 'peer-restarted'],
      ['OpenSent', 'OpenConfirm', 'open-received'],
      ['OpenConfirm', 'Established', 'keepalive-received'],
    ]);
    // no NOTIFICATION on the dead connection, a fresh OPEN on the new one
    expect(notif(first.got)).toEqual([]);
    expect(types(second.got).slice(0, 2)).toEqual([1, 4]);
    expect(second.t.closed).toBe(false);
  });

  it('without graceful restart a second connection to an Established session gets Cease/7', async () => {
    const f = fabric();
    const a = await peer(f, 'a', { passive: true });
    a.session.start();
    const first = await rawClient(f, false);
    await until(f.clock, 'established', () => a.session.state === 'Established');
    const second = await rawClient(f, false);
    await until(f.clock, 'second closed', () => second.t.closed);
    expect(notif(second.got)).toEqual(['6/7']);
    expect(first.t.closed).toBe(false);
    expect(a.session.state).toBe('Established');
  });

  it('OpenSent waits with the large hold time (240 s) for an OPEN that never comes', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a');
    a.session.start();
    await until(f.clock, 'OPEN sent', () => raw.got.length >= 1);
    const t0 = f.clock.now();
    await run(f.clock, 239_000, 1000);
    expect(a.session.state).toBe('OpenSent');
    await until(f.clock, 'idle', () => a.session.state === 'Idle', 2000, 50);
    expect(f.clock.now() - t0).toBeGreaterThanOrEqual(240_000);
    expect(notif(raw.got)).toEqual(['4/0']);
    expect(a.states.at(-1)).toEqual(['OpenSent', 'Idle', 'hold-timer-expired']);
  });

  it('hold time 0: no keepalives, no hold timer, the session stays up', async () => {
    const f = fabric();
    const a = await peer(f, 'a', { holdTime: 0 });
    const b = await peer(f, 'b', { passive: true });
    b.session.start();
    a.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established');
    expect(a.session.negotiated).toMatchObject({ holdTime: 0, keepaliveTime: 0 });
    const live = f.net.transports.filter((t) => !t.closed);
    const before = live.map((t) => t.delivered);
    await run(f.clock, 600_000, 10_000);
    expect(live.map((t) => t.delivered)).toEqual(before);
    expect(a.session.state).toBe('Established');
    expect(a.session.resources.timers).toBe(0); // no hold, no keepalive (the back-off's stable timer ran out)
    expect(() => new Session({ localAsn: 1, routerId: '1.1.1.1', peerAddress: '10.0.0.2', peerAsn: 2, holdTime: 2 })).toThrow(RangeError);
  });

  it('UPDATE errors: treat-as-withdraw keeps the session up, a session-reset error ends it with 3/x', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a');
    const updates: { error?: { action: string } }[] = [];
    a.session.on('update', (_m, parsed) => updates.push(parsed as never));
    await establishWith(f, raw, a);
    // ORIGIN 5 (invalid): RFC 7606 7.1 treat-as-withdraw
    raw.send(updateBytes('40010105' + '400200' + '4003040a000002', '180a0100'));
    await settle();
    expect(updates.length).toBe(1);
    expect(updates[0]!.error?.action).toBe('treat-as-withdraw');
    expect(a.session.state).toBe('Established');
    // the attribute block claims more bytes than the message has: the NLRI cannot be found
    raw.send(updateMessage('0000' + '00ff' + '40010100'));
    await until(f.clock, 'idle', () => a.session.state === 'Idle');
    expect(a.states.at(-1)).toEqual(['Established', 'Idle', 'update-error']);
    expect(notif(raw.got)[0]).toMatch(/^3\//);
  });

  it('a reset from inside an update listener ends the session cleanly: no timer survives in Idle', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a');
    a.session.on('update', () => a.session.reset(new CeaseError(CeaseSubcode.administrativeReset, 'policy says no'), false));
    await establishWith(f, raw, a);
    raw.send(updateBytes('40010100' + '400200' + '4003040a000002', '180a0100'));
    await until(f.clock, 'idle', () => a.session.state === 'Idle');
    await settle();
    expect(notif(raw.got)).toEqual(['6/4']);
    // the UPDATE's own actions (restart the hold timer) must not run after the reset
    expect(f.clock.pending).toBe(0);
    await run(f.clock, 60_000);
    expect(a.session.state).toBe('Idle');
    expect(notif(raw.got)).toEqual(['6/4']);
  });

  it('a ROUTE-REFRESH of the wrong length gets 7/1 (RFC 7313 5)', async () => {
    const f = fabric();
    const raw = await rawPeer(f);
    const a = await peer(f, 'a');
    await establishWith(f, raw, a);
    raw.send(Buffer.from('ff'.repeat(16) + '0018050019004600', 'hex'));
    await until(f.clock, 'idle', () => a.session.state === 'Idle');
    expect(notif(raw.got)).toEqual(['7/1']);
  });

  it('listener: an unknown address gets Cease/5 without an OPEN and is closed', async () => {
    const f = fabric();
    await peer(f, 'a', { passive: true });
    const t = await f.net.host('10.9.9.9').connect('10.0.0.1', 179);
    const got: Buffer[] = [];
    let closed = false;
    t.on('data', (d) => got.push(d));
    t.on('close', () => (closed = true));
    await settle();
    const all = Buffer.concat(got);
    expect(all.length).toBe(21);
    expect([all[18], all[19], all[20]]).toEqual([3, 6, 5]);
    expect(closed).toBe(true);
    expect((decodeMessage(all) as NotificationMessage).subcode).toBe(5);
  });

  it('stop(): Cease/2 with the RFC 8203 message, and nothing is left behind', async () => {
    const f = fabric();
    const a = await peer(f, 'a');
    const b = await peer(f, 'b', { passive: true });
    b.session.start();
    a.session.start();
    await until(f.clock, 'established', () => a.session.state === 'Established' && b.session.state === 'Established');
    await a.session.stop('maintenance window');
    await settle();
    expect(b.received).toMatchObject([{ code: 6, subcode: 2, shutdownMessage: 'maintenance window' }]);
    expect(a.states.at(-1)).toEqual(['Established', 'Idle', 'manual-stop']);
    await b.session.stop();
    await a.listener.close();
    await b.listener.close();
    await settle();
    expect(f.clock.pending).toBe(0);
    expect(f.net.openTransports).toBe(0);
    expect(f.net.listenerCount).toBe(0);
    expect(a.session.resources).toEqual({ timers: 0, connections: 0, closing: 0 });
    // no restart after a manual stop
    await run(f.clock, 10_000, 1000);
    expect(a.session.state).toBe('Idle');
  });
});

/** Every (from -> to) the pure table can produce, for any event and context. */
const legalEdges = new Set<string>();
for (const st of fsmStates) {
  for (const e of fsmEvents) {
    for (const delayOpen of [false, true]) for (const running of [false, true]) for (const passive of [false, true]) {
      const next = transition(st, e, { delayOpen, delayOpenTimerRunning: running, passive }).next;
      if (next !== st) legalEdges.add(`${st}->${next}`);
    }
  }
}

describe('model-based: random operations, then stop() leaves no timer, socket or listener', () => {
  type Op = { op: 'start' | 'stop' | 'reset' | 'sever' | 'garbage'; who: 0 | 1 } | { op: 'advance'; ms: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.record({ op: fc.constantFrom('start', 'stop', 'reset', 'sever', 'garbage'), who: fc.constantFrom(0 as const, 1 as const) }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 20_000 }) }), weight: 2 },
  );

  it('holds for random runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), fc.boolean(), fc.boolean(), async (ops, passiveB, delayOpen) => {
        const f = { clock: new VirtualClock(), net: new MemoryNetwork(), peers: [] as Peer[] };
        const a = await peer(f, 'a', delayOpen ? { delayOpenTime: 2 } : {});
        const b = await peer(f, 'b', { passive: passiveB });
        const ps = [a, b];
        a.session.start();
        b.session.start();
        for (const o of ops) {
          if (o.op === 'advance') await run(f.clock, o.ms, 1000);
          else {
            const p = ps[o.who]!;
            if (o.op === 'start') p.session.start();
            else if (o.op === 'stop') await p.session.stop();
            else if (o.op === 'reset') p.session.reset(new CeaseError(4, 'admin reset'));
            else {
              const mine = f.net.transports.filter((t) => !t.closed && t.localAddress === ids[o.who === 0 ? 'a' : 'b'].address);
              for (const t of mine) {
                if (o.op === 'sever') t.destroy();
                else t.write(Buffer.from('deadbeef'.repeat(6), 'hex'));
              }
            }
            await settle();
          }
          // every state change carried a reason and is an edge of the RFC table (or a connection
          // swap after a collision / graceful restart, which changes which connection we report)
          for (const p of ps) for (const [from, to, why] of p.states) {
            expect(typeof why).toBe('string');
            if (why !== 'collision' && why !== 'peer-restarted') expect(legalEdges).toContain(`${from}->${to}`);
            if (to === 'Established' && why !== 'collision') expect(from).toBe('OpenConfirm');
          }
        }
        for (const p of ps) await p.session.stop();
        for (const p of ps) await p.listener.close();
        await settle();
        expect(f.clock.pending).toBe(0);
        expect(f.net.openTransports).toBe(0);
        expect(f.net.listenerCount).toBe(0);
        for (const p of ps) expect(p.session.state).toBe('Idle');
      }),
      { numRuns: 60 },
    );
  });
});
