/**
 * The session layer (Session, Listener, tcpNetwork) against real GoBGP and FRRouting in network
 * namespaces. Our side runs in the test process, attached to the lab switch as 198.18.0.1 and
 * 2001:db8:18::1 (Topology `root: true`, host routes only); it listens on port 10179 so it
 * never competes for 179 with anything else on this machine.
 *
 * - GoBGP #1, iBGP, AS 4200000001 both sides: we are active (GoBGP passive).
 * - GoBGP #2, eBGP, AS 4200000003: GoBGP connects to us (we are passive).
 * - FRR, eBGP, AS 4200000002: FRR connects to us over IPv4 (we are passive) and we connect to it
 *   over IPv6 (FRR passive for that neighbor).
 * - A silent peer: GoBGP #1 frozen with SIGSTOP (by PID) is caught by our 3 s hold timer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal, waitFor } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Gobgp } from './harness/gobgp.js';
import { Frr } from './harness/frr.js';
import { Session } from '../../src/bgp/session/session.js';
import { Listener } from '../../src/bgp/session/listener.js';
import type { NotificationMessage } from '../../src/bgp/types.js';
import type { Negotiated, SessionConfig, State, StateChangeReason } from '../../src/bgp/session/types.js';

const skip = missingReal(['gobgpd', 'gobgp', 'bgpd', 'vtysh']);
const US = 4200000001;
const FRR_AS = 4200000002;
const GOBGP2_AS = 4200000003;
const OUR_PORT = 10179;
const evpn = { afi: 25, safi: 70 };

interface Tracked {
  session: Session;
  states: [State, State, StateChangeReason][];
  sent: NotificationMessage[];
  negotiated: Negotiated[];
}

describe.skipIf(skip !== undefined)('Session interop with GoBGP and FRR', () => {
  let topo: Topology;
  let gobgp1: Gobgp;
  let gobgp2: Gobgp;
  let frr: Frr;
  let listener: Listener;
  const sessions = new Map<string, Tracked>();
  let me: string;
  let me6: string;
  let frozen: number | undefined;

  function track(cfg: Partial<SessionConfig> & Pick<SessionConfig, 'peerAddress' | 'peerAsn'>): Tracked {
    const session = new Session({
      localAsn: US,
      routerId: '198.18.0.1',
      families: [evpn],
      holdTime: 9,
      connectRetryTime: 2,
      idleHoldTime: 1,
      idleHoldMaxTime: 4,
      ...cfg,
    });
    const t: Tracked = { session, states: [], sent: [], negotiated: [] };
    session.on('stateChange', (from, to, why) => t.states.push([from, to, why]));
    session.on('notificationSent', (n) => t.sent.push(n));
    session.on('established', (n) => t.negotiated.push(n));
    sessions.set(cfg.peerAddress, t);
    return t;
  }

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 3, root: true, firstOctet: 31, prefix: 'ss' });
    me = topo.rootIp!;
    me6 = '2001:db8:18::1';
    const [g1, f1, g2] = [topo.node(0), topo.node(1), topo.node(2)];
    gobgp1 = await Gobgp.start(topo.lab, { ns: g1.ns, asn: US, routerId: g1.vtep, listen: g1.ip, neighbors: [{ address: me, asn: US, passive: true, holdTime: 9 }] });
    gobgp2 = await Gobgp.start(topo.lab, { ns: g2.ns, asn: GOBGP2_AS, routerId: g2.vtep, neighbors: [{ address: me, asn: US, port: OUR_PORT, holdTime: 9 }] });
    frr = await Frr.start(topo.lab, {
      ns: f1.ns,
      asn: FRR_AS,
      routerId: f1.vtep,
      octet: f1.octet,
      neighbors: [
        { address: me, asn: US, port: OUR_PORT, holdTime: 9 },
        { address: me6, asn: US, passive: true, holdTime: 9 },
      ],
    });

    // GoBGP #1: we connect (iBGP), hold time 3 s so the frozen-peer test is quick
    track({ peerAddress: g1.ip, peerAsn: US, localAddress: me, holdTime: 3 });
    // GoBGP #2 and FRR (IPv4) connect to us
    track({ peerAddress: g2.ip, peerAsn: GOBGP2_AS, passive: true });
    track({ peerAddress: f1.ip, peerAsn: FRR_AS, passive: true });
    // FRR over IPv6: we connect
    track({ peerAddress: f1.ip6, peerAsn: FRR_AS, localAddress: me6 });

    listener = new Listener({ address: '::', port: OUR_PORT, lookup: (a) => sessions.get(a)?.session });
    await listener.listen();
    for (const t of sessions.values()) t.session.start();
  }, 120_000);

  afterAll(async () => {
    if (frozen !== undefined) {
      try {
        process.kill(frozen, 'SIGCONT');
      } catch { /* gone */ }
    }
    for (const t of sessions.values()) await t.session.stop('test over');
    await listener?.close();
    await topo?.destroy();
  });

  const state = (addr: string) => sessions.get(addr)!.session.state;

  it('iBGP with GoBGP, 4-octet AS, we active', async () => {
    const g = topo.node(0).ip;
    await gobgp1.waitFor('our session Established', 40_000, () => state(g) === 'Established');
    await gobgp1.waitEstablished(me, 10_000);
    const t = sessions.get(g)!;
    expect(t.states[0]).toEqual(['Idle', 'Connect', 'manual-start']);
    expect(t.negotiated[0]).toMatchObject({ ibgp: true, fourOctetAs: true, peerAsn: US, holdTime: 3, keepaliveTime: 1, families: [evpn] });
  }, 60_000);

  it('eBGP with GoBGP, 4-octet AS, we passive (GoBGP connects, after its ≥5 s start delay)', async () => {
    const g = topo.node(2).ip;
    await gobgp2.waitFor('our session Established', 60_000, () => state(g) === 'Established');
    await gobgp2.waitEstablished(me, 10_000);
    const t = sessions.get(g)!;
    expect(t.states[0]).toEqual(['Idle', 'Active', 'manual-start']);
    expect(t.states.some((s) => s[1] === 'Connect')).toBe(false);
    expect(t.negotiated[0]).toMatchObject({ ibgp: false, fourOctetAs: true, peerAsn: GOBGP2_AS, holdTime: 9 });
  }, 90_000);

  it('eBGP with FRR, 4-octet AS: FRR connects to us over IPv4, we connect to it over IPv6', async () => {
    const f = topo.node(1);
    await frr.waitFor('both FRR sessions Established', 60_000, () => state(f.ip) === 'Established' && state(f.ip6) === 'Established');
    await frr.waitEstablished(me, 10_000);
    await frr.waitEstablished(me6, 10_000);
    const v4 = sessions.get(f.ip)!;
    const v6 = sessions.get(f.ip6)!;
    expect(v4.states[0]).toEqual(['Idle', 'Active', 'manual-start']);
    expect(v6.states[0]).toEqual(['Idle', 'Connect', 'manual-start']);
    for (const t of [v4, v6]) expect(t.negotiated.at(-1)).toMatchObject({ ibgp: false, fourOctetAs: true, peerAsn: FRR_AS, peerRouterId: f.vtep, families: [evpn] });
    // FRR sees our real AS (AS_TRANS in the 2-byte field, 4200000001 in the capability)
    const nb = frr.json<Record<string, { remoteAs?: number }>>(`show bgp neighbors ${me} json`);
    expect(nb[me]?.remoteAs).toBe(US);
  }, 90_000);

  it('a silent peer (GoBGP frozen with SIGSTOP) is caught by the hold timer', async () => {
    const g = topo.node(0).ip;
    const t = sessions.get(g)!;
    await waitFor('GoBGP #1 session Established', 40_000, () => state(g) === 'Established');
    // stay Established over several hold times: keepalives flow both ways
    await new Promise((r) => setTimeout(r, 4000));
    expect(state(g)).toBe('Established');
    const pid = gobgp1.pid;
    expect(pid).toBeGreaterThan(0);
    const sentBefore = t.sent.length;
    const t0 = Date.now();
    frozen = pid!;
    process.kill(pid!, 'SIGSTOP');
    try {
      await waitFor('hold timer expiry', 10_000, () => state(g) !== 'Established', 50);
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThan(1500); // the last keepalive was at most 1 s old
      expect(elapsed).toBeLessThan(5000);
      expect(t.states.find((s) => s[0] === 'Established')).toEqual(['Established', 'Idle', 'hold-timer-expired']);
      expect(t.sent.slice(sentBefore).map((n) => `${n.code}/${n.subcode}`)).toEqual(['4/0']);
    } finally {
      process.kill(pid!, 'SIGCONT');
      frozen = undefined;
    }
    // it comes back by itself (IdleHold, then a new connection)
    await waitFor('re-established after SIGCONT', 40_000, () => state(g) === 'Established');
    await gobgp1.waitEstablished(me, 20_000);
  }, 90_000);

  it('stop() sends Cease/2 with our shutdown message; the peer sees it', async () => {
    const f = topo.node(1);
    const t = sessions.get(f.ip6)!;
    await waitFor('FRR v6 Established', 30_000, () => state(f.ip6) === 'Established');
    await t.session.stop('bgp-evpn interop: planned');
    expect(t.sent.at(-1)).toMatchObject({ code: 6, subcode: 2 });
    expect(t.session.resources).toEqual({ timers: 0, connections: 0, closing: 0 });
    await frr.waitFor('FRR saw the shutdown', 15_000, () => {
      const nb = frr.json<Record<string, { bgpState?: string; lastNotificationReason?: string; lastResetDueTo?: string; lastShutdownDescription?: string }>>(`show bgp neighbors ${me6} json`)[me6];
      return nb !== undefined && nb.bgpState !== 'Established' && JSON.stringify(nb).includes('planned');
    });
  }, 60_000);
});
