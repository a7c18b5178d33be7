/**
 * examples/automation.ts against real GoBGP in a namespace: the example (a child process in the
 * root namespace, source 198.18.0.1 of a root-attached topology, firstOctet 81) connects to
 * gobgpd; a route injected with the gobgp CLI is printed as added, its withdrawal as withdrawn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Gobgp } from './harness/gobgp.js';
import { ExampleProcess } from '../examples/child.js';

const skip = missingReal(['gobgpd', 'gobgp']);
const AS = 65000;

describe.skipIf(skip !== undefined)('examples/automation.ts with GoBGP', () => {
  let topo: Topology;
  let gobgp: Gobgp;
  let app: ExampleProcess | undefined;

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 1, root: true, firstOctet: 81, prefix: 'xa' });
    gobgp = await Gobgp.start(topo.lab, {
      ns: topo.node(0).ns, asn: AS, routerId: topo.node(0).vtep, listen: topo.node(0).ip,
      neighbors: [{ address: topo.rootIp!, asn: AS, passive: true, holdTime: 9 }],
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await topo?.destroy();
  });

  it('prints the EVPN routes GoBGP announces and withdraws (JSON lines), and exits 0 on SIGTERM', async () => {
    const g = topo.node(0);
    app = new ExampleProcess('examples/automation.ts', [
      '--peer', g.ip, '--peer-as', String(AS), '--asn', String(AS), '--router-id', topo.rootIp!,
      '--local-address', topo.rootIp!, '--hold-time', '9', '--json', '--duration', '120',
    ]);
    await app.waitFor('established', (e) => e.event === 'established', 40_000);
    expect(app.events.find((e) => e.event === 'established')).toMatchObject({ peer: g.ip, peerAsn: AS, peerRouterId: g.vtep, holdTime: 9 });
    await gobgp.waitEstablished(topo.rootIp!);

    const mac = { type: 'macadv', mac: '02:ab:cd:00:00:01', ip: '198.51.100.7', labels: [100], rd: `${g.vtep}:100`, rt: ['65000:100'], encap: 'vxlan', nexthop: g.vtep } as const;
    const imet = { type: 'multicast', ip: g.vtep, rd: `${g.vtep}:100`, rt: ['65000:100'], encap: 'vxlan', nexthop: g.vtep, pmsi: { label: 100, tunnelId: g.vtep } } as const;
    gobgp.addEvpn(mac);
    gobgp.addEvpn(imet);

    const t2 = await app.waitFor('Type-2 added', (e) => e.event === 'route' && e.action === 'added' && e.type === 2);
    expect(t2).toMatchObject({ mac: '02:ab:cd:00:00:01', ip: '198.51.100.7', rd: `${g.vtep}:100`, vni: 100, nextHop: g.vtep, from: g.ip });
    const t3 = await app.waitFor('Type-3 added', (e) => e.event === 'route' && e.action === 'added' && e.type === 3);
    expect(t3).toMatchObject({ originator: g.vtep, vni: 100, nextHop: g.vtep });

    gobgp.delEvpn(mac);
    const gone = await app.waitFor('Type-2 withdrawn', (e) => e.event === 'route' && e.action === 'withdrawn' && e.type === 2);
    expect(gone).toMatchObject({ mac: '02:ab:cd:00:00:01', ip: '198.51.100.7' });

    expect(await app.stop()).toBe(0);
    expect(app.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'SIGTERM', routes: 1 });
    expect(app.stderr).toBe('');
    app = undefined;
  });
});
