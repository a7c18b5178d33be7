/**
 * examples/route-reflector.ts as a child process on loopback (127.0.0.20, a free port); two
 * BgpSpeakers in the test (127.0.0.21, 127.0.0.22) are its clients and see each other's EVPN
 * routes through it, with ORIGINATOR_ID and CLUSTER_LIST (RFC 4456 8); withdrawals follow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker, inclusiveMulticastRoute, macIpRoute, type RibRoute } from '../../src/index.js';
import { ExampleProcess } from './child.js';

const RR = '127.0.0.20';
const A = '127.0.0.21';
const B = '127.0.0.22';
const AS = 65000;

let rr: ExampleProcess | undefined;
const clients: BgpSpeaker[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((s) => s.stop()));
  await rr?.stop();
  rr = undefined;
});

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}\n${rr?.stdout ?? ''}\n${rr?.stderr ?? ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function client(address: string, port: number): BgpSpeaker {
  const s = new BgpSpeaker({ asn: AS, routerId: address, listen: false });
  s.addPeer({ address: RR, port, asn: AS, families: ['l2vpn-evpn'], localAddress: address, connectRetryTime: 1, idleHoldTime: 1 });
  clients.push(s);
  return s;
}

const macOf = (r: RibRoute) => (r.nlri as { mac?: string }).mac;
const attr = (r: RibRoute, type: string) => r.attributes.find((a) => a.type === type) as unknown as { value?: string; values?: string[] } | undefined;

describe('examples/route-reflector.ts', () => {
  it('reflects EVPN routes between two clients (ORIGINATOR_ID, CLUSTER_LIST), withdrawals too; SIGTERM stops it cleanly', async () => {
    rr = new ExampleProcess('examples/route-reflector.ts', ['--listen', RR, '--port', '0', '--asn', String(AS), '--router-id', '10.0.0.100', '--cluster-id', '10.0.0.99', '--client', A, '--client', B, '--json', '--duration', '60']);
    const listening = await rr.waitFor('listening', (e) => e.event === 'listening');
    const port = listening.port as number;
    expect(port).toBeGreaterThan(0);

    const a = client(A, port);
    const b = client(B, port);
    await Promise.all([a.start(), b.start()]);
    await until('both clients Established', () => a.peerState(RR) === 'Established' && b.peerState(RR) === 'Established');
    await rr.waitFor('rr saw both sessions', () => rr!.events.filter((e) => e.event === 'peerState' && e.to === 'Established').length === 2);

    a.announce(macIpRoute({ rd: `${A}:100`, mac: '02:00:00:00:0a:01', ip: '192.0.2.10', vni: 100, nextHop: A, routeTargets: ['65000:100'] }));
    a.announce(inclusiveMulticastRoute({ rd: `${A}:100`, originator: A, vni: 100, nextHop: A, routeTargets: ['65000:100'] }));
    b.announce(macIpRoute({ rd: `${B}:100`, mac: '02:00:00:00:0b:01', vni: 100, nextHop: B, routeTargets: ['65000:100'] }));

    // B gets A's routes through the reflector, A gets B's
    const atB = await until("A's Type-2 at B", () => [...b.routes('l2vpn-evpn')].find((r) => macOf(r) === '02:00:00:00:0a:01'));
    expect(atB.peer).toBe(RR);
    expect(atB.nextHops).toEqual([A]); // next hop unchanged by reflection
    expect(attr(atB, 'originator-id')?.value).toBe(A); // RFC 4456 8: the originator's router id
    expect(attr(atB, 'cluster-list')?.values).toEqual(['10.0.0.99']);
    await until("A's Type-3 at B", () => [...b.routes('l2vpn-evpn')].some((r) => (r.nlri as { originator?: string }).originator === A));
    const atA = await until("B's Type-2 at A", () => [...a.routes('l2vpn-evpn')].find((r) => macOf(r) === '02:00:00:00:0b:01'));
    expect(attr(atA, 'originator-id')?.value).toBe(B);
    // a client never gets its own routes back
    expect([...a.routes('l2vpn-evpn')].filter((r) => r.peer !== 'local').map(macOf)).toEqual(['02:00:00:00:0b:01']);

    // the example printed the routes it reflected
    await rr.waitFor('route events', () => rr!.events.filter((e) => e.event === 'route' && e.action === 'added').length === 3);
    expect(rr.events).toContainEqual(expect.objectContaining({ event: 'route', action: 'added', type: 2, mac: '02:00:00:00:0a:01', ip: '192.0.2.10', from: A, nextHop: A }));
    expect(rr.events).toContainEqual(expect.objectContaining({ event: 'route', action: 'added', type: 3, originator: A, vni: 100 }));

    // A withdraws: B loses it, the example reports it
    a.withdraw(macIpRoute({ rd: `${A}:100`, mac: '02:00:00:00:0a:01', ip: '192.0.2.10', vni: 100, nextHop: A, routeTargets: ['65000:100'] }));
    await until('withdrawn at B', () => ![...b.routes('l2vpn-evpn')].some((r) => macOf(r) === '02:00:00:00:0a:01'));
    await rr.waitFor('withdrawn event', (e) => e.event === 'route' && e.action === 'withdrawn' && e.mac === '02:00:00:00:0a:01');

    expect(await rr.stop()).toBe(0);
    expect(rr.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'SIGTERM', routes: 2 });
    // the clients saw the reflector go away with a Cease
    await until('clients left Established', () => a.peerState(RR) !== 'Established' && b.peerState(RR) !== 'Established');
  });
});
